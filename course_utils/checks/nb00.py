"""Checks for notebook 00, functions and parameters."""

import numpy as np

from course_utils.selfcheck import check_function


def _cases():
    rng = np.random.default_rng()  # fresh inputs every run: a check must not depend on one seed
    x = rng.uniform(-5, 5, size=20)
    return [
        (2.0, x, 2.0 * x),                      # the perfect knob: loss 0
        (1.9999, x, 2.0 * x),                   # close, not perfect
        (rng.uniform(-3, 3), x, 2.0 * x + rng.normal(0, 0.5, size=20)),
        (0.5, np.array([3.0]), np.array([1.0])),  # a single point
        (-1.0, np.array([0.0, 1.0, -2.0]), np.array([1.0, 1.0, 1.0])),
    ]


def reference_mse_loss(w, x, y):
    return np.mean((w * x - y) ** 2)


def reference_loss_slope(w, x, y):
    return np.mean(2.0 * x * (w * x - y))


def reference_gradient_step(w, slope, learning_rate):
    return w - learning_rate * slope


def check_mse_loss(mse_loss):
    """Exercise 1: the mean squared error of the model ``w * x`` against targets ``y``."""

    def diagnose(args, got, expected):
        w, x, y = args
        got = float(np.asarray(got))
        if np.isclose(got, np.sum((w * x - y) ** 2)) and len(x) > 1:
            return "that is the sum of the squared errors; divide by the number of points (take the mean)."
        if np.isclose(got, np.mean(np.abs(w * x - y))):
            return "that is the mean absolute error; square each error instead."
        if np.isclose(got, np.mean(w * x - y)):
            return "errors of opposite sign cancel out: square each error before averaging."
        if np.isclose(got, np.mean(w * x - y) ** 2):
            return "square each error first, then take the mean (not the other way round)."
        return None

    check_function(mse_loss, reference_mse_loss, _cases(), name="mse_loss", diagnose=diagnose)


def check_loss_slope(loss_slope):
    """Exercise 2: the derivative of the mean squared error with respect to ``w``."""

    def diagnose(args, got, expected):
        got, expected = float(np.asarray(got)), float(np.asarray(expected))
        if np.isclose(got, -expected):
            return "the sign is flipped: the error is (w * x - y), and its derivative with respect to w is x."
        if np.isclose(got, expected / 2):
            return "the factor 2 from differentiating the square is missing."
        return None

    check_function(loss_slope, reference_loss_slope, _cases(), name="loss_slope", diagnose=diagnose)


def check_gradient_step(gradient_step):
    """Exercise 3: one step of gradient descent, ``w - learning_rate * slope``."""
    rng = np.random.default_rng()
    cases = [(rng.normal(), rng.normal(), lr) for lr in (0.1, 0.01, 0.5)] + [(2.0, 0.0, 0.1), (0.0, -4.0, 0.25)]

    def diagnose(args, got, expected):
        w, slope, lr = args
        if np.isclose(float(got), w + lr * slope):
            return "you stepped uphill: move against the slope, w - learning_rate * slope."
        if np.isclose(float(got), w - slope):
            return "the step must be scaled by the learning rate."
        return None

    check_function(gradient_step, reference_gradient_step, cases, name="gradient_step", diagnose=diagnose)
