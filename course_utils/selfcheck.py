"""The machinery behind every "Check yourself" exercise.

A self-check runs the learner's function and a reference on the same inputs (random ones and edge cases) and
compares with tolerances. It never compares with numbers that depend on a seed. When something differs it
raises ``SelfCheckError`` whose message says *what* differs (not written yet, missing return, shape, type,
overflow to nan/inf, an input changed in place, values) for which input. When everything agrees it prints one
line.

How one case runs, and why:

1. The check keeps a pristine copy of the case. The learner's function gets its own deep copy (arrays inside
   lists and tuples too), so nothing it does can reach the reference or the next case.
2. After the learner's call the check compares the learner's copy with the pristine one: an input changed in
   place is reported (unless the exercise asks for it), because the lesson's next cells would see the change.
3. Only then is the reference computed, on a third copy: the expected answer never sits in a frame that the
   learner's code could reach while it runs.
4. Reference, comparison and diagnosis run with NumPy's floating-point errors ignored, so a learner who turned
   on ``np.seterr(all="raise")`` gets a verdict, not a crash in the check.

Each notebook's checks are in ``course_utils.checks.nbXX``; they are built from ``check_function``.
"""

import collections.abc
import copy
import inspect

import numpy as np
import torch

STUB_PREFIX = "Exercise:"  # the message of the stub that the student versions put in place of a solution


class SelfCheckError(AssertionError):
    """A self-check found a difference; the message explains it to the learner."""


_last_failure: tuple | None = None


def failing_input() -> tuple:
    """A fresh copy of the arguments of the last case a check rejected, to call your function on yourself.

    ``args = failing_input(); my_function(*args)``
    """
    if _last_failure is None:
        raise LookupError("no check has failed yet in this session")
    return _fresh(_last_failure)


# --------------------------------------------------------------------------------------------- running a check


def check_function(fn, reference, cases, name: str | None = None, atol: float = 1e-6, rtol: float = 1e-5,
                   diagnose=None, *, call=None, inplace: str = "forbid", returns=None,
                   output_names: tuple[str, ...] | None = None, arg_names: tuple[str, ...] | None = None) -> None:
    """Compare the learner's ``fn`` with ``reference`` on every case in ``cases``.

    ``cases``: a list of argument tuples. ``reference(*case)`` gives the expected answer: a number, an array, a
    tensor, or a tuple/list of them (several returned values).

    ``call(fn, *case)``, if given, adapts how the learner's function is called and what of its answer is
    compared (e.g. run a small training loop with it). Without it the check compares ``fn(*case)``.
    ``diagnose(args, got, expected)``, if given, may return a sentence naming a typical mistake; it is
    added to the message. ``inplace``: ``"forbid"`` (the default: an input changed in place is a mistake) or
    ``"allow"``. ``returns``: what the learner must return when the lesson goes on to use it: ``"number"``,
    ``"numpy"``, ``"tensor"``, or a tuple of those for several values (``None``: anything with the right values).
    ``output_names`` names several returned values in messages (``("dW", "db")``); ``arg_names`` names the
    arguments when ``call`` changes them (default: the learner's own parameter names).

    Raises ``SelfCheckError`` on the first difference; prints a one-line pass otherwise.
    """
    global _last_failure
    name = name or getattr(fn, "__name__", "your function")
    if not callable(fn):
        raise SelfCheckError(_not_a_function(fn, name))
    if isinstance(fn, type) and not issubclass(fn, torch.nn.Module):
        raise SelfCheckError(f"`{name}` should be a function you wrote (def ...), got the class {fn.__name__}.")
    if not cases:
        raise ValueError("a self-check needs at least one case")
    if inplace not in ("forbid", "allow"):
        raise ValueError(f"inplace must be 'forbid' or 'allow', got {inplace!r}")
    names = arg_names or (_parameter_names(fn) if call is None else None)
    for case in cases:
        case = case if isinstance(case, tuple) else (case,)
        pristine = _fresh(case)
        given = _fresh(pristine)
        got = _run_learner(fn, name, call, given, pristine, names, allow_none=inplace == "allow")
        with np.errstate(all="ignore"):
            if inplace == "forbid":
                changed = _changed_argument(given, pristine)
                if changed is not None:
                    _last_failure = pristine
                    label = _argument_label(changed, names)
                    raise SelfCheckError(
                        f"`{name}` changed its input {label} in place (for input {describe(pristine, names)}). "
                        "The cells after this one still need the original, so work on a copy: write "
                        "`z = z - m` rather than `z -= m`, and never assign into an argument (`w[0] = ...`)."
                        + _rerun_hint(pristine)
                    )
            expected = reference(*_fresh(pristine))
            problem = _wrong_type(got, returns, output_names) or compare(got, expected, atol=atol, rtol=rtol,
                                                                         names=output_names)
            if problem:
                _last_failure = pristine
                # a diagnosis reads numbers: a string like '0.25' must not be taken for one
                hint = None if isinstance(got, (str, bytes)) else _safe_hint(diagnose, _fresh(pristine), got, expected)
                message = f"`{name}` is not right yet for input {describe(pristine, names)}: {problem}"
                raise SelfCheckError(message + (f" Hint: {hint}" if hint else "") + _rerun_hint(pristine))
    print(f"✓ {name}: all {len(cases)} checks passed." if len(cases) > 1 else f"✓ {name}: the check passed.")


def _rerun_hint(args: tuple) -> str:
    """How to get the failing input, when the message could not show all of it."""
    if all(_describe_value(a).count("shape") == 0 and "items" not in _describe_value(a) for a in args):
        return ""
    return (" To try that input yourself: `from course_utils.selfcheck import failing_input`, then "
            "`args = failing_input()` and call your function with `*args`.")


def _run_learner(fn, name, call, given, pristine, names, allow_none=False):
    """Call the learner's function (through ``call`` if given); turn every way it can fail into a message."""
    global _last_failure
    returned = []

    def learner(*args, **kwargs):
        out = fn(*args, **kwargs)
        returned.append(out)
        return out

    try:
        # Underflow to 0 is expected in stable formulas (exp of a very negative number); a learner who turned on
        # np.seterr(all="raise") should not see the reference's own approach fail for it.
        with np.errstate(under="ignore"):
            got = learner(*given) if call is None else call(learner, *given)
    except SelfCheckError:
        raise
    except NotImplementedError as exc:
        if _is_stub(exc):
            raise SelfCheckError(
                f"`{name}` is not written yet: replace the `raise NotImplementedError(...)` line with your code, "
                "run that cell, then run this check again."
            ) from None
        _last_failure = pristine
        hint = (" PyTorch calls a module's method `forward`: check its spelling and indentation (it must be "
                "inside the class)." if "forward" in str(exc) else "")
        raise SelfCheckError(f"`{name}` raised NotImplementedError: {exc} (for input "
                             f"{describe(pristine, names)}).{hint}") from exc
    except Exception as exc:
        _last_failure = pristine
        if returned and returned[-1] is None and not allow_none:
            raise SelfCheckError(f"`{name}` returned None (for input {describe(pristine, names)}). "
                                 "Did you forget `return`?") from None
        if returned:
            raise SelfCheckError(
                f"what `{name}` returned could not be used (for input {describe(pristine, names)}): it returned "
                f"{_kind(returned[-1])}, and using it raised {type(exc).__name__}: {exc}" + _rerun_hint(pristine)) from exc
        raise SelfCheckError(
            f"`{name}` raised {type(exc).__name__}: {exc} (for input {describe(pristine, names)})" + _rerun_hint(pristine)
        ) from exc
    if returned and returned[-1] is None and not allow_none:
        _last_failure = pristine
        raise SelfCheckError(f"`{name}` returned None (for input {describe(pristine, names)}). "
                             "Did you forget `return`?")
    if isinstance(got, collections.abc.Iterator) and not isinstance(got, (np.ndarray, torch.Tensor)):
        got = list(got)  # a generator, zip or map: the values it gives are the answer
    return got


def _is_stub(exc: NotImplementedError) -> bool:
    message = str(exc).strip()
    return message == "" or message.startswith(STUB_PREFIX)


def _not_a_function(value, name: str) -> str:
    return (f"the check needs the function itself: pass `{name}`, not `{name}(...)`. It got "
            f"{_kind(value)}, which is what calling a function gives, not a function.")


# --------------------------------------------------------------------------------------------- comparing answers


def compare(got, expected, atol: float = 1e-6, rtol: float = 1e-5, names=None) -> str | None:
    """None when ``got`` matches ``expected`` within tolerances, else a sentence saying how they differ.

    Several expected values (a tuple or list) accept a tuple or a list of the same length. Arrays and tensors
    are compared by shape and values; a float32 answer is compared with float32's precision.
    """
    if got is None and expected is not None:
        return "it returned None. Did you forget `return`?"
    if isinstance(expected, tuple):
        return _compare_several(got, expected, atol, rtol, names)
    if isinstance(expected, list):
        return _compare_list(got, expected, atol, rtol)
    if isinstance(got, (tuple, list)) and len(got) != 1 and np.ndim(expected) == 0:
        return f"expected one number, got {_kind(got)}."
    if isinstance(got, (str, bytes)):
        return f"expected {_kind(expected)}, got {_kind(got)}: return the value itself, not text (text is for printing)."
    try:
        g, e = _as_array(got), _as_array(expected)
    except (TypeError, ValueError, RuntimeError):
        return f"expected {_kind(expected)}, got {_kind(got)}."
    kind_problem = _dtype_problem(g, e, got)
    if kind_problem:
        return kind_problem
    if g.shape != e.shape:
        return _shape_problem(g.shape, e.shape)
    g64, e64 = g.astype(np.float64), e.astype(np.float64)
    g_bad, e_bad = ~np.isfinite(g64), ~np.isfinite(e64)
    if (g_bad & ~e_bad).any():
        return "it returned nan or inf where finite values were expected: something overflowed or divided by zero."
    if any(a.dtype.kind == "f" and a.dtype.itemsize <= 4 for a in (g, e)):  # float32 has about 7 digits
        scale = float(np.abs(e64[~e_bad]).max()) if (~e_bad).any() else 0.0
        rtol, atol = max(rtol, 1e-4), max(atol, 1e-6 * scale)
    close = np.isclose(g64, e64, atol=atol, rtol=rtol) | (e_bad & (g64 == e64)) | (np.isnan(e64) & np.isnan(g64))
    if close.all():
        return None
    if close.ndim == 0:
        return f"expected {_number(e64)}, got {_number(g64)}."
    i = np.unravel_index(np.argmax(~close), close.shape)
    return (f"{int((~close).sum())} of {close.size} values differ; e.g. at index {tuple(int(k) for k in i)} "
            f"expected {_number(e64[i])}, got {_number(g64[i])}.")


def _compare_several(got, expected, atol, rtol, names, nested=False):
    n = len(expected)
    if nested:
        what = "a pair of values" if n == 2 else f"a tuple of {n} values"
    else:
        what = f"{n} values (e.g. `return {', '.join(names or [f'value{k + 1}' for k in range(n)])}`)"
    if isinstance(got, (np.ndarray, torch.Tensor)) and got.ndim >= 1 and len(got) == n and not nested:
        got = tuple(got)  # np.array([a, b]): `a, b = f(...)` unpacks it as well as a tuple
    if isinstance(got, (np.ndarray, torch.Tensor)) or not isinstance(got, (tuple, list)):
        return f"expected {what}, got {_kind(got)}."
    if len(got) != n:
        return f"expected {what}, got {len(got)} value{'s' if len(got) != 1 else ''}."
    if n == 2 and compare(got[0], expected[0], atol, rtol) and compare(got[0], expected[1], atol, rtol) is None \
            and compare(got[1], expected[0], atol, rtol) is None:
        order = f"`{names[0]}` first, then `{names[1]}`" if names else "in the order the exercise gives"
        return f"the two values are right but swapped: return them {order}."
    for i, (g, e) in enumerate(zip(got, expected)):
        problem = compare(g, e, atol, rtol)
        if problem:
            if nested:
                return f"its {_ordinal(i)} value: {problem}"
            label = f"`{names[i]}`" if names else f"the {_ordinal(i)} value you returned"
            return f"{label}: {problem}"
    return None


def _compare_list(got, expected, atol, rtol):
    if isinstance(got, (np.ndarray, torch.Tensor)) or not isinstance(got, (tuple, list)):
        return f"expected a list of {len(expected)} items, got {_kind(got)}."
    if len(got) != len(expected):
        return f"expected a list of {len(expected)} items, got {len(got)}."
    for i, (g, e) in enumerate(zip(got, expected)):
        problem = (_compare_several(g, e, atol, rtol, None, nested=True) if isinstance(e, tuple)
                   else compare(g, e, atol, rtol))
        if problem:
            return f"item {i} of the list: {problem}"
    return None


def _dtype_problem(g: np.ndarray, e: np.ndarray, got) -> str | None:
    if g.dtype.kind in "OUSV" or g.dtype.kind == "M":
        return f"expected numbers, got {_kind(got)}."
    if g.dtype.kind == "c" and e.dtype.kind != "c":
        return f"expected real numbers, got complex ones ({_kind(got)})."
    if g.dtype.kind == "b" and g.ndim == 0 and e.dtype.kind != "b":
        return f"expected a number, got {bool(g)} (True or False): return the number itself."
    return None


def _shape_problem(got_shape: tuple, expected_shape: tuple) -> str:
    text = f"expected shape {expected_shape}, got shape {got_shape}."
    if got_shape == expected_shape[::-1] and len(got_shape) > 1:
        return text + " It looks transposed (rows and columns swapped)."
    squeeze = tuple(d for d in got_shape if d != 1)
    if squeeze == tuple(d for d in expected_shape if d != 1) and len(got_shape) != len(expected_shape):
        return text + " The values may be right with an extra or missing axis of length 1 (see `keepdims`, `.reshape`)."
    if 0 < len(got_shape) < len(expected_shape) and all(d in expected_shape for d in got_shape):
        return text + " One axis is gone: check which axis you sum or reduce over (and `keepdims=True`)."
    if len(got_shape) == len(expected_shape):
        differ = [k for k, (a, b) in enumerate(zip(got_shape, expected_shape)) if a != b]
        if len(differ) == 1:
            return text + f" Axis {differ[0]} has the wrong length."
    return text


# --------------------------------------------------------------------------------------------- types and messages


_RETURNS = {
    "number": "a plain number (a Python or NumPy float, e.g. `float(...)`)",
    "numpy": "a NumPy array (`np.array(...)`, `np.stack(...)`)",
    "tensor": "a torch tensor",
}


def _wrong_type(got, returns, names=None) -> str | None:
    """A sentence when ``got`` is not of the kind the lesson goes on to use, else None."""
    if returns is None:
        return None
    if isinstance(returns, tuple):
        if not isinstance(got, (tuple, list)) or len(got) != len(returns):
            return None  # compare() reports the count
        for i, (g, spec) in enumerate(zip(got, returns)):
            problem = _wrong_type(g, spec)
            if problem:
                label = f"`{names[i]}`" if names else f"the {_ordinal(i)} value you returned"
                return f"{label}: {problem}"
        return None
    if returns not in _RETURNS:
        raise ValueError(f"returns must be one of {sorted(_RETURNS)} or a tuple of them, got {returns!r}")
    ok = {
        "number": isinstance(got, (int, float, np.integer, np.floating)) and not isinstance(got, bool)
        or isinstance(got, np.ndarray) and got.ndim == 0 and got.dtype.kind in "iuf",
        "numpy": isinstance(got, np.ndarray),
        "tensor": isinstance(got, torch.Tensor),
    }[returns]
    if ok:
        return None
    return f"return {_RETURNS[returns]}, not {_kind(got)}: the cells after this one use it that way."


def describe(args: tuple, names=None) -> str:
    """The call's arguments as a learner can read them: small arrays in full, larger ones by shape and dtype."""
    parts = []
    for i, a in enumerate(args):
        text = _describe_value(a)
        parts.append(f"{names[i]}={text}" if names and i < len(names) else text)
    return "(" + ", ".join(parts) + ")"


def _describe_value(a, depth: int = 0) -> str:
    if isinstance(a, (np.ndarray, torch.Tensor)):
        kind = "tensor" if isinstance(a, torch.Tensor) else "array"
        dtype = str(a.dtype).replace("torch.", "")
        if a.ndim == 0:
            return repr(a.item())
        size = a.numel() if isinstance(a, torch.Tensor) else a.size
        if size <= 8:
            values = np.array2string(_as_array(a), precision=6, separator=", ", suppress_small=False)
            values = " ".join(values.split()).replace("[ ", "[")
            return f"{kind}({values}, {dtype})"
        return f"{kind} of shape {tuple(a.shape)}, {dtype}"
    if isinstance(a, (list, tuple)) and depth == 0:
        bracket = "[]" if isinstance(a, list) else "()"
        if len(a) <= 4:
            return bracket[0] + ", ".join(_describe_value(v, 1) for v in a) + bracket[1]
        return f"{type(a).__name__} of {len(a)} items: {_describe_value(a[0], 1)}, ..."
    if isinstance(a, (list, tuple)):
        if len(a) <= 4 and all(isinstance(v, (int, float, np.integer, np.floating)) for v in a):
            bracket = "[]" if isinstance(a, list) else "()"
            return bracket[0] + ", ".join(_describe_value(v, 2) for v in a) + ("," if len(a) == 1 and bracket == "()" else "") + bracket[1]
        return f"{type(a).__name__} of {len(a)} items"
    if isinstance(a, (np.integer, np.floating)):
        return repr(a.item())
    return repr(a)


def _number(value) -> str:
    value = float(value)
    return f"{value:.6g}" if np.isfinite(value) else str(value)


def _ordinal(i: int) -> str:
    return ["first", "second", "third", "fourth", "fifth"][i] if i < 5 else f"{i + 1}th"


def _kind(value) -> str:
    if isinstance(value, (np.ndarray, torch.Tensor)):
        kind = "a tensor" if isinstance(value, torch.Tensor) else "a NumPy array"
        if value.ndim == 0:
            return f"{kind} holding one number"
        return f"{kind} of shape {tuple(value.shape)}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)} item{'s' if len(value) != 1 else ''}"
    if value is None:
        return "None"
    if isinstance(value, bool):
        return f"{value} (a bool)"
    if isinstance(value, (int, float, complex, np.number)):
        plain = value.item() if isinstance(value, np.generic) else value  # 1.5, not np.float64(1.5)
        return f"the number {plain!r}" if not isinstance(plain, complex) else f"the complex number {plain!r}"
    if isinstance(value, str):
        return f"the string {value!r}"
    return f"a {type(value).__name__}"


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
        value = value.detach().cpu()
        if value.is_complex():
            return value.numpy()
        return value.numpy() if value.dtype in (torch.float64, torch.float32, torch.int64, torch.int32,
                                                torch.int16, torch.int8, torch.uint8, torch.bool,
                                                torch.float16) else value.float().numpy()
    if isinstance(value, (str, bytes, dict, set)) or value is None:
        raise TypeError
    return np.asarray(value)


# --------------------------------------------------------------------------------------------- copies of inputs


def _fresh(value):
    """A deep copy of a case: arrays and tensors inside tuples, lists and dicts are copied too."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, torch.Tensor):
        copied = value.detach().clone()
        if value.requires_grad and value.is_leaf:
            copied.requires_grad_(True)
        return copied
    if isinstance(value, tuple):
        return tuple(_fresh(v) for v in value)
    if isinstance(value, list):
        return [_fresh(v) for v in value]
    if isinstance(value, dict):
        return {k: _fresh(v) for k, v in value.items()}
    if isinstance(value, (int, float, complex, str, bytes, bool, type(None), np.generic)) or callable(value) \
            and not isinstance(value, torch.nn.Module):
        return value
    try:
        return copy.deepcopy(value)
    except Exception:
        return value


def _changed_argument(given: tuple, pristine: tuple):
    """The index of the first argument the learner's call changed in place, or None."""
    for i, (g, p) in enumerate(zip(given, pristine)):
        if not _same(g, p):
            return i
    return None


def _same(a, b) -> bool:
    if isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype and \
            np.array_equal(a, b, equal_nan=b.dtype.kind in "fc")
    if isinstance(b, torch.Tensor):
        if not isinstance(a, torch.Tensor) or a.shape != b.shape or a.dtype != b.dtype:
            return False
        a, b = a.detach(), b.detach()
        return bool(torch.equal(a, b) or (a.is_floating_point() and torch.equal(a.isnan(), b.isnan())
                                          and torch.equal(a.nan_to_num(), b.nan_to_num())))
    if isinstance(b, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(_same_item(x, y) for x, y in zip(a, b))
    if isinstance(b, dict):
        return isinstance(a, dict) and a.keys() == b.keys() and all(_same_item(a[k], b[k]) for k in b)
    if isinstance(b, torch.nn.Module):
        sa, sb = a.state_dict(), b.state_dict()
        return sa.keys() == sb.keys() and all(_same(sa[k], sb[k]) for k in sb)
    return True  # numbers, strings, functions: cannot be changed in place


def _same_item(a, b) -> bool:
    """Like ``_same``, for an item of a list or dict: there a number can be replaced (``losses[2] = 0``)."""
    if isinstance(b, (int, float, complex, np.number)) and not isinstance(b, bool):
        if type(a) is not type(b):
            return False
        return a == b or (a != a and b != b)  # nan stays nan
    if isinstance(b, str):
        return a == b
    return _same(a, b)


def _parameter_names(fn) -> tuple[str, ...] | None:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return None
    names = tuple(p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
    return names or None


def _argument_label(index: int, names) -> str:
    if names and index < len(names):
        return f"`{names[index]}`"
    return f"(argument {index + 1})"
