"""Each student notebook runs up to its first exercise, and that exercise's self-check fails helpfully on the stub."""

import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from course_utils.student import STUB, student_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

pytestmark = pytest.mark.slow


def up_to_first_check(nb):
    """The cells up to and including the first check call after the first stubbed solution."""
    cells = nb.cells
    first_stub = next(i for i, c in enumerate(cells) if c.cell_type == "code" and STUB in c.source)
    first_check = next(i for i, c in enumerate(cells) if i >= first_stub and c.cell_type == "code"
                       and re.search(r"^check_\w+\(", c.source, flags=re.M))
    return first_check


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_exercise_check_fails_helpfully_on_the_stub(path, tmp_path):
    student, stubs = student_notebook(json.loads(path.read_text()), name=path.name)
    assert stubs >= 3, "at least three exercises"
    nb = nbformat.from_dict(student)
    last = up_to_first_check(nb)
    nb.cells = nb.cells[: last + 1]
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    with pytest.raises(CellExecutionError) as failure:
        client.execute()
    assert failure.value.ename == "SelfCheckError", failure.value.ename
    assert "is not written yet" in failure.value.evalue and "NotImplementedError" in failure.value.evalue
    # It failed in the check cell, not earlier: every cell before it ran without error.
    ran = [c for c in nb.cells[:last] if c.cell_type == "code"]
    assert all(o.output_type != "error" for c in ran for o in c.outputs)
    assert any(o.output_type == "error" for o in nb.cells[last].outputs)
