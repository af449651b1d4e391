"""benchmarks/benchmark.py on a budget of a few batches: its pieces work and its report has what it promises.

Fast (well under 20 s) and untimed: no assertion here depends on how fast anything ran.
"""

import importlib.util
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch

from course_utils.data import load_sample_arrays

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("benchmark", ROOT / "benchmarks" / "benchmark.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_makefile_target_points_at_the_script():
    assert "$(PY) benchmarks/benchmark.py" in (ROOT / "Makefile").read_text()
    assert (ROOT / "benchmarks" / "benchmark.py").exists()


def test_idx_files_hold_the_sample_and_torchvision_reads_them(bench, tmp_path):
    bench.write_idx_files(tmp_path, bench.Budget(n_train=96, n_test=50))
    train, test = bench.reference_loaders(tmp_path)
    arrays = load_sample_arrays()
    assert np.array_equal(train.dataset.data.numpy(), arrays["x_train"][:96])
    assert np.array_equal(test.dataset.targets.numpy(), arrays["y_test"][:50])
    x, y = next(iter(train))
    assert x.shape == (64, 1, 28, 28) and x.dtype == torch.float32 and y.shape == (64,)
    assert train.batch_size == 64 and train.num_workers == 0


def test_every_model_maps_a_batch_to_ten_scores(bench):
    x = torch.zeros(2, 1, 28, 28)
    assert bench.ReferenceCNN()(x).shape == (2, 10)
    assert bench.course_cnn()(x).shape == (2, 10)
    assert bench.course_mlp()(x).shape == (2, 10)


def test_the_course_models_and_recipe_mirror_notebook_07(bench):
    path = ROOT / "notebooks" / "07_cnn_vs_mlp_mnist.ipynb"
    if not path.exists():
        pytest.skip("notebook 07 is not there")
    cells = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    models = next(c for c in cells if "def make_cnn" in c)
    namespace = {"nn": torch.nn, "torch": torch}
    exec(models.split("\nnames = ")[0], namespace)  # the definitions only, not the printing below them
    pairs = [(bench.course_cnn()[1], namespace["make_cnn"]()), (bench.course_mlp(), namespace["make_mlp"]())]
    for ours, theirs in pairs:
        assert [(k, v.shape) for k, v in ours.state_dict().items()] == \
            [(k, v.shape) for k, v in theirs.state_dict().items()]
    recipe = "\n".join(cells)
    assert f"BATCH_SIZE = {bench.COURSE_BATCH_SIZE}" in recipe
    assert f"EPOCHS = {bench.COURSE_EPOCHS} if data.source == \"sample\"" in recipe
    assert "torch.optim.Adam(model.parameters(), lr=3e-3)" in recipe and "1 - step / total_steps" in recipe
    assert "nn.Sequential(RandomShift(seed=SEED), make_net())" in recipe and "def __init__(self, max_shift=2" in recipe


def test_report_has_three_sections_with_ratios_and_verdicts(bench, tmp_path):
    notebook = tmp_path / "00_tiny.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1 + 1)")]), notebook)
    before = notebook.read_bytes()
    budget = bench.Budget(n_train=128, n_test=100, warmup_batches=1, throughput_epochs=1, reference_epochs=1,
                          course_epochs=1)
    printed = []
    bench.run_benchmark(budget, torch.device("cpu"), [notebook], out=printed.append)
    report = "\n".join(printed)

    assert len(printed) == 3
    part1, part2, part3 = printed
    assert part1.startswith("Part 1") and part2.startswith("Part 2") and part3.startswith("Part 3")
    assert re.search(r"ratio: \d+\.\dx   target >= 10: (met|MISSED)", part1)
    assert "num_workers=0" in part1
    assert re.search(r"batches alone \(no model\) take \d+\.\d+ s \(course\) and \d+\.\d+ s \(reference\)", part1)
    assert re.search(r"a free data path would give at most \d+\.\dx", part1)
    assert re.search(r"ratio: (\d+\.\dx faster   target >= 5: (met|MISSED)|-   target >= 5x faster: MISSED)", part2)
    assert re.search(r"accuracy to reach: \d+\.\d%", part2)
    assert re.search(r"00_tiny\.ipynb\s+pass", part3)
    assert "target <= 300 s: not judged (ran 1 of the course's 9 notebooks)" in part3
    assert "nan" not in report.lower()
    assert notebook.read_bytes() == before  # the runner never writes the notebooks


def test_part3_judges_the_total_only_when_every_notebook_ran_and_passed(bench):
    one = [("00_a.ipynb", True, 1.0, "")]
    assert "target <= 300 s: met" in bench.report_course(one, expected=1)
    failed = bench.report_course([("00_a.ipynb", False, 1.0, "\x1b[31mAssertionError\x1b[39m: x")], expected=1)
    assert "target <= 300 s: MISSED" in failed and "FAIL" in failed and "AssertionError: x" in failed
    assert "target <= 300 s: MISSED" in bench.report_course([("00_a.ipynb", True, 301.0, "")], expected=1)
    assert "not judged (ran 1 of the course's 9 notebooks)" in bench.report_course(one, expected=9)
