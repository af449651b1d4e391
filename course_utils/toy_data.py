"""Small seeded 2-D data sets for the early notebooks.

Every maker returns ``(X, y)`` as NumPy arrays: ``X`` float32 of shape ``(n, 2)``, ``y`` int64 of shape ``(n,)``
with labels 0 and 1 (``make_blobs`` can have more classes). The same ``seed`` always gives the same data.
"""

import numpy as np


def make_blobs(n: int = 200, centers=((-2.0, -2.0), (2.0, 2.0)), spread: float = 1.0, seed: int = 0):
    """Gaussian blobs around ``centers``, one class per centre, ``n`` points in all (split as evenly as possible)."""
    _check_n(n)
    _check_scale(spread, "spread")
    centers = np.asarray(centers, dtype=np.float64)
    if centers.ndim != 2 or centers.shape[1] != 2:
        raise ValueError(f"centers must be a list of (x, y) pairs, got shape {centers.shape}")
    rng = np.random.default_rng(seed)
    y = np.arange(n) % len(centers)
    X = centers[y] + spread * rng.standard_normal((n, 2))
    return _finish(X, y, rng)


def make_xor(n: int = 200, noise: float = 0.1, seed: int = 0):
    """Four clusters at the corners of a square; opposite corners share a label, so no line separates them."""
    _check_n(n)
    _check_scale(noise, "noise")
    rng = np.random.default_rng(seed)
    corners = rng.integers(0, 2, size=(n, 2))
    y = corners[:, 0] ^ corners[:, 1]
    X = (2.0 * corners - 1.0) + noise * rng.standard_normal((n, 2))
    return _finish(X, y, rng)


def make_circles(n: int = 200, noise: float = 0.05, inner: float = 0.5, outer: float = 1.0, seed: int = 0):
    """Two concentric rings: label 1 for the inner ring (radius ``inner``), 0 for the outer (radius ``outer``)."""
    _check_n(n)
    _check_scale(noise, "noise")
    _check_scale(inner, "inner")
    _check_scale(outer, "outer")
    rng = np.random.default_rng(seed)
    y = (np.arange(n) % 2 == 0).astype(np.int64)
    radius = np.where(y == 1, inner, outer) + noise * rng.standard_normal(n)
    angle = rng.uniform(0.0, 2.0 * np.pi, n)
    X = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return _finish(X, y, rng)


def make_moons(n: int = 200, noise: float = 0.1, seed: int = 0):
    """Two interleaving half circles."""
    _check_n(n)
    _check_scale(noise, "noise")
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    t = rng.uniform(0.0, np.pi, n)
    X = np.where(
        (y == 0)[:, None],
        np.stack([np.cos(t), np.sin(t)], axis=1),
        np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1),
    )
    X = X + noise * rng.standard_normal((n, 2))
    return _finish(X, y, rng)


def make_spirals(n: int = 200, turns: float = 1.5, noise: float = 0.05, seed: int = 0):
    """Two interleaved spirals, one per class: hard for a line, easy for a small network."""
    _check_n(n)
    _check_scale(noise, "noise")
    _check_scale(turns, "turns")
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    t = rng.uniform(0.0, 1.0, n)
    angle = 2.0 * np.pi * turns * t + np.pi * y
    radius = 0.1 + t
    X = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    X = X + noise * rng.standard_normal((n, 2))
    return _finish(X, y, rng)


def _check_n(n) -> None:
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 2:
        raise ValueError(f"n must be an int of at least 2 (number of points), got {n!r}")


def _check_scale(value, name: str) -> None:
    """A noise level, spread or radius: a finite real number, at least 0 (NaN or inf would poison every point)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number of at least 0, got {value!r}")


def _finish(X, y, rng):
    order = rng.permutation(len(y))
    return X[order].astype(np.float32), y[order].astype(np.int64)
