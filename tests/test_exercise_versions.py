"""exercises/ holds the exercise versions (solutions stubbed, outputs cleared) that the "exercises" Colab badge
opens; they must be exactly what notebooks/ makes now, and open on Colab exactly as the solved notebooks do."""

import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from course_utils.student import STUB, student_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXERCISES = ROOT / "exercises"
sys.path.insert(0, str(ROOT / "tools"))
import sync_notebooks  # noqa: E402

COLAB = re.compile(r"\]\((https://colab\.research\.google\.com/github/([^/]+/[^/]+)/blob/([^/]+)/([^)]+))\)")


def test_exercise_versions_are_what_the_notebooks_make_now():
    assert sync_notebooks.exercise_problems() == []


def test_a_stale_missing_or_left_over_exercise_version_is_reported(tmp_path):
    notebooks, exercises = tmp_path / "notebooks", tmp_path / "exercises"
    shutil.copytree(ROOT / "notebooks", notebooks)
    sync_notebooks.write_exercises(notebooks, exercises)
    assert sync_notebooks.exercise_problems(notebooks, exercises) == []
    changed, removed = NOTEBOOKS[0].name, NOTEBOOKS[1].name
    nb = nbformat.read(notebooks / changed, as_version=4)
    nb.cells[-1].source += "\nOne more line."
    nbformat.write(nb, notebooks / changed)
    (exercises / removed).unlink()
    (exercises / "99_renamed.ipynb").write_text("{}")
    found = "\n".join(sync_notebooks.exercise_problems(notebooks, exercises))
    assert f"exercises/{changed}: out of date" in found
    assert f"exercises/{removed}: missing" in found
    assert "exercises/99_renamed.ipynb: no notebooks/99_renamed.ipynb makes it" in found
    assert "make sync-notebooks" in found
    changes = sync_notebooks.write_exercises(notebooks, exercises)
    assert len(changes) == 3 and sync_notebooks.exercise_problems(notebooks, exercises) == []


def test_re_executing_a_notebook_leaves_its_exercise_version_as_it_is(tmp_path):
    notebooks, exercises = tmp_path / "notebooks", tmp_path / "exercises"
    shutil.copytree(ROOT / "notebooks", notebooks)
    sync_notebooks.write_exercises(notebooks, exercises)
    path = notebooks / NOTEBOOKS[0].name
    nb = nbformat.read(path, as_version=4)
    for cell in (c for c in nb.cells if c.cell_type == "code"):  # what another run changes
        cell.execution_count = (cell.execution_count or 0) + 100
        cell.metadata["execution"] = {"iopub.status.idle": "2030-01-01T00:00:00Z"}
        cell.outputs = [nbformat.v4.new_output("stream", text="another run\n")]
    nbformat.write(nb, path)
    assert sync_notebooks.exercise_problems(notebooks, exercises) == []


def test_an_exercise_version_is_the_student_version_without_run_timings():
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    text = sync_notebooks.exercise_version(nbformat.from_dict(nb), NOTEBOOKS[0].name)
    exercise = nbformat.reads(text, as_version=4)
    student, _ = student_notebook(nbformat.read(NOTEBOOKS[0], as_version=4), name=NOTEBOOKS[0].name)
    assert [c.source for c in exercise.cells] == [c["source"] for c in student["cells"]]
    assert not any("execution" in c.metadata for c in exercise.cells)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercise_version_opens_like_the_solved_notebook(path):
    solved = nbformat.read(path, as_version=4)
    exercise = nbformat.read(EXERCISES / path.name, as_version=4)
    nbformat.validate(exercise)  # JupyterLab and Colab open it
    assert sync_notebooks.problems(exercise, path.name) == []  # both badges, the standard setup cell
    setup = next(c for c in exercise.cells if c.cell_type == "code")
    assert setup.source == next(c for c in solved.cells if c.cell_type == "code").source  # the very same cell
    assert STUB not in setup.source and "google.colab" in setup.source
    assert exercise.cells[0].source == solved.cells[0].source  # the same header, badges included
    code = [c for c in exercise.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "outputs cleared"
    assert sum(c.source.count(STUB) for c in code) >= 3 and not any("# BEGIN SOLUTION" in c.source for c in code)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_badges_open_the_exercise_version_then_the_solutions_from_this_repository(path):
    header = nbformat.read(path, as_version=4).cells[0].source
    repo, ref = sync_notebooks.project_urls()
    links = COLAB.findall(header)
    assert [(slug, branch, target) for _, slug, branch, target in links] == [
        (repo.removeprefix("https://github.com/"), ref, f"exercises/{path.name}"),
        (repo.removeprefix("https://github.com/"), ref, f"notebooks/{path.name}"),
    ]
    for _, _, _, target in links:
        assert (ROOT / target).is_file(), f"Colab would open {target}, which is not in the repository"
    title, badges = header.splitlines()[:2]
    assert title.startswith("# ") and "**exercises**" in badges and "**solutions**" in badges


def test_badge_check_fails_on_an_old_single_badge_or_a_stale_exercise_badge():
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    old = (f"[![Open In Colab]({sync_notebooks.BADGE_IMAGE})]"
           f"({sync_notebooks.colab_url('notebooks', NOTEBOOKS[0].name)})")
    nb.cells[0].source = "\n".join(old if sync_notebooks.is_badge_line(l) else l
                                   for l in nb.cells[0].source.splitlines())
    assert any("Colab badge" in p for p in sync_notebooks.problems(nb, NOTEBOOKS[0].name))
    sync_notebooks.sync(nb, NOTEBOOKS[0].name)  # the old badge is replaced, not kept beside the new line
    assert sync_notebooks.problems(nb, NOTEBOOKS[0].name) == []
    assert sum(sync_notebooks.is_badge_line(l) for l in nb.cells[0].source.splitlines()) == 1
    exercise = nbformat.read(EXERCISES / NOTEBOOKS[0].name, as_version=4)
    exercise.cells[0].source = exercise.cells[0].source.replace("/exercises/", "/student/", 1)
    assert any("Colab badge" in p for p in sync_notebooks.problems(exercise, NOTEBOOKS[0].name))
