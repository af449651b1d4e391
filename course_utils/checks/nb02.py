"""Checks for notebook 02, gradient descent."""

import numpy as np

from course_utils.selfcheck import check_function


def _close(a, b):
    try:
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-5, atol=1e-8)


# --------------------------------------------------------------------------------------------- exercise 1


def reference_mse_gradient(w, X, y):
    return 2.0 / len(y) * X.T @ (X @ w - y)


def check_mse_gradient(mse_gradient):
    """Exercise 1: the gradient of ``mean((X @ w - y) ** 2)`` with respect to ``w``."""
    rng = np.random.default_rng()  # fresh inputs every run: a check must not depend on one seed
    cases = [
        (rng.normal(size=2), rng.normal(size=(30, 2)), rng.normal(size=30)),
        (rng.normal(size=5), rng.normal(size=(12, 5)), rng.normal(size=12)),
        (rng.normal(size=3), rng.normal(size=(3, 3)), rng.normal(size=3)),         # as many points as weights
        (np.zeros(4), rng.normal(size=(8, 4)), rng.normal(size=8)),               # start at zero
        (np.array([1.5]), rng.normal(size=(6, 1)), rng.normal(size=6)),           # a single weight
    ]

    def diagnose(args, got, expected):
        w, X, y = args
        residual = X @ w - y
        if _close(got, expected / 2):
            return "the factor 2 from differentiating the square is missing."
        if _close(got, -expected):
            return "the sign is flipped: the error is (X @ w - y), and the gradient points uphill."
        if _close(got, 2.0 * X.T @ residual):
            return "that is the gradient of the sum; divide by the number of points n (the loss is a mean)."
        if _close(got, X.T @ residual):
            return "divide by n and keep the factor 2: the gradient is 2 / n * X.T @ (X @ w - y)."
        if _close(got, 2.0 * np.mean(residual) * np.ones_like(w)):
            return "each weight's slope needs its own input column: multiply the errors by X.T, not by 1."
        return None

    check_function(mse_gradient, reference_mse_gradient, cases, name="mse_gradient", diagnose=diagnose)


# --------------------------------------------------------------------------------------------- exercise 2


def reference_numerical_gradient(f, w, h=1e-5):
    grad = np.zeros(len(w))
    for j in range(len(w)):
        step = np.zeros(len(w))
        step[j] = h
        grad[j] = (f(w + step) - f(w - step)) / (2 * h)
    return grad


class _Watched:
    """A test function that also records whether the learner changed ``w`` in place."""

    def __init__(self, f, w, label):
        self.f, self.original, self.label, self.changed_w = f, np.array(w, dtype=float), label, False

    def __call__(self, w):
        return self.f(w)

    def __repr__(self):
        return self.label


def _numerical_cases():
    rng = np.random.default_rng()
    A = rng.normal(size=(4, 4))
    quadratic = 50.0 * (A @ A.T + np.eye(4))  # strongly curved: a one-sided difference is visibly off
    return [
        (_Watched(lambda w: 0.5 * w @ quadratic @ w, 0.1 * rng.normal(size=4), "<quadratic bowl>"),),
        (_Watched(lambda w: np.sum(np.sin(3.0 * w)) + 10.0 * w[0] ** 2 * w[-1], rng.normal(size=3), "<sin sum>"),),
        (_Watched(lambda w: (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2, rng.uniform(-1.5, 1.5, 2),
                  "<Rosenbrock>"),),
        (_Watched(lambda w: 20.0 * np.exp(w[0]), np.array([0.3]), "<exp, one weight>"),),
    ]


def check_numerical_gradient(numerical_gradient):
    """Exercise 2: central finite differences, one weight at a time, ``w`` left unchanged."""

    def learner(f):
        w = f.original.copy()
        grad = numerical_gradient(f, w)
        f.changed_w = not np.array_equal(w, f.original)
        return grad

    def reference(f):
        return reference_numerical_gradient(f, f.original.copy())

    def diagnose(args, got, expected):
        (f,) = args
        w, h = f.original, 1e-5
        if f.changed_w:
            return "your function changed w in place; nudge a copy (w + step), or put every weight back afterwards."
        eye = np.eye(len(w))
        forward = np.array([(f(w + h * e) - f(w)) / h for e in eye])
        if _close(got, forward):
            return "that is a one-sided difference (f(w + h) - f(w)) / h; use (f(w + h) - f(w - h)) / (2 h)."
        if _close(got, 2.0 * expected):
            return "divide by 2 h: the two nudged points are 2 h apart."
        all_at_once = (f(w + h) - f(w - h)) / (2 * h)
        if _close(got, np.full(len(w), all_at_once)):
            return "you nudged every weight at once; nudge one weight at a time (a step vector with one nonzero)."
        if np.allclose(np.asarray(got, dtype=float), expected, rtol=1e-2, atol=1e-4):
            return "close, but not within 1e-6: keep the default h = 1e-5 (a larger h is less accurate)."
        return None

    check_function(learner, reference, _numerical_cases(), name="numerical_gradient", atol=1e-6, rtol=1e-6,
                   diagnose=diagnose)


# --------------------------------------------------------------------------------------------- exercise 3


def reference_momentum_step(w, velocity, grad, learning_rate, beta):
    velocity = beta * velocity + grad
    return w - learning_rate * velocity, velocity


def check_momentum_step(momentum_step):
    """Exercise 3: ``v = beta * v + grad``, then ``w = w - learning_rate * v``; returns ``(w, v)``."""
    rng = np.random.default_rng()
    cases = [
        (rng.normal(size=3), rng.normal(size=3), rng.normal(size=3), 0.1, 0.9),
        (rng.normal(size=2), np.zeros(2), rng.normal(size=2), 0.01, 0.9),       # the first step: no velocity yet
        (rng.normal(size=4), rng.normal(size=4), rng.normal(size=4), 0.05, 0.0),  # beta 0: plain gradient descent
        (rng.normal(size=5), rng.normal(size=5), np.zeros(5), 0.2, 0.5),       # no gradient: coasting
    ]

    def diagnose(args, got, expected):
        w, v, g, lr, beta = args
        if not isinstance(got, tuple) or len(got) != 2:
            return "return two things, the new weights and the new velocity: `return new_w, new_velocity`."
        new_w, new_v = got
        if _close(new_w, w - lr * v) or _close(new_w, w - lr * (beta * v)):
            return "update the velocity first, then step the weights with the *new* velocity."
        if _close(new_w, w + lr * expected[1]):
            return "step against the velocity: w - learning_rate * velocity."
        if _close(new_v, beta * v + (1 - beta) * g) or _close(new_v, beta * v + lr * g):
            return "use PyTorch's convention here: velocity = beta * velocity + grad (no other factor on grad)."
        if _close(new_v, v):
            return "the velocity you return is the old one: return the updated velocity."
        return None

    check_function(momentum_step, reference_momentum_step, cases, name="momentum_step", diagnose=diagnose)


# --------------------------------------------------------------------------------------------- exercise 4


def reference_adam_step(w, m, s, grad, t, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    s = beta2 * s + (1 - beta2) * grad**2
    m_hat, s_hat = m / (1 - beta1**t), s / (1 - beta2**t)
    return w - learning_rate * m_hat / (np.sqrt(s_hat) + eps), m, s


def check_adam_step(adam_step):
    """Exercise 4: one Adam step with bias correction; returns ``(w, m, s)``."""
    rng = np.random.default_rng()
    cases = [
        (rng.normal(size=3), np.zeros(3), np.zeros(3), rng.normal(size=3), 1, 0.1),     # the very first step
        (rng.normal(size=2), 0.1 * rng.normal(size=2), 0.01 * rng.random(2), 10.0 * rng.normal(size=2), 2, 0.01),
        (rng.normal(size=4), 0.1 * rng.normal(size=4), 0.01 * rng.random(4), rng.normal(size=4), 10, 0.001),
        (rng.normal(size=3), 0.1 * rng.normal(size=3), 0.01 * rng.random(3), rng.normal(size=3), 1000, 0.05),
    ]

    def diagnose(args, got, expected):
        w, m, s, g, t, lr = args
        if not isinstance(got, tuple) or len(got) != 3:
            return "return three things: `return new_w, new_m, new_s`."
        new_w, new_m, new_s = got
        m1, s1 = 0.9 * m + 0.1 * g, 0.999 * s + 0.001 * g**2
        if _close(new_m, m1) and not _close(new_s, s1):
            if _close(new_s, 0.999 * s + 0.001 * g):
                return "s averages the *squared* gradient: s = beta2 * s + (1 - beta2) * grad**2."
            return "check the update of s: s = beta2 * s + (1 - beta2) * grad**2."
        if not _close(new_m, m1):
            return "check the update of m: m = beta1 * m + (1 - beta1) * grad."
        if t == 1 and not np.all(np.isfinite(np.asarray(new_w, dtype=float))):
            return ("the bias correction divided by zero at t = 1: divide by (1 - beta**t) with t counting from 1 "
                    "(did you use t - 1?).")
        if _close(new_w, w - lr * m1 / (np.sqrt(s1) + 1e-8)):
            return "the bias correction is missing: divide m by (1 - beta1**t) and s by (1 - beta2**t)."
        if t > 1 and _close(new_w, w - lr * (m1 / (1 - 0.9 ** (t - 1))) / (np.sqrt(s1 / (1 - 0.999 ** (t - 1))) + 1e-8)):
            return "use beta**t in the bias correction, with t counting from 1 for the first step."
        if _close(new_w, w - lr * (m1 / (1 - 0.9**t)) / (s1 / (1 - 0.999**t) + 1e-8)):
            return "take the square root of s_hat before dividing."
        if _close(new_w, w + lr * (m1 / (1 - 0.9**t)) / (np.sqrt(s1 / (1 - 0.999**t)) + 1e-8)):
            return "step against m_hat: w - learning_rate * m_hat / (sqrt(s_hat) + eps)."
        return None

    check_function(adam_step, reference_adam_step, cases, name="adam_step", diagnose=diagnose)
