"""Which device to compute on, and seeding for reproducible runs.

torch is imported inside the functions, so ``python -m course_utils doctor`` can report a missing torch.
"""

from __future__ import annotations

import os
import random

DEVICES = ("cpu", "cuda", "mps")
SEED_LIMIT = 2**32  # NumPy's global generator takes seeds below this


class DeviceError(ValueError):
    """``COURSE_DEVICE`` names a device that is unknown or not available here; the message lists those that are."""


def available_devices() -> list[str]:
    """The device types this machine can compute on, best first, e.g. ``["cuda", "cpu"]``."""
    import torch

    found = ["cuda"] if torch.cuda.is_available() else []
    if _mps_available():
        found.append("mps")
    return [*found, "cpu"]


def get_device(verbose: bool = True):
    """Return the best device available: CUDA, then Apple MPS, then the CPU.

    With ``verbose`` it prints one line that says which, e.g. ``Device: cpu (no GPU found)``.
    Set ``COURSE_DEVICE=cpu`` (or ``cuda``, ``mps``) to force a choice; a forced device that this machine does
    not have is a ``DeviceError`` whose one line names the variable and the devices that are available.
    """
    import torch

    forced = os.environ.get("COURSE_DEVICE", "").strip().lower()
    available = available_devices()
    if forced:
        if forced not in DEVICES:
            raise DeviceError(f"COURSE_DEVICE must be 'cpu', 'cuda' or 'mps', got {forced!r}; available here: "
                              f"{', '.join(available)}")
        if forced not in available:
            what = {"cuda": "no CUDA GPU", "mps": "no Apple GPU (MPS)"}[forced]
            raise DeviceError(f"COURSE_DEVICE={forced}, but this machine has {what}; available here: "
                              f"{', '.join(available)}. Unset COURSE_DEVICE (the best one is then chosen) or set "
                              "it to one of those.")
        device = torch.device(forced)
    else:
        device = torch.device(available[0])
    if verbose:
        print(f"Device: {describe_device(device)}")
    return device


def describe_device(device) -> str:
    """A short human description of ``device``: its type and, for a GPU, its name."""
    import torch

    device = torch.device(device)
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    if device.type == "mps":
        return "mps (Apple GPU)"
    return "cpu (no GPU found)" if not torch.cuda.is_available() and not _mps_available() else "cpu"


def seed_everything(seed: int = 0) -> None:
    """Seed Python's ``random``, NumPy's global generator and torch (CPU and every GPU) with ``seed``.

    ``seed`` is an int (a NumPy integer too) from 0 to 2**32 - 1; anything else is refused before anything is
    seeded, so a bad seed never leaves some generators seeded and others not.
    """
    import numpy as np
    import torch

    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < SEED_LIMIT:
        raise ValueError(f"seed must be a non-negative int below 2**32, got {seed!r}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device


def _mps_available() -> bool:
    import torch

    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())
