import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from course_utils.plotting import plot_curves, plot_decision_boundary, show_images


def teardown_function():
    plt.close("all")


def test_show_images_accepts_tensors_with_channel():
    fig = show_images(torch.rand(12, 1, 28, 28), labels=list(range(12)), ncols=6)
    assert len([ax for ax in fig.axes if ax.images]) == 12


@pytest.mark.parametrize("shape", [(5, 28), (5, 3, 28, 28), (28,)])
def test_show_images_rejects_wrong_shapes(shape):
    with pytest.raises(ValueError, match=r"images must have shape \(N, H, W\) or \(N, 1, H, W\)"):
        show_images(np.zeros(shape))


def test_show_images_label_count_must_match():
    with pytest.raises(ValueError, match="got 3 images but 2 labels"):
        show_images(np.zeros((3, 28, 28)), labels=[1, 2])


def test_plot_curves_lines_and_errors():
    ax = plot_curves({"a": [3, 2, 1], "b": torch.tensor([3.0, 1.0, 0.5])}, logy=True)
    assert len(ax.lines) == 2 and ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="non-empty dict"):
        plot_curves([1, 2, 3])
    with pytest.raises(ValueError, match="3 values but 2 x positions"):
        plot_curves({"a": [1, 2, 3]}, x=[1, 2])


def test_decision_boundary_draws_and_checks_input():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    y = np.array([0, 1, 1, 0])
    ax = plot_decision_boundary(lambda g: (g[:, 1] > 0.5).astype(float), X, y, resolution=20)
    assert ax.collections
    [shading] = ax.images  # one image on a fixed 0-1 scale, whatever the scores' own range
    assert shading.get_clim() == (0.0, 1.0)
    ax = plot_decision_boundary(lambda g: 0.49 + 0.02 * g[:, 0], X, y, resolution=20, colorbar=False)
    assert ax.images[0].get_clim() == (0.0, 1.0) and len(ax.figure.axes) == 1
    with pytest.raises(ValueError, match=r"X must have shape \(n, 2\)"):
        plot_decision_boundary(lambda g: g[:, 0], np.zeros((4, 3)), y)
    with pytest.raises(ValueError, match="4 points but y has 3 labels"):
        plot_decision_boundary(lambda g: g[:, 0], X, y[:3])


def test_course_style_is_colour_blind_safe_and_readable():
    from matplotlib import rcParams

    from course_utils.plotting import COLORS, use_course_style

    use_course_style()
    cycle = rcParams["axes.prop_cycle"].by_key()
    assert cycle["color"][:4] == [COLORS["blue"], COLORS["orange"], COLORS["green"], COLORS["vermillion"]]
    assert len(set(map(str, cycle["linestyle"]))) == len(cycle["linestyle"])  # each colour has its own style
    assert rcParams["legend.fontsize"] >= 9 and rcParams["xtick.labelsize"] >= 9
    assert rcParams["figure.facecolor"] == "white"


def test_show_images_refuses_nothing_and_thousands():
    with pytest.raises(ValueError, match="no images"):
        show_images(np.zeros((0, 28, 28)))
    with pytest.raises(ValueError, match="5000 images would take minutes"):
        show_images(np.zeros((5000, 28, 28)))


def test_plot_curves_refuses_what_it_used_to_flatten_or_skip():
    with pytest.raises(ValueError, match="expected one value per point, got shape \\(2, 3\\)"):
        plot_curves({"a": np.zeros((2, 3))})
    with pytest.raises(ValueError, match="x has no entry for curve 'b'"):
        plot_curves({"a": [1, 2], "b": [3, 4]}, x={"a": [0.1, 0.2]})
