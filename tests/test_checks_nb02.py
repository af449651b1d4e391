"""The checks of notebook 02 accept correct answers and reject the typical wrong ones with a useful hint."""

import numpy as np
import pytest

from course_utils.checks import nb02
from course_utils.selfcheck import SelfCheckError


def _stub(*args, **kwargs):
    raise NotImplementedError("Exercise: write this part, then run the check below.")


# --------------------------------------------------------------------------------------------- exercise 1


def test_mse_gradient_accepts_reference_and_loop_version(capsys):
    def loop_version(w, X, y):
        return np.array([np.mean(2.0 * (X @ w - y) * X[:, j]) for j in range(len(w))])

    nb02.check_mse_gradient(nb02.reference_mse_gradient)
    nb02.check_mse_gradient(loop_version)
    assert "all 5 checks passed" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (lambda w, X, y: X.T @ (X @ w - y) / len(y), "factor 2"),
    (lambda w, X, y: 2.0 / len(y) * X.T @ (y - X @ w), "sign is flipped"),
    (lambda w, X, y: 2.0 * X.T @ (X @ w - y), "gradient of the sum"),
    (lambda w, X, y: X.T @ (X @ w - y), "divide by n and keep the factor 2"),
    (lambda w, X, y: 2.0 * np.mean(X @ w - y) * np.ones_like(w), "own input column"),
])
def test_mse_gradient_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(SelfCheckError, match=hint):
        nb02.check_mse_gradient(wrong)


def test_mse_gradient_rejects_wrong_shape():
    with pytest.raises(SelfCheckError, match="shape"):
        nb02.check_mse_gradient(lambda w, X, y: 2.0 / len(y) * (X @ w - y) @ X[:, :1])


def test_mse_gradient_stub_says_not_written_yet():
    with pytest.raises(SelfCheckError, match="not written yet"):
        nb02.check_mse_gradient(_stub)


# --------------------------------------------------------------------------------------------- exercise 2


def _in_place_and_restored(f, w, h=1e-5):
    grad = np.zeros(len(w))
    for j in range(len(w)):
        keep = w[j]
        w[j] = keep + h
        up = f(w)
        w[j] = keep - h
        down = f(w)
        w[j] = keep  # put it back: correct
        grad[j] = (up - down) / (2 * h)
    return grad


def test_numerical_gradient_accepts_reference_and_careful_in_place_version(capsys):
    nb02.check_numerical_gradient(nb02.reference_numerical_gradient)
    nb02.check_numerical_gradient(_in_place_and_restored)
    assert "all 4 checks passed" in capsys.readouterr().out


def _forward(f, w, h=1e-5):
    return np.array([(f(w + h * e) - f(w)) / h for e in np.eye(len(w))])


def _over_h(f, w, h=1e-5):
    return np.array([(f(w + h * e) - f(w - h * e)) / h for e in np.eye(len(w))])


def _all_at_once(f, w, h=1e-5):
    return np.full(len(w), (f(w + h) - f(w - h)) / (2 * h))


def _in_place_not_restored(f, w, h=1e-5):
    grad = np.zeros(len(w))
    for j in range(len(w)):
        w[j] += h
        up = f(w)
        w[j] -= 2 * h
        down = f(w)  # forgot to add h back: the next weights are measured at a shifted point
        grad[j] = (up - down) / (2 * h)
    return grad


@pytest.mark.parametrize("wrong, hint", [
    (_forward, "one-sided difference"),
    (_over_h, "divide by 2 h"),
    (_all_at_once, "every weight at once"),
    (_in_place_not_restored, "changed w in place"),
    (lambda f, w, h=1e-2: nb02.reference_numerical_gradient(f, w, h), "keep the default h"),
])
def test_numerical_gradient_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(SelfCheckError, match=hint):
        nb02.check_numerical_gradient(wrong)


def test_numerical_gradient_stub_says_not_written_yet():
    with pytest.raises(SelfCheckError, match="not written yet"):
        nb02.check_numerical_gradient(_stub)


# --------------------------------------------------------------------------------------------- exercise 3


def test_momentum_step_accepts_reference(capsys):
    nb02.check_momentum_step(nb02.reference_momentum_step)
    assert "all 4 checks passed" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (lambda w, v, g, lr, beta: (w - lr * v, beta * v + g), "with the \\*new\\* velocity"),
    (lambda w, v, g, lr, beta: (w + lr * (beta * v + g), beta * v + g), "step against the velocity"),
    (lambda w, v, g, lr, beta: (w - lr * (beta * v + (1 - beta) * g), beta * v + (1 - beta) * g),
     "PyTorch's convention"),
    (lambda w, v, g, lr, beta: (w - lr * (beta * v + g), v), "the old one"),
    (lambda w, v, g, lr, beta: w - lr * (beta * v + g), "return two things"),
])
def test_momentum_step_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(SelfCheckError, match=hint):
        nb02.check_momentum_step(wrong)


def test_momentum_step_stub_says_not_written_yet():
    with pytest.raises(SelfCheckError, match="not written yet"):
        nb02.check_momentum_step(_stub)


# --------------------------------------------------------------------------------------------- exercise 4


def test_adam_step_accepts_reference(capsys):
    nb02.check_adam_step(nb02.reference_adam_step)
    assert "all 4 checks passed" in capsys.readouterr().out


def _adam_variant(no_correction=False, t_shift=0, no_sqrt=False, plain_grad_in_s=False, sign=-1.0):
    def adam_step(w, m, s, grad, t, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * grad
        s = beta2 * s + (1 - beta2) * (grad if plain_grad_in_s else grad**2)
        with np.errstate(divide="ignore", invalid="ignore"):  # some wrong versions divide by zero: no warnings
            if no_correction:
                m_hat, s_hat = m, s
            else:
                m_hat, s_hat = m / (1 - beta1 ** (t + t_shift)), s / (1 - beta2 ** (t + t_shift))
            root = s_hat if no_sqrt else np.sqrt(s_hat)
            return w + sign * learning_rate * m_hat / (root + eps), m, s
    return adam_step


@pytest.mark.parametrize("wrong, hint", [
    (_adam_variant(no_correction=True), "bias correction is missing"),
    (_adam_variant(t_shift=-1), "divided by zero at t = 1"),
    (_adam_variant(no_sqrt=True), "square root"),
    (_adam_variant(plain_grad_in_s=True), "squared"),
    (_adam_variant(sign=+1.0), "step against m_hat"),
    (lambda w, m, s, g, t, lr, beta1=0.9, beta2=0.999, eps=1e-8: w - lr * g, "return three things"),
])
def test_adam_step_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(SelfCheckError, match=hint):
        nb02.check_adam_step(wrong)


def test_adam_step_stub_says_not_written_yet():
    with pytest.raises(SelfCheckError, match="not written yet"):
        nb02.check_adam_step(_stub)
