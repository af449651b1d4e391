"""One line that updates in place while a long cell runs: how much is done, the latest numbers, the time left.

    progress = Progress(total=12, unit="epochs", label="CNN")
    for epoch in range(12):
        ...
        progress.update(epoch + 1, loss=0.04, val_acc=0.989)
    progress.close()

In JupyterLab and Colab the line is one output that is replaced (a display handle), so the cell shows a single
line, not a scroll of them; elsewhere (a script, a terminal) a line is printed at most every ``every`` seconds.
By default it is on in the full profile only: in the quick profile cells are short and their stored outputs are
compared by nbval, so they must not carry timings.
"""

import sys
import time

from course_utils.profile import get_profile


class Progress:
    def __init__(self, total: float, unit: str = "epochs", label: str = "training", enabled: bool | None = None,
                 every: float = 1.0):
        if not total > 0:
            raise ValueError(f"total must be positive, got {total!r}")
        self.total, self.unit, self.label = total, unit, label
        self.enabled = get_profile() == "full" if enabled is None else bool(enabled)
        self.every = every
        self.start = time.perf_counter()
        self._shown_at = -float("inf")
        self._handle = None
        self.last_line = ""

    def update(self, done: float, force: bool = False, **numbers) -> None:
        """Report ``done`` of ``total`` (fractions allowed) and the latest ``numbers`` (e.g. ``loss=0.04``)."""
        if not self.enabled:
            return
        now = time.perf_counter()
        if not force and now - self._shown_at < self.every:
            return
        self._shown_at = now
        elapsed = now - self.start
        left = elapsed / done * (self.total - done) if done > 0 else float("nan")
        when = f"{elapsed:.0f} s so far" + (f", about {left:.0f} s left" if done > 0 and done < self.total else "")
        self._show(f"{self.label}: {_amount(done)}/{_amount(self.total)} {self.unit}{_numbers(numbers)} · {when}")

    def close(self, **numbers) -> None:
        """The final line: everything done, how long it took, the last numbers."""
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.start
        self._show(f"{self.label}: {_amount(self.total)} {self.unit} in {elapsed:.0f} s{_numbers(numbers)}")

    def _show(self, line: str) -> None:
        self.last_line = line
        display = _ipython_display()
        if display is None:
            print(line, flush=True)
            return
        from IPython.display import Pretty

        if self._handle is None:
            self._handle = display(Pretty(line), display_id=True)
        else:
            self._handle.update(Pretty(line))


def _ipython_display():
    """IPython's ``display`` when running in a kernel (JupyterLab, Colab), else None."""
    shell = sys.modules.get("IPython") and getattr(sys.modules["IPython"], "get_ipython", lambda: None)()
    if shell is None or not hasattr(shell, "kernel"):
        return None
    from IPython.display import display

    return display


def _amount(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _numbers(numbers: dict) -> str:
    parts = []
    for name, value in numbers.items():
        if value is None:
            continue
        text = f"{value:.1%}" if "acc" in name else f"{value:.4g}"
        parts.append(f"{name.replace('_', ' ')} {text}")
    return "".join(f" · {p}" for p in parts)
