"""One switch for the size of the work: ``COURSE_PROFILE=quick`` (default) or ``full``.

- quick: the offline MNIST sample and few epochs; the whole course runs in minutes on a 2-core CPU (CI uses it).
- full: full MNIST and the epochs that reach the known accuracies.
"""

import os

PROFILES = ("quick", "full")


def get_profile() -> str:
    """The active profile, read from the environment variable ``COURSE_PROFILE`` (default ``quick``)."""
    value = os.environ.get("COURSE_PROFILE", "quick").strip().lower() or "quick"
    if value not in PROFILES:
        raise ValueError(
            f"COURSE_PROFILE must be 'quick' or 'full', got {os.environ['COURSE_PROFILE']!r}. "
            "Set it with e.g. `export COURSE_PROFILE=quick` before starting Jupyter."
        )
    return value


def by_profile(quick, full):
    """Pick the value for the active profile: ``epochs = by_profile(quick=2, full=10)``."""
    return quick if get_profile() == "quick" else full
