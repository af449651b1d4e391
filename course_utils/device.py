"""Which device to compute on, and seeding for reproducible runs."""

import os
import random

import numpy as np
import torch


def get_device(verbose: bool = True) -> torch.device:
    """Return the best device available: CUDA, then Apple MPS, then the CPU.

    With ``verbose`` it prints one line that says which, e.g. ``Device: cpu (no GPU found)``.
    Set ``COURSE_DEVICE=cpu`` (or ``cuda``, ``mps``) to force a choice.
    """
    forced = os.environ.get("COURSE_DEVICE", "").strip().lower()
    if forced:
        if forced not in {"cpu", "cuda", "mps"}:
            raise ValueError(f"COURSE_DEVICE must be 'cpu', 'cuda' or 'mps', got {forced!r}")
        device = torch.device(forced)
    elif torch.cuda.is_available():
        device = torch.device("cuda")
    elif _mps_available():
        device = torch.device("mps")
    else:
        device = torch.device("cpu")
    if verbose:
        print(f"Device: {describe_device(device)}")
    return device


def describe_device(device: torch.device | str) -> str:
    """A short human description of ``device``: its type and, for a GPU, its name."""
    device = torch.device(device)
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    if device.type == "mps":
        return "mps (Apple GPU)"
    return "cpu (no GPU found)" if not torch.cuda.is_available() and not _mps_available() else "cpu"


def seed_everything(seed: int = 0) -> None:
    """Seed Python's ``random``, NumPy's global generator and torch (CPU and every GPU) with ``seed``."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())
