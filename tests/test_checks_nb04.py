import numpy as np
import pytest

from course_utils.checks import nb04
from course_utils.selfcheck import SelfCheckError


def stub(*args):
    raise NotImplementedError("Exercise: write this part, then run the check below.")


# ------------------------------------------------------------------------------------ exercise 1


def test_batch_bounds_accepts_the_reference_and_an_equivalent():
    nb04.check_batch_bounds(nb04.reference_batch_bounds)

    def with_a_while_loop(n, batch_size):
        bounds, start = [], 0
        while start < n:
            bounds.append((start, min(n, start + batch_size)))
            start += batch_size
        return bounds

    nb04.check_batch_bounds(with_a_while_loop)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda n, b: [(i * b, (i + 1) * b) for i in range(n // b)], "last, smaller batch is missing"),
        (lambda n, b: [(s, s + b) for s in range(0, n, b)], "must stop at n"),
        (lambda n, b: [(s + 1, min(s + b, n) + 1) for s in range(0, n, b)], "counts from 0"),
        (lambda n, b: list(range(0, n, b)), "expected a pair of values"),
        (stub, "not written yet"),
    ],
)
def test_batch_bounds_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(SelfCheckError, match=hint):
        nb04.check_batch_bounds(wrong)


# ------------------------------------------------------------------------------------ exercise 2


def test_shuffled_batches_accepts_the_reference_and_a_generator():
    nb04.check_shuffled_batches(nb04.reference_shuffled_batches)

    def as_generator(x, y, batch_size, order):
        for start in range(0, len(x), batch_size):
            idx = order[start:start + batch_size]
            yield x[idx], y[idx]

    nb04.check_shuffled_batches(as_generator)


def unshuffled(x, y, batch_size, order):
    return [(x[s:s + batch_size], y[s:s + batch_size]) for s in range(0, len(x), batch_size)]


def labels_not_shuffled(x, y, batch_size, order):
    return [(x[order[s:s + batch_size]], y[s:s + batch_size]) for s in range(0, len(x), batch_size)]


def drops_the_last_batch(x, y, batch_size, order):
    full = len(x) // batch_size * batch_size
    return [(x[order[s:s + batch_size]], y[order[s:s + batch_size]]) for s in range(0, full, batch_size)]


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (unshuffled, "original order"),
        (labels_not_shuffled, "labels are not"),
        (drops_the_last_batch, "last, smaller batch is missing"),
        (lambda x, y, b, order: x[order], "list of \\(x_batch, y_batch\\) pairs"),
        (stub, "not written yet"),
    ],
)
def test_shuffled_batches_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(SelfCheckError, match=hint):
        nb04.check_shuffled_batches(wrong)


# ------------------------------------------------------------------------------------ exercise 3


def test_predicted_spread_accepts_the_reference_and_an_equivalent():
    nb04.check_predicted_spread(nb04.reference_predicted_spread)
    nb04.check_predicted_spread(lambda s, b, n: s * ((n - b) / (b * (n - 1))) ** 0.5)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda s, b, n: s / np.sqrt(b), "factor sqrt\\(\\(N - B\\) / \\(N - 1\\)\\) is missing"),
        (lambda s, b, n: s / b * np.sqrt((n - b) / (n - 1)), "square root of B"),
        (lambda s, b, n: s / np.sqrt(b) * np.sqrt((n - b) / n), "N - 1 in the denominator"),
        (lambda s, b, n: s / np.sqrt(b) * (n - b) / (n - 1), "square root of the whole factor"),
        (stub, "not written yet"),
    ],
)
def test_predicted_spread_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(SelfCheckError, match=hint):
        nb04.check_predicted_spread(wrong)
