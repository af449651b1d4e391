import random

import numpy as np
import pytest
import torch

from course_utils import by_profile, device, get_device, get_profile, seed_everything
DeviceError = getattr(device, "DeviceError", ValueError)


def test_get_device_says_which_in_one_line(capsys):
    device = get_device()
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("Device: ")
    assert device.type in {"cpu", "cuda", "mps"}
    if not torch.cuda.is_available() and not torch.backends.mps.is_available():
        assert device.type == "cpu"


def test_get_device_can_be_forced_and_rejects_unknown(monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    assert get_device(verbose=False).type == "cpu"
    monkeypatch.setenv("COURSE_DEVICE", "tpu")
    with pytest.raises(ValueError, match="COURSE_DEVICE must be 'cpu', 'cuda' or 'mps', got 'tpu'"):
        get_device()


def test_seed_everything_repeats_python_numpy_and_torch():
    seed_everything(7)
    first = (random.random(), np.random.rand(), torch.rand(1).item())
    seed_everything(7)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == first


@pytest.mark.parametrize("bad", [-1, 1.5, "0", True])
def test_seed_everything_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        seed_everything(bad)


def test_profile_default_quick_and_full(monkeypatch):
    monkeypatch.delenv("COURSE_PROFILE")
    assert get_profile() == "quick"
    monkeypatch.setenv("COURSE_PROFILE", "FULL")
    assert get_profile() == "full"
    assert by_profile(quick=2, full=10) == 10


def test_unknown_profile_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "fast")
    with pytest.raises(ValueError, match="COURSE_PROFILE must be 'quick' or 'full', got 'fast'"):
        get_profile()
    with pytest.raises(ValueError):
        by_profile(quick=1, full=2)


# ------------------------------------------------------------------ issue 19


@pytest.mark.parametrize("forced, missing", [("cuda", "no CUDA GPU"), ("mps", "no Apple GPU (MPS)")])
def test_a_forced_device_that_is_not_available_is_one_clear_line(monkeypatch, capsys, forced, missing):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(device, "_mps_available", lambda: False)
    monkeypatch.setenv("COURSE_DEVICE", forced)
    with pytest.raises(DeviceError) as failure:
        get_device()
    message = str(failure.value)
    assert message.startswith(f"COURSE_DEVICE={forced}, but this machine has {missing}; available here: cpu.")
    assert "\n" not in message and capsys.readouterr().out == ""  # no "Device: ..." line claiming it


def test_an_available_forced_device_is_used(monkeypatch):
    monkeypatch.setattr(device, "_mps_available", lambda: True)
    monkeypatch.setenv("COURSE_DEVICE", "mps")
    assert get_device(verbose=False).type == "mps"


def test_a_bad_seed_seeds_nothing(monkeypatch):
    seed_everything(3)
    state = (random.getstate(), np.random.get_state()[1].tolist(), torch.get_rng_state())
    for bad in (2**32, -1):
        with pytest.raises(ValueError, match="seed must be a non-negative int below 2\\*\\*32"):
            seed_everything(bad)
    assert random.getstate() == state[0] and np.random.get_state()[1].tolist() == state[1]
    assert torch.equal(torch.get_rng_state(), state[2])


def test_numpy_integer_seeds_are_accepted():
    seed_everything(np.int64(7))
    first = random.random()
    seed_everything(7)
    assert random.random() == first
    seed_everything(2**32 - 1)
