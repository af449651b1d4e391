"""Exercise checks, one module per notebook: ``from course_utils.checks.nb00 import check_loss``.

Each check wraps ``course_utils.selfcheck.check_function`` with a reference and inputs chosen for that exercise
(random ones and edge cases). ``tests/test_checks.py`` proves each accepts a correct answer and rejects the
typical wrong ones.
"""

import contextlib

import torch


@contextlib.contextmanager
def one_thread():
    """Run a check's work on one CPU thread, then restore the setting.

    A check's tensors are tiny: PyTorch gains nothing from splitting them between threads, and on a busy computer
    the threads waiting for each other made one check take several times as long.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def reordered_parameters_hint(fn, names: tuple[str, ...]) -> str | None:
    """A sentence when ``fn``'s parameters are the exercise's ``names`` in another order, else None.

    The check passes the values in the exercise's order, so such a function gets each value under another name.
    """
    import inspect

    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return None
    own = tuple(p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
    if own == tuple(names) or sorted(own) != sorted(names):
        return None
    return (f"your parameters are in the order ({', '.join(own)}); the exercise's order is ({', '.join(names)}), "
            "and the check passes the values in that order.")
