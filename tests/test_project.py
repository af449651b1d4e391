"""The project's own promises: dependency lists agree, notebooks are executed, standard and self-checked."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
sys.path.insert(0, str(ROOT / "tools"))
import sync_notebooks  # noqa: E402


def requirement_set(lines):
    return {re.sub(r"\s+", "", line).lower() for line in lines}


def test_environment_yml_lists_the_same_packages_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    expected = requirement_set(project["dependencies"] + project["optional-dependencies"]["dev"])
    text = (ROOT / "environment.yml").read_text()
    pip_block = text.split("- pip:", 1)[1]
    pip_lines = re.findall(r"^\s+- ([^#\n]+?)\s*$", pip_block, flags=re.M)
    listed = requirement_set(line for line in pip_lines if line != "-e .")
    assert listed == expected, f"only in environment.yml: {listed - expected}; only in pyproject: {expected - listed}"
    assert "python>=3.11,<3.14" in text and project["requires-python"] == ">=3.11,<3.14"


def test_constraints_pin_the_torch_pair_that_works_in_ci():
    text = (ROOT / ".ci" / "constraints.txt").read_text()
    assert "torch==2.14.1" in text and "torchvision==0.29.*" in text
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert not any("==" in d for d in deps), "runtime requirements must stay loose (Colab brings its own torch)"


def test_there_is_a_notebook_for_each_lesson_in_order():
    numbers = [p.name[:2] for p in NOTEBOOKS]
    assert numbers == [f"{i:02d}" for i in range(len(numbers))] and len(numbers) >= 1


def test_every_badge_and_setup_cell_matches_pyproject():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "sync_notebooks.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_badge_check_fails_when_a_notebook_disagrees():
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    nb.cells[0].source = nb.cells[0].source.replace("/blob/", "/blob/old-branch/", 1)
    assert any("Colab badge" in p for p in sync_notebooks.problems(nb, NOTEBOOKS[0].name))
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    nb.cells[1].source = nb.cells[1].source.replace("--no-deps", "")
    assert any("setup cell" in p for p in sync_notebooks.problems(nb, NOTEBOOKS[0].name))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_executed_standard_and_has_checked_exercises(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code if c.source.strip()), "every code cell has run"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"], "no stored errors"
    header = nb.cells[0].source
    for part in ("Estimated time", "Runs on", "Credits"):
        assert part in header, f"header lacks {part!r}"
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for heading in ("## Check yourself", "## Summary", "## What comes next", "## Further reading"):
        assert heading in text or (heading == "## What comes next" and path == NOTEBOOKS[-1]), heading
    solutions = sum(c.source.count("# BEGIN SOLUTION") for c in code)
    check_calls = sum(len(re.findall(r"^check_\w+\(", c.source, flags=re.M)) for c in code)
    assert solutions >= 3 and check_calls >= solutions, (solutions, check_calls)
    with_output = [c for c in code if c.outputs]
    marked = [c for c in with_output if "NBVAL_IGNORE_OUTPUT" in c.source or "NBVAL_SKIP" in c.source]
    assert len(marked) * 2 < len(with_output), "most cells with output must be compared exactly"


def test_instructors_schedule_matches_each_notebooks_header():
    """INSTRUCTORS.md's schedule row for each notebook gives the time its header estimates."""
    rows = {m[0]: m[1] for m in re.findall(r"^\| (\d\d) \|[^|]*\| (\d+) min \|", (ROOT / "INSTRUCTORS.md").read_text(),
                                           flags=re.M)}
    for path in NOTEBOOKS:
        header = nbformat.read(path, as_version=4).cells[0].source
        minutes = re.search(r"\*\*Estimated time:\*\* about (\d+) minutes", header)
        assert minutes, f"{path.name}: no 'Estimated time: about N minutes' in the header"
        assert rows.get(path.name[:2]) == minutes[1], f"{path.name}: INSTRUCTORS.md says {rows.get(path.name[:2])} min"
