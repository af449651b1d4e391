"""Checks for notebook 00, functions and parameters."""

import numpy as np

from course_utils.selfcheck import check_function


def _number(value):
    """``value`` as one float, or None when it is not a single number (the diagnosis then stays silent)."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError, RuntimeError):
        return None
    return float(array) if array.ndim == 0 else None


def _close(a, b) -> bool:
    return a is not None and b is not None and bool(np.isclose(a, b, rtol=1e-5, atol=1e-9))


def _data_cases():
    """(x, y) pairs: noisy lines through the origin, awkward inputs, a single point, a zero input."""
    rng = np.random.default_rng()  # fresh inputs every run: a check must not depend on one seed
    x = rng.uniform(0.5, 5.0, size=20)
    x_signs = rng.uniform(-3.0, 3.0, size=15)
    return [
        (x, 2.0 * x),                                                    # exact: the answer is 2
        (x, rng.uniform(-2, 3) * x + rng.normal(0, 0.5, size=20)),        # noisy, another slope
        (x_signs, -1.5 * x_signs + rng.normal(0, 0.3, size=15)),          # inputs of both signs
        (np.array([3.0]), np.array([1.0])),                               # a single point
        (np.array([0.0, 1.0, 2.0, 4.0]), np.array([0.5, 2.5, 3.5, 8.5])),  # an input of exactly 0
    ]


# --------------------------------------------------------------------------------------------- exercise 1


def reference_mse_loss(w, x, y):
    return np.mean((w * x - y) ** 2)


def check_mse_loss(mse_loss):
    """Exercise 1 (warm-up): the mean squared error of the model ``w * x`` against targets ``y``."""
    rng = np.random.default_rng()
    data = _data_cases()
    cases = [(w, x, y) for w, (x, y) in zip((2.0, float(rng.uniform(-3, 3)), float(rng.uniform(-3, 3)), 0.5, -1.0),
                                            data)]
    # nearly perfect: w = 1.99 on the exact data y = 2x leaves a loss of 1e-4 * mean(x**2), about 1e-3, a thousand
    # times the tolerance (w = 1.9999 left about 1e-7, below it, so that case caught nothing)
    cases.append((1.99, *data[0]))

    def diagnose(args, got, expected):
        w, x, y = args
        if np.shape(got) == np.shape(x) and len(x) > 1:
            return "you returned one squared error per point; average them into one number with np.mean."
        got = _number(got)
        if _close(got, np.sum((w * x - y) ** 2)) and len(x) > 1:
            return "that is the sum of the squared errors; divide by the number of points (take the mean)."
        plain, sizes = np.mean(w * x - y), np.mean(np.abs(w * x - y))
        if _close(got, sizes) and _close(got, abs(plain)):  # every error has the same sign here
            return ("square each error before averaging: the mean of the errors (where errors of opposite sign "
                    "cancel out) or of their sizes is not the mean squared error.")
        if _close(got, sizes):
            return "that is the mean absolute error; square each error instead."
        if _close(got, plain) or _close(got, -plain):
            return "errors of opposite sign cancel out: square each error before averaging."
        if _close(got, np.mean(w * x - y) ** 2):
            return "square each error first, then take the mean (not the other way round)."
        if _close(got, np.sqrt(np.mean((w * x - y) ** 2))):
            return "that is the root of the mean squared error; leave out the square root."
        return None

    check_function(mse_loss, reference_mse_loss, cases, name="mse_loss", diagnose=diagnose)


# --------------------------------------------------------------------------------------------- exercise 2


def reference_best_w(x, y):
    return np.sum(x * y) / np.sum(x * x)


def check_best_w(best_w):
    """Exercise 2: the w where the slope of the MSE of ``w * x`` is zero, ``sum(x * y) / sum(x * x)``."""

    def diagnose(args, got, expected):
        x, y = args
        if np.size(got) == 1 and np.ndim(got) > 0:
            return "return one number, not an array holding one: e.g. `float(...)` or `np.sum(...) / np.sum(...)`."
        got = _number(got)
        with np.errstate(all="ignore"):
            if _close(got, np.mean(y) / np.mean(x)) and len(x) > 1:
                return ("that is mean(y) / mean(x), the ratio of the averages. Set the slope "
                        "mean(2 x (w x - y)) to zero and solve for w: each term is weighted by its x.")
            if (got is None or not np.isfinite(got)) and np.any(x == 0):
                return ("an input is exactly 0 here and your answer divided by it. Averaging y / x point by point "
                        "is not the minimum of the loss: set the slope to zero and solve for w.")
            if _close(got, np.mean(y / x)) and len(x) > 1:
                return ("that is the average of y / x point by point. Set the slope mean(2 x (w x - y)) to zero "
                        "and solve for w: it gives sum(x y) / sum(x x).")
            if _close(got, np.sum(x * y) / np.sum(x)):
                return "the denominator is sum(x * x): the slope has x twice, once from the model, once from the chain rule."
            if len(x) > 1 and _close(got, np.polyfit(x, y, 1)[0]):
                return ("that is the slope of a line with an intercept (np.polyfit); our model w * x has no "
                        "intercept, so its line must pass through 0.")
            if _close(got, 2.0):
                return "the answer depends on the data: compute it from x and y (here they do not follow y = 2x)."
        return None

    check_function(best_w, reference_best_w, _data_cases(), name="best_w", diagnose=diagnose)


# --------------------------------------------------------------------------------------------- exercise 3


def reference_line_slopes(w, b, x, y):
    error = w * x + b - y
    return np.mean(2.0 * x * error), np.mean(2.0 * error)


def check_line_slopes(line_slopes):
    """Exercise 3: the slopes ``(dL/dw, dL/db)`` of the MSE of the model ``w * x + b``."""
    rng = np.random.default_rng()
    x = rng.uniform(-1.0, 5.0, size=25)
    cases = [
        (float(rng.normal()), float(rng.normal()), x, 0.5 * x + 3.0 + rng.normal(0, 0.2, size=25)),
        (0.0, 0.0, x, rng.normal(size=25)),                                   # the start: both knobs at 0
        (2.0, 0.0, x, 2.0 * x),                                               # already perfect: both 0
        (float(rng.normal()), 1.5, np.zeros(6), rng.normal(size=6)),          # x all 0: only b matters
        (-1.0, 2.0, np.array([2.0]), np.array([0.5])),                        # a single point
    ]

    def diagnose(args, got, expected):
        w, b, x, y = args
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            return "return both slopes, the one for w first: `return slope_w, slope_b`."
        dw, db = _number(got[0]), _number(got[1])
        e_w, e_b = expected
        if _close(dw, e_b) and _close(db, e_w) and not _close(e_w, e_b):
            return "the two slopes are swapped: return dL/dw first, then dL/db."
        if _close(dw, -e_w) and _close(db, -e_b) and not (_close(e_w, 0) and _close(e_b, 0)):
            return "both signs are flipped: the error is (w * x + b - y), prediction minus target."
        if _close(dw, e_w / 2) and _close(db, e_b / 2):
            return "the factor 2 from differentiating the square is missing."
        no_b = w * x - y
        if _close(dw, np.mean(2 * x * no_b)) and not _close(dw, e_w):
            return "the error must include the bias: use (w * x + b - y), not (w * x - y)."
        if _close(dw, e_w) and _close(db, e_w):
            return "dL/db is not the same as dL/dw: the inner derivative of (w x + b - y) with respect to b is 1, not x."
        if _close(dw, e_w) and _close(db, e_b / 2):
            return "dL/db lost the factor 2 from differentiating the square."
        if _close(dw, e_w) and _close(db, np.sum(2.0 * (w * x + b - y))) and len(x) > 1:
            return "dL/db is a sum; the loss is a mean, so take the mean of 2 (w x + b - y)."
        if _close(dw, np.sum(2.0 * x * (w * x + b - y))) and len(x) > 1:
            return "that is the slope of the sum; the loss is a mean, so divide by the number of points."
        return None

    check_function(line_slopes, reference_line_slopes, cases, name="line_slopes", diagnose=diagnose,
                   output_names=("slope_w", "slope_b"))


# --------------------------------------------------------------------------------------------- exercise 4


def reference_step_factor(x, learning_rate):
    return 1.0 - 2.0 * learning_rate * np.mean(x * x)


def check_step_factor(step_factor):
    """Exercise 4: one step multiplies the distance to the best w by ``1 - 2 * learning_rate * mean(x**2)``."""
    rng = np.random.default_rng()
    x = rng.uniform(-2.0, 4.0, size=12)
    cases = [
        (np.arange(1.0, 6.0), 0.02),              # the lesson's five points: 1 - 0.02 * 22
        (np.arange(1.0, 6.0), 0.1),               # the question of "Think about it": negative, below -1
        (x, float(rng.uniform(0.001, 0.2))),
        (x, 0.0),                                  # no step at all: the distance stays
        (np.zeros(4), 0.3),                        # all inputs 0: the loss is flat, nothing moves
        (np.array([2.0]), 0.25),                   # one point, a factor of -1: it bounces forever
    ]

    def diagnose(args, got, expected):
        x, lr = args
        got = _number(got)
        m = np.mean(x * x)
        if _close(got, 1.0 - lr * m) and not _close(expected, 1.0):
            return "the factor 2 from differentiating the square is missing: the curvature is 2 * mean(x**2)."
        if _close(got, 2 * lr * m - 1.0) and not _close(expected, 0.0):
            return "the sign is flipped: w_new - w_best = (w - w_best) - learning_rate * slope; start from that."
        if _close(got, 1.0 + 2 * lr * m) and not _close(expected, 1.0):
            return "a step goes against the slope: w_new = w - learning_rate * slope, so the factor is 1 minus something."
        if _close(got, -2 * lr * m) and not _close(expected, 1.0):
            return "that is the change of the distance per unit distance; the factor also keeps the old distance: 1 + that."
        if _close(got, (1.0 - 2 * lr * m) ** 2) and not _close(expected, expected ** 2):
            return "that is the factor for the loss, which is the distance squared; return the factor for the distance."
        if len(x) > 1 and _close(got, 1.0 - 2 * lr * np.mean(x) ** 2):
            return "use mean(x**2), the average of the squares, not mean(x)**2."
        if len(x) > 1 and _close(got, 1.0 - 2 * lr * np.sum(x * x)):
            return "the loss is a mean, so its curvature uses mean(x**2), not the sum."
        return None

    check_function(step_factor, reference_step_factor, cases, name="step_factor", diagnose=diagnose)
