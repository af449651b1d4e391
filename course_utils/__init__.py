"""Helpers shared by the course notebooks.

Small, flat modules; each name says what it holds:

- ``device``    -- pick CUDA, then Apple MPS, then CPU; seed everything in one call
- ``profile``   -- ``COURSE_PROFILE=quick|full`` chooses the size of the work
- ``data``      -- MNIST as tensors (offline sample or full), where data lives
- ``toy_data``  -- small seeded 2-D data sets for the early notebooks
- ``plotting``  -- the figure style, image grids, training curves, 2-D decision boundaries
- ``training``  -- the mini-batch training loop that notebook 04 writes by hand
- ``selfcheck`` -- the machinery behind the "Check yourself" exercises
- ``checks``    -- one module of exercise checks per notebook
- ``student``   -- writes the student versions of the notebooks (solutions stubbed)
- ``explorer``  -- knobs a learner turns (ipywidgets), for the notebooks' explorers

A learner never needs to open these to follow a lesson; every idea is taught in its notebook first.

The names below are imported on first use, so ``python -m course_utils doctor`` (and ``student-versions``) run,
and say what is missing, on a machine without torch or matplotlib.
"""

import importlib

_EXPORTS = {
    "MnistData": "course_utils.data",
    "load_mnist": "course_utils.data",
    "describe_device": "course_utils.device",
    "get_device": "course_utils.device",
    "seed_everything": "course_utils.device",
    "use_course_style": "course_utils.plotting",
    "by_profile": "course_utils.profile",
    "get_profile": "course_utils.profile",
}
_SUBMODULES = {"checks", "data", "device", "explorer", "plotting", "profile", "selfcheck", "student", "toy_data",
               "training"}
__all__ = sorted(_EXPORTS)
__version__ = "0.1.0"


def __getattr__(name):  # PEP 562: `from course_utils import get_device` imports course_utils.device only then
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"course_utils.{name}")
    else:
        raise AttributeError(f"module 'course_utils' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *_EXPORTS, *_SUBMODULES})
