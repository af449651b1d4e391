"""Issue 19: toy data refuses a noise level (or spread, radius) that would silently poison every point."""

import math

import numpy as np
import pytest

from course_utils import toy_data

NOISY = [toy_data.make_xor, toy_data.make_circles, toy_data.make_moons, toy_data.make_spirals]


@pytest.mark.parametrize("maker", NOISY)
@pytest.mark.parametrize("bad", [math.nan, math.inf, -0.1, "0.1", True, None])
def test_bad_noise_is_a_clear_error(maker, bad):
    with pytest.raises(ValueError, match="noise must be a finite number of at least 0"):
        maker(n=20, noise=bad)


@pytest.mark.parametrize("kwargs, name", [({"spread": math.nan}, "spread"), ({"spread": -1.0}, "spread")])
def test_bad_spread_is_a_clear_error(kwargs, name):
    with pytest.raises(ValueError, match=f"{name} must be a finite number"):
        toy_data.make_blobs(n=20, **kwargs)


def test_circles_and_spirals_check_their_shape_arguments():
    with pytest.raises(ValueError, match="inner must be"):
        toy_data.make_circles(n=20, inner=math.nan)
    with pytest.raises(ValueError, match="turns must be"):
        toy_data.make_spirals(n=20, turns=math.inf)


@pytest.mark.parametrize("maker", NOISY)
def test_zero_and_numpy_noise_are_fine(maker):
    for noise in (0, 0.0, np.float32(0.2), np.int64(0)):
        X, _ = maker(n=20, noise=noise)
        assert np.isfinite(X).all()
    X, _ = toy_data.make_blobs(n=np.int64(20), spread=np.float64(0.5))
    assert X.shape == (20, 2)
