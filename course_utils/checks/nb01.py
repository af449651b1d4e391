"""Checks for notebook 01, the perceptron."""

import numpy as np

from course_utils.selfcheck import check_function


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# --------------------------------------------------------------------------------------------- exercise 1


def reference_perceptron_output(X, w, b):
    return _sigmoid(X @ w + b)


def check_perceptron_output(perceptron_output):
    """Exercise 1: ``sigmoid(X @ w + b)`` for a batch ``X`` of shape ``(n, m)``."""
    rng = np.random.default_rng()  # fresh inputs every run: a check must not depend on one seed
    cases = [
        (rng.normal(size=(6, 3)), rng.normal(size=3), float(rng.normal())),
        (rng.normal(size=(10, 2)), rng.normal(size=2), float(rng.uniform(1.0, 3.0))),
        (rng.normal(size=(1, 4)), rng.normal(size=4), -2.0),     # a batch of one row
        (rng.normal(size=(5, 1)), np.array([2.0]), 0.5),          # a single input feature
        (np.zeros((3, 2)), rng.normal(size=2), 1.5),              # all-zero inputs: only the bias counts
    ]

    def diagnose(args, got, expected):
        X, w, b = args
        got = np.asarray(got, dtype=float)
        z = X @ w + b
        if got.shape == z.shape:
            if np.allclose(got, z):
                return "that is the weighted sum z; pass it through the sigmoid 1 / (1 + exp(-z))."
            if np.allclose(got, _sigmoid(X @ w)):
                return "the bias is missing: add b to the weighted sum before the activation."
            if np.allclose(got, _sigmoid(X @ w) + b):
                return "add the bias inside the activation, sigmoid(X @ w + b), not after it."
            if np.allclose(got, np.tanh(z)):
                return "that is tanh; this exercise asks for the sigmoid 1 / (1 + exp(-z))."
            if np.allclose(got, 1.0 / (1.0 + np.exp(z))):
                return "the sign in the exponent is flipped: the sigmoid is 1 / (1 + exp(-z))."
        return None

    check_function(perceptron_output, reference_perceptron_output, cases, name="perceptron_output",
                   diagnose=diagnose)


# --------------------------------------------------------------------------------------------- exercise 2


def reference_sigmoid_slope(z):
    s = _sigmoid(z)
    return s * (1.0 - s)


def check_sigmoid_slope(sigmoid_slope_from_z):
    """Exercise 2: the derivative of the sigmoid, ``sigmoid(z) * (1 - sigmoid(z))``."""
    rng = np.random.default_rng()
    cases = [
        (np.linspace(-6.0, 6.0, 25),),
        (3.0 * rng.normal(size=10),),
        (rng.uniform(-30.0, 30.0, size=(3, 4)),),    # any shape, large inputs: the slope is tiny there
        (0.0,),                                       # the peak: 0.25
        (np.array([-30.0, 30.0]),),
    ]

    def diagnose(args, got, expected):
        (z,) = args
        got = np.asarray(got, dtype=float)
        if got.shape != np.shape(expected):
            return None
        s = _sigmoid(z)
        if np.allclose(got, z * (1.0 - z)):
            return "you applied the formula to z itself: compute s = sigmoid(z) first, then s * (1 - s)."
        if np.allclose(got, s):
            return "that is the sigmoid itself, not its slope: return s * (1 - s) with s = sigmoid(z)."
        if np.allclose(got, -s * (1.0 - s)):
            return "the sign is flipped: the sigmoid only rises, so its slope is never negative."
        if np.allclose(got, 1.0 - np.tanh(z) ** 2):
            return "that is the slope of tanh; the sigmoid's is sigmoid(z) * (1 - sigmoid(z))."
        return None

    check_function(sigmoid_slope_from_z, reference_sigmoid_slope, cases, name="sigmoid_slope_from_z",
                   diagnose=diagnose)


# --------------------------------------------------------------------------------------------- exercise 3


def reference_to_polar(X):
    return np.stack([np.hypot(X[:, 0], X[:, 1]), np.arctan2(X[:, 1], X[:, 0])], axis=1)


def check_to_polar(polar_features):
    """Exercise 3: rows ``(x1, x2)`` to rows ``(r, theta)``, theta in radians from ``arctan2``."""
    rng = np.random.default_rng()
    radius, angle = rng.uniform(0.2, 3.0, 12), rng.uniform(-3.0, 3.0, 12)  # all four quadrants, never at -pi/pi
    cases = [
        (np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1),),
        (np.array([[1.0, 0.0], [0.0, 2.0], [-1.0, 1.0], [-1.0, -1.0], [3.0, -4.0]]),),  # axes and quadrants
        (np.array([[-2.0, 0.5]]),),                                                      # one point, x < 0
        (rng.normal(size=(20, 2)) + np.array([-1.0, 0.0]),),
    ]

    def diagnose(args, got, expected):
        (X,) = args
        got = np.asarray(got, dtype=float)
        if got.shape == expected.shape[::-1]:
            return "return one row per point: stack r and theta as columns, np.stack([r, theta], axis=1)."
        if got.shape != expected.shape:
            return None
        r, theta = expected[:, 0], expected[:, 1]
        if np.allclose(got, expected[:, ::-1]):
            return "the columns are swapped: radius first, then angle."
        if np.allclose(got[:, 0], r ** 2):
            return "the first column is r squared: take the square root of x1**2 + x2**2."
        with np.errstate(divide="ignore", invalid="ignore"):
            naive = np.arctan(X[:, 1] / X[:, 0])
        if np.allclose(got[:, 1], naive):
            return ("np.arctan(x2 / x1) loses the quadrant (points with x1 < 0 get the wrong angle): "
                    "use np.arctan2(x2, x1).")
        if np.allclose(got[:, 1], np.arctan2(X[:, 0], X[:, 1])):
            return "the arguments of arctan2 are swapped: it is np.arctan2(x2, x1), the y-coordinate first."
        if np.allclose(got[:, 1], np.degrees(theta)):
            return "the angle is in degrees; use radians (np.arctan2 returns radians)."
        return None

    check_function(polar_features, reference_to_polar, cases, name="polar_features", diagnose=diagnose)


# --------------------------------------------------------------------------------------------- exercise 4


def _xnor_cases():
    rng = np.random.default_rng()
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    noisy = np.repeat(corners, 10, axis=0) + np.clip(0.05 * rng.normal(size=(40, 2)), -0.15, 0.15)
    return [(corners,), (noisy,), (noisy[rng.permutation(40)][:7],)]


def reference_xnor_labels(X):
    on = np.round(X)  # which corner of the unit square each point is near
    return (on[:, 0] == on[:, 1]).astype(float)


def check_xnor_network(xnor_network):
    """Exercise 4: a two-layer network whose output is above 0.5 exactly where XNOR is 1 (inputs near 0/1)."""

    def class_of_output(X):
        out = xnor_network(X)
        if out is None:
            return None
        return (np.asarray(out, dtype=float).reshape(-1) > 0.5).astype(float)

    def diagnose(args, got, expected):
        (X,) = args
        if got is None or np.shape(got) != np.shape(expected):
            return "return one number per row of X (shape (n,)): the output neuron's value for each point."
        on = np.round(X)
        if np.array_equal(got, 1.0 - expected):
            return "every answer is flipped: that is XOR. XNOR is 1 when both inputs are equal."
        if np.array_equal(got, (on[:, 0] * on[:, 1]).astype(float)):
            return "that is AND: it misses (0, 0). Add a hidden neuron for 'both off' and combine the two."
        if np.array_equal(got, ((on[:, 0] + on[:, 1]) == 0).astype(float)):
            return "that is NOR: it misses (1, 1). Add a hidden neuron for 'both on' and combine the two."
        if len(np.unique(got)) == 1:
            return "your network gives every point the same class; check the output neuron's bias."
        return None

    check_function(class_of_output, reference_xnor_labels, _xnor_cases(), name="xnor_network", diagnose=diagnose)
