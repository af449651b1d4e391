"""Execute the course notebooks headless and print a table: notebook, pass/fail, wall seconds.

    python tools/run_notebooks.py                 # all notebooks, files untouched (an instructor's pre-flight)
    python tools/run_notebooks.py --write NB ...  # maintainers: store the fresh outputs in the notebooks

Runs in the profile that COURSE_PROFILE names (default quick). Exit status 1 if any notebook fails.
"""

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

ROOT = Path(__file__).resolve().parents[1]


def run_one(path: Path, write: bool, timeout: int) -> tuple[bool, float, str]:
    """Execute one notebook; ``(passed, seconds, why it failed)``. Never raises: a pre-flight reports and goes on."""
    start = time.perf_counter()
    try:
        nb = nbformat.read(path, as_version=4)
        nb.metadata.pop("widgets", None)  # state left by an earlier run or by JupyterLab
        # nbclient keeps the widgets' state while it runs (its Output-widget handling needs it; with
        # store_widget_state=False it raises KeyError on an explorer's output); it is dropped afterwards, since an
        # explorer's knobs are live only in a running kernel and a stored copy would only make the file larger
        # (the output keeps a one-line text note for static viewers).
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}},
                                extra_arguments=["--IPKernelApp.log_level=ERROR"])  # no start-up chatter
        client.execute()
        nb.metadata.pop("widgets", None)
        ok, message = True, ""
    except CellExecutionError as exc:
        ok, message = False, str(exc).strip().splitlines()[-1]
    except CellTimeoutError:
        ok, message = False, f"a cell ran longer than the {timeout} s allowed (--timeout)"
    except DeadKernelError as exc:
        ok, message = False, f"the kernel died ({_first_line(exc)}): out of memory?"
    except FileNotFoundError:
        ok, message = False, "no such notebook"
    except Exception as exc:  # not valid JSON, a kernel that does not start, ...: a FAIL row, then the next one
        ok, message = False, f"{type(exc).__name__}: {_first_line(exc)}"
    seconds = time.perf_counter() - start
    if write and ok:
        nbformat.write(nb, path)
    return ok, seconds, message


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--write", action="store_true", help="store the outputs in the notebook files")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not paths:
        print("no notebooks found", file=sys.stderr)
        return 1
    width = max(len(p.name) for p in paths)  # a missing path gets a FAIL row like any other failure
    print(f"{'notebook':<{width}}  result  seconds")
    total, failures = 0.0, 0
    for path in paths:
        ok, seconds, message = run_one(path.resolve(), args.write, args.timeout)
        total += seconds
        failures += not ok
        print(f"{path.name:<{width}}  {'pass' if ok else 'FAIL'}    {seconds:7.1f}" + (f"  {message}" if message else ""),
              flush=True)
    print(f"{'total':<{width}}  {len(paths) - failures}/{len(paths)}   {total:7.1f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
