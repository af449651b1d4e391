"""Run one notebook under several seeds: do its assertions (the accuracy bars) hold for seeds it was not tuned on?

    python tools/seed_sweep.py notebooks/07_cnn_vs_mlp_mnist.ipynb --seeds 0 1 2 3 4 \\
        --report '{"MLP": mlp_accuracy, "CNN": cnn_accuracy}'

The notebook must define its seed on a line of its own, ``SEED = <int>``; each run replaces that value and
executes the whole notebook in memory (the file is never written), in the profile COURSE_PROFILE names
(default quick). ``--report`` is a Python expression evaluated in the notebook's namespace after a run that
passed; its value is printed in the table. Exit status 1 if any seed fails.
"""

import argparse
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

SEED_LINE = re.compile(r"^SEED = \d+$", re.MULTILINE)
MARKER = "SEED-SWEEP-REPORT: "


def with_seed(nb, seed: int):
    """A copy of `nb` whose `SEED = ...` line says `seed`; a clear error if there is not exactly one such line."""
    nb = nbformat.from_dict(nb)  # a deep copy
    hits = [cell for cell in nb.cells if cell.cell_type == "code" and SEED_LINE.search(cell.source)]
    if len(hits) != 1 or len(SEED_LINE.findall(hits[0].source)) != 1:
        raise ValueError(f"expected exactly one line 'SEED = <int>' in the notebook's code, found "
                         f"{sum(len(SEED_LINE.findall(c.source)) for c in hits)}")
    hits[0].source = SEED_LINE.sub(f"SEED = {seed}", hits[0].source)
    return nb


def run_seed(nb, seed: int, report: str | None, cwd: Path, timeout: int) -> tuple[bool, float, str]:
    """Execute the notebook with `seed`; returns (passed, seconds, the report's value or the error's last line)."""
    nb = with_seed(nb, seed)
    if report:
        nb.cells.append(nbformat.v4.new_code_cell(f"print({MARKER!r} + repr({report}))"))
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}},
                            extra_arguments=["--IPKernelApp.log_level=ERROR"])
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as exc:
        return False, time.perf_counter() - start, str(exc).strip().splitlines()[-1]
    except CellTimeoutError:  # a FAIL row for this seed, then the next seed
        return False, time.perf_counter() - start, f"a cell ran longer than the {timeout} s allowed (--timeout)"
    except DeadKernelError:
        return False, time.perf_counter() - start, "the kernel died (out of memory?)"
    seconds = time.perf_counter() - start
    printed = "".join(out.get("text", "") for out in nb.cells[-1].get("outputs", []) if out.get("name") == "stdout")
    return True, seconds, printed.split(MARKER, 1)[1].strip() if MARKER in printed else ""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--report", help="expression evaluated in the notebook after each run, e.g. a dict")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    args = parser.parse_args(argv)
    if not args.notebook.is_file():
        parser.error(f"{args.notebook}: no such notebook")
    nb = nbformat.read(args.notebook, as_version=4)
    try:
        with_seed(nb, 0)
    except ValueError as exc:
        parser.error(f"{args.notebook.name}: {exc}")
    print(f"{args.notebook.name}: one run per seed")
    print("seed  result  seconds  report")
    failures = 0
    for seed in args.seeds:
        ok, seconds, text = run_seed(nb, seed, args.report, args.notebook.resolve().parent, args.timeout)
        failures += not ok
        print(f"{seed:>4}  {'pass' if ok else 'FAIL'}    {seconds:7.1f}  {text}", flush=True)
    print(f"{len(args.seeds) - failures} of {len(args.seeds)} seeds pass every assertion")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
