"""Notebook 00's explorer: what `draw_knob` shows matches the lesson's numbers, and each redraw is well under 1 s.

The draw function lives in the notebook (lesson code stays there); the test runs the notebook's cells up to the
explorer cell in a real kernel and calls it there.
"""

from tests.notebookkit import notebook_kernel, redraw_times

CHECKS = r'''
import matplotlib.pyplot as plt

# the numbers in the titles are the lesson's: loss(w) of section 2 and the gradient-descent path of section 4
fig = draw_knob(w=1.0, learning_rate=0.02)
ax_data, ax_bowl = fig.axes
assert ax_bowl.get_title().startswith(f"loss {loss(1.0):.3f};"), ax_bowl.get_title()
w_path = 1.0
for _ in range(10):
    w_path = w_path - 0.02 * slope(w_path)
assert ax_bowl.get_title().endswith(f"w = {w_path:.3f}"), ax_bowl.get_title()
assert len(ax_bowl.lines[1].get_xdata()) == 11  # the start and ten steps
plt.close(fig)

fig = draw_knob(w=2.5, learning_rate=0.02, noisy=True)
assert fig.axes[1].get_title().startswith(f"loss {noisy_loss(2.5):.3f};"), fig.axes[1].get_title()
assert len(fig.axes[0].lines[0].get_xdata()) == len(x_noisy)  # the noisy data is drawn
plt.close(fig)

fig = draw_knob(w=0.5, learning_rate=0.2)  # a diverging rate must still draw
assert abs(float(fig.axes[1].lines[1].get_xdata()[-1]) - 2.0) > 100
plt.close(fig)
'''


def test_draw_knob_shows_the_lessons_numbers_and_redraws_fast():
    with notebook_kernel("00_functions_and_parameters.ipynb", stop_before="explore(") as run:
        run(CHECKS)
        settings = [dict(w=w, learning_rate=rate, noisy=noisy)
                    for w, rate, noisy in [(0.5, 0.02, False), (3.0, 0.09, True), (1.2, 0.001, False), (0.0, 0.2, True)]]
        cpu, wall = redraw_times(run, "draw_knob", settings)
    print(f"draw_knob: median redraw {cpu:.3f} s of CPU time (slowest wall time on this machine {wall:.3f} s)")
    assert cpu < 1.0
