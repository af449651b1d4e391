"""Checks for notebook 03, backpropagation."""

import numpy as np

from course_utils.selfcheck import check_function


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # the same as 1 / (1 + exp(-z)), without overflow


def _close(got, value) -> bool:
    """True when ``got`` has the shape of ``value`` and the same numbers (item by item for tuples)."""
    if isinstance(value, tuple):
        return (isinstance(got, tuple) and len(got) == len(value)
                and all(_close(g, v) for g, v in zip(got, value)))
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return got.shape == np.shape(value) and np.allclose(got, value, rtol=1e-9, atol=1e-12)


# --------------------------------------------------------------------------------------------- exercise 1


def reference_tanh_neuron_gradients(x, y, w, b):
    a = np.tanh(w * x + b)
    dL_dz = 2.0 * (a - y) * (1.0 - a**2)
    return dL_dz * x, dL_dz


def check_tanh_neuron_gradients(tanh_neuron_gradients):
    """Exercise 1: ``(dL/dw, dL/db)`` for ``L = (tanh(w x + b) - y)^2``, all numbers."""
    rng = np.random.default_rng()  # fresh inputs every run: a check must not depend on one seed
    cases = [tuple(float(v) for v in rng.normal(0.0, 1.0, size=4)) for _ in range(4)]
    cases += [(1.5, 1.0, 0.8, -0.5), (2.0, -1.0, 0.0, 0.0), (-1.0, 0.5, 0.3, 0.2)]

    def diagnose(args, got, expected):
        x, y, w, b = args
        if not isinstance(got, tuple) or len(got) != 2:
            return "return a pair: `return dL_dw, dL_db`."
        a = np.tanh(w * x + b)
        if _close(got, (2 * (a - y) * x, 2 * (a - y))):
            return "the tanh's own slope, 1 - tanh(z)**2, is missing from the chain."
        if _close(got, (2 * (a - y) * (1 - a) * x, 2 * (a - y) * (1 - a))):
            return "the slope of tanh is 1 - tanh(z)**2 (squared), not 1 - tanh(z)."
        if _close(got, ((a - y) * (1 - a**2) * x, (a - y) * (1 - a**2))):
            return "the factor 2 from differentiating the square is missing."
        if _close(got, (2 * (a - y) * (1 - a**2), 2 * (a - y) * (1 - a**2) * x)):
            return "dL/dw and dL/db are swapped: dz/dw = x and dz/db = 1."
        if _close(got, (2 * (y - a) * (1 - a**2) * x, 2 * (y - a) * (1 - a**2))):
            return "the sign is flipped: the derivative of (a - y)**2 with respect to a is 2 * (a - y)."
        return None

    check_function(tanh_neuron_gradients, reference_tanh_neuron_gradients, cases, name="tanh_neuron_gradients",
                   diagnose=diagnose)


# --------------------------------------------------------------------------------------------- exercise 2


def reference_bce_logit_gradient(z, y):
    return (_sigmoid(z) - y) / len(y)


def check_bce_logit_gradient(bce_logit_gradient):
    """Exercise 2: the gradient of the mean binary cross-entropy with respect to each logit."""
    rng = np.random.default_rng()
    cases = []
    for n in (50, 7, 1):
        cases.append((rng.normal(0.0, 3.0, size=n), rng.integers(0, 2, size=n).astype(np.float64)))
    cases.append((np.zeros(4), np.array([0.0, 1.0, 0.0, 1.0])))  # p = 0.5 everywhere
    cases.append((np.array([-12.0, -3.0, 3.0, 12.0]), np.ones(4)))  # confident right and confident wrong

    def diagnose(args, got, expected):
        z, y = args
        p = _sigmoid(z)
        if _close(got, p - y):
            return "the loss is a mean over the n logits: divide by len(y)."
        if _close(got, (y - p) / len(y)):
            return "the sign is flipped: the gradient is (p - y) / n, positive when p is too large."
        if _close(got, (p - y) * p * (1 - p) / len(y)):
            return ("the sigmoid's slope p * (1 - p) cancels against the derivative of the cross-entropy: "
                    "no extra factor is left.")
        if _close(got, (z - y) / len(y)):
            return "turn the logits into probabilities first: p = sigmoid(z)."
        return None

    check_function(bce_logit_gradient, reference_bce_logit_gradient, cases, name="bce_logit_gradient",
                   diagnose=diagnose)


# --------------------------------------------------------------------------------------------- exercise 3


def reference_dense_relu_backward(X, W, b, grad_out):
    d_pre = grad_out * (X @ W + b > 0)
    return X.T @ d_pre, d_pre.sum(axis=0), d_pre @ W.T


def check_dense_relu_backward(dense_relu_backward):
    """Exercise 3: ``(dW, db, dX)`` for ``out = relu(X @ W + b)`` given ``grad_out``."""
    rng = np.random.default_rng()
    cases = []
    for n, m, k in ((6, 4, 3), (1, 2, 2), (10, 3, 5), (5, 3, 1)):
        cases.append((rng.normal(size=(n, m)), rng.normal(size=(m, k)), rng.normal(size=k),
                      rng.normal(size=(n, k))))

    def diagnose(args, got, expected):
        X, W, b, grad_out = args
        if not isinstance(got, tuple) or len(got) != 3:
            return "return three arrays: `return dW, db, dX`."
        pre = X @ W + b
        no_mask = (X.T @ grad_out, grad_out.sum(axis=0), grad_out @ W.T)
        if _close(got, no_mask):
            return "the ReLU's slope is missing: multiply grad_out by (X @ W + b > 0) first."
        by_grad = grad_out * (grad_out > 0)
        if _close(got, (X.T @ by_grad, by_grad.sum(axis=0), by_grad @ W.T)):
            return "the mask comes from the layer's input to the ReLU, X @ W + b > 0, not from grad_out."
        by_out = grad_out * np.maximum(0, pre)
        if _close(got, (X.T @ by_out, by_out.sum(axis=0), by_out @ W.T)):
            return "multiply by the ReLU's slope (0 or 1), not by its output."
        dW, db, dX = got
        if np.shape(db) != expected[1].shape:
            return "db has one entry per output unit: sum the masked gradient over the batch (axis=0)."
        if np.shape(dW) != expected[0].shape:
            return "dW must have the shape of W: (layer input)ᵀ @ (masked gradient), i.e. X.T @ ..."
        if np.shape(dX) != expected[2].shape:
            return "dX must have the shape of X: (masked gradient) @ W.T."
        return None

    check_function(dense_relu_backward, reference_dense_relu_backward, cases, name="dense_relu_backward",
                   diagnose=diagnose)
