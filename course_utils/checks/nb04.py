"""Checks for notebook 04, mini-batches."""

import numpy as np
import torch

from course_utils.selfcheck import SelfCheckError, check_function

# --------------------------------------------------------------------------------------------- exercise 1


def reference_batch_bounds(n, batch_size):
    return [(start, min(start + batch_size, n)) for start in range(0, n, batch_size)]


def check_batch_bounds(batch_bounds):
    """Exercise 1: the ``(start, stop)`` pairs of consecutive batches, the last one smaller if needed."""
    rng = np.random.default_rng()  # fresh inputs every run: a check must not depend on one seed
    cases = [(10, 4), (800, 50), (60_000, 64), (7, 7), (5, 10), (1, 1), (9, 1)]
    cases += [(int(rng.integers(2, 500)), int(rng.integers(2, 60))) for _ in range(3)]

    def diagnose(args, got, expected):
        n, batch_size = args
        try:
            got = [tuple(int(v) for v in pair) for pair in got]
        except (TypeError, ValueError):
            return "return a list of (start, stop) pairs of whole numbers, e.g. [(0, 4), (4, 8), (8, 10)]."
        if got == expected[: n // batch_size] and len(expected) > n // batch_size:
            return "the last, smaller batch is missing: range(0, n, batch_size) gives every start, including it."
        if len(got) == len(expected) and got[:-1] == expected[:-1] and got[-1][1] > n:
            return "the last batch must stop at n, not at start + batch_size: use min(start + batch_size, n)."
        if got and got[0][0] == 1:
            return "Python counts from 0: the first batch starts at index 0."
        return None

    check_function(batch_bounds, reference_batch_bounds, cases, name="batch_bounds", diagnose=diagnose)


# --------------------------------------------------------------------------------------------- exercise 2


def reference_shuffled_batches(x, y, batch_size, order):
    batches = []
    for start in range(0, len(x), batch_size):
        idx = order[start:start + batch_size]
        batches.append((x[idx], y[idx]))
    return batches


def _joined(shuffled_batches):
    """Run ``shuffled_batches`` and join its batches: (all images in order, all labels in order, batch sizes)."""

    def run(x, y, batch_size, order):
        batches = shuffled_batches(x, y, batch_size, order)
        if batches is None:
            return None
        batches = list(batches)
        if not all(isinstance(b, (tuple, list)) and len(b) == 2 for b in batches):
            raise SelfCheckError(
                f"`{getattr(shuffled_batches, '__name__', 'shuffled_batches')}` must return a list of "
                "(x_batch, y_batch) pairs."
            )
        if not batches:
            return torch.empty(0), torch.empty(0), torch.empty(0)
        return (torch.cat([torch.as_tensor(xb) for xb, _ in batches]),
                torch.cat([torch.as_tensor(yb) for _, yb in batches]),
                torch.tensor([len(xb) for xb, _ in batches]))

    return run


def check_shuffled_batches(shuffled_batches):
    """Exercise 2: the batches ``(x_batch, y_batch)`` of one epoch that follows the permutation ``order``."""
    generator = torch.Generator().manual_seed(int(np.random.default_rng().integers(2**31)))
    cases = []
    for n, batch_size in ((10, 4), (12, 3), (50, 8), (7, 10), (5, 1)):
        x = torch.arange(n * 3, dtype=torch.float32).reshape(n, 3)  # row i holds 3i, 3i+1, 3i+2
        y = torch.arange(n) * 10  # the label of row i is 10i: a mix-up is easy to see
        cases.append((x, y, batch_size, torch.randperm(n, generator=generator)))

    def diagnose(args, got, expected):
        x, y, batch_size, order = args
        if not isinstance(got, tuple) or len(got) != 3:
            return None
        got_x, got_y, got_sizes = got
        if got_x.shape == expected[0].shape and torch.equal(got_x, x) and not torch.equal(order, torch.arange(len(x))):
            return "the batches follow the original order: take idx = order[start:start + batch_size], then x[idx]."
        if got_x.shape == expected[0].shape and torch.equal(got_x, expected[0]) and not torch.equal(got_y, expected[1]):
            return ("the images are shuffled but their labels are not (or differently): index x and y with the "
                    "same idx, or every image gets another image's label.")
        if len(got_sizes) < len(expected[2]):
            return "the last, smaller batch is missing: every example belongs to exactly one batch per epoch."
        return None

    check_function(_joined(shuffled_batches), _joined(reference_shuffled_batches), cases,
                   name=getattr(shuffled_batches, "__name__", "shuffled_batches"), diagnose=diagnose)


# --------------------------------------------------------------------------------------------- exercise 3


def reference_predicted_spread(spread_1, batch_size, n):
    return spread_1 / np.sqrt(batch_size) * np.sqrt((n - batch_size) / (n - 1))


def check_predicted_spread(predicted_spread):
    """Exercise 3: the spread of a mini-batch gradient, ``spread_1 / sqrt(B) * sqrt((N - B) / (N - 1))``."""
    rng = np.random.default_rng()
    n = int(rng.integers(100, 5000))
    cases = [(float(rng.uniform(0.5, 8.0)), int(b), n) for b in (1, 2, 50, n // 2, n - 1, n)]
    cases += [(5.0, 50, 800), (5.0, 800, 800), (1.0, 1, 2)]

    def diagnose(args, got, expected):
        spread_1, b, n = args
        try:
            got = float(got)
        except (TypeError, ValueError):
            return "return one number."
        def same(value):
            return np.isclose(got, value, rtol=1e-9, atol=0.0)

        if same(spread_1 / np.sqrt(b)) and b > 1:
            return "the factor sqrt((N - B) / (N - 1)) is missing: without it the full batch (B = N) is not exact."
        if same(spread_1 / b * np.sqrt((n - b) / (n - 1))):
            return "the spread shrinks with the square root of B: divide by np.sqrt(batch_size), not batch_size."
        if same(spread_1 / np.sqrt(b) * (n - b) / (n - 1)):
            return "take the square root of the whole factor (N - B) / (N - 1)."
        if same(spread_1 / np.sqrt(b) * np.sqrt((n - b) / n)):
            return "use N - 1 in the denominator: with B = 1 the formula must give spread_1 back."
        return None

    check_function(predicted_spread, reference_predicted_spread, cases, name="predicted_spread", diagnose=diagnose)
