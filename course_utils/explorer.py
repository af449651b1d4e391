"""Knobs a learner turns: a thin layer over core ipywidgets (7.7 on Colab, 8.x in JupyterLab).

An explorer is a plain function of plain arguments that the notebook defines and the tests call on their own,
``draw(**values) -> matplotlib Figure``. ``explore(draw, controls)`` builds one widget per control, draws the
figure at the default values, and redraws into the same output area (no flicker) when a knob is released::

    explore(draw_line_and_bowl, {"w": (0.0, 4.0, 0.05, 1.0), "learning_rate": ("log", 1e-3, 1.0, 0.02)})

Controls, by the form of their spec:

- ``(low, high, step, value)``        a slider (whole numbers give an integer slider)
- ``("log", low, high, value)``       a slider on a log scale (learning rates, strengths)
- ``[option, ...]``                   a drop-down, starting at the first option
- ``([option, ...], value)``          a drop-down starting at ``value``
- ``True`` / ``False``                a check box

The notebook draws the default figure statically first (what nbval, GitHub, the website and a reader without
a kernel see); the widget cell adds the knobs and is marked ``# NBVAL_IGNORE_OUTPUT``.
Nothing of a lesson lives here.
"""

import math
import numbers

import matplotlib.pyplot as plt

NO_WIDGETS = ("The knobs need ipywidgets, which JupyterLab and Colab have (elsewhere: `pip install ipywidgets`); "
              "the figure above shows the default settings.")


# What a saved notebook shows for the knobs where no kernel runs them (GitHub, the website, a static viewer).
STATIC_NOTE = "[Knobs: {names}. They work when this notebook runs in JupyterLab or Colab; the figure above is " \
              "the default setting.]"


def explore(draw, controls: dict, columns: int = 3) -> None:
    """Show ``controls`` as widgets above one output area that ``draw(**values)`` redraws.

    Prints one line instead where ipywidgets is not installed. (Returns nothing, so that a notebook cell that
    ends with ``explore(...)`` shows the knobs once.)
    """
    box = build_explorer(draw, controls, columns)
    if box is None:
        print(NO_WIDGETS)
        return
    from IPython.display import display

    bundle = getattr(box, "_repr_mimebundle_", None)
    if callable(bundle):  # ipywidgets 8: show the widget, with a readable line for where it cannot live
        data = dict(bundle())
        data["text/plain"] = STATIC_NOTE.format(names=", ".join(controls))
        display(data, raw=True)
    else:  # ipywidgets 7 (Colab) displays itself
        display(box)
    box.redraw()


def build_explorer(draw, controls: dict, columns: int = 3):
    """The widget box of ``explore`` without showing it (for tests): its ``redraw()`` draws the current values.

    None where ipywidgets is not installed.
    """
    if not callable(draw):
        raise TypeError(f"draw must be a function of the control values, got {type(draw).__name__}")
    if not isinstance(controls, dict) or not controls:
        raise ValueError("controls must be a non-empty dict of {argument name: spec}")
    try:
        import ipywidgets as widgets
        from IPython.display import display
    except ImportError:
        return None
    knobs = {name: make_widget(widgets, name, spec) for name, spec in controls.items()}
    output = widgets.Output()

    def redraw(_change=None):
        figure = draw(**{name: knob.value for name, knob in knobs.items()})
        with output:
            output.clear_output(wait=True)  # replaced when the new figure arrives: no flicker
            display(figure)
        plt.close(figure)  # shown once, in the output area, not again by the inline backend

    for knob in knobs.values():
        knob.observe(redraw, names="value")
    row = list(knobs.values())
    rows = [widgets.HBox(row[i:i + columns]) for i in range(0, len(row), columns)]
    box = widgets.VBox([*rows, output])
    box.redraw = redraw
    return box


def make_widget(widgets, name: str, spec):
    """One ipywidgets control for ``spec`` (see the module docstring), labelled ``name``."""
    common = {"description": name, "style": {"description_width": "initial"}}
    if isinstance(spec, bool):
        return widgets.Checkbox(value=spec, indent=False, **common)
    if isinstance(spec, list):
        return _dropdown(widgets, name, spec, spec[0] if spec else None, common)
    if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], list):
        return _dropdown(widgets, name, spec[0], spec[1], common)
    if isinstance(spec, tuple) and len(spec) == 4 and spec[0] == "log":
        _, low, high, value = spec
        if not all(_is_number(v) and v > 0 for v in (low, high, value)) or not low <= value <= high:
            raise ValueError(f"control {name!r}: a log slider needs 0 < low <= value <= high, got {spec!r}")
        lo, hi = math.log10(low), math.log10(high)
        return widgets.FloatLogSlider(value=value, base=10, min=lo, max=hi, step=(hi - lo) / 40,
                                      continuous_update=False, readout_format=".3g", **common)
    if isinstance(spec, tuple) and len(spec) == 4 and all(_is_number(v) for v in spec):
        low, high, step, value = spec
        if not (low <= value <= high and step > 0):
            raise ValueError(f"control {name!r}: a slider needs low <= value <= high and step > 0, got {spec!r}")
        if all(isinstance(v, numbers.Integral) for v in spec):
            return widgets.IntSlider(value=value, min=low, max=high, step=step, continuous_update=False, **common)
        return widgets.FloatSlider(value=value, min=low, max=high, step=step, continuous_update=False,
                                   readout_format=".3g", **common)
    raise ValueError(
        f"control {name!r}: unknown spec {spec!r}; use (low, high, step, value), ('log', low, high, value), "
        "a list of options, (options, value) or True/False"
    )


def _dropdown(widgets, name, options, value, common):
    if not options or value not in options:
        raise ValueError(f"control {name!r}: a drop-down needs options that include its value, got {options!r}")
    return widgets.Dropdown(options=options, value=value, **common)


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)
