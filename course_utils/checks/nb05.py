"""Checks for notebook 05, softmax and cross-entropy."""

import numpy as np

from course_utils.selfcheck import check_function


def _softmax(z):
    exp_z = np.exp(z - z.max(axis=-1, keepdims=True))
    return exp_z / exp_z.sum(axis=-1, keepdims=True)


def _log_softmax(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _as_float_array(value):
    value = value.detach().cpu().numpy() if hasattr(value, "detach") else value
    return np.asarray(value, dtype=np.float64)


# --------------------------------------------------------------------------------------------- exercise 1


def reference_stable_softmax(z):
    return _softmax(z)


def check_stable_softmax(stable_softmax):
    """Exercise 1: softmax of each row (last axis) that never overflows."""
    rng = np.random.default_rng()  # fresh inputs every run: a check must not depend on one seed
    cases = [
        (rng.normal(size=(4, 10)),),                                       # a batch of ordinary scores
        (rng.normal(size=6),),                                             # a single 1-D row
        (1000.0 + rng.normal(size=(3, 5)),),                               # huge scores: exp overflows
        (np.array([[1000.0, 999.0, 998.0], [-1000.0, -1001.0, -1002.0]]),),  # rows of very different sizes
        (np.zeros((2, 4)),),                                               # all equal: uniform
        (rng.normal(scale=300.0, size=(5, 3)),),                           # three columns, five rows
    ]

    def diagnose(args, got, expected):
        (z,) = args
        got = _as_float_array(got)
        if got.shape != expected.shape:
            return "keep the shape: one probability per score (use keepdims=True when you reduce)."
        if np.isnan(got).any():
            with np.errstate(all="ignore"):
                exp_global = np.exp(z - z.max())  # the maximum of the whole array, not of each row
                global_max = exp_global / exp_global.sum(axis=-1, keepdims=True)
                exp_naive = np.exp(z)
                naive = exp_naive / exp_naive.sum(axis=-1, keepdims=True)
            if np.array_equal(np.isnan(got), np.isnan(global_max)) and not np.array_equal(np.isnan(got), np.isnan(naive)):
                return ("subtract the maximum of each row (axis=-1, keepdims=True), not of the whole array: a row "
                        "far below the overall maximum underflows to 0 / 0.")
            return "exp() overflowed: subtract each row's maximum from the scores before taking np.exp."
        if z.ndim == 2 and np.allclose(got.sum(axis=0), 1.0) and not np.allclose(got.sum(axis=-1), 1.0):
            return "each column sums to 1, not each row: normalise along the last axis (axis=-1)."
        if np.allclose(got, np.exp(z - z.max(axis=-1, keepdims=True))):
            return "the exponentials are right; now divide each by the sum of its row so they add up to 1."
        return None

    check_function(stable_softmax, reference_stable_softmax, cases, name="stable_softmax", diagnose=diagnose)


# --------------------------------------------------------------------------------------------- exercise 2


def reference_cross_entropy_loss(logits, labels):
    return -_log_softmax(logits)[np.arange(len(labels)), labels].mean()


def _confidently_wrong(n, classes, margin, rng):
    labels = rng.integers(0, classes, size=n)
    logits = rng.normal(size=(n, classes))
    wrong = (labels + 1) % classes
    logits[np.arange(n), wrong] += margin
    return logits, labels


def check_cross_entropy_loss(cross_entropy_loss):
    """Exercise 2: mean cross-entropy from logits and integer labels, exact even when confidently wrong."""
    rng = np.random.default_rng()
    cases = [
        (rng.normal(scale=2.0, size=(8, 10)), rng.integers(0, 10, size=8)),
        (rng.normal(size=(1, 3)), np.array([2])),                             # a batch of one
        (rng.normal(size=(16, 2)), rng.integers(0, 2, size=16)),              # two classes
        _confidently_wrong(5, 10, 50.0, rng),                                 # margin 50: the epsilon trick caps
        _confidently_wrong(4, 10, 1000.0, rng),                               # margin 1000: naive exp overflows
        (np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]]), np.array([0, 1])),  # sure and right; uniform
    ]

    def diagnose(args, got, expected):
        logits, labels = args
        got = _as_float_array(got)
        if got.shape != ():
            return "return one number, the mean over the batch (not one loss per example)."
        if not np.isfinite(got):
            return "compute log-probabilities as z - max - log(sum(exp(z - max))) (log_softmax): exp overflowed."
        if len(labels) > 1 and np.isclose(got, expected * len(labels)):
            return "that is the sum over the batch; take the mean."
        if np.isclose(got, -expected):
            return "the sign is flipped: the loss is MINUS the log-probability of the true class."
        if expected > 23.1 and got < expected and np.isclose(got, _eps_version(logits, labels), rtol=1e-3):
            return ("that is the log(p + 1e-10) version: it caps each example's loss at 23.03. "
                    "Work with log-probabilities (log_softmax) instead of log(softmax).")
        if np.isclose(got, -_log_softmax(logits).mean()):
            return "pick the log-probability of each example's true class, not the mean over all classes."
        return None

    check_function(cross_entropy_loss, reference_cross_entropy_loss, cases, name="cross_entropy_loss",
                   diagnose=diagnose)


def _eps_version(logits, labels):
    return -np.log(_softmax(logits)[np.arange(len(labels)), labels] + 1e-10).mean()


# --------------------------------------------------------------------------------------------- exercise 3


def reference_softmax_regression_grads(x, labels, W, b):
    dz = (_softmax(x @ W + b) - np.eye(W.shape[1])[labels]) / len(labels)
    return x.T @ dz, dz.sum(axis=0)


def check_softmax_regression_grads(softmax_regression_grads):
    """Exercise 3: ``(dW, db)`` of the mean cross-entropy of ``softmax(x @ W + b)``."""
    rng = np.random.default_rng()

    def case(n, d, c, scale=0.1):
        return (rng.normal(size=(n, d)), rng.integers(0, c, size=n), scale * rng.normal(size=(d, c)),
                scale * rng.normal(size=c))

    cases = [case(8, 5, 3), case(32, 20, 10), case(1, 4, 2), case(6, 3, 4, scale=100.0)]  # the last: huge scores

    def call(x, labels, W, b):
        return tuple(softmax_regression_grads(x, labels, W, b))

    def diagnose(args, got, expected):
        x, labels, W, b = args
        if len(got) != 2:
            return None
        dW, db = (_as_float_array(g) for g in got)
        dW_ref, db_ref = expected
        if dW.shape == dW_ref.T.shape and dW.shape != dW_ref.shape:
            return "dW has the shape of W transposed: it is x.T @ dz, of shape (D, C) like W."
        if dW.shape != dW_ref.shape or db.shape != db_ref.shape:
            return None
        if np.allclose(dW, -dW_ref) and np.allclose(db, -db_ref):
            return "the sign is flipped: the gradient on the scores is p - y, not y - p."
        if len(labels) > 1 and np.allclose(dW, dW_ref * len(labels)) and np.allclose(db, db_ref * len(labels)):
            return "the loss is the mean over the batch, so divide (p - y) by the number of examples N."
        if np.allclose(dW, dW_ref) and not np.allclose(db, db_ref):
            return "dW is right; db is the sum over the batch (the rows) of (p - y) / N."
        return None

    check_function(call, reference_softmax_regression_grads, cases, name="softmax_regression_grads",
                   diagnose=diagnose)
