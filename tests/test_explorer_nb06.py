"""Notebook 06's explorer: the redraw shows the lesson's own numbers and redraws in well under a second.

The notebook's cells up to the explorer run in a real kernel (tests/notebookkit.py); no training happens before
it, so this takes seconds.
"""

import json

import pytest

from notebookkit import notebook_kernel

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def run():
    with notebook_kernel("06_depth_vanishing_gradients.ipynb", stop_before="explore(") as run_code:
        yield run_code


def values(run, code):
    """The JSON that ``code`` prints in the notebook's kernel."""
    return json.loads(run(code).strip().splitlines()[-1])


def test_the_default_figure_is_section_2s_sigmoid_network(run):
    shown = values(run, """
import json
fig = draw_gradient_profile()
reference, line = fig.axes[0].lines
print(json.dumps({"line": [float(v) for v in line.get_ydata()], "reference": [float(v) for v in reference.get_ydata()],
                  "lesson": sigmoid_norms.tolist(), "title": fig.axes[0].get_title(), "n_x": len(line.get_xdata())}))
plt.close(fig)
""")
    assert shown["n_x"] == 20
    assert shown["line"] == pytest.approx(shown["lesson"], rel=1e-6)
    assert shown["reference"] == pytest.approx(shown["lesson"], rel=1e-6)
    ratio = shown["lesson"][0] / shown["lesson"][-1]
    assert shown["title"] == f"first layer / last layer = {ratio:.1e}"


@pytest.mark.parametrize("activation, init", [("tanh", "xavier"), ("relu", "he"), ("relu", "default")])
def test_each_setting_shows_the_grid_of_section_3(run, activation, init):
    shown = values(run, f"""
fig = draw_gradient_profile(activation="{activation}", init="{init}")
print(json.dumps({{"line": [float(v) for v in fig.axes[0].lines[1].get_ydata()],
                  "lesson": grid_norms["{activation}", "{init}"].tolist()}}))
plt.close(fig)
""")
    assert shown["line"] == pytest.approx(shown["lesson"], rel=1e-6)


def test_depth_and_gain_change_the_figure(run):
    shown = values(run, """
deep = draw_gradient_profile(depth=35, activation="tanh", init="xavier")
hot = draw_gradient_profile(activation="tanh", init="xavier", gain=4.0)
vanished = draw_gradient_profile(depth=50)
print(json.dumps({"deep_n": len(deep.axes[0].lines[1].get_xdata()), "hot_title": hot.axes[0].get_title(),
                  "vanished_title": vanished.axes[0].get_title()}))
for f in (deep, hot, vanished):
    plt.close(f)
""")
    assert shown["deep_n"] == 35
    assert float(shown["hot_title"].rsplit("= ", 1)[1]) > 1e3  # section 6: 4 x Xavier explodes
    assert "below 1e-38" in shown["vanished_title"]           # 49 factors of 0.14: rounded to 0


def test_each_redraw_takes_well_under_a_second(run):
    times = values(run, """
import time
times = []
for settings in [dict(), dict(depth=50), dict(depth=50, activation="relu", init="he", gain=4.0),
                 dict(depth=2, activation="tanh", init="xavier", gain=0.25)]:
    best = float("inf")
    for _ in range(2):  # the better of two, so one pause of a busy machine does not count as the redraw's cost
        start = time.perf_counter()
        fig = draw_gradient_profile(**settings)
        fig.canvas.draw()  # render it, as the widget does when it shows the figure
        best = min(best, time.perf_counter() - start)
        plt.close(fig)
    times.append(best)
print(json.dumps(times))
""")
    print(f"draw_gradient_profile: redraws {', '.join(f'{t:.3f}' for t in times)} s (wall time, the better of two)")
    assert max(times) < 1.0, times
