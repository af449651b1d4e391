"""The instructor's pre-flight (`make run`, tools/run_notebooks.py) reports every notebook, whatever goes wrong."""

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import run_notebooks  # noqa: E402


def write_notebook(path, *sources):
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources]), path)
    return path


def test_a_timeout_a_dead_kernel_and_a_missing_path_each_get_a_fail_row(tmp_path, capsys):
    paths = [
        write_notebook(tmp_path / "a_slow.ipynb", "import time\ntime.sleep(30)"),
        write_notebook(tmp_path / "b_dies.ipynb", "import os\nos._exit(1)"),
        tmp_path / "c_missing.ipynb",
        tmp_path / "d_not_json.ipynb",
        write_notebook(tmp_path / "e_fails.ipynb", "assert 1 == 2, 'a wrong claim'"),
        write_notebook(tmp_path / "f_passes.ipynb", "print('fine')"),
    ]
    paths[3].write_text("{ not json")
    assert run_notebooks.main([*map(str, paths), "--timeout", "3"]) == 1
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert "FAIL" in rows["a_slow.ipynb"] and "longer than the 3 s allowed" in rows["a_slow.ipynb"]
    assert "FAIL" in rows["b_dies.ipynb"] and "kernel died" in rows["b_dies.ipynb"]
    assert "FAIL" in rows["c_missing.ipynb"] and "no such notebook" in rows["c_missing.ipynb"]
    assert "FAIL" in rows["d_not_json.ipynb"]
    assert "FAIL" in rows["e_fails.ipynb"] and "a wrong claim" in rows["e_fails.ipynb"]
    assert "pass" in rows["f_passes.ipynb"]
    assert rows["total"].split()[1] == "1/6"


def test_the_seed_sweep_reports_a_timeout_and_goes_on(tmp_path, capsys):
    import seed_sweep

    path = write_notebook(tmp_path / "toy.ipynb", "SEED = 0\nimport time\nif SEED == 1:\n    time.sleep(30)")
    assert seed_sweep.main([str(path), "--seeds", "1", "2", "--timeout", "3"]) == 1
    out = capsys.readouterr().out
    assert "   1  FAIL" in out and "longer than the 3 s allowed" in out
    assert "   2  pass" in out and "1 of 2 seeds pass" in out


def test_an_explorer_runs_and_no_widget_state_is_stored(tmp_path, capsys):
    # An explorer draws into an Output widget while the notebook runs; the stored file keeps its one-line note
    # for static viewers but no widget state (live only in a running kernel).
    path = write_notebook(tmp_path / "explorer.ipynb",
                          "from course_utils.explorer import explore\n"
                          "explore(lambda w: print('w =', w), {'w': (0.0, 1.0, 0.5, 0.5)})")
    assert run_notebooks.main([str(path), "--write"]) == 0, capsys.readouterr().out
    nb = nbformat.read(path, as_version=4)
    assert "widgets" not in nb.metadata
    outputs = nb.cells[0].outputs
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
