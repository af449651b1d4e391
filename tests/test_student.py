import json
import shutil

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


# ------------------------------------------------------------------ issue 19: no lost solutions, none handed out

from course_utils import student  # noqa: E402
from course_utils.__main__ import main  # noqa: E402
StudentVersionError = getattr(student, "StudentVersionError", ValueError)


def course(tmp_path, names=("01_a.ipynb", "02_b.ipynb", "03_c.ipynb")):
    """A notebooks folder of instructor notebooks (with solutions); returns the folder and its files' bytes."""
    src = tmp_path / "notebooks"
    src.mkdir()
    for name in names:
        (src / name).write_text(json.dumps(notebook(SOLVED, "print(1)")))
    return src, {p.name: p.read_bytes() for p in src.iterdir()}


def unchanged(folder, before):
    return {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_force_never_writes_through_symlinks_into_the_sources(tmp_path, capsys):
    src, before = course(tmp_path)
    out = tmp_path / "student"
    out.mkdir()
    for path in src.iterdir():
        (out / path.name).symlink_to(path)
    assert main(["student-versions", str(out), "--notebooks", str(src), "--force"]) == 1
    message = capsys.readouterr().out
    assert message.startswith("Error: refusing to write") and "source notebook" in message
    assert message.count("\n") == 1
    assert unchanged(src, before)


def test_force_never_overwrites_the_instructors_notebooks_from_a_copy(tmp_path, capsys):
    src, before = course(tmp_path)
    copy_dir = tmp_path / "copy"
    shutil.copytree(src, copy_dir)
    assert main(["student-versions", str(src), "--notebooks", str(copy_dir), "--force"]) == 1
    message = capsys.readouterr().out
    assert message.startswith("Error: refusing to overwrite") and "holds solutions" in message
    assert unchanged(src, before)


def test_force_replaces_earlier_student_versions(tmp_path):
    """The student versions keep the markdown that names the markers; that alone must not block --force."""
    src, _ = course(tmp_path)
    (src / "01_a.ipynb").write_text(json.dumps({**notebook(SOLVED), "cells": [
        {"cell_type": "markdown", "source": "Write it between `# BEGIN SOLUTION` and `# END SOLUTION`.",
         "metadata": {}}, *notebook(SOLVED)["cells"]]}))
    out = tmp_path / "student"
    write_student_versions(src, out)
    write_student_versions(src, out, force=True)
    assert STUB in json.loads((out / "01_a.ipynb").read_text())["cells"][1]["source"]


@pytest.mark.parametrize("marker", ["#BEGIN SOLUTION", "# begin solution", "# BEGIN SOLUTIONS", "# Begin Solution",
                                    "#  END SOLUTION", "# END_SOLUTION", "## END SOLUTION", "x = 1  # BEGIN SOLUTION"])
def test_a_near_miss_marker_is_an_error(marker):
    source = SOLVED.replace("# BEGIN SOLUTION" if "BEGIN" in marker.upper() else "# END SOLUTION", marker)
    with pytest.raises(MarkerError, match="looks like a solution marker"):
        stub_source(source, where="nb.ipynb, cell 3")


def test_misspelt_markers_are_refused_by_the_command(tmp_path, capsys):
    src, _ = course(tmp_path, names=("01_a.ipynb",))
    (src / "02_typo.ipynb").write_text(json.dumps(notebook(SOLVED.replace("# BEGIN", "#BEGIN"))))
    assert main(["student-versions", str(tmp_path / "student"), "--notebooks", str(src)]) == 1
    assert "02_typo.ipynb, cell 0, line 3" in capsys.readouterr().out
    assert not (tmp_path / "student").exists()


def test_a_notebook_whose_exercises_all_vanish_is_an_error(tmp_path):
    nb = notebook("def f(x):\n    return 2 * x\n")
    nb["cells"].insert(0, {"cell_type": "markdown", "source": ["**Exercise 1 (core).** Write `f`."], "metadata": {}})
    with pytest.raises(MarkerError, match="1 exercise.*no `# BEGIN SOLUTION`.*hand out the solutions"):
        student.student_notebook(nb, name="01_a.ipynb")
    assert student.student_notebook(notebook("print(1)"), name="no exercises")[1] == 0  # no exercises: fine


def test_a_folder_where_a_notebook_should_be_writes_nothing(tmp_path, capsys):
    src, _ = course(tmp_path)
    out = tmp_path / "student"
    write_student_versions(src, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "02_b.ipynb").unlink()
    (out / "02_b.ipynb").mkdir()
    before.pop("02_b.ipynb")
    (src / "01_a.ipynb").write_text(json.dumps(notebook(SOLVED.replace("x * 2", "x * 3"))))  # a change to write
    assert main(["student-versions", str(out), "--notebooks", str(src), "--force"]) == 1
    out_text = capsys.readouterr().out
    assert out_text.startswith("Error: ") and "02_b.ipynb is a folder" in out_text and "Traceback" not in out_text
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


@pytest.mark.parametrize("failing", ["mkstemp", "replace"])
def test_a_write_failing_part_way_writes_nothing(tmp_path, monkeypatch, capsys, failing):
    """A read-only folder or a full disk part-way (simulated: root ignores permissions) leaves no file written."""
    src, _ = course(tmp_path)
    out = tmp_path / "student"
    write_student_versions(src, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (src / "03_c.ipynb").write_text(json.dumps(notebook(SOLVED.replace("x * 2", "x * 3"))))
    real = {"mkstemp": student.tempfile.mkstemp, "replace": student.os.replace}[failing]
    calls = []

    def fails_the_second_time(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2 + (failing == "replace"):  # replace: 1st swap's backup and file, then fail
            raise PermissionError(13, "Permission denied", str(out))
        return real(*args, **kwargs)

    monkeypatch.setattr(student.tempfile if failing == "mkstemp" else student.os, failing, fails_the_second_time)
    assert main(["student-versions", str(out), "--notebooks", str(src), "--force"]) == 1
    message = capsys.readouterr().out
    assert message.count("\n") == 1 and "Permission denied" in message and "nothing was written" in message
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temporary files left either


def test_a_new_output_folder_is_removed_when_writing_fails(tmp_path, monkeypatch):
    src, _ = course(tmp_path)
    monkeypatch.setattr(student.tempfile, "mkstemp", lambda **k: (_ for _ in ()).throw(OSError(28, "No space")))
    with pytest.raises(StudentVersionError, match="No space.*nothing was written"):
        write_student_versions(src, tmp_path / "student")
    assert not (tmp_path / "student").exists()


def test_a_source_that_is_not_json_is_named(tmp_path, capsys):
    src, _ = course(tmp_path)
    (src / "02_b.ipynb").write_text('{"cells": [')
    assert main(["student-versions", str(tmp_path / "student"), "--notebooks", str(src)]) == 1
    out = capsys.readouterr().out
    assert f"Error: {src / '02_b.ipynb'} is not a valid notebook" in out and "Traceback" not in out
    assert not (tmp_path / "student").exists()
