"""The checks of notebook 00 accept every right answer and reject the typical wrong ones, each with its reason.

Each check draws fresh inputs, so ``tests/checkkit.py`` runs it 100 times per answer.
"""

import numpy as np
import pytest
import torch

from course_utils.checks import nb00
from tests.checkkit import assert_accepted, assert_rejected


def _stub(*args):
    raise NotImplementedError("Exercise: write this part, then run the check below.")


def _torch(fn):
    """The same formula written with torch tensors (a learner may prefer them)."""
    return lambda *args: fn(*(torch.as_tensor(a) if isinstance(a, np.ndarray) else a for a in args))


# --------------------------------------------------------------------------------------------- exercise 1


def _mse_loop(w, x, y):
    total = 0.0
    for xi, yi in zip(x, y):
        total += (w * xi - yi) ** 2
    return total / len(x)


@pytest.mark.parametrize("answer", [
    nb00.reference_mse_loss,
    lambda w, x, y: np.sum((y - w * x) ** 2) / len(x),
    _mse_loop,
    _torch(lambda w, x, y: ((w * x - y) ** 2).mean()),
    lambda w, x, y: np.mean((np.float32(w) * x.astype(np.float32) - y.astype(np.float32)) ** 2),
], ids=["reference", "sum over n", "loop", "torch", "float32"])
def test_mse_loss_accepts_right_answers(answer):
    assert_accepted(nb00.check_mse_loss, answer)


@pytest.mark.parametrize("wrong, said", [
    (lambda w, x, y: np.sum((w * x - y) ** 2), "sum of the squared errors"),
    (lambda w, x, y: np.mean(np.abs(w * x - y)), "mean absolute error|square each error before averaging"),
    (lambda w, x, y: np.mean(w * x - y), "cancel out"),
    (lambda w, x, y: np.mean(w * x - y) ** 2, "square each error first"),
    (lambda w, x, y: (w * x - y) ** 2, "one squared error per point"),
    (lambda w, x, y: np.sqrt(np.mean((w * x - y) ** 2)), "leave out the square root"),
    (lambda w, x, y: print(np.mean((w * x - y) ** 2)), "forget `return`"),
    (_stub, "not written yet"),
])
def test_mse_loss_rejects_typical_mistakes(wrong, said, capsys):  # capsys: the missing-return one prints
    assert_rejected(nb00.check_mse_loss, wrong, said)


def test_mse_loss_catches_a_nearly_perfect_fit_reported_as_perfect():
    """A loss below 0.01 returned as 0: the old near-perfect case (w = 1.9999) left a loss below atol, so it passed."""
    def rounds_small_losses_to_zero(w, x, y):
        loss = np.mean((w * x - y) ** 2)
        return 0.0 if loss < 1e-2 else loss

    assert_rejected(nb00.check_mse_loss, rounds_small_losses_to_zero, "w=1.99.*got 0")


# --------------------------------------------------------------------------------------------- exercise 2


def _best_w_loop(x, y):
    top = bottom = 0.0
    for xi, yi in zip(x, y):
        top += xi * yi
        bottom += xi * xi
    return top / bottom


@pytest.mark.parametrize("answer", [
    nb00.reference_best_w,
    lambda x, y: np.dot(x, y) / np.dot(x, x),
    lambda x, y: np.mean(x * y) / np.mean(x**2),
    _best_w_loop,
    _torch(lambda x, y: (x * y).sum() / (x * x).sum()),
    lambda x, y: float(np.linalg.lstsq(x[:, None], y, rcond=None)[0][0]),
], ids=["reference", "dot", "means", "loop", "torch", "least squares"])
def test_best_w_accepts_right_answers(answer):
    assert_accepted(nb00.check_best_w, answer)


@pytest.mark.parametrize("wrong, said", [
    (lambda x, y: np.mean(y) / np.mean(x), "ratio of the averages"),
    (lambda x, y: np.mean(y / x), "divided by it|average of y / x"),
    (lambda x, y: np.sum(x * y) / np.sum(x), "denominator is sum\\(x \\* x\\)"),
    (lambda x, y: np.polyfit(x, y, 1)[0] if len(x) > 1 else y[0] / x[0], "intercept"),
    (lambda x, y: 2.0, "depends on the data"),
    (lambda x, y: np.linalg.lstsq(x[:, None], y, rcond=None)[0], "one number, not an array"),
    (_stub, "not written yet"),
])
def test_best_w_rejects_typical_mistakes(wrong, said):
    assert_rejected(nb00.check_best_w, wrong, said)


def test_best_w_names_the_zero_input_when_averaging_ratios():
    """An input of exactly 0 makes mean(y / x) infinite: the message says why, not only 'nan or inf'."""
    def ratios_but_first_case_passes(x, y):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.mean(y / x) if np.any(x == 0) else nb00.reference_best_w(x, y)

    assert_rejected(nb00.check_best_w, ratios_but_first_case_passes, "input is exactly 0")


# --------------------------------------------------------------------------------------------- exercise 3


def _line_slopes_loop(w, b, x, y):
    dw = db = 0.0
    for xi, yi in zip(x, y):
        error = w * xi + b - yi
        dw += 2 * error * xi / len(x)
        db += 2 * error / len(x)
    return [dw, db]  # a list is fine too


def _line_slopes_autograd(w, b, x, y):
    w_t = torch.tensor(float(w), dtype=torch.float64, requires_grad=True)
    b_t = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
    ((w_t * torch.as_tensor(x) + b_t - torch.as_tensor(y)) ** 2).mean().backward()
    return w_t.grad, b_t.grad


@pytest.mark.parametrize("answer", [
    nb00.reference_line_slopes,
    _line_slopes_loop,
    _line_slopes_autograd,
    lambda w, b, x, y: tuple(2 * np.array([np.mean(x * (w * x + b - y)), np.mean(w * x + b - y)])),
], ids=["reference", "loop returning a list", "autograd tensors", "numpy pair"])
def test_line_slopes_accepts_right_answers(answer):
    assert_accepted(nb00.check_line_slopes, answer)


def _slopes(fw, fb):
    return lambda w, b, x, y: (fw(w, b, x, y, w * x + b - y), fb(w, b, x, y, w * x + b - y))


@pytest.mark.parametrize("wrong, said", [
    (lambda w, b, x, y: nb00.reference_line_slopes(w, b, x, y)[::-1], "swapped"),
    (_slopes(lambda w, b, x, y, e: np.mean(-2 * x * e), lambda w, b, x, y, e: np.mean(-2 * e)), "signs are flipped"),
    (_slopes(lambda w, b, x, y, e: np.mean(x * e), lambda w, b, x, y, e: np.mean(e)), "factor 2"),
    (_slopes(lambda w, b, x, y, e: np.mean(2 * x * (w * x - y)), lambda w, b, x, y, e: np.mean(2 * (w * x - y))),
     "include the bias"),
    (_slopes(lambda w, b, x, y, e: np.mean(2 * x * e), lambda w, b, x, y, e: np.mean(2 * x * e)), "inner derivative"),
    (_slopes(lambda w, b, x, y, e: np.mean(2 * x * e), lambda w, b, x, y, e: np.mean(e)), "dL/db lost the factor 2"),
    (_slopes(lambda w, b, x, y, e: np.sum(2 * x * e), lambda w, b, x, y, e: np.sum(2 * e)), "slope of the sum"),
    (lambda w, b, x, y: np.mean(2 * x * (w * x + b - y)), "return both slopes"),
    (_stub, "not written yet"),
])
def test_line_slopes_rejects_typical_mistakes(wrong, said):
    assert_rejected(nb00.check_line_slopes, wrong, said)


# --------------------------------------------------------------------------------------------- exercise 4


@pytest.mark.parametrize("answer", [
    nb00.reference_step_factor,
    lambda x, lr: 1 - lr * 2 * np.dot(x, x) / len(x),
    lambda x, lr: 1 - 2 * lr * sum(xi**2 for xi in x) / len(x),
    _torch(lambda x, lr: 1 - 2 * lr * (x**2).mean()),
], ids=["reference", "dot", "loop", "torch"])
def test_step_factor_accepts_right_answers(answer):
    assert_accepted(nb00.check_step_factor, answer)


@pytest.mark.parametrize("wrong, said", [
    (lambda x, lr: 1 - lr * np.mean(x**2), "factor 2"),
    (lambda x, lr: 2 * lr * np.mean(x**2) - 1, "sign is flipped"),
    (lambda x, lr: 1 + 2 * lr * np.mean(x**2), "against the slope"),
    (lambda x, lr: -2 * lr * np.mean(x**2), "keeps the old distance"),
    (lambda x, lr: (1 - 2 * lr * np.mean(x**2)) ** 2, "factor for the loss"),
    (lambda x, lr: 1 - 2 * lr * np.mean(x) ** 2, "mean\\(x\\*\\*2\\)"),
    (lambda x, lr: 1 - 2 * lr * np.sum(x**2), "not the sum"),
    (_stub, "not written yet"),
])
def test_step_factor_rejects_typical_mistakes(wrong, said):
    assert_rejected(nb00.check_step_factor, wrong, said)
