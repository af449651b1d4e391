"""Notebook 05's self-checks accept right answers written in several ways and reject the typical wrong ones.

Each answer runs through its check 100 times (tests/checkkit.py): the checks draw fresh inputs every run.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from checkkit import assert_accepted, assert_rejected
from course_utils.checks import nb05, one_thread

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the wrong answers overflow on purpose


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Time the checks as notebooks 05 and 06 run them on a CPU: with one thread (their import cell sets it)."""
    with one_thread():
        yield


def stub(*args):
    raise NotImplementedError("Exercise: write this part, then run the check below.")


def one_hot(labels, num_classes):
    return np.eye(num_classes)[labels]


# --------------------------------------------------------------------------------------------- exercise 1


def softmax_by_loop(z):
    if z.ndim == 1:
        e = np.exp(z - max(z))
        return e / sum(e)
    return np.array([softmax_by_loop(row) for row in z])


def softmax_1d_aware(z):
    rows = np.atleast_2d(z)
    e = np.exp(rows - rows.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).reshape(np.shape(z))


def softmax_float32(z):  # computed in float32, as PyTorch does by default
    return torch.softmax(torch.tensor(z, dtype=torch.float32), dim=-1).numpy()


def softmax_numpy_float32(z):  # issue 11: "expected 0.137396, got 0.137393" must pass at float32's precision
    z = z.astype(np.float32)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize("answer", [nb05.reference_stable_softmax, softmax_by_loop, softmax_1d_aware, softmax_float32,
                                    softmax_numpy_float32,
                                    lambda z: torch.softmax(torch.from_numpy(z), dim=-1),
                                    lambda z: np.exp(z - np.logaddexp.reduce(z, axis=-1, keepdims=True))])
def test_stable_softmax_accepts_right_answers(answer):
    assert_accepted(nb05.check_stable_softmax, answer)


def naive_softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def global_max_softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum(axis=-1, keepdims=True)


def row_mean_softmax(z):
    e = np.exp(z - z.mean(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def column_softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def unnormalised_softmax(z):
    return np.exp(z - z.max(axis=-1, keepdims=True))


def no_keepdims_softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1)


def in_place_softmax(z):
    z -= z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (naive_softmax, "overflowed: subtract each row's maximum"),
        (global_max_softmax, "not of the whole array"),
        (row_mean_softmax, "subtracted each row's mean"),
        (column_softmax, "each column sums to 1"),
        (unnormalised_softmax, "divide each by the sum of its row"),
        (no_keepdims_softmax, "keepdims=True"),
        (in_place_softmax, "changed its input `z` in place"),
        (lambda z: z / z.sum(axis=-1, keepdims=True), "exponentiate the scores first|nan or inf"),
        (stub, "not written yet"),
    ],
)
def test_stable_softmax_rejects_typical_mistakes(wrong, hint):
    assert_rejected(nb05.check_stable_softmax, wrong, hint)


def test_stable_softmax_checks_a_row_with_plus_and_minus_1000():
    message = assert_rejected(nb05.check_stable_softmax, row_mean_softmax, "row's mean", runs=5)
    assert "1000" in message


# --------------------------------------------------------------------------------------------- exercise 2


def bce_from_two_scores(z, y):  # section 4: two-class softmax with the scores [0, z]
    two = np.stack([np.zeros_like(z), z], axis=1)
    shifted = two - two.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(y)), y].mean()


def bce_with_logaddexp(z, y):
    return np.mean(y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z))


@pytest.mark.parametrize("answer", [
    nb05.reference_bce_with_logits, bce_from_two_scores, bce_with_logaddexp,
    lambda z, y: F.binary_cross_entropy_with_logits(torch.from_numpy(z), torch.from_numpy(y).double()),
    lambda z, y: float(np.mean([max(s, 0) - t * s + np.log1p(np.exp(-abs(s))) for s, t in zip(z, y)])),
])
def test_bce_with_logits_accepts_right_answers(answer):
    assert_accepted(nb05.check_bce_with_logits, answer)


def naive_bce(z, y):
    p = 1 / (1 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def eps_bce(z, y):
    p = 1 / (1 + np.exp(-z))
    return -np.mean(y * np.log(p + 1e-10) + (1 - y) * np.log(1 - p + 1e-10))


def unstable_softplus_bce(z, y):  # log1p(exp(-z)) overflows for z = -1000
    return np.mean(y * np.log1p(np.exp(-z)) + (1 - y) * np.log1p(np.exp(z)))


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (naive_bce, "exp\\(\\) overflow or log\\(\\) see 0"),
        (eps_bce, "log\\(p \\+ 1e-10\\) version"),
        (unstable_softplus_bce, "exp\\(\\) overflow"),
        (lambda z, y: nb05.reference_bce_with_logits(z, y) * len(y), "sum over the batch"),
        (lambda z, y: -nb05.reference_bce_with_logits(z, y), "sign is flipped"),
        (lambda z, y: nb05.reference_bce_with_logits(z, 1 - y), "labels are swapped"),
        (lambda z, y: np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z))), "one number"),
        (stub, "not written yet"),
    ],
)
def test_bce_with_logits_rejects_typical_mistakes(wrong, hint):
    assert_rejected(nb05.check_bce_with_logits, wrong, hint)


# --------------------------------------------------------------------------------------------- exercise 3


def log_softmax(z):
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def smoothed_as_mixture(logits, labels, smoothing):  # (1 - eps) * cross-entropy + eps * mean of -log p
    log_p = log_softmax(logits)
    nll = -log_p[np.arange(len(labels)), labels]
    return np.mean((1 - smoothing) * nll - smoothing * log_p.mean(axis=1))


def smoothed_by_torch(logits, labels, smoothing):
    return F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(labels), label_smoothing=smoothing)


def smoothed_by_loop(logits, labels, smoothing):
    total = 0.0
    for row, label in zip(logits, labels):
        log_p = row - (row.max() + np.log(np.sum(np.exp(row - row.max()))))
        q = np.full(len(row), smoothing / len(row))
        q[label] += 1 - smoothing
        total += -np.dot(q, log_p)
    return total / len(labels)


@pytest.mark.parametrize("answer", [nb05.reference_smoothed_cross_entropy, smoothed_as_mixture,
                                    smoothed_by_torch, smoothed_by_loop])
def test_smoothed_cross_entropy_accepts_right_answers(answer):
    assert_accepted(nb05.check_smoothed_cross_entropy, answer)


def with_targets(make_q, log_p=log_softmax):
    def loss(logits, labels, smoothing):
        q = make_q(one_hot(labels, logits.shape[1]), smoothing, logits.shape[1])
        return -(q * log_p(logits)).sum(axis=1).mean()
    return loss


def eps_log_p(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return np.log(e / e.sum(axis=1, keepdims=True) + 1e-10)


def naive_log_p(z):
    return np.log(np.exp(z) / np.exp(z).sum(axis=1, keepdims=True))


right_q = lambda y, e, c: (1 - e) * y + e / c  # noqa: E731


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (with_targets(lambda y, e, c: (1 - e) * y + e / (c - 1) * (1 - y)), "smoothing / \\(C - 1\\)"),
        (with_targets(lambda y, e, c: y + e / c), "multiply the one-hot part by \\(1 - smoothing\\)"),
        (with_targets(lambda y, e, c: y), "plain cross-entropy"),
        (with_targets(right_q, eps_log_p), "log\\(p \\+ 1e-10\\) version"),
        (with_targets(right_q, naive_log_p), "exp\\(\\) overflowed or log\\(\\) saw 0"),
        (lambda z, y, e: nb05.reference_smoothed_cross_entropy(z, y, e) * len(y), "sum over the batch"),
        (lambda z, y, e: -(right_q(one_hot(y, z.shape[1]), e, z.shape[1]) * log_softmax(z)).mean(),
         "sum q \\* log p over the classes"),
        (lambda z, y, e: -(right_q(one_hot(y, z.shape[1]), e, z.shape[1]) * log_softmax(z)).sum(axis=1),
         "one number"),
        (stub, "not written yet"),
    ],
)
def test_smoothed_cross_entropy_rejects_typical_mistakes(wrong, hint):
    assert_rejected(nb05.check_smoothed_cross_entropy, wrong, hint)


# --------------------------------------------------------------------------------------------- exercise 4


def temperature_by_autograd(logits, labels, temperature):
    z = torch.tensor(logits, requires_grad=True)
    F.cross_entropy(z / temperature, torch.from_numpy(labels)).backward()
    return z.grad


def temperature_by_loop(logits, labels, temperature):
    grad = np.zeros_like(logits)
    for i, (row, label) in enumerate(zip(logits, labels)):
        u = row / temperature
        e = np.exp(u - u.max())
        grad[i] = e / e.sum()
        grad[i, label] -= 1
    return grad / (len(labels) * temperature)


def temperature_float32(logits, labels, temperature):
    u = (logits / temperature).astype(np.float32)
    e = np.exp(u - u.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    return (p - one_hot(labels, logits.shape[1]).astype(np.float32)) / np.float32(len(labels) * temperature)


@pytest.mark.parametrize("answer", [nb05.reference_temperature_grad, temperature_by_autograd, temperature_by_loop,
                                    temperature_float32])
def test_temperature_grad_accepts_right_answers(answer):
    assert_accepted(nb05.check_temperature_grad, answer)


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def temperature_variant(p_of, scale):
    def grad(logits, labels, temperature):
        return (p_of(logits, temperature) - one_hot(labels, logits.shape[1])) * scale(len(labels), temperature)
    return grad


p_tempered = lambda z, t: softmax(z / t)  # noqa: E731


def no_max_subtraction(logits, labels, temperature):
    e = np.exp(logits / temperature)
    return (e / e.sum(axis=1, keepdims=True) - one_hot(labels, logits.shape[1])) / (len(labels) * temperature)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (temperature_variant(p_tempered, lambda n, t: 1 / n), "adds a factor 1 / T"),
        (temperature_variant(p_tempered, lambda n, t: t / n), "you multiplied"),
        (temperature_variant(p_tempered, lambda n, t: 1 / t), "divide by the number of examples N"),
        (temperature_variant(lambda z, t: softmax(z), lambda n, t: 1 / (n * t)), "softmax of logits / temperature"),
        (temperature_variant(p_tempered, lambda n, t: -1 / (n * t)), "sign is flipped"),
        (no_max_subtraction, "exp\\(\\) overflowed: subtract each row's maximum"),
        (lambda z, y, t: (softmax(z / t) - one_hot(y, z.shape[1])).sum(axis=0) / (len(y) * t), "same shape as the logits"),
        (stub, "not written yet"),
    ],
)
def test_temperature_grad_rejects_typical_mistakes(wrong, hint):
    assert_rejected(nb05.check_temperature_grad, wrong, hint)


def global_max_subtracted(logits, labels, temperature):
    u = logits / temperature
    e = np.exp(u - u.max())  # the maximum of the whole array
    return (e / e.sum(axis=1, keepdims=True) - one_hot(labels, logits.shape[1])) / (len(labels) * temperature)


def test_temperature_grad_rejects_the_maximum_of_the_whole_array():
    with np.errstate(all="ignore"):
        assert_rejected(nb05.check_temperature_grad, global_max_subtracted, "not of the whole array")


def test_temperature_grad_huge_scores_really_overflow_exp():
    """The case meant to catch a missing max subtraction does overflow exp in float64."""
    with np.errstate(over="ignore", invalid="ignore"):
        message = assert_rejected(nb05.check_temperature_grad, no_max_subtraction, "overflowed", runs=5)
    assert "nan or inf" in message
