"""The explorer plumbing: specs become the right widgets, and a moved knob redraws with the new value."""

import builtins

import matplotlib.pyplot as plt
import pytest

ipywidgets = pytest.importorskip("ipywidgets")

from course_utils import explorer  # noqa: E402


def test_each_spec_becomes_its_widget():
    make = lambda spec: explorer.make_widget(ipywidgets, "k", spec)  # noqa: E731
    assert isinstance(make((0.0, 4.0, 0.05, 1.0)), ipywidgets.FloatSlider)
    assert isinstance(make((1, 10, 1, 3)), ipywidgets.IntSlider)
    log = make(("log", 1e-3, 1.0, 0.02))
    assert isinstance(log, ipywidgets.FloatLogSlider) and abs(log.value - 0.02) < 1e-12
    assert make(["sigmoid", "relu"]).value == "sigmoid"
    assert make((["sigmoid", "relu"], "relu")).value == "relu"
    assert isinstance(make(True), ipywidgets.Checkbox)


@pytest.mark.parametrize("spec, said", [
    ((0.0, 1.0, 0.1, 2.0), "low <= value <= high"),
    (("log", 0.0, 1.0, 0.5), "0 < low"),
    ((["a", "b"], "c"), "include its value"),
    ("fast", "unknown spec"),
])
def test_a_bad_spec_says_what_was_expected(spec, said):
    with pytest.raises(ValueError, match=said):
        explorer.make_widget(ipywidgets, "k", spec)


def test_moving_a_knob_redraws_with_the_new_value(monkeypatch):
    calls = []

    def draw(w, activation):
        calls.append((w, activation))
        fig, ax = plt.subplots()
        ax.set_title(f"w = {w}")
        return fig

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.append(a))
    box = explorer.build_explorer(draw, {"w": (0.0, 4.0, 0.5, 1.0), "activation": ["sigmoid", "relu"]})
    assert calls == []
    box.redraw()
    assert calls == [(1.0, "sigmoid")]
    slider = box.children[0].children[0]
    slider.value = 2.5
    assert calls[-1] == (2.5, "sigmoid")
    box.children[0].children[1].value = "relu"
    assert calls[-1] == (2.5, "relu")
    assert not plt.get_fignums(), "every drawn figure is closed after it is shown"


def test_explore_shows_the_knobs_once_and_returns_nothing(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.append(a))
    assert explorer.explore(lambda w: plt.figure(), {"w": (0.0, 1.0, 0.5, 0.5)}) is None
    bundles = [a[0] for a in shown if isinstance(a[0], dict)]
    assert len(bundles) == 1  # the box, once (the figure goes inside it)
    assert "application/vnd.jupyter.widget-view+json" in bundles[0]
    assert bundles[0]["text/plain"].startswith("[Knobs: w. They work when this notebook runs")


def test_without_ipywidgets_it_says_so_in_one_line(monkeypatch, capsys):
    real_import = builtins.__import__

    def no_widgets(name, *args, **kwargs):
        if name == "ipywidgets":
            raise ImportError("no ipywidgets")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_widgets)
    assert explorer.explore(lambda w: None, {"w": (0.0, 1.0, 0.1, 0.5)}) is None
    assert capsys.readouterr().out == explorer.NO_WIDGETS + "\n"


def test_bad_arguments_are_refused():
    with pytest.raises(TypeError, match="draw must be a function"):
        explorer.explore(3, {"w": (0.0, 1.0, 0.1, 0.5)})
    with pytest.raises(ValueError, match="non-empty dict"):
        explorer.explore(lambda: None, {})
