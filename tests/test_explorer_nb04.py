"""Notebook 04's explorer (mini-batch paths on notebook 02's landscape) draws the lesson's numbers, fast.

The draw function is the notebook's own, run in a real kernel up to the explorer cell (tests/notebookkit.py).
"""

import json

import pytest
from notebookkit import notebook_kernel


@pytest.fixture(scope="module")
def run():
    with notebook_kernel("04_mini_batches.ipynb", stop_before="explore(") as run:
        yield run


def _report(run, code):
    """Run code that ends by binding `report` to a dict; return that dict."""
    return json.loads(run(code + "\nprint(json.dumps(report))").strip().splitlines()[-1])


def test_the_default_figure_shows_the_lessons_path_and_its_numbers(run):
    report = _report(run, """
import json
fig = draw_minibatch_paths(batch_size=1, learning_rate=0.1, falling_rate=False)
drawn = next(line for line in fig.axes[0].lines if line.get_label() == "B = 1")
path = minibatch_path(1, 0.1, updates=150)
report = {
    "same_path": bool(np.allclose(drawn.get_xdata(), path[:, 0]) and np.allclose(drawn.get_ydata(), path[:, 1])),
    "starts_like_section_3": bool(np.allclose(path[:101], paths[1])),
    "title": fig.axes[1].get_title(),
    "expected": f"final loss {landscape_loss(path)[-1]:.4f}, distance from the lowest point "
                f"{np.linalg.norm(path[-1] - w_lowest):.3f}",
    "panels": len(fig.axes),
}
plt.close(fig)
""")
    assert report["same_path"], "the drawn path is not minibatch_path's"
    assert report["starts_like_section_3"], "the explorer's path differs from section 3's for the same settings"
    assert report["title"] == report["expected"]
    assert report["panels"] == 2


def test_the_full_batch_reference_is_the_smooth_path_that_reaches_the_lowest_point(run):
    report = _report(run, """
import json
fig = draw_minibatch_paths(batch_size=10, learning_rate=0.1)
full = next(line for line in fig.axes[0].lines if line.get_label().startswith("full batch"))
end = np.array([full.get_xdata()[-1], full.get_ydata()[-1]])
report = {"distance": float(np.linalg.norm(end - w_lowest))}
plt.close(fig)
""")
    assert report["distance"] < 0.01


def test_too_large_a_rate_is_reported_as_diverged_without_warnings(run):
    out = run("""
import warnings
with warnings.catch_warnings():
    warnings.simplefilter("error")
    fig = draw_minibatch_paths(batch_size=1, learning_rate=0.5)
    titles = [fig.axes[1].get_title()]
    fig2 = draw_minibatch_paths(batch_size=100, learning_rate=0.003, falling_rate=True)
    titles.append(fig2.axes[1].get_title())
plt.close(fig); plt.close(fig2)
print(titles)
""")
    assert "diverged" in out or "final loss" in out  # it draws, whatever the path did
    assert "Warning" not in out


@pytest.mark.parametrize("settings", [
    dict(batch_size=1, learning_rate=0.1, falling_rate=False),
    dict(batch_size=5, learning_rate=0.3, falling_rate=True),
    dict(batch_size=100, learning_rate=0.003, falling_rate=False),
    dict(batch_size=2, learning_rate=0.5, falling_rate=False),
])
def test_each_redraw_takes_well_under_a_second(run, settings):
    report = _report(run, f"""
import json, time
times = []
for _ in range(3):
    start = time.perf_counter()
    fig = draw_minibatch_paths(**{settings!r})
    fig.canvas.draw()  # render it, as the widget's output area does
    times.append(time.perf_counter() - start)
    plt.close(fig)
report = {{"seconds": min(times)}}
""")
    print(f"draw_minibatch_paths {settings}: redraw {report['seconds']:.3f} s (best of 3, wall time)")
    assert report["seconds"] < 1.0, f"a redraw took {report['seconds']:.2f} s"
