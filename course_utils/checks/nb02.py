"""Checks for notebook 02, gradient descent."""

import collections.abc
import inspect

import numpy as np
import torch

from course_utils.selfcheck import SelfCheckError, check_function


def _array(value):
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError, RuntimeError):
        return None


def _third_default(fn, name: str, parameter: str, default: float) -> None:
    """A SelfCheckError unless ``fn`` has a third parameter (the exercise's ``parameter``) defaulting to ``default``."""
    shown_default = f"{default:.0e}".replace("e-0", "e-")  # 1e-5, as the exercise writes it
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return  # a builtin or an odd callable: the cases themselves judge it
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(positional) < 3:
        raise SelfCheckError(f"`{name}` needs a third parameter `{parameter}` with the default {shown_default}, as the "
                             f"exercise writes it: the check also passes other values of `{parameter}`.")
    given = positional[2].default
    if given is inspect.Parameter.empty or not isinstance(given, (int, float)) or given != default:
        shown = "no default" if given is inspect.Parameter.empty else f"the default {given!r}"
        raise SelfCheckError(f"`{name}`'s parameter `{positional[2].name}` has {shown}: keep the default "
                             f"{parameter} = {shown_default}, as the exercise writes it.")


def _no_generator(out, name: str) -> None:
    if isinstance(out, collections.abc.Iterator) and not isinstance(out, (np.ndarray, torch.Tensor)):
        raise SelfCheckError(f"`{name}` must return an array or a list, not a generator: the cell after the check "
                             "turns your answer into an array with np.asarray, which cannot read a generator "
                             "(write `[... for ...]` or `np.array([...])`).")


def _close(a, b, rtol=1e-5, atol=1e-8) -> bool:
    a, b = _array(a), _array(b)
    return a is not None and b is not None and a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


# --------------------------------------------------------------------------------------------- exercise 1


def reference_numerical_gradient(f, w, h=1e-5):
    grad = np.zeros(len(w))
    for j in range(len(w)):
        step = np.zeros(len(w))
        step[j] = h
        grad[j] = (f(w + step) - f(w - step)) / (2 * h)
    return grad


class _Loss:
    """A test function with a readable name in messages (``<quadratic bowl>`` rather than a lambda's address)."""

    def __init__(self, f, label):
        self.f, self.label = f, label

    def __call__(self, w):
        return self.f(w)

    def __repr__(self):
        return self.label


def _numerical_cases():
    rng = np.random.default_rng()  # fresh inputs every run: a check must not depend on one seed
    A = rng.normal(size=(4, 4))
    quadratic = 50.0 * (A @ A.T + np.eye(4))  # strongly curved: a one-sided difference is visibly off
    # w is an argument of each case, so the check itself sees (and reports) a w changed in place
    return [
        (_Loss(lambda w: 0.5 * w @ quadratic @ w, "<quadratic bowl>"), 0.1 * rng.normal(size=4)),
        (_Loss(lambda w: np.sum(np.sin(3.0 * w)) + 10.0 * w[0] ** 2 * w[-1], "<sin sum>"), rng.normal(size=3)),
        (_Loss(lambda w: (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2, "<Rosenbrock>"), rng.uniform(-1.5, 1.5, 2)),
        (_Loss(lambda w: 20.0 * np.exp(w[0]), "<exp, one weight>"), np.array([0.3])),
        # another h: an answer that ignores its h (or has none) misses these by far more than the tolerance
        (_Loss(lambda w: np.sum(np.sin(3.0 * w)) + 10.0 * w[0] ** 2 * w[-1], "<sin sum>"), rng.normal(size=3), 1e-2),
        (_Loss(lambda w: 20.0 * np.exp(w[0]), "<exp, one weight>"), np.array([0.3]), 1e-2),
    ]


def _run_numerical_gradient(fn, f, w, *h):
    """Call the learner's function as the notebook does; reject what the next cell cannot use, with the reason."""
    before = np.array(w, copy=True)
    out = fn(f, w, *h)
    _no_generator(out, "numerical_gradient")
    if isinstance(w, np.ndarray) and not np.array_equal(w, before) and np.allclose(w, before, rtol=1e-9, atol=1e-12):
        raise SelfCheckError(
            "`numerical_gradient` changed its input `w` in place: w differs from the original in its last digits: "
            "+= h, -= 2h, += h does not give back the exact number; save the old value and put it back, or work on "
            "a copy (`w = w.copy()`).")
    dtype = out.dtype if isinstance(out, (np.ndarray, torch.Tensor)) else None
    if dtype is None and isinstance(out, (list, tuple)) and out:
        dtype = np.asarray([np.asarray(v).dtype.type(0) for v in out]).dtype if all(
            isinstance(v, (np.generic, np.ndarray)) for v in out) else None
    if dtype in (np.float32, np.float16, torch.float32, torch.float16, torch.bfloat16):
        raise SelfCheckError(
            "keep the gradient in float64: start from `np.zeros(len(w))` (float64), not float32 or `torch.zeros` "
            "(float32 by default). In float32, f(w + h) - f(w - h) keeps only a few digits, too few to tell a "
            "central difference from a one-sided one.")
    return out


def check_numerical_gradient(numerical_gradient):
    """Exercise 1 (warm-up): central finite differences, one weight at a time, ``w`` left unchanged."""

    _third_default(numerical_gradient, "numerical_gradient", "h", 1e-5)

    def diagnose(args, got, expected):
        f, w, *given_h = args
        h = given_h[0] if given_h else 1e-5
        eye = np.eye(len(w))
        if given_h and _close(got, reference_numerical_gradient(f, w, 1e-5), rtol=1e-7, atol=1e-9):
            return f"that is the central difference with h = 1e-5, but this call passed h = {h:g}: use the parameter h."
        if _close(got, np.array([(f(w + h * e) - f(w)) / h for e in eye]), rtol=1e-6, atol=1e-6):
            return "that is a one-sided difference (f(w + h) - f(w)) / h; use (f(w + h) - f(w - h)) / (2 h)."
        if _close(got, 2.0 * expected):
            return "divide by 2 h: the two nudged points are 2 h apart."
        if _close(got, np.full(len(w), (f(w + h) - f(w - h)) / (2 * h))) and len(w) > 1:
            return "you nudged every weight at once; nudge one weight at a time (a step vector with one nonzero)."
        for larger in (1e-4, 1e-3, 1e-2, 1e-1):  # the right formula with another h
            if not given_h and _close(got, reference_numerical_gradient(f, w, larger), rtol=1e-7, atol=1e-9):
                return f"that is the central difference with h = {larger:g}: keep the default h = 1e-5 (a larger h " \
                       "is less accurate)."
        if _array(got) is not None and _array(got).shape == expected.shape and \
                np.allclose(_array(got), expected, rtol=1e-2, atol=1e-4):
            return "close, but not within 1e-6: use the h you are given (default 1e-5) and central differences."
        return None

    check_function(numerical_gradient, reference_numerical_gradient, _numerical_cases(), name="numerical_gradient",
                   atol=1e-6, rtol=1e-6, diagnose=diagnose, call=_run_numerical_gradient, arg_names=("f", "w", "h"))


# --------------------------------------------------------------------------------------------- exercise 2


def _curvatures(X):
    return np.linalg.eigvalsh(2.0 / len(X) * X.T @ X)


def reference_fastest_rate(X):
    curvatures = _curvatures(X)
    return 2.0 / (curvatures.min() + curvatures.max())


def check_fastest_rate(fastest_rate):
    """Exercise 2: the learning rate ``2 / (lambda_min + lambda_max)`` of the MSE of ``X @ w``."""
    rng = np.random.default_rng()
    x1 = rng.normal(size=80)
    cases = [
        (np.stack([x1, 0.6 * x1 + 0.8 * rng.normal(size=80)], axis=1),),       # two correlated inputs
        (rng.normal(size=(50, 3)) * np.array([1.0, 3.0, 0.2]),),               # three inputs, three scales
        (rng.normal(size=(30, 5)) @ rng.normal(size=(5, 5)),),                 # five mixed inputs
        (rng.uniform(1.0, 5.0, size=(7, 1)),),                                 # one weight: 1 / curvature
        # curvatures 8/3, 2/3, 6 (diagonal): np.linalg.eigvals gives them in this order, not sorted, so the ends
        # of its list are not the smallest and the largest
        (np.vstack([np.diag([2.0, 1.0, 3.0])] * 2),),
    ]

    def diagnose(args, got, expected):
        (X,) = args
        c = _curvatures(X)
        raw = np.linalg.eigvalsh(X.T @ X)
        if np.size(got) != 1:
            return "return one number: the learning rate."
        unsorted = np.linalg.eigvals(2.0 / len(X) * X.T @ X).real
        if _close(got, 2.0 / (unsorted[0] + unsorted[-1])) and not _close(expected, 2.0 / (unsorted[0] + unsorted[-1])):
            return ("np.linalg.eigvals does not sort the eigenvalues, so its first and last are not the smallest and "
                    "the largest: use .min() and .max(), or np.linalg.eigvalsh (sorted from smallest to largest).")
        if _close(got, 2.0 / c.max()) and not _close(expected, 2.0 / c.max()):
            return "2 / lambda_max is the largest rate that does not diverge; the fastest balances both ends."
        if _close(got, 1.0 / c.max()) and not _close(expected, 1.0 / c.max()):
            return ("1 / lambda_max makes the steep direction converge in one step, but then the flat direction "
                    "crawls; balance the factors |1 - rate * lambda| of the flattest and the steepest directions.")
        if _close(got, 2.0 / (raw.min() + raw.max())):
            return "the curvatures are those of the mean squared error: eigenvalues of 2 / n * X.T @ X, not of X.T @ X."
        if _close(got, 1.0 / (c.min() + c.max())):
            return "the factor 2 is missing: solve 1 - rate * lambda_min = -(1 - rate * lambda_max) for the rate."
        if X.shape[1] > 2 and _close(got, 2.0 / c.sum()):
            return ("2 / (sum of all curvatures) equals the answer only for two weights; with more, use the "
                    "smallest and the largest curvature.")
        if _close(got, 2.0 / (c.max() - c.min())) or _close(got, 2.0 / c.min()):
            return "use 2 / (lambda_min + lambda_max): the flattest and the steepest curvature added."
        return None

    check_function(fastest_rate, reference_fastest_rate, cases, name="fastest_rate", diagnose=diagnose)


# --------------------------------------------------------------------------------------------- exercise 3


def reference_nesterov_step(w, velocity, grad, learning_rate, beta):
    velocity = beta * velocity + grad
    return w - learning_rate * (grad + beta * velocity), velocity


def check_nesterov_step(nesterov_step):
    """Exercise 3: ``v = beta * v + grad``, then ``w = w - learning_rate * (grad + beta * v)``; returns ``(w, v)``."""
    rng = np.random.default_rng()
    cases = [
        (rng.normal(size=3), rng.normal(size=3), rng.normal(size=3), 0.1, 0.9),
        (rng.normal(size=2), np.zeros(2), rng.normal(size=2), 0.01, 0.9),        # the first step: no velocity yet
        (rng.normal(size=4), rng.normal(size=4), rng.normal(size=4), 0.05, 0.0),  # beta 0: plain gradient descent
        (rng.normal(size=5), rng.normal(size=5), np.zeros(5), 0.2, 0.5),         # no gradient: coasting
    ]

    def diagnose(args, got, expected):
        w, v, g, lr, beta = args
        if isinstance(got, (tuple, list)) and any(isinstance(x, torch.Tensor) for x in got):
            return ("the cell after the check runs your step on NumPy arrays (`H @ w` with a NumPy matrix) and "
                    "keeps the velocity as one: write the step with NumPy, or return `.numpy()` of each tensor.")
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            return "return two things, the new weights and the new velocity: `return new_w, new_velocity`."
        new_w, new_v = got
        v_new = beta * v + g
        if _close(new_w, w - lr * v_new) and not _close(expected[0], w - lr * v_new):
            return ("that is plain momentum; Nesterov's step looks ahead: it uses grad + beta * velocity, with the "
                    "*new* velocity.")
        if _close(new_w, w - lr * (g + v_new)) and not _close(expected[0], w - lr * (g + v_new)):
            return "the look-ahead adds beta times the new velocity to the gradient: grad + beta * velocity."
        if _close(new_w, w + lr * (g + beta * v_new)):
            return "step against the gradient: w - learning_rate * (grad + beta * velocity)."
        if _close(new_v, beta * v + (1 - beta) * g) and not _close(new_v, v_new):
            return "use PyTorch's convention: velocity = beta * velocity + grad (no factor on grad)."
        if _close(new_v, v) and not _close(v, v_new):
            return "the velocity you return is the old one: return the updated velocity."
        return None

    check_function(nesterov_step, reference_nesterov_step, cases, name="nesterov_step", diagnose=diagnose,
                   output_names=("new_w", "new_velocity"), returns=("numpy", "numpy"))


# --------------------------------------------------------------------------------------------- exercise 4


def reference_adam_first_step(grad, learning_rate, eps=1e-8):
    return -learning_rate * grad / (np.abs(grad) + eps)


def check_adam_first_step(adam_first_step):
    """Exercise 4: the change Adam makes to each weight on its first step, ``-lr * g / (|g| + eps)``."""
    rng = np.random.default_rng()
    cases = [
        (np.array([-4.0, 100.0]), 0.1),                                     # the valley's start: sizes 25x apart
        (rng.normal(size=6) * 10.0 ** rng.uniform(-3, 3, 6), 0.01),          # gradients from 0.001 to 1000
        (np.array([0.0, 3.0, -0.5]), 0.2),                                  # a zero gradient: no step
        (np.array([1e-9, -2e-8, 5e-7]), 0.1),                               # gradients as small as eps
        (np.array([1e-3, -0.02, 0.5, -4.0]), 0.1, 1e-2),                     # another eps: it must be used
    ]

    _third_default(adam_first_step, "adam_first_step", "eps", 1e-8)

    def run(fn, *args):
        out = fn(*args)
        _no_generator(out, "adam_first_step")
        return out

    def diagnose(args, got, expected):
        g, lr, *given_eps = args
        sign = np.sign(g)
        if given_eps and _close(got, -lr * g / (np.abs(g) + 1e-8)):
            return f"that uses eps = 1e-8, but this call passed eps = {given_eps[0]:g}: use the parameter eps."
        if _close(got, -lr * g) and not _close(expected, -lr * g):
            return "that is a step of plain gradient descent; Adam divides by the root of s_hat."
        if _close(got, lr * g / (np.abs(g) + 1e-8)):
            return "step against the gradient: the change is minus learning_rate times m_hat / (sqrt(s_hat) + eps)."
        if _close(got, -lr * 0.1 * g / (np.sqrt(0.001) * np.abs(g) + 1e-8)):
            return ("that is the step without bias correction (about 3.16 times too large); at t = 1, "
                    "m_hat = m / (1 - beta1) and s_hat = s / (1 - beta2).")
        if _close(got, -lr * sign):
            return ("close, but keep eps: for gradients as small as eps, -lr * g / (|g| + eps) is much smaller "
                    "than -lr * sign(g).")
        with np.errstate(all="ignore"):
            if _close(got, -lr * g / (g ** 2 + 1e-8)):
                return "take the square root of s_hat = grad**2 before dividing: sqrt(grad**2) = |grad|."
        return None

    check_function(adam_first_step, reference_adam_first_step, cases, name="adam_first_step", diagnose=diagnose,
                   atol=1e-12, call=run, arg_names=("grad", "learning_rate", "eps"))
