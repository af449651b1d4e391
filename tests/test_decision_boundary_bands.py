"""plot_decision_boundary shades in flat bands on the fixed 0-1 scale: readable levels, PNGs about half the size."""

import io

import matplotlib.pyplot as plt
import numpy as np

from course_utils.plotting import PROBABILITY_CMAP, SHADING_BANDS, plot_decision_boundary


def _png_bytes(fig) -> int:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return len(buffer.getvalue())


def test_shading_is_banded_on_the_fixed_scale():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2))
    y = (X[:, 0] > 0).astype(int)
    ax = plot_decision_boundary(lambda g: 1 / (1 + np.exp(-2 * g[:, 0])), X, y)
    [shading] = ax.images
    assert shading.get_clim() == (0.0, 1.0) and shading.cmap.N == SHADING_BANDS == 20
    assert shading.get_interpolation() == "nearest"
    colours = {tuple(shading.cmap(shading.norm(v))) for v in np.linspace(0, 1, 1001)}
    assert len(colours) == SHADING_BANDS  # 0.49 and 0.51 share a band; 0.1 and 0.9 do not
    plt.close("all")


def test_banded_shading_makes_a_smaller_png_than_a_smooth_gradient():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    predict = lambda g: 1 / (1 + np.exp(-(g[:, 0] + 0.5 * g[:, 1])))  # noqa: E731
    banded = _png_bytes(plot_decision_boundary(predict, X, y).figure)
    ax = plot_decision_boundary(predict, X, y)
    ax.images[0].set_cmap(PROBABILITY_CMAP)  # what it was before: a smooth gradient, interpolated
    ax.images[0].set_interpolation("bilinear")
    smooth = _png_bytes(ax.figure)
    assert banded < 0.8 * smooth, (banded, smooth)
