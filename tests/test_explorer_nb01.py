"""Notebook 01's explorer: what `draw_perceptron` shows matches the lesson's numbers, and each redraw is well under 1 s.

The draw function lives in the notebook (lesson code stays there); the test runs the notebook's cells up to the
explorer cell in a real kernel and calls it there.
"""

from tests.notebookkit import notebook_kernel, redraw_times

CHECKS = r'''
import matplotlib.pyplot as plt

def title(**values):
    fig = draw_perceptron(**values)
    text = fig.axes[0].get_title()
    plt.close(fig)
    return text

# the accuracies in the title are the lesson's own, for each data set and each view
w, b = snapshots[100]
assert title(w1=w[0], w2=w[1], b=b, data="blobs", features="Cartesian") == \
    f"blobs, Cartesian features: {accuracy(X_blobs, y_blobs, w, b):.1%} right"
assert title(w1=w_polar[0], w2=w_polar[1], b=b_polar, data="rings", features="polar") == \
    f"rings, polar features: {acc_polar:.1%} right"
assert title(w1=w_cart[0], w2=w_cart[1], b=b_cart, data="rings", features="Cartesian") == \
    f"rings, Cartesian features: {acc_cart:.1%} right"
assert title(w1=0.5, w2=0.5, b=0.5, data="XOR", features="Cartesian") == "XOR, Cartesian features: 75.0% right"
assert title() == "rings, polar features: 100.0% right"  # the default figure of the notebook

fig = draw_perceptron(data="XOR", features="polar")
assert len(fig.axes[0].collections) >= 2 and fig.axes[0].images  # shading and both classes drawn
plt.close(fig)
'''


def test_draw_perceptron_shows_the_lessons_accuracies_and_redraws_fast():
    with notebook_kernel("01_perceptron.ipynb", stop_before="explore(") as run:
        run(CHECKS)
        cases = [(-10.0, 0.0, 7.5, "rings", "polar"), (2.0, 0.5, 0.3, "blobs", "Cartesian"),
                 (1.0, -1.0, 0.0, "XOR", "Cartesian"), (3.0, 2.0, -1.0, "XOR", "polar")]
        settings = [dict(w1=w1, w2=w2, b=b, data=data, features=features) for w1, w2, b, data, features in cases]
        cpu, wall = redraw_times(run, "draw_perceptron", settings)
    print(f"draw_perceptron: median redraw {cpu:.3f} s of CPU time (slowest wall time on this machine {wall:.3f} s)")
    assert cpu < 1.0
