"""The machinery behind every "Check yourself" exercise.

A self-check runs the learner's function and a reference on the same inputs (random ones and edge cases) and
compares with tolerances. It never compares with numbers that depend on a seed. When something differs it
raises ``SelfCheckError`` whose message says *what* differs (not written yet, missing return, shape, dtype,
overflow to nan/inf, values) for which input. When everything agrees it prints one line.

Each notebook's checks are in ``course_utils.checks.nbXX``; they are built from ``check_function``.
"""

import numpy as np
import torch


class SelfCheckError(AssertionError):
    """A self-check found a difference; the message explains it to the learner."""


def check_function(fn, reference, cases, name: str | None = None, atol: float = 1e-6, rtol: float = 1e-5,
                   diagnose=None) -> None:
    """Compare ``fn(*case)`` with ``reference(*case)`` for every ``case`` in ``cases``.

    ``cases``: a list of argument tuples. Outputs may be numbers, NumPy arrays or torch tensors (or tuples of
    them). ``diagnose(args, got, expected)``, if given, may return a sentence naming a typical mistake; it is
    added to the message. Raises ``SelfCheckError`` on the first difference; prints a one-line pass otherwise.
    """
    name = name or getattr(fn, "__name__", "your function")
    if not callable(fn):
        raise SelfCheckError(f"`{name}` should be a function, got {type(fn).__name__}")
    if not cases:
        raise ValueError("a self-check needs at least one case")
    for args in cases:
        args = args if isinstance(args, tuple) else (args,)
        expected = reference(*_copy(args))
        try:
            got = fn(*_copy(args))
        except NotImplementedError:
            raise SelfCheckError(
                f"`{name}` is not written yet: replace the `raise NotImplementedError(...)` line with your code, "
                "run that cell, then run this check again."
            ) from None
        except Exception as exc:
            raise SelfCheckError(
                f"`{name}` raised {type(exc).__name__}: {exc} (for input {describe(args)})"
            ) from exc
        problem = compare(got, expected, atol=atol, rtol=rtol)
        if problem:
            hint = _safe_hint(diagnose, args, got, expected)
            message = f"`{name}` is not right yet for input {describe(args)}: {problem}"
            raise SelfCheckError(message + (f" Hint: {hint}" if hint else ""))
    print(f"✓ {name}: all {len(cases)} checks passed.")


def compare(got, expected, atol: float = 1e-6, rtol: float = 1e-5) -> str | None:
    """None when ``got`` matches ``expected`` within tolerances, else a sentence saying how they differ."""
    if got is None and expected is not None:
        return "it returned None. Did you forget `return`?"
    if isinstance(expected, tuple):
        if not isinstance(got, tuple) or len(got) != len(expected):
            return f"expected a tuple of {len(expected)} values, got {_kind(got)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            problem = compare(g, e, atol, rtol)
            if problem:
                return f"item {i} of the returned tuple: {problem}"
        return None
    try:
        g, e = _as_array(got), _as_array(expected)
    except (TypeError, ValueError):
        return f"expected {_kind(expected)}, got {_kind(got)}"
    if g.shape != e.shape:
        return f"expected shape {e.shape}, got shape {g.shape}. Check which axis you sum or reduce over."
    if e.dtype.kind in "fc" and g.dtype.kind not in "fcb" or g.dtype.kind == "O":
        return f"expected floating-point values, got dtype {g.dtype}."
    g_bad, e_bad = ~np.isfinite(g.astype(np.float64)), ~np.isfinite(e.astype(np.float64))
    if (g_bad & ~e_bad).any():
        return "it returned nan or inf where finite values were expected: something overflowed or divided by zero."
    close = np.isclose(g.astype(np.float64), e.astype(np.float64), atol=atol, rtol=rtol, equal_nan=True)
    if not close.all():
        i = np.unravel_index(np.argmax(~close), close.shape) if close.ndim else ()
        at = f" at index {tuple(int(k) for k in i)}" if i else ""
        return (f"{int((~close).sum())} of {close.size} values differ; e.g.{at} expected "
                f"{e[i].item():.6g}, got {g[i].item():.6g}.")
    return None


def describe(args: tuple) -> str:
    """A short description of call arguments: shapes for arrays, values for small things."""
    parts = []
    for a in args:
        if isinstance(a, (np.ndarray, torch.Tensor)) and a.ndim > 0:
            parts.append(f"{type(a).__name__} of shape {tuple(a.shape)}")
        else:
            text = repr(a.item() if hasattr(a, "item") and getattr(a, "ndim", 1) == 0 else a)
            parts.append(text if len(text) <= 40 else text[:37] + "...")
    return "(" + ", ".join(parts) + ")"


def _safe_hint(diagnose, args, got, expected):
    """The diagnosis, or None when there is none or it cannot handle this wrong answer (e.g. a wrong shape)."""
    if diagnose is None:
        return None
    try:
        return diagnose(args, got, expected)
    except Exception:
        return None


def _as_array(value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, (str, bytes, dict)) or value is None:
        raise TypeError
    return np.asarray(value)


def _kind(value) -> str:
    if isinstance(value, (np.ndarray, torch.Tensor)):
        return f"{type(value).__name__} of shape {tuple(value.shape)}"
    return type(value).__name__


def _copy(args: tuple) -> tuple:
    """Fresh copies of array arguments, so a function that modifies its input cannot spoil the comparison."""
    return tuple(a.clone() if isinstance(a, torch.Tensor) else a.copy() if isinstance(a, np.ndarray) else a
                 for a in args)
