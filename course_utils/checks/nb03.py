"""Checks for notebook 03, backpropagation."""

import numpy as np

from course_utils.checks import one_thread
from course_utils.selfcheck import SelfCheckError, check_function


def _close(got, value) -> bool:
    """True when ``got`` has the shape of ``value`` and the same numbers (item by item for tuples)."""
    if isinstance(value, tuple):
        return (isinstance(got, (tuple, list)) and len(got) == len(value)
                and all(_close(g, v) for g, v in zip(got, value)))
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError, RuntimeError):
        return False
    return got.shape == np.shape(value) and np.allclose(got, value, rtol=1e-4, atol=1e-9)


# --------------------------------------------------------------------------------------------- exercise 1


def reference_dense_relu_backward(X, W, b, grad_out):
    d_pre = grad_out * (X @ W + b > 0)
    return X.T @ d_pre, d_pre.sum(axis=0), d_pre @ W.T


def check_dense_relu_backward(dense_relu_backward):
    """Exercise 1: ``(dW, db, dX)`` for ``out = relu(X @ W + b)`` given ``grad_out``, as NumPy arrays."""
    rng = np.random.default_rng()  # fresh inputs every run: a check must not depend on one seed
    cases = []
    for n, m, k in ((6, 4, 3), (1, 2, 2), (10, 3, 5), (5, 3, 1)):
        cases.append((rng.normal(size=(n, m)), rng.normal(size=(m, k)), rng.normal(size=k),
                      rng.normal(size=(n, k))))

    def diagnose(args, got, expected):
        X, W, b, grad_out = args
        if not isinstance(got, (tuple, list)) or len(got) != 3:
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

    with one_thread():  # in case the answer uses torch
        check_function(dense_relu_backward, reference_dense_relu_backward, cases, name="dense_relu_backward",
                       diagnose=diagnose, returns=("numpy", "numpy", "numpy"), output_names=("dW", "db", "dX"))


# --------------------------------------------------------------------------------------------- exercise 2


def reference_shared_weight_gradient(x, y, w):
    t = np.tanh(w * x)
    error = 2.0 * (w * t - y)
    return error * (t + w * (1.0 - t**2) * x)  # the outer use of w plus the inner one


def check_shared_weight_gradient(shared_weight_gradient):
    """Exercise 2: dL/dw for ``L = (w * tanh(w * x) - y) ** 2``, where w reaches L by two paths."""
    rng = np.random.default_rng()
    # |w * x| of at least 0.25, so that the two paths' gradients differ and a missing one shows
    cases = [(float(rng.choice([-1, 1]) * rng.uniform(0.5, 2.0)), float(rng.normal()),
              float(rng.choice([-1, 1]) * rng.uniform(0.5, 2.0))) for _ in range(4)]
    cases += [(1.5, 0.5, 0.8), (-1.0, 2.0, 1.2), (0.3, -0.7, -2.0), (2.0, 0.0, 0.5)]

    # Typical mistakes, each as a formula. A wrong answer is named only if it matches one of them on the failing
    # input and on three fixed inputs where the formulas are far apart (on one input two can nearly coincide).
    def mistakes(x, y, w):
        t = np.tanh(w * x)
        error = 2.0 * (w * t - y)
        return [
            (error * t, "only the outer use of w is counted (out = w * tanh(...)); w is also inside the tanh, and the "
                        "gradients of both paths add."),
            (error * w * (1 - t**2) * x, "only the path through the tanh is counted; w also multiplies the tanh "
                                         "directly, and the gradients of both paths add."),
            (error * t * w * (1 - t**2) * x, "the two paths' gradients add; they are not multiplied."),
            (error / 2 * (t + w * (1 - t**2) * x), "the factor 2 from differentiating the square is missing."),
            (-error * (t + w * (1 - t**2) * x), "the sign is flipped: the derivative of (out - y)**2 with respect to "
                                                "out is 2 * (out - y)."),
            (error * (t + w * (1 - t) * x), "the slope of tanh is 1 - tanh(w * x)**2 (squared), not 1 - tanh(w * x)."),
            (error * (t + w * (1 - t**2)), "the inner path needs the factor x too: d(w * x)/dw = x."),
            (error * (t + (1 - t**2) * x), "the inner path passes through the outer w: multiply it by w as well."),
        ]

    probes = [(0.7, 0.3, 1.1), (-1.3, -0.4, 0.6), (0.9, 1.5, -0.8)]

    def diagnose(args, got, expected):
        try:
            answers = [float(np.asarray(got, dtype=np.float64))]
            answers += [float(np.asarray(shared_weight_gradient(*p), dtype=np.float64)) for p in probes]
        except (TypeError, ValueError, RuntimeError):
            return "return one number, dL/dw."
        inputs = [args, *probes]
        for k, (_, sentence) in enumerate(mistakes(*args)):
            if all(np.isclose(answer, mistakes(*point)[k][0], rtol=1e-4, atol=1e-9)
                   for answer, point in zip(answers, inputs)):
                return sentence
        return None

    check_function(shared_weight_gradient, reference_shared_weight_gradient, cases,
                   name="shared_weight_gradient", diagnose=diagnose)


# --------------------------------------------------------------------------------------------- exercise 3

_PARAMETERS = ("W1", "b1", "W2", "b2")


def reference_backward_relu_mse(params, X, y):
    A = X @ params["W1"] + params["b1"]
    H = np.maximum(0.0, A)
    z = (H @ params["W2"] + params["b2"])[:, 0]
    dz = 2.0 * (z - y)[:, None] / len(y)
    dA = (dz @ params["W2"].T) * (A > 0)
    return {"W1": X.T @ dA, "b1": dA.sum(axis=0), "W2": H.T @ dz, "b2": dz.sum(axis=0)}


def _gradients_in_order(backward_fn, name):
    """Call ``backward_fn`` and turn its dict of gradients into a tuple in the order W1, b1, W2, b2."""

    def run(params, X, y):
        grads = backward_fn(params, X, y)
        if grads is None:
            return None  # the machinery says "Did you forget return?"
        if not isinstance(grads, dict):
            raise SelfCheckError(
                f"`{name}` must return a dict of gradients, like `backward` in section 3: "
                f"{{'W1': ..., 'b1': ..., 'W2': ..., 'b2': ...}}; it returned a {type(grads).__name__}.")
        missing = [key for key in _PARAMETERS if key not in grads]
        if missing:
            raise SelfCheckError(
                f"the dict `{name}` returned has no entry {missing[0]!r}: it needs one gradient per parameter, "
                f"under the parameter's name ({', '.join(_PARAMETERS)}).")
        return tuple(grads[key] for key in _PARAMETERS)

    return run


def _reference_in_order(params, X, y):
    grads = reference_backward_relu_mse(params, X, y)
    return tuple(grads[key] for key in _PARAMETERS)


def _variant(params, X, y, slope="relu", factor=2.0, mean=True, sign=1.0, output="linear"):
    """A backward pass with one typical mistake, for the diagnosis."""
    A = X @ params["W1"] + params["b1"]
    H = np.maximum(0.0, A)
    z = (H @ params["W2"] + params["b2"])[:, 0]
    error = (1.0 / (1.0 + np.exp(-z)) if output == "sigmoid" else z) - y
    dz = sign * factor * error[:, None] / (len(y) if mean else 1)
    dH = dz @ params["W2"].T
    dA = {"relu": dH * (A > 0), "none": dH, "tanh": dH * (1 - np.tanh(A) ** 2), "output": dH * H}[slope]
    return (X.T @ dA, dA.sum(axis=0), H.T @ dz, dz.sum(axis=0))


def check_backward_relu_mse(backward_relu_mse):
    """Exercise 3: the gradients of a ReLU network's mean squared error, as a dict like ``backward``'s."""
    rng = np.random.default_rng()
    cases = []
    for n, m, h in ((8, 2, 3), (1, 1, 4), (20, 3, 5), (6, 1, 1)):
        params = {"W1": rng.normal(size=(m, h)), "b1": rng.normal(size=h), "W2": rng.normal(size=(h, 1)),
                  "b2": rng.normal(size=1)}
        cases.append((params, rng.normal(size=(n, m)), rng.normal(size=n)))
    dead = {"W1": rng.normal(size=(2, 3)), "b1": np.array([0.5, -50.0, 0.2]), "W2": rng.normal(size=(3, 1)),
            "b2": np.zeros(1)}  # the second unit is off for every input: its weights get no gradient
    cases.append((dead, rng.normal(size=(7, 2)), rng.normal(size=7)))

    def diagnose(args, got, expected):
        params, X, y = args
        mistakes = [
            (dict(factor=1.0), "the slope of (z - y)**2 is 2 * (z - y): the factor 2 is missing."),
            (dict(mean=False), "the loss is a mean over the n examples: divide the output gradient by len(y)."),
            (dict(sign=-1.0), "the sign is flipped: the output gradient is 2 * (z - y) / n, positive when z is too large."),
            (dict(output="sigmoid"), "this network has no sigmoid at the output: z itself is the prediction."),
            (dict(slope="none"), "the ReLU's slope is missing: multiply the hidden gradient by (A > 0)."),
            (dict(slope="tanh"), "the hidden layer is a ReLU, not a tanh: its slope is (A > 0), not 1 - tanh(A)**2."),
            (dict(slope="output"), "multiply by the ReLU's slope (0 or 1), not by its output H."),
        ]
        for change, sentence in mistakes:
            if _close(got, _variant(params, X, y, **change)):
                return sentence
        return None

    name = getattr(backward_relu_mse, "__name__", "backward_relu_mse")
    with one_thread():  # in case the answer uses torch
        check_function(_gradients_in_order(backward_relu_mse, name), _reference_in_order, cases, name=name,
                       diagnose=diagnose, returns=("numpy",) * 4, arg_names=("params", "X", "y"),
                       output_names=tuple(f'grads["{key}"]' for key in _PARAMETERS))
