"""Notebook 08's explorer: `draw_rings(width, weight_decay)` redraws from the precomputed runs, shows the lesson's
numbers, and is fast enough to follow a slider."""

import json

import pytest

from notebookkit import notebook_kernel

pytestmark = pytest.mark.slow

PROBE = r"""
import json, time
import matplotlib.pyplot as plt

report = {"settings": {}}
for width, decay in [(64, 0.3), (4, 0.0), (64, 0.0), (1, 1.0)]:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        fig = draw_rings(width=width, weight_decay=decay)
        fig.canvas.draw()  # render, as the widget's output area does
        times.append(time.perf_counter() - start)
    curves_ax, boundary_ax, u_ax = fig.axes[0], fig.axes[1], fig.axes[2]  # fig.axes[3]: the colorbar
    lines = {line.get_label(): list(map(float, line.get_ydata())) for line in curves_ax.get_lines()}
    marker = [line for line in u_ax.get_lines() if line.get_marker() == "o"][0]
    report["settings"][f"{width},{decay}"] = dict(
        seconds=sorted(times)[1], axes=len(fig.axes), title=curves_ax.get_title(),
        train=lines["training loss"], val=lines["validation loss"],
        expected_train=runs_2d[width, decay][1]["train_loss"], expected_val=runs_2d[width, decay][1]["val_loss"],
        marker=float(marker.get_ydata()[0]), expected_marker=final_val_2d[width, decay],
        u_lines=len([l for l in u_ax.get_lines() if l.get_marker() == "."]),
        black=[l.get_label() for l in u_ax.get_lines() if l.get_color() == "black"])
    plt.close(fig)
report["section1_val"] = [float(v) for v in val_loss]
report["explorer_u_at_0"] = [final_val_2d[w, 0.0] for w in WIDTHS]
report["widths"] = WIDTHS
report["decays"] = DECAYS_2D
report["keys"] = len(runs_2d)
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def report():
    with notebook_kernel("08_overfitting_regularisation.ipynb", stop_before="explore(") as run:
        return json.loads(run(PROBE).strip().splitlines()[-1])


def test_every_knob_setting_was_precomputed(report):
    assert report["keys"] == len(report["widths"]) * len(report["decays"])


def test_the_curves_are_the_precomputed_runs(report):
    for setting in report["settings"].values():
        assert setting["train"] == pytest.approx(setting["expected_train"])
        assert setting["val"] == pytest.approx(setting["expected_val"])
        assert setting["marker"] == pytest.approx(setting["expected_marker"])


def test_the_u_curve_without_decay_is_section_1s(report):
    # the explorer's right panel at decay 0 is the validation loss that section 1 printed and plotted
    assert report["explorer_u_at_0"] == pytest.approx(report["section1_val"], rel=1e-6)


def test_one_figure_with_three_panels_and_the_current_decay_in_black(report):
    for key, setting in report["settings"].items():
        width, decay = key.split(",")
        assert setting["axes"] == 4  # curves, boundary, U-curve, and the boundary's colorbar
        assert setting["title"] == f"{width} units, decay {float(decay):g}"
        assert setting["u_lines"] == len(report["decays"])
        assert setting["black"] == [f"decay {float(decay):g}"]


def test_each_redraw_is_well_under_a_second(report):
    print("draw_rings: redraws " + ", ".join(f"{s['seconds']:.3f}" for s in report["settings"].values()) + " s")
    for key, setting in report["settings"].items():
        assert setting["seconds"] < 1.0, (key, setting["seconds"])
