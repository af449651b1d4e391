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

A learner never needs to open these to follow a lesson; every idea is taught in its notebook first.
"""

from course_utils.data import MnistData, load_mnist
from course_utils.device import describe_device, get_device, seed_everything
from course_utils.plotting import use_course_style
from course_utils.profile import by_profile, get_profile

__all__ = [
    "MnistData",
    "by_profile",
    "describe_device",
    "get_device",
    "get_profile",
    "load_mnist",
    "seed_everything",
    "use_course_style",
]
__version__ = "0.1.0"
