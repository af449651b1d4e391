import subprocess
import sys

from course_utils import data
from course_utils.__main__ import main


def test_doctor_on_a_ready_machine(capsys):
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    for line in ("Python ", "torch ", "torchvision ", "numpy ", "device ", "MNIST sample verified", "full MNIST",
                 "data folder", "Ready for the course."):
        assert line in out


def test_doctor_spells_out_the_fix_for_a_corrupted_sample(tmp_path, monkeypatch, capsys):
    bad = tmp_path / data.SAMPLE_NAME
    bad.write_bytes(b"not the sample")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "Not ready. To fix:" in out and "git checkout -- data/mnist_sample.npz" in out


def test_doctor_full_profile_without_full_mnist_says_how_to_fetch(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_PROFILE", "full")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(data, "REPO_DATA_DIR", tmp_path / "no-checkout")
    assert main(["doctor"]) == 1
    assert "python -m course_utils fetch-data" in capsys.readouterr().out


def test_fetch_data_offline_fails_cleanly(tmp_path, capsys, no_network):
    assert main(["fetch-data", "--root", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "Failed: could not download full MNIST" in out and "Traceback" not in out
    assert list(tmp_path.iterdir()) == []


def test_student_versions_refuse_to_overwrite(tmp_path, capsys):
    assert main(["student-versions", str(tmp_path / "s")]) == 0
    assert main(["student-versions", str(tmp_path / "s")]) == 1
    assert "pass --force" in capsys.readouterr().out


def test_module_runs_from_any_directory(tmp_path):
    result = subprocess.run([sys.executable, "-c", "from course_utils import load_mnist; load_mnist()"],
                            cwd=tmp_path, capture_output=True, text=True, env={"COURSE_PROFILE": "quick", "PATH": ""})
    assert result.returncode == 0, result.stderr
    assert result.stdout == "MNIST (offline sample): 4,000 train / 1,000 test images\n"
