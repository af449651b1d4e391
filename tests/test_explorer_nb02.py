"""Notebook 02's explorer: what `draw_descent` shows matches the lesson's race, and each redraw is well under 1 s.

The draw function lives in the notebook (lesson code stays there); the test runs the notebook's cells up to the
explorer cell in a real kernel and calls it there.
"""

from tests.notebookkit import notebook_kernel, redraw_times

CHECKS = r'''
import matplotlib.pyplot as plt

def verdict(**values):
    fig = draw_descent(**values)
    text = fig.axes[1].get_title()
    plt.close(fig)
    return text

# with the race's budget, the explorer counts the same steps as the race table of section 6
for optimiser, name in [("gradient descent", "gradient descent"), ("momentum", "momentum (β = 0.9)"), ("Adam", "Adam")]:
    for landscape, valley_name in [("valley", "valley"), ("turned valley", "turned by 45°")]:
        rate, steps = best_of(race[valley_name, name])
        start = valleys[valley_name][1]
        got = verdict(optimiser=optimiser, learning_rate=rate, start_w1=start[0], start_w2=start[1],
                      landscape=landscape, steps=budget)
        assert got == f"loss within 1e-6 after {steps} steps", (optimiser, landscape, got)

assert verdict(optimiser="gradient descent", learning_rate=0.03) == "diverged"  # above 2/100
assert verdict(optimiser="gradient descent", learning_rate=0.5, start_w1=w_start[0], start_w2=w_start[1],
               landscape="data bowl (section 1)") == f"loss within 1e-6 after {int(np.argmax(run_losses['about right'] - loss(w_best) < 1e-6))} steps"
fig = draw_descent()
assert len(fig.axes[0].lines[0].get_xdata()) == 201  # the start and 200 steps
plt.close(fig)
'''


def test_draw_descent_counts_the_races_steps_and_redraws_fast():
    with notebook_kernel("02_gradient_descent.ipynb", stop_before="explore(") as run:
        run(CHECKS)
        settings = [dict(optimiser=o, learning_rate=r, landscape=l)
                    for o, r, l in [("gradient descent", 0.019, "valley"), ("momentum", 0.01, "turned valley"),
                                    ("Adam", 0.3, "data bowl (section 1)"), ("gradient descent", 3.0, "valley")]]
        cpu, wall = redraw_times(run, "draw_descent", settings)
    print(f"draw_descent: median redraw {cpu:.3f} s of CPU time (slowest wall time on this machine {wall:.3f} s)")
    assert cpu < 1.0
