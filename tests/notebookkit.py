"""Run a notebook's cells up to a point in a real kernel, then test what they defined (explorers' redraws).

    with notebook_kernel("02_gradient_descent.ipynb", stop_before="explore(") as run:
        out = run("fig = draw_path(learning_rate=0.1); print(len(fig.axes))")

Lesson code stays in its notebook; this is how a test reaches it without copying it.
"""

import contextlib
import json
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


class CellFailed(AssertionError):
    """A cell run by the test raised; the message holds the kernel's error."""


@contextlib.contextmanager
def notebook_kernel(name: str, stop_before: str, timeout: int = 600):
    """Execute the code cells of ``notebooks/name`` before the first one containing ``stop_before``.

    Yields ``run(code) -> str``: runs ``code`` in the same kernel and returns what it printed (raises
    ``CellFailed`` with the kernel's error if it raised).
    """
    path = ROOT / "notebooks" / name
    nb = nbformat.read(path, as_version=4)
    stop = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code" and stop_before in c.source), None)
    if stop is None:
        raise ValueError(f"{name}: no code cell contains {stop_before!r}")
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        for index in range(stop):
            cell = nb.cells[index]
            if cell.cell_type == "code":
                client.execute_cell(cell, index)

        def run(code: str) -> str:
            cell = nbformat.v4.new_code_cell(code)
            nb.cells.append(cell)
            try:
                client.execute_cell(cell, len(nb.cells) - 1)
            except Exception as exc:  # nbclient's CellExecutionError carries the kernel's traceback
                raise CellFailed(str(exc)) from None
            return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")

        yield run


_REDRAW = r'''
import io as _io, json as _json, time as _time
import matplotlib.pyplot as _plt
_times = []
for _values in {settings!r}:
    _cpu, _wall = _time.process_time(), _time.perf_counter()
    _fig = {draw}(**_values)
    _fig.savefig(_io.BytesIO(), format="png")  # what the widget shows: a rendered figure
    _plt.close(_fig)
    _times.append((_time.process_time() - _cpu, _time.perf_counter() - _wall))
print("REDRAW " + _json.dumps(_times))
'''


def redraw_times(run, draw: str, settings: list[dict]) -> tuple[float, float]:
    """Draw and render ``draw(**values)`` for each dict of ``settings`` in the kernel of ``run``; return the median
    CPU seconds of one redraw (its cost on an idle machine) and the slowest wall seconds (which also counts the
    time spent waiting for a core on a loaded machine)."""
    printed = run(_REDRAW.format(draw=draw, settings=settings))
    times = json.loads(printed.split("REDRAW ", 1)[1])
    cpu = sorted(t[0] for t in times)
    return cpu[len(cpu) // 2], max(t[1] for t in times)
