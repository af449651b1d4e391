"""MNIST as tensors ready for training, and where the course keeps its data.

Two sources, one shape:

- the offline sample: 5,000 real MNIST images (500 per digit) shipped with the course in ``data/`` and inside
  the installed package, split once into 4,000 train / 1,000 test, sha256-verified on every load;
- full MNIST (60,000 / 10,000) through ``torchvision.datasets.MNIST``, downloaded once into the data folder.

``load_mnist()`` picks by profile (quick: sample, full: full MNIST) and always says in one line what it used.
If full MNIST cannot be had, it says so in one line and falls back to the sample; it never stops a lesson.
"""

import contextlib
import hashlib
import io
import os
import shutil
import socket
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from course_utils.profile import get_profile

SAMPLE_NAME = "mnist_sample.npz"
SAMPLE_SHA256 = "95a5380daa8888e9982421965d80352f64a1834afedb8af1a135d0d5af6deb85"
PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DATA_DIR = PACKAGE_DIR.parent / "data"  # exists when the course runs from a checkout
PACKAGED_SAMPLE = PACKAGE_DIR / "_data" / SAMPLE_NAME  # exists in an installed wheel

# Sizes of the four uncompressed IDX files of full MNIST: (count, bytes).
FULL_MNIST_FILES = {
    "train-images-idx3-ubyte": (60_000, 16 + 60_000 * 28 * 28),
    "train-labels-idx1-ubyte": (60_000, 8 + 60_000),
    "t10k-images-idx3-ubyte": (10_000, 16 + 10_000 * 28 * 28),
    "t10k-labels-idx1-ubyte": (10_000, 8 + 10_000),
}


class DataError(RuntimeError):
    """The course's data is missing or does not verify; the message says how to restore it."""


@dataclass(frozen=True)
class MnistData:
    """MNIST split into train and test tensors.

    Images are ``float32`` of shape ``(N, 1, 28, 28)`` in ``[0, 1]``; labels are ``int64`` of shape ``(N,)``.
    ``mean`` and ``std`` are the pixel statistics of the training images, for normalising.
    ``source`` is ``"sample"`` or ``"full"``.
    """

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    mean: float
    std: float
    source: str

    def to(self, device) -> "MnistData":
        """The same data with every tensor moved to ``device`` (done once, not per batch)."""
        return replace(self, **{k: getattr(self, k).to(device) for k in ("x_train", "y_train", "x_test", "y_test")})

    def normalized(self) -> "MnistData":
        """The same data with images standardised by the training mean and std (done once, not per batch)."""
        return replace(
            self,
            x_train=(self.x_train - self.mean) / self.std,
            x_test=(self.x_test - self.mean) / self.std,
        )

    def __repr__(self) -> str:
        return (
            f"MnistData(source={self.source!r}, train={tuple(self.x_train.shape)}, "
            f"test={tuple(self.x_test.shape)}, mean={self.mean:.4f}, std={self.std:.4f})"
        )


# --------------------------------------------------------------------------------------------- where data lives


def cache_dir() -> Path:
    """The per-user cache folder for course data: ``$XDG_CACHE_HOME/dl-course`` or ``~/.cache/dl-course``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "dl-course"


def data_dir(verbose: bool = False) -> Path:
    """The folder where downloads go and are looked for.

    ``COURSE_DATA_DIR`` if set, else the repository's ``data/`` when running from a checkout, else the user cache.
    A folder that cannot be written falls back to the user cache (said in one line when ``verbose``).
    """
    if os.environ.get("COURSE_DATA_DIR"):
        wanted = Path(os.environ["COURSE_DATA_DIR"]).expanduser()
    elif (REPO_DATA_DIR / "README.md").exists():
        wanted = REPO_DATA_DIR
    else:
        wanted = cache_dir()
    if is_writable(wanted):
        return wanted
    fallback = cache_dir()
    if verbose:
        print(f"Data folder {wanted} is not writable; using {fallback} instead.")
    fallback.mkdir(parents=True, exist_ok=True)
    return fallback


def is_writable(folder: Path) -> bool:
    """True if ``folder`` exists (or can be made) and a file can be created in it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
            pass
    except OSError:
        return False
    return True


# --------------------------------------------------------------------------------------------- the offline sample


def sample_path() -> Path:
    """Where the offline sample is: the checkout's ``data/`` first, else the copy inside the installed package."""
    candidates = []
    if os.environ.get("COURSE_DATA_DIR"):
        candidates.append(Path(os.environ["COURSE_DATA_DIR"]).expanduser() / SAMPLE_NAME)
    candidates += [REPO_DATA_DIR / SAMPLE_NAME, PACKAGED_SAMPLE]
    for path in candidates:
        if path.exists():
            return path
    raise DataError(
        f"The offline MNIST sample {SAMPLE_NAME} is missing (looked in: {', '.join(str(p) for p in candidates)}). "
        f"Restore it with `git checkout -- data/{SAMPLE_NAME}` in the course repository, "
        "or reinstall the course package (`pip install --force-reinstall --no-deps course-utils`)."
    )


def sha256_of(path: Path) -> str:
    """The hex sha256 digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_sample(path: Path | None = None) -> Path:
    """Check the sample's sha256; return its path, or raise ``DataError`` naming the file and the fix."""
    path = Path(path) if path is not None else sample_path()
    if not path.exists():
        raise DataError(f"{path} is missing. Restore it with `git checkout -- data/{SAMPLE_NAME}`.")
    actual = sha256_of(path)
    if actual != SAMPLE_SHA256:
        raise DataError(
            f"{path} is corrupted: its sha256 is {actual[:16]}..., expected {SAMPLE_SHA256[:16]}.... "
            f"Restore it with `git checkout -- data/{SAMPLE_NAME}` in the course repository "
            "(or reinstall the course package); `python data/make_sample.py` rebuilds it from its source."
        )
    return path


def load_sample_arrays(path: Path | None = None) -> dict[str, np.ndarray]:
    """The verified sample as uint8 NumPy arrays: ``x_train (4000, 28, 28)``, ``y_train``, ``x_test``, ``y_test``."""
    path = verify_sample(path)
    with np.load(path) as archive:
        return {key: archive[key] for key in ("x_train", "y_train", "x_test", "y_test")}


# --------------------------------------------------------------------------------------------- full MNIST


def full_mnist_status(root: Path | None = None) -> str | None:
    """None if full MNIST's four IDX files are present and complete under ``root/MNIST/raw``, else what is wrong."""
    raw = Path(root if root is not None else data_dir()) / "MNIST" / "raw"
    for name, (_, size) in FULL_MNIST_FILES.items():
        path = raw / name
        if not path.exists():
            return f"{path} is missing"
        if path.stat().st_size != size:
            return f"{path} has {path.stat().st_size:,} bytes, expected {size:,}"
    return None


def fetch_full_mnist(root: Path | None = None, timeout: float = 20.0) -> Path:
    """Download full MNIST into ``root/MNIST/raw`` (default: ``data_dir()``), verified and atomic; return root.

    Nothing is downloaded when the complete files are already there. The download goes to a temporary folder
    beside the target (torchvision checks each archive's MD5), the sizes are verified, and only then is the
    folder moved into place, so an interrupted download never leaves files that pass for complete.
    Raises ``DataError`` with one readable line when the download fails.
    """
    from torchvision.datasets import MNIST  # imported here: a learner who never asks for full MNIST skips it

    root = Path(root) if root is not None else data_dir()
    if full_mnist_status(root) is None:
        return root
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".MNIST-partial-", dir=root))
    old_timeout = socket.getdefaulttimeout()
    try:
        socket.setdefaulttimeout(timeout)
        chatter = io.StringIO()  # torchvision prints progress and per-mirror failures; we report one line instead
        with contextlib.redirect_stdout(chatter), contextlib.redirect_stderr(chatter):
            MNIST(staging, train=True, download=True)
        problem = full_mnist_status(staging)
        if problem:
            raise DataError(f"downloaded full MNIST does not verify: {problem}")
        target = root / "MNIST" / "raw"
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            shutil.rmtree(target)  # incomplete leftovers only: complete files returned early above
        for archive in (staging / "MNIST" / "raw").glob("*.gz"):
            archive.unlink()
        os.replace(staging / "MNIST" / "raw", target)
    except DataError:
        raise
    except Exception as exc:  # network, disk, MD5: all end the same way for the learner
        reason = " ".join(str(exc).split()) or type(exc).__name__  # torchvision's report, on one line
        reason = reason if len(reason) <= 200 else reason[:197] + "..."
        raise DataError(f"could not download full MNIST ({reason})") from exc
    finally:
        socket.setdefaulttimeout(old_timeout)
        shutil.rmtree(staging, ignore_errors=True)
    return root


def load_full_arrays(root: Path | None = None) -> dict[str, np.ndarray]:
    """Full MNIST as uint8 NumPy arrays, downloading it first if needed (see ``fetch_full_mnist``)."""
    from torchvision.datasets.mnist import read_image_file, read_label_file

    root = fetch_full_mnist(root)
    raw = root / "MNIST" / "raw"
    return {
        "x_train": read_image_file(str(raw / "train-images-idx3-ubyte")).numpy(),
        "y_train": read_label_file(str(raw / "train-labels-idx1-ubyte")).numpy(),
        "x_test": read_image_file(str(raw / "t10k-images-idx3-ubyte")).numpy(),
        "y_test": read_label_file(str(raw / "t10k-labels-idx1-ubyte")).numpy(),
    }


# --------------------------------------------------------------------------------------------- the one entry point


def load_mnist(source: str | None = None, device=None, verbose: bool = True) -> MnistData:
    """MNIST as tensors ready for training.

    ``source``: ``"sample"`` (the offline 4,000/1,000 sample), ``"full"`` (60,000/10,000, downloaded once), or
    ``None`` to follow the profile (quick: sample, full: full). ``device``: where to put the tensors.
    Prints one line that says which data is used. If full MNIST is asked for and cannot be had, that line says
    why and the sample is used instead.
    """
    if source is None:
        source = "sample" if get_profile() == "quick" else "full"
    if source not in ("sample", "full"):
        raise ValueError(f"source must be 'sample', 'full' or None (follow COURSE_PROFILE), got {source!r}")

    arrays = None
    if source == "full":
        try:
            arrays = load_full_arrays()
        except DataError as exc:
            if verbose:
                print(f"Full MNIST unavailable: {exc}; using the offline sample instead.")
            source = "sample"
    if arrays is None:
        arrays = load_sample_arrays()

    x_train, x_test = (_to_images(arrays[k]) for k in ("x_train", "x_test"))
    y_train, y_test = (torch.from_numpy(arrays[k].astype(np.int64)) for k in ("y_train", "y_test"))
    data = MnistData(
        x_train, y_train, x_test, y_test,
        mean=round(x_train.mean().item(), 4), std=round(x_train.std().item(), 4), source=source,
    )
    if device is not None:
        data = data.to(device)
    if verbose:
        what = "offline sample" if source == "sample" else "full MNIST"
        print(f"MNIST ({what}): {len(y_train):,} train / {len(y_test):,} test images")
    return data


def _to_images(pixels: np.ndarray) -> torch.Tensor:
    """uint8 ``(N, 28, 28)`` to float32 ``(N, 1, 28, 28)`` in ``[0, 1]``."""
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[1:] != (28, 28):
        raise DataError(f"expected uint8 images of shape (N, 28, 28), got {pixels.dtype} {pixels.shape}")
    return torch.from_numpy(pixels).float().div_(255.0).unsqueeze(1)
