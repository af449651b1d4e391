import json

import pytest

from course_utils.student import STUB, MarkerError, stub_source, write_student_versions

SOLVED = '''def f(x):
    """Doc."""
    # BEGIN SOLUTION
    y = x * 2
    return y
    # END SOLUTION


print(f)
'''


def test_stub_replaces_the_solution_at_its_indentation():
    source, count = stub_source(SOLVED)
    assert count == 1
    assert source == f'def f(x):\n    """Doc."""\n    {STUB}\n\n\nprint(f)\n'
    compile(source, "student", "exec")  # still valid Python


@pytest.mark.parametrize(
    "source, message",
    [
        ("# BEGIN SOLUTION\nx = 1\n", "never closed"),
        ("x = 1\n# END SOLUTION\n", "without a `# BEGIN SOLUTION`"),
        ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION\n", "again before"),
    ],
)
def test_unpaired_markers_are_errors(source, message):
    with pytest.raises(MarkerError, match=message):
        stub_source(source, where="nb.ipynb, cell 3")


def notebook(*sources):
    return {
        "cells": [{"cell_type": "code", "source": s, "outputs": [{"output_type": "stream", "text": "x"}],
                   "execution_count": 1, "metadata": {}} for s in sources],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }


def test_write_student_versions_clears_outputs_and_refuses_to_overwrite(tmp_path):
    src = tmp_path / "notebooks"
    src.mkdir()
    (src / "01_a.ipynb").write_text(json.dumps(notebook(SOLVED, "print(1)")))
    out = tmp_path / "student"
    [(path, count)] = write_student_versions(src, out)
    nb = json.loads(path.read_text())
    assert count == 1
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in nb["cells"])
    assert STUB in "".join(nb["cells"][0]["source"])
    with pytest.raises(FileExistsError, match="pass --force"):
        write_student_versions(src, out)
    write_student_versions(src, out, force=True)
    with pytest.raises(ValueError, match="must differ from the notebooks folder"):
        write_student_versions(src, src, force=True)


def test_a_marker_error_writes_nothing(tmp_path):
    src = tmp_path / "notebooks"
    src.mkdir()
    (src / "01_ok.ipynb").write_text(json.dumps(notebook(SOLVED)))
    (src / "02_bad.ipynb").write_text(json.dumps(notebook("# BEGIN SOLUTION\n")))
    with pytest.raises(MarkerError, match="02_bad.ipynb, cell 0"):
        write_student_versions(src, tmp_path / "student")
    assert not (tmp_path / "student").exists()
