"""Plots that two or more notebooks share: the course's figure style, image grids, training curves, 2-D
decision boundaries.

Each function draws on a Matplotlib axes (a new figure if none is given) and returns it; call ``plt.show()``
after it in a notebook so that the cell ends cleanly.

The style (``use_course_style``, called by every setup cell) follows the course guide: the colour-blind-safe
Okabe-Ito colours, each paired with its own line style so that lines differ without colour too, legends and
ticks at 9 pt or more, and an opaque white background that stays readable in a dark theme.
"""

import math

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import torch
from cycler import cycler
from matplotlib.colors import LinearSegmentedColormap

# The Okabe-Ito colours (Okabe and Ito, "Color Universal Design", 2008), safe for the common colour-blindness.
COLORS = {
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00",
    "purple": "#CC79A7", "sky": "#56B4E9", "yellow": "#F0E442", "black": "#000000",
}
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 1)), (0, (8, 2)), (0, (3, 3))]
# The two classes of every binary task in the course: class 0 vermillion, class 1 blue (named once per notebook).
CLASS_COLORS = (COLORS["vermillion"], COLORS["blue"])
# Probability of class 1 on a fixed 0-1 scale: vermillion (0) through white (0.5) to blue (1).
SHADING_BANDS = 20  # plot_decision_boundary shades in flat bands of 0.05: small PNGs, readable levels
PROBABILITY_CMAP = LinearSegmentedColormap.from_list("course_probability", [CLASS_COLORS[0], "#FFFFFF",
                                                                             CLASS_COLORS[1]])


def use_course_style() -> None:
    """Set Matplotlib's defaults to the course's figure style (see the module docstring)."""
    mpl.rcParams.update({
        "axes.prop_cycle": cycler(color=[COLORS[k] for k in ("blue", "orange", "green", "vermillion", "purple",
                                                              "sky", "black", "yellow")])
        + cycler(linestyle=LINESTYLES),
        "font.size": 10,
        "axes.titlesize": 11,
        "axes.labelsize": 10,
        "legend.fontsize": 9,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "figure.facecolor": "white",
        "axes.facecolor": "white",
        "savefig.facecolor": "white",
        "figure.dpi": 100,
        "image.cmap": "viridis",
    })


MAX_IMAGES = 400  # one axes per image: beyond a few hundred, drawing takes minutes


def show_images(images, labels=None, ncols: int = 10, title: str | None = None, size: float = 1.0):
    """A grid of grey-scale images. ``images``: ``(N, 28, 28)`` or ``(N, 1, H, W)``, tensor or array.

    ``labels`` (optional) are written above each image; strings or numbers.
    Returns the figure.
    """
    images = _as_numpy(images)
    if images.ndim == 4 and images.shape[1] == 1:
        images = images[:, 0]
    if images.ndim != 3:
        raise ValueError(f"images must have shape (N, H, W) or (N, 1, H, W), got {images.shape}")
    if labels is not None and len(labels) != len(images):
        raise ValueError(f"got {len(images)} images but {len(labels)} labels")
    n = len(images)
    if n == 0:
        raise ValueError("no images to show")
    if n > MAX_IMAGES:
        raise ValueError(f"{n} images would take minutes to draw (one axes each): show at most {MAX_IMAGES}, "
                         "e.g. images[:100]")
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows * (1.25 if labels is not None else 1)))
    for i, ax in enumerate(np.atleast_1d(axes).ravel()):
        ax.axis("off")
        if i < n:
            ax.imshow(images[i], cmap="gray_r")
            if labels is not None:
                ax.set_title(str(_as_scalar(labels[i])), fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_curves(curves: dict, xlabel: str = "epoch", ylabel: str = "loss", title: str | None = None,
                logy: bool = False, x=None, ax=None):
    """One line per entry of ``curves`` (``{"name": [values...]}``), with a legend.

    ``x``: shared x values, or a dict with one sequence per name (e.g. wall seconds); default 1, 2, 3, ...
    """
    if not isinstance(curves, dict) or not curves:
        raise ValueError("curves must be a non-empty dict of {name: sequence of numbers}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    for name, values in curves.items():
        values = _as_numpy(values)
        if values.ndim != 1:
            raise ValueError(f"curve {name!r}: expected one value per point, got shape {values.shape}")
        if isinstance(x, dict) and name not in x:
            raise ValueError(f"x has no entry for curve {name!r} (keys: {sorted(x)})")
        xs = x.get(name) if isinstance(x, dict) else x
        xs = np.arange(1, len(values) + 1) if xs is None else _as_numpy(xs).ravel()
        if len(xs) != len(values):
            raise ValueError(f"curve {name!r}: {len(values)} values but {len(xs)} x positions")
        ax.plot(xs, values, label=str(name))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    ax.legend()
    ax.grid(alpha=0.3)
    return ax


def plot_decision_boundary(predict, X, y, ax=None, resolution: int = 200, margin: float = 0.5,
                           title: str | None = None, colorbar: bool = True):
    """Shade the plane by ``predict`` and scatter the points ``X`` coloured by label ``y``.

    ``predict`` maps a float array of shape ``(m, 2)`` to ``m`` scores: class labels, or probabilities of
    class 1 (values in [0, 1]). The shading is on a fixed 0-1 scale (``PROBABILITY_CMAP``, with a colorbar
    unless ``colorbar=False``), so 0.49 and 0.51 look alike; the 0.5 contour is drawn as the boundary. The
    shading comes in 20 flat bands of 0.05, which keep the PNG about half the size of a smooth gradient.
    Points: class 0 vermillion circles, class 1 blue squares (marker and colour both differ).
    """
    X = _as_numpy(X)
    y = _as_numpy(y).ravel()
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n, 2), got {X.shape}")
    if len(y) != len(X):
        raise ValueError(f"X has {len(X)} points but y has {len(y)} labels")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4.5))
    (x0, y0), (x1, y1) = X.min(axis=0) - margin, X.max(axis=0) + margin
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)
    scores = _as_numpy(predict(grid)).astype(np.float64).reshape(gx.shape)
    if scores.shape != gx.shape or not np.isfinite(scores).all():
        raise ValueError("predict must return one finite score per grid point")
    shading = ax.imshow(scores, origin="lower", extent=(x0, x1, y0, y1), vmin=0.0, vmax=1.0, alpha=0.6,
                        cmap=PROBABILITY_CMAP.resampled(SHADING_BANDS), interpolation="nearest", aspect="auto")
    if colorbar:
        ax.figure.colorbar(shading, ax=ax, fraction=0.046, pad=0.04, label="P(class 1)")
    if scores.min() < 0.5 < scores.max():
        ax.contour(gx, gy, scores, levels=[0.5], colors="k", linewidths=1.5)
    for label, (color, marker) in enumerate(zip(CLASS_COLORS, ("o", "s"))):
        mine = y == label
        ax.scatter(X[mine, 0], X[mine, 1], c=color, marker=marker, edgecolors="k", linewidths=0.5, s=18,
                   label=f"class {label}")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    return ax


def _as_numpy(values) -> np.ndarray:
    if isinstance(values, torch.Tensor):
        return values.detach().cpu().numpy()
    return np.asarray(values)


def _as_scalar(value):
    return value.item() if hasattr(value, "item") else value
