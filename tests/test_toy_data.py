import numpy as np
import pytest

from course_utils import toy_data

MAKERS = [toy_data.make_blobs, toy_data.make_xor, toy_data.make_circles, toy_data.make_moons, toy_data.make_spirals]


@pytest.mark.parametrize("maker", MAKERS)
def test_shapes_dtypes_labels_and_seeding(maker):
    X, y = maker(n=101, seed=3)
    assert X.shape == (101, 2) and X.dtype == np.float32
    assert y.shape == (101,) and y.dtype == np.int64
    assert set(np.unique(y)) == {0, 1}
    X2, y2 = maker(n=101, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = maker(n=101, seed=4)
    assert not np.array_equal(X, X3)


@pytest.mark.parametrize("maker", MAKERS)
@pytest.mark.parametrize("bad", [0, 1, 2.5, "10", True])
def test_bad_n_is_a_clear_error(maker, bad):
    with pytest.raises(ValueError, match="n must be an int of at least 2"):
        maker(n=bad)


def test_blobs_many_classes_and_bad_centers():
    _, y = toy_data.make_blobs(n=90, centers=[(0, 0), (3, 3), (-3, 3)])
    assert np.bincount(y).tolist() == [30, 30, 30]
    with pytest.raises(ValueError, match=r"centers must be a list of \(x, y\) pairs"):
        toy_data.make_blobs(centers=[1, 2, 3])


def test_circles_are_two_rings():
    X, y = toy_data.make_circles(n=400, noise=0.0)
    radius = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(radius[y == 1], 0.5, atol=1e-6)
    np.testing.assert_allclose(radius[y == 0], 1.0, atol=1e-6)
