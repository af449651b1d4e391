"""MNIST as tensors ready for training, and where the course keeps its data.

Two sources, one shape:

- the offline sample: 5,000 real MNIST images (500 per digit) shipped with the course in ``data/`` and inside
  the installed package, split once into 4,000 train / 1,000 test, sha256-verified on every load;
- full MNIST (60,000 / 10,000): the four IDX files in ``DATA_DIR/MNIST/raw``, downloaded once from
  torchvision's MNIST mirrors and verified by the MD5 of their content when fetched and when loaded (a small
  stamp file beside them keeps a load fast until a file changes).

``load_mnist()`` picks by profile (quick: sample, full: full MNIST) and always says in one line what it used.
If full MNIST cannot be had (offline, a damaged file, torchvision broken, no folder to write to), it says so in
one line and falls back to the sample; it never stops a lesson.

torch is imported only where tensors are made, so ``python -m course_utils doctor`` can report a missing torch.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import socket
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from course_utils.profile import get_profile

SAMPLE_NAME = "mnist_sample.npz"
SAMPLE_SHA256 = "95a5380daa8888e9982421965d80352f64a1834afedb8af1a135d0d5af6deb85"
SAMPLE_BYTES = 823_385
PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DATA_DIR = PACKAGE_DIR.parent / "data"  # exists when the course runs from a checkout
PACKAGED_SAMPLE = PACKAGE_DIR / "_data" / SAMPLE_NAME  # exists in an installed wheel

# The four uncompressed IDX files of full MNIST: (count, bytes, MD5 of the content; see the course guide).
FULL_MNIST_FILES = {
    "train-images-idx3-ubyte": (60_000, 16 + 60_000 * 28 * 28, "6bbc9ace898e44ae57da46a324031adb"),
    "train-labels-idx1-ubyte": (60_000, 8 + 60_000, "a25bea736e30d166cdddb491f175f624"),
    "t10k-images-idx3-ubyte": (10_000, 16 + 10_000 * 28 * 28, "2646ac647ad5339dbf082846283269ea"),
    "t10k-labels-idx1-ubyte": (10_000, 8 + 10_000, "27ae3e4e09519cfbb04c329615203637"),
}
STAMP_NAME = ".verified-md5.json"  # beside the IDX files: size, mtime and inode of each file whose MD5 matched
PARTIAL_PREFIX = ".MNIST-partial-"
FETCH_HINT = "run `python -m course_utils fetch-data` while online (it downloads the files again and replaces them)"


class DataError(RuntimeError):
    """The course's data is missing or does not verify; the message says how to restore it."""


@dataclass(frozen=True)
class MnistData:
    """MNIST split into train and test tensors.

    Images are ``float32`` of shape ``(N, 1, 28, 28)`` in ``[0, 1]``; labels are ``int64`` of shape ``(N,)``.
    ``mean`` and ``std`` are the pixel statistics of the training images, for normalising.
    ``source`` is ``"sample"`` or ``"full"``; ``is_normalized`` says whether ``normalized()`` was applied.
    """

    x_train: torch.Tensor  # noqa: F821 (torch is imported lazily)
    y_train: torch.Tensor  # noqa: F821
    x_test: torch.Tensor  # noqa: F821
    y_test: torch.Tensor  # noqa: F821
    mean: float
    std: float
    source: str
    is_normalized: bool = field(default=False, compare=False)

    def to(self, device) -> MnistData:
        """The same data with every tensor moved to ``device`` (done once, not per batch).

        ``device`` is a device (``"cpu"``, ``"cuda"``, ``torch.device(...)``), never a dtype: the images stay
        float32 and the labels int64.
        """
        import torch

        if isinstance(device, torch.dtype):
            raise TypeError(f"MnistData.to() moves the data to a device ('cpu', 'cuda', 'mps' or a torch.device), "
                            f"got the dtype {device}: the images stay float32 and the labels int64")
        try:
            device = torch.device(device)
        except (TypeError, RuntimeError) as exc:
            raise TypeError(f"MnistData.to() needs a device ('cpu', 'cuda', 'mps' or a torch.device), "
                            f"got {device!r}") from exc
        return replace(self, **{k: getattr(self, k).to(device) for k in ("x_train", "y_train", "x_test", "y_test")})

    def normalized(self) -> MnistData:
        """The same data with images standardised by the training mean and std (done once, not per batch).

        Raises ``ValueError`` on data that is already normalised: a second pass would shift it again.
        """
        if self.is_normalized:
            raise ValueError("this MnistData is already normalised (mean 0, std 1): normalising it again would "
                             "shift and scale it a second time; use it as it is")
        return replace(
            self,
            x_train=(self.x_train - self.mean) / self.std,
            x_test=(self.x_test - self.mean) / self.std,
            is_normalized=True,
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


def in_checkout() -> bool:
    """True when the course runs from its repository (``data/README.md`` beside the package)."""
    return (REPO_DATA_DIR / "README.md").exists()


def configured_data_dir() -> Path | None:
    """``COURSE_DATA_DIR`` as an absolute path, or None when it is not set.

    A relative value is taken relative to the course's folder (the checkout's root), so ``fetch-data`` run from
    the root and a kernel started in ``notebooks/`` mean the same folder. Outside a checkout there is no such
    anchor, and a relative value is a ``DataError``.
    """
    value = os.environ.get("COURSE_DATA_DIR", "").strip()
    if not value:
        return None
    path = Path(value).expanduser()
    if path.is_absolute():
        return path
    if in_checkout():
        return (REPO_DATA_DIR.parent / path).resolve()
    raise DataError(f"COURSE_DATA_DIR={value} is a relative path, which would name a different folder for each "
                    f"program that reads it: set it to an absolute path (e.g. {Path.home() / value})")


def wanted_data_dir() -> Path:
    """Where data should go: ``COURSE_DATA_DIR`` if set, else the checkout's ``data/``, else the user cache."""
    configured = configured_data_dir()
    if configured is not None:
        return configured
    return REPO_DATA_DIR if in_checkout() else cache_dir()


def data_dir(verbose: bool = False) -> Path:
    """The folder where downloads go and are looked for.

    ``wanted_data_dir()``; a folder that cannot be written falls back to the user cache (said in one line when
    ``verbose``). Raises ``DataError`` when neither can be written.
    """
    wanted = wanted_data_dir()
    if is_writable(wanted):
        return wanted
    fallback = cache_dir()
    if not is_writable(fallback):
        raise DataError(f"neither {wanted} nor the cache folder {fallback} can be written: set COURSE_DATA_DIR "
                        "to a folder you can write to")
    if verbose:
        print(f"Data folder {wanted} is not writable; using {fallback} instead.")
    return fallback


def is_writable(folder: Path) -> bool:
    """True if ``folder`` exists (or can be made) and a file can be created in it."""
    try:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
            pass
    except OSError:
        return False
    return True


# --------------------------------------------------------------------------------------------- the offline sample


def sample_path() -> Path:
    """Where the offline sample is: ``COURSE_DATA_DIR``, then the checkout's ``data/``, then the installed package."""
    candidates = []
    configured = configured_data_dir()
    if configured is not None:
        candidates.append(configured / SAMPLE_NAME)
    candidates += [REPO_DATA_DIR / SAMPLE_NAME, PACKAGED_SAMPLE]
    for path in candidates:
        if os.path.lexists(path):  # a broken link or a folder in the way is reported, not skipped
            return path
    raise DataError(
        f"The offline MNIST sample {SAMPLE_NAME} is missing (looked in: {', '.join(str(p) for p in candidates)}). "
        f"Restore it with `git checkout -- data/{SAMPLE_NAME}` in the course repository, "
        "or reinstall the course package (`pip install --force-reinstall --no-deps course-utils`)."
    )


def sha256_of(path: Path) -> str:
    """The hex sha256 digest of a file."""
    return _digest(path, hashlib.sha256())


def md5_of(path: Path) -> str:
    """The hex MD5 digest of a file (full MNIST's published checksums are MD5s)."""
    return _digest(path, hashlib.md5())


def _digest(path: Path, digest) -> str:
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sample_fix(path: Path) -> str:
    """How to restore the sample at ``path``: depends on where that copy lives."""
    path = Path(path)
    if path == REPO_DATA_DIR / SAMPLE_NAME:
        return (f"Restore it with `git checkout -- data/{SAMPLE_NAME}` in the course repository "
                "(or reinstall the course package); `python data/make_sample.py` rebuilds it from its source.")
    if path == PACKAGED_SAMPLE:
        return "Reinstall the course package (`pip install --force-reinstall --no-deps course-utils`)."
    good = REPO_DATA_DIR / SAMPLE_NAME if in_checkout() else PACKAGED_SAMPLE
    return (f"This copy comes from COURSE_DATA_DIR: delete it (the course then uses its own copy), or replace it "
            f"with a good one: `cp {good} {path}`.")


def verify_sample(path: Path | None = None) -> Path:
    """Check the sample's sha256; return its path, or raise ``DataError`` naming the file and the fix."""
    path = Path(path) if path is not None else sample_path()
    if not os.path.lexists(path):
        raise DataError(f"{path} is missing. {_sample_fix(path)}")
    if not path.is_file():  # a folder, a FIFO (would hang), a device such as /dev/zero, a broken link
        raise DataError(f"{path} is not a regular file (a folder, a link to a device, a pipe?). {_sample_fix(path)}")
    size = path.stat().st_size
    if size != SAMPLE_BYTES:
        raise DataError(f"{path} is corrupted: it has {size:,} bytes, expected {SAMPLE_BYTES:,}. {_sample_fix(path)}")
    actual = sha256_of(path)
    if actual != SAMPLE_SHA256:
        raise DataError(
            f"{path} is corrupted: its sha256 is {actual[:16]}..., expected {SAMPLE_SHA256[:16]}.... "
            f"{_sample_fix(path)}"
        )
    return path


def load_sample_arrays(path: Path | None = None) -> dict[str, np.ndarray]:
    """The verified sample as uint8 NumPy arrays: ``x_train (4000, 28, 28)``, ``y_train``, ``x_test``, ``y_test``."""
    path = verify_sample(path)
    with np.load(path, allow_pickle=False) as archive:
        return {key: archive[key] for key in ("x_train", "y_train", "x_test", "y_test")}


# --------------------------------------------------------------------------------------------- full MNIST


def full_mnist_status(root: Path | None = None, verify: bool = True) -> str | None:
    """None if full MNIST's four IDX files under ``root/MNIST/raw`` are complete and correct, else what is wrong.

    Sizes first; then (``verify``) the MD5 of each file's content, skipped for a file whose size, mtime and
    inode match the stamp written when it last verified, so a load stays fast.
    """
    raw = Path(root if root is not None else data_dir()) / "MNIST" / "raw"
    for name, (_, size, _) in FULL_MNIST_FILES.items():
        path = raw / name
        if not os.path.lexists(path):
            return f"{path} is missing"
        if not path.is_file():
            return f"{path} is not a regular file"
        if path.stat().st_size != size:
            return f"{path} has {path.stat().st_size:,} bytes, expected {size:,}"
    if not verify:
        return None
    stamp = _read_stamp(raw)
    fresh = {}
    for name, (_, _, md5) in FULL_MNIST_FILES.items():
        path = raw / name
        key = _stamp_key(path)
        if stamp.get(name) == [*key, md5]:
            fresh[name] = stamp[name]
            continue
        try:
            actual = md5_of(path)
        except OSError as exc:
            return f"{path} cannot be read ({exc.strerror or exc})"
        if actual != md5:
            return f"{path} is corrupted: it has the right size but its MD5 is {actual}, expected {md5}"
        fresh[name] = [*key, md5]
    if fresh != stamp:
        _write_stamp(raw, fresh)
    return None


def _stamp_key(path: Path) -> list:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def _read_stamp(raw: Path) -> dict:
    try:
        stamp = json.loads((raw / STAMP_NAME).read_text())
        return stamp if isinstance(stamp, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_stamp(raw: Path, stamp: dict) -> None:
    """Best effort: a folder that cannot be written (a shared read-only copy) is verified on every load instead."""
    try:
        fd, tmp = tempfile.mkstemp(dir=raw, prefix=STAMP_NAME + ".")
        with os.fdopen(fd, "w") as f:
            json.dump(stamp, f)
        os.chmod(tmp, 0o644)
        os.replace(tmp, raw / STAMP_NAME)
    except OSError:
        pass


def find_full_mnist() -> tuple[Path, str | None]:
    """``(root, problem)``: the folder that holds full MNIST (or would), and what is wrong with it (None: ready).

    Looks in the wanted folder (even a read-only one, such as a shared copy) and in the cache fallback; a folder
    with all four files is chosen over one without, so a damaged copy is reported rather than skipped.
    """
    candidates = [wanted_data_dir()]
    if cache_dir() not in candidates:
        candidates.append(cache_dir())
    present = [c for c in candidates if full_mnist_status(c, verify=False) is None]
    if present:
        return present[0], full_mnist_status(present[0])
    return candidates[0], full_mnist_status(candidates[0], verify=False)


def fetch_full_mnist(root: Path | None = None, timeout: float = 20.0, deadline: float = 600.0,
                     progress: bool = True) -> Path:
    """Download full MNIST into ``root/MNIST/raw`` (default: ``data_dir()``), verified and atomic; return root.

    Nothing is downloaded when correct files are already there (a damaged copy is replaced). Each archive comes
    from the first of torchvision's MNIST mirrors that answers; its MD5 is checked, it is decompressed, and each
    IDX file's MD5 is checked, all in a temporary folder beside the target that is moved into place only at the
    end, so an interrupted download never leaves files that pass for complete (and ``.MNIST-partial-*``
    folders left by a killed run are removed by the next one). ``timeout`` bounds each network wait and
    ``deadline`` the whole download, in seconds; ``progress`` prints one updating line per file.
    Raises ``DataError`` with one readable line when the download fails.
    """
    root = Path(root) if root is not None else data_dir()
    if root.exists() and not root.is_dir():
        raise DataError(f"{root} is a file, not a folder: choose a folder for the data")
    if not is_writable(root):
        raise DataError(f"{root} cannot be written: choose a folder you can write to (--root or COURSE_DATA_DIR)")
    if full_mnist_status(root) is None:
        return root
    mirrors, resources = _mnist_sources()
    _remove_stale_partials(root)
    staging = Path(tempfile.mkdtemp(prefix=PARTIAL_PREFIX, dir=root))
    try:
        (staging / "owner").write_text(f"{os.getpid()}\n")
        raw = staging / "MNIST" / "raw"
        raw.mkdir(parents=True)
        ends = time.monotonic() + deadline
        for archive, archive_md5 in resources:
            _download_one(archive, archive_md5, mirrors, raw, timeout, ends, deadline, progress)
            with gzip.open(raw / archive, "rb") as src, open(raw / archive[: -len(".gz")], "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            (raw / archive).unlink()
        problem = full_mnist_status(staging)
        if problem:
            raise DataError(f"downloaded full MNIST does not verify: {problem}")
        target = root / "MNIST" / "raw"
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            shutil.rmtree(target)  # damaged or incomplete files only: correct ones returned early above
        os.replace(raw, target)
    except DataError:
        raise
    except (OSError, EOFError, gzip.BadGzipFile) as exc:  # the disk, or an archive that does not decompress
        raise DataError(f"could not download full MNIST ({_one_line(exc)})") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return root


def _mnist_sources() -> tuple[list[str], list[tuple[str, str]]]:
    """torchvision's MNIST mirrors and (archive, MD5) pairs; ``DataError`` when torchvision does not import."""
    try:
        from torchvision.datasets import MNIST
    except Exception as exc:  # missing, or a torch/torchvision mismatch that fails at import with an operator error
        raise DataError(f"torchvision does not import ({_one_line(exc)}), and the download needs its list of "
                        "MNIST mirrors: install the torchvision release that matches torch") from exc
    return list(MNIST.mirrors), [(name, md5) for name, md5 in MNIST.resources]


def _download_one(archive, md5, mirrors, folder, timeout, ends, deadline, progress) -> None:
    """Fetch ``archive`` into ``folder`` from the first mirror that gives a file with the right MD5."""
    failures = []
    for mirror in mirrors:
        try:
            _download(mirror + archive, folder / archive, timeout, ends, deadline, progress)
        except DataError:
            raise  # the deadline: no time left for another mirror
        except (OSError, ValueError, socket.timeout) as exc:  # URLError and HTTPError are OSErrors
            failures.append(f"{mirror}{archive}: {_one_line(exc)}")
            continue
        actual = md5_of(folder / archive)
        if actual == md5:
            return
        failures.append(f"{mirror}{archive}: MD5 {actual[:12]}..., expected {md5[:12]}...")
    raise DataError(f"could not download full MNIST ({'; '.join(failures)})")


def _download(url, dest, timeout, ends, deadline, progress) -> None:
    """Stream ``url`` to ``dest``; ``DataError`` when the monotonic clock passes ``ends`` (a trickling mirror)."""
    name = url.rsplit("/", 1)[-1]
    started = last_shown = time.monotonic()
    done = 0
    with urllib.request.urlopen(url, timeout=timeout) as response, open(dest, "wb") as f:
        total = int(response.headers.get("Content-Length") or 0)
        while True:
            now = time.monotonic()
            if now > ends:
                raise DataError(f"could not download full MNIST (it took longer than the {deadline:.0f} s allowed; "
                                f"{name}: {done:,} bytes after {now - started:.0f} s): try again on a faster "
                                "connection")
            block = response.read1(1 << 16)
            if not block:
                break
            f.write(block)
            done += len(block)
            if progress and now - last_shown >= 0.5:
                _show_progress(name, done, total, now - started)
                last_shown = now
    if total and done != total:
        raise OSError(f"the connection closed after {done:,} of {total:,} bytes")
    if progress:
        _show_progress(name, done, total, time.monotonic() - started, end="\n")


def _show_progress(name, done, total, seconds, end="") -> None:
    if total:
        rate = done / max(seconds, 1e-9)
        left = (total - done) / rate if rate else float("inf")
        line = f"{name}: {done / 1e6:5.1f} of {total / 1e6:.1f} MB ({done / total:4.0%}), about {left:3.0f} s left"
    else:
        line = f"{name}: {done / 1e6:5.1f} MB"
    print(f"\r{line}", end=end, flush=True)


def _remove_stale_partials(root: Path) -> None:
    """Remove ``.MNIST-partial-*`` folders whose download is no longer running (killed part-way)."""
    for folder in root.glob(PARTIAL_PREFIX + "*"):
        try:
            pid = int((folder / "owner").read_text().strip())
            alive = _pid_alive(pid)
        except (OSError, ValueError):  # no owner file: older than this code, or killed before writing it
            alive = time.time() - folder.stat().st_mtime < 3600
        if not alive:
            shutil.rmtree(folder, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists but belongs to someone else
    return True


def _one_line(exc: BaseException) -> str:
    """An exception as one line, in full (the end of a message is often the part that matters)."""
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        exc = exc.reason if isinstance(exc.reason, BaseException) else exc
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def read_idx(path: Path, kind: str) -> np.ndarray:
    """An MNIST IDX file as a uint8 array: ``kind="images"`` gives ``(N, 28, 28)``, ``"labels"`` gives ``(N,)``."""
    raw = Path(path).read_bytes()
    magic, dims = (2051, 3) if kind == "images" else (2049, 1)
    header = np.frombuffer(raw, dtype=">u4", count=1 + dims)
    if header[0] != magic:
        raise DataError(f"{path} is not an MNIST {kind} file (magic number {header[0]}, expected {magic}). "
                        f"To fix: {FETCH_HINT}.")
    shape = tuple(int(d) for d in header[1:])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 * (1 + dims)).reshape(shape)


def load_full_arrays(root: Path | None = None, progress: bool = True) -> dict[str, np.ndarray]:
    """Full MNIST as uint8 NumPy arrays, verified by MD5, downloading it first if it is not there.

    Raises ``DataError`` (with the fix) for a damaged copy, a failed download or a folder that cannot be written.
    """
    if root is None:
        root, problem = find_full_mnist()
        if problem is not None and full_mnist_status(root, verify=False) is not None:
            root, problem = fetch_full_mnist(data_dir(verbose=True), progress=progress), None  # not there at all: download it
    else:
        root = Path(root)
        problem = full_mnist_status(root)
    if problem is not None:
        raise DataError(f"{problem}. To fix: {FETCH_HINT}")
    raw = root / "MNIST" / "raw"
    try:
        arrays = {
            "x_train": read_idx(raw / "train-images-idx3-ubyte", "images"),
            "y_train": read_idx(raw / "train-labels-idx1-ubyte", "labels"),
            "x_test": read_idx(raw / "t10k-images-idx3-ubyte", "images"),
            "y_test": read_idx(raw / "t10k-labels-idx1-ubyte", "labels"),
        }
    except (OSError, ValueError) as exc:
        raise DataError(f"full MNIST in {raw} cannot be read ({_one_line(exc)}). To fix: {FETCH_HINT}") from exc
    for part in ("train", "test"):
        if len(arrays[f"x_{part}"]) != len(arrays[f"y_{part}"]) or arrays[f"y_{part}"].max(initial=0) > 9:
            raise DataError(f"full MNIST in {raw} does not hold {part} images with labels 0-9. To fix: {FETCH_HINT}")
    return arrays


# --------------------------------------------------------------------------------------------- the one entry point


def load_mnist(source: str | None = None, device=None, verbose: bool = True) -> MnistData:
    """MNIST as tensors ready for training.

    ``source``: ``"sample"`` (the offline 4,000/1,000 sample), ``"full"`` (60,000/10,000, downloaded once), or
    ``None`` to follow the profile (quick: sample, full: full). ``device``: where to put the tensors.
    Prints one line that says which data is used. If full MNIST is asked for and cannot be had, that line says
    why and the sample is used instead.
    """
    import torch

    if source is None:
        source = "sample" if get_profile() == "quick" else "full"
    if source not in ("sample", "full"):
        raise ValueError(f"source must be 'sample', 'full' or None (follow COURSE_PROFILE), got {source!r}")

    arrays = None
    if source == "full":
        try:
            arrays = load_full_arrays(progress=verbose)
        except DataError as exc:
            if verbose:
                print(f"Full MNIST unavailable: {str(exc).rstrip('.')}; using the offline sample instead.")
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


def _to_images(pixels: np.ndarray):
    """uint8 ``(N, 28, 28)`` to float32 ``(N, 1, 28, 28)`` in ``[0, 1]``."""
    import torch

    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[1:] != (28, 28):
        raise DataError(f"expected uint8 images of shape (N, 28, 28), got {pixels.dtype} {pixels.shape}")
    return torch.from_numpy(np.array(pixels)).float().div_(255.0).unsqueeze(1)
