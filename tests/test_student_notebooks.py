"""Each student notebook runs top to bottom, and the only errors are the exercises that are not written yet.

The student version (solutions stubbed) is executed whole with errors allowed. An error is expected only in a
cell that contains a stub, calls a check (``check_...(``) or calls an exercise function (one whose body is a
stub), and only of two kinds: the stub's own ``NotImplementedError`` or a check's "is not written yet"
``SelfCheckError``. Any other error, or one in any other cell, fails the test: a broken cell after the first
exercise, a lesson cell that needs a learner's answer to run, a name defined only in a solution. Nothing here
depends on where the exercises sit in a notebook: it reads the student version's code, not its layout.
"""

import ast
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from course_utils.student import STUB, student_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
STUB_MESSAGE = ast.literal_eval(STUB.split("NotImplementedError(", 1)[1].rsplit(")", 1)[0])
CHECK_CALL = re.compile(r"\bcheck_\w+\s*\(")

pytestmark = pytest.mark.slow


def exercise_functions(cells) -> set[str]:
    """Names of the functions (and methods) whose body raises the stub, in the student version's code cells."""
    names = set()
    for cell in cells:
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:  # IPython syntax (magics): such a cell defines no exercise
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and STUB_MESSAGE in ast.unparse(node):
                names.add(node.name)
    return names


def may_fail(source: str, exercises: set[str]) -> bool:
    """A cell that is allowed to stop on an unwritten exercise: it holds a stub, calls a check or an exercise."""
    return (STUB in source or bool(CHECK_CALL.search(source))
            or any(re.search(rf"\b{re.escape(name)}\s*\(", source) for name in exercises))


def allowed_error(output) -> bool:
    if output.ename == "NotImplementedError":
        return STUB_MESSAGE in output.evalue
    return output.ename == "SelfCheckError" and "is not written yet" in output.evalue


def errors_of(cell):
    return [o for o in cell.get("outputs", []) if o.output_type == "error"]


def unexpected_errors(nb, exercises: set[str]) -> list[str]:
    """One line per error that is not an unwritten exercise's, naming the cell."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for error in errors_of(cell):
            if may_fail(cell.source, exercises) and allowed_error(error):
                continue
            first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
            found.append(f"cell {index} ({first_line[:60]!r}): {error.ename}: {error.evalue[:300]}")
    return found


def run_student_version(path: Path):
    student, stubs = student_notebook(json.loads(path.read_text()), name=path.name)
    nb = nbformat.reads(json.dumps(student), as_version=4)  # joins sources given as lists of lines
    client = NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}},
                            extra_arguments=["--IPKernelApp.log_level=ERROR"])
    client.execute()
    return nb, stubs


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_student_version_runs_end_to_end_failing_only_on_unwritten_exercises(path):
    nb, stubs = run_student_version(path)
    assert stubs >= 3, "at least three exercises"
    exercises = exercise_functions(nb.cells)
    assert not unexpected_errors(nb, exercises), "\n".join(unexpected_errors(nb, exercises))
    # Every cell ran (an allowed error stops only its own cell), and each check fails helpfully on a stub.
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    checks = [c for c in code if CHECK_CALL.search(c.source)]
    assert checks, "no check call found"
    for cell in checks:
        [error] = errors_of(cell) or [None]
        assert error is not None, f"a check passes on the student version: {cell.source[:200]!r}"
        assert error.ename == "SelfCheckError" and "NotImplementedError" in error.evalue, error.evalue


# ------------------------------------------------------------------ the mechanism itself, on small notebooks


def student_nb(*sources):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


def test_the_rule_accepts_unwritten_exercises_and_catches_a_broken_cell_after_them(tmp_path):
    nb = student_nb(
        f"def double(x):\n    {STUB}",
        "double(2)",
        "y = 1 / 0",  # a broken lesson cell after the first exercise
        f"{STUB}",  # a top-level stub
        "z = undefined_name",
    )
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True)
    client.execute()
    exercises = exercise_functions(nb.cells)
    assert exercises == {"double"}
    problems = unexpected_errors(nb, exercises)
    assert len(problems) == 2
    assert problems[0].startswith("cell 2 ('y = 1 / 0'): ZeroDivisionError")
    assert problems[1].startswith("cell 4 ('z = undefined_name'): NameError")


def test_the_rule_refuses_a_different_error_in_an_exercise_cell(tmp_path):
    nb = student_nb(f"def double(x):\n    {STUB}", "double(2) + undefined_name", "raise NotImplementedError('other')")
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True).execute()
    assert len(unexpected_errors(nb, exercise_functions(nb.cells))) == 1  # the stub error in cell 1 is fine
