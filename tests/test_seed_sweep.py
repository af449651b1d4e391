import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import seed_sweep  # noqa: E402


def write_notebook(path, *sources):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nbformat.write(nb, path)
    return path


def test_each_seed_replaces_the_seed_line_and_the_file_is_untouched(tmp_path, capsys):
    path = write_notebook(tmp_path / "toy.ipynb", "SEED = 0\nscore = 10 * SEED", "assert score != 20, 'seed 2 fails'")
    before = path.read_text()
    assert seed_sweep.main([str(path), "--seeds", "1", "2", "3", "--report", "score"]) == 1
    out = capsys.readouterr().out
    assert "   1  pass" in out and out.split("   1  pass")[1].split("\n")[0].endswith("10")
    assert "   2  FAIL" in out and "seed 2 fails" in out
    assert "   3  pass" in out and "2 of 3 seeds pass every assertion" in out
    assert path.read_text() == before


def test_a_notebook_without_one_seed_line_is_a_clear_error(tmp_path):
    path = write_notebook(tmp_path / "noseed.ipynb", "x = 1")
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "seed_sweep.py"), str(path)],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "expected exactly one line 'SEED = <int>'" in result.stderr and "Traceback" not in result.stderr


def test_two_seed_lines_are_ambiguous():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("SEED = 0"), nbformat.v4.new_code_cell("SEED = 1")])
    with pytest.raises(ValueError, match="found 2"):
        seed_sweep.with_seed(nb, 5)
