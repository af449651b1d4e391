import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from course_utils import data, device
from course_utils.__main__ import main

ROOT = Path(__file__).resolve().parents[1]


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
    # The copy in COURSE_DATA_DIR is not under git: the fix is to delete or replace that file.
    assert "Not ready. To fix:" in out and f"- {bad} is corrupted" in out
    assert "comes from COURSE_DATA_DIR: delete it" in out and "git checkout" not in out


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


# ------------------------------------------------------------------ issue 19: doctor survives and lists each fix


def test_doctor_without_torch_lists_the_fix(monkeypatch, capsys):
    for name in ("torch", "torchvision"):
        monkeypatch.setitem(sys.modules, name, None)  # `import torch` now fails as if it were not installed
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "torch        NOT INSTALLED" in out and "MNIST sample verified" in out
    assert "Not ready. To fix:\n- torch is not installed or does not import: install it" in out


@pytest.mark.parametrize("command", [["doctor"], ["student-versions", "OUT"]])
def test_commands_run_in_an_environment_without_torch(tmp_path, command):
    fake = tmp_path / "site" / "torch"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ModuleNotFoundError(\"No module named 'torch'\", name='torch')\n")
    command = [str(tmp_path / "student") if c == "OUT" else c for c in command]
    result = subprocess.run([sys.executable, "-m", "course_utils", *command], cwd=ROOT, capture_output=True,
                            text=True, env={**os.environ, "PYTHONPATH": str(tmp_path / "site")})
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == (1 if command == ["doctor"] else 0)


def test_doctor_survives_a_bad_device_and_profile(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_DEVICE", "tpu")
    monkeypatch.setenv("COURSE_PROFILE", "fast")
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    fixes = out.split("Not ready. To fix:\n")[1]
    assert "- COURSE_DEVICE must be 'cpu', 'cuda' or 'mps', got 'tpu'" in fixes
    assert "- COURSE_PROFILE must be 'quick' or 'full', got 'fast'" in fixes


def test_doctor_names_a_forced_device_that_is_not_there(monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(device, "_mps_available", lambda: False)
    monkeypatch.setenv("COURSE_DEVICE", "mps")
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "Ready for the course" not in out and "Device: mps" not in out
    assert "- COURSE_DEVICE=mps, but this machine has no Apple GPU (MPS); available here: cpu." in out


def test_doctor_when_no_folder_can_be_written(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_DATA_DIR", "/proc/1/no-such-data")  # not writable, even by root
    monkeypatch.setenv("XDG_CACHE_HOME", "/proc/1/no-such-cache")
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "data folder  PROBLEM: neither /proc/1/no-such-data nor the cache folder" in out
    assert "MNIST sample verified" in out  # the sample is read in place, so only downloads are affected
    assert "- neither /proc/1/no-such-data nor the cache folder" in out


def test_doctor_does_not_claim_a_fallback_when_course_data_dir_is_set(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert f"data folder  {tmp_path} is writable\n" in out and "fallback" not in out


def test_doctor_reports_a_damaged_full_mnist(tmp_path, monkeypatch, capsys):
    from test_data import flip_byte, write_full_mnist

    write_full_mnist(tmp_path, monkeypatch, n_train=600, n_test=100)
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    assert main(["doctor"]) == 0
    assert "full MNIST   present and verified (MD5 of each file)" in capsys.readouterr().out
    flip_byte(tmp_path / "MNIST" / "raw" / "t10k-images-idx3-ubyte", 999)
    assert main(["doctor"]) == 0  # quick profile: reported, with its fix, but not needed today
    out = capsys.readouterr().out
    assert "full MNIST   PROBLEM:" in out and "t10k-images-idx3-ubyte is corrupted" in out and "fetch-data" in out
    monkeypatch.setenv("COURSE_PROFILE", "full")
    assert main(["doctor"]) == 1
    assert "- full MNIST is damaged" in capsys.readouterr().out


def test_fetch_data_into_a_file_or_a_read_only_folder_fails_cleanly(tmp_path, capsys):
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    for root, reason in [(a_file, "is a file, not a folder"), (Path("/proc/1/no-such-data"), "cannot be written")]:
        assert main(["fetch-data", "--root", str(root)]) == 1
        out = capsys.readouterr().out
        assert out.startswith("Failed: ") and reason in out and "Traceback" not in out
