"""Write the student versions of the notebooks: solutions stubbed, outputs cleared.

In the course notebooks a solution sits between two marker lines inside a code cell::

    def loss(w):
        # BEGIN SOLUTION
        return np.mean((w * x - y) ** 2)
        # END SOLUTION

The student version keeps everything else and replaces the marked lines with one line, at the same indentation::

    def loss(w):
        raise NotImplementedError("Exercise: write this part, then run the check below.")

Run ``python -m course_utils student-versions OUT_DIR`` (``--force`` to replace files already there).
"""

import copy
import json
from pathlib import Path

BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
STUB = 'raise NotImplementedError("Exercise: write this part, then run the check below.")'


class MarkerError(ValueError):
    """Solution markers that do not pair up; the message names the notebook and cell."""


def stub_source(source: str, where: str = "cell") -> tuple[str, int]:
    """Replace each marked solution in ``source`` by the stub; return the new source and how many were stubbed."""
    out, inside, count = [], False, 0
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise MarkerError(f"{where}, line {number}: `{BEGIN}` again before `{END}`")
            inside, count = True, count + 1
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}{STUB}\n")
        elif stripped == END:
            if not inside:
                raise MarkerError(f"{where}, line {number}: `{END}` without a `{BEGIN}` before it")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise MarkerError(f"{where}: `{BEGIN}` is never closed by `{END}`")
    return "".join(out), count


def student_notebook(notebook: dict, name: str = "notebook") -> tuple[dict, int]:
    """A copy of ``notebook`` (nbformat JSON as a dict) with solutions stubbed and all outputs cleared."""
    nb = copy.deepcopy(notebook)
    total = 0
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", []))
        new_source, count = stub_source(source, where=f"{name}, cell {index}")
        total += count
        cell["source"] = new_source
        cell["outputs"] = []
        cell["execution_count"] = None
    return nb, total


def write_student_versions(src_dir: Path, out_dir: Path, force: bool = False) -> list[tuple[Path, int]]:
    """Write a student version of every ``*.ipynb`` in ``src_dir`` to ``out_dir``; return (path, stubs) pairs.

    Refuses to overwrite existing files unless ``force``; checks every notebook before writing any.
    """
    src_dir, out_dir = Path(src_dir), Path(out_dir)
    sources = sorted(src_dir.glob("*.ipynb"))
    if not sources:
        raise FileNotFoundError(f"no notebooks (*.ipynb) found in {src_dir}")
    if out_dir.resolve() == src_dir.resolve():
        raise ValueError("the output folder must differ from the notebooks folder: it would erase the solutions")
    existing = [out_dir / p.name for p in sources if (out_dir / p.name).exists()]
    if existing and not force:
        raise FileExistsError(
            f"{len(existing)} student notebook(s) already exist in {out_dir} (e.g. {existing[0].name}); "
            "pass --force to replace them."
        )
    converted = []
    for path in sources:  # convert all first: a marker error writes nothing
        notebook = json.loads(path.read_text(encoding="utf-8"))
        converted.append((path.name, *student_notebook(notebook, name=path.name)))
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, nb, count in converted:
        target = out_dir / filename
        target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append((target, count))
    return written
