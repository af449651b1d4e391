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

Solutions must never be handed out, nor an instructor's notebook overwritten, so this module refuses rather than
guesses: a marker spelt almost right (``#BEGIN SOLUTION``, ``# begin solution``) is an error, a notebook with
exercises but no marked solution is an error, a write that would land on a notebook holding solutions (a source
notebook reached through a symlink or a copy, or any file with solution markers) is refused, and the notebooks
are written all or nothing.
"""

import copy
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
STUB = 'raise NotImplementedError("Exercise: write this part, then run the check below.")'
# A comment that mentions a solution marker: it must then be exactly BEGIN or END.
NEAR_MARKER = re.compile(r"#.*\b(begin|end)[\s_-]*solutions?\b", re.IGNORECASE)
EXERCISE_HEADING = re.compile(r"\*\*Exercise\s+\d+")


class StudentVersionError(ValueError):
    """The student versions cannot be written safely; the message names the file and what to do."""


class MarkerError(StudentVersionError):
    """Solution markers that do not pair up or are misspelt; the message names the notebook and cell."""


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
        elif NEAR_MARKER.search(line):
            raise MarkerError(f"{where}, line {number}: `{stripped}` looks like a solution marker but is not "
                              f"exactly `{BEGIN}` or `{END}` (a line of its own): fix its spelling")
        elif not inside:
            out.append(line)
    if inside:
        raise MarkerError(f"{where}: `{BEGIN}` is never closed by `{END}`")
    return "".join(out), count


def student_notebook(notebook: dict, name: str = "notebook") -> tuple[dict, int]:
    """A copy of ``notebook`` (nbformat JSON as a dict) with solutions stubbed and all outputs cleared.

    Raises ``MarkerError`` when the notebook has exercises (``**Exercise N`` in its text) but no marked solution:
    its solutions would otherwise be handed out.
    """
    nb = copy.deepcopy(notebook)
    total, exercises = 0, 0
    for index, cell in enumerate(nb.get("cells", [])):
        source = cell.get("source", [])
        source = source if isinstance(source, str) else "".join(source)
        if cell.get("cell_type") == "markdown":
            exercises += len(EXERCISE_HEADING.findall(source))
        if cell.get("cell_type") != "code":
            continue
        new_source, count = stub_source(source, where=f"{name}, cell {index}")
        total += count
        cell["source"] = new_source
        cell["outputs"] = []
        cell["execution_count"] = None
    if exercises and not total:
        raise MarkerError(f"{name}: {exercises} exercise(s) but no `{BEGIN}` ... `{END}` around any solution, so "
                          "the student version would hand out the solutions: mark them")
    return nb, total


def holds_solutions(path: Path) -> bool:
    """True if ``path`` is a notebook with a solution marker line in a code cell (an instructor's notebook)."""
    try:
        notebook = json.loads(Path(path).read_text(encoding="utf-8"))
        cells = notebook.get("cells", [])
    except (OSError, ValueError, AttributeError):
        return False  # not a notebook at all, so not an instructor's notebook either
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", [])
            source = source if isinstance(source, str) else "".join(source)
            if any(line.strip() in (BEGIN, END) for line in source.splitlines()):
                return True
    return False


def write_student_versions(src_dir: Path, out_dir: Path, force: bool = False) -> list[tuple[Path, int]]:
    """Write a student version of every ``*.ipynb`` in ``src_dir`` to ``out_dir``; return (path, stubs) pairs.

    Refuses to overwrite existing files unless ``force``, and never (even with ``force``) a file that is a source
    notebook (compared by resolved path, so symlinks count) or that holds solution markers. Every notebook is
    read and converted, and every target checked, before anything is written; the files are then written all or
    nothing. Raises ``StudentVersionError`` (``MarkerError`` for markers) or ``FileExistsError`` with one line.
    """
    src_dir, out_dir = Path(src_dir), Path(out_dir)
    if not src_dir.is_dir():
        raise FileNotFoundError(f"the notebooks folder {src_dir} does not exist")
    sources = sorted(p for p in src_dir.glob("*.ipynb"))
    if not sources:
        raise FileNotFoundError(f"no notebooks (*.ipynb) found in {src_dir}")
    if out_dir.resolve() == src_dir.resolve():
        raise StudentVersionError("the output folder must differ from the notebooks folder: it would erase the "
                                  "solutions")
    if out_dir.exists() and not out_dir.is_dir():
        raise StudentVersionError(f"{out_dir} is a file, not a folder: choose another output folder")

    protected = {p.resolve() for p in sources}
    targets = [out_dir / p.name for p in sources]
    for target in targets:
        if target.resolve() in protected:
            raise StudentVersionError(f"refusing to write {target}: it is the source notebook {target.resolve()} "
                                      "(through a symlink), and writing it would erase the solutions")
        if target.is_dir():
            raise StudentVersionError(f"{target} is a folder, not a notebook: move it away, then run this again")
        if target.exists() and not target.is_file():
            raise StudentVersionError(f"{target} is not a regular file: move it away, then run this again")
        if target.exists() and holds_solutions(target):
            raise StudentVersionError(f"refusing to overwrite {target}: it holds solutions (`{BEGIN}`), so it is "
                                      "an instructor's notebook, not a student version; choose another output "
                                      "folder")
    existing = [t for t in targets if t.exists() or t.is_symlink()]
    if existing and not force:
        raise FileExistsError(
            f"{len(existing)} student notebook(s) already exist in {out_dir} (e.g. {existing[0].name}); "
            "pass --force to replace them."
        )

    converted = []
    for path in sources:  # convert all first: an error in any notebook writes nothing
        try:
            notebook = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise StudentVersionError(f"{path} is not a valid notebook ({exc}); nothing was written") from exc
        if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
            raise StudentVersionError(f"{path} is not a valid notebook (no list of cells); nothing was written")
        converted.append(student_notebook(notebook, name=path.name))

    _write_all(out_dir, [(t, json.dumps(nb, indent=1, ensure_ascii=False) + "\n") for t, (nb, _) in
                         zip(targets, converted)])
    return [(t, count) for t, (_, count) in zip(targets, converted)]


def _write_all(out_dir: Path, files: list[tuple[Path, str]]) -> None:
    """Write every ``(path, text)`` or none: stage each beside its target, then swap them in, undoing on failure."""
    created = not out_dir.exists()
    staged, swapped = [], []  # swapped: (target, backup or None)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for target, text in files:
            fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=f".{target.name}.", suffix=".tmp")
            staged.append(Path(tmp))
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
        for (target, _), tmp in zip(files, staged):
            backup = None
            if target.exists() or target.is_symlink():
                backup = tmp.with_suffix(".old")
                os.replace(target, backup)
            swapped.append((target, backup))
            os.replace(tmp, target)
    except OSError as exc:
        for target, backup in reversed(swapped):
            try:
                if backup is not None:
                    os.replace(backup, target)
                elif target.exists():
                    target.unlink()
            except OSError:
                pass
        for tmp in staged:
            tmp.unlink(missing_ok=True)
        if created:
            shutil.rmtree(out_dir, ignore_errors=True)
        where = exc.filename or out_dir
        raise StudentVersionError(f"could not write the student versions ({where}: {exc.strerror or exc}); "
                                  "nothing was written") from exc
    for _, backup in swapped:
        if backup is not None:
            backup.unlink(missing_ok=True)
