import gzip
import shutil
import struct
import time

import numpy as np
import pytest
import torch

from course_utils import data
from course_utils.data import DataError, load_mnist


def write_idx(folder, prefix, n, seed):
    """Write a pair of uncompressed MNIST IDX files (images and labels) with n random digits."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    (folder / f"{prefix}-images-idx3-ubyte").write_bytes(struct.pack(">IIII", 2051, n, 28, 28) + images.tobytes())
    (folder / f"{prefix}-labels-idx1-ubyte").write_bytes(struct.pack(">II", 2049, n) + labels.tobytes())
    return images, labels


@pytest.fixture
def full_mnist_dir(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    train = write_idx(raw, "train", 60_000, seed=1)
    test = write_idx(raw, "t10k", 10_000, seed=2)
    return tmp_path, train, test


def test_sample_tensors_are_ready_for_training(capsys):
    start = time.perf_counter()
    mnist = load_mnist()
    seconds = time.perf_counter() - start
    assert capsys.readouterr().out == "MNIST (offline sample): 4,000 train / 1,000 test images\n"
    assert mnist.source == "sample"
    assert mnist.x_train.shape == (4000, 1, 28, 28) and mnist.x_test.shape == (1000, 1, 28, 28)
    assert mnist.x_train.dtype == torch.float32 and mnist.y_train.dtype == torch.int64
    assert 0.0 <= mnist.x_train.min() and mnist.x_train.max() <= 1.0
    assert torch.bincount(mnist.y_train).tolist() == [400] * 10  # the stratified split
    assert torch.bincount(mnist.y_test).tolist() == [100] * 10
    assert 0.1 < mnist.mean < 0.15 and 0.28 < mnist.std < 0.33
    normed = mnist.normalized()
    assert abs(normed.x_train.mean().item()) < 1e-3 and abs(normed.x_train.std().item() - 1) < 1e-3
    assert seconds < 5  # generous; the closing note reports the measured time


def test_unknown_source_is_a_clear_error():
    with pytest.raises(ValueError, match="source must be 'sample', 'full' or None"):
        load_mnist("mnist")


def test_corrupted_sample_names_the_file_and_the_fix(tmp_path, monkeypatch):
    bad = tmp_path / data.SAMPLE_NAME
    raw = bytearray(data.sample_path().read_bytes())
    raw[1000] ^= 0xFF
    bad.write_bytes(bytes(raw))
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    with pytest.raises(DataError, match=rf"{bad}.*corrupted.*git checkout -- data/mnist_sample.npz"):
        load_mnist()


def test_missing_sample_says_how_to_restore(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "REPO_DATA_DIR", tmp_path / "nowhere")
    monkeypatch.setattr(data, "PACKAGED_SAMPLE", tmp_path / "also-nowhere.npz")
    with pytest.raises(DataError, match=r"sample mnist_sample.npz is missing.*git checkout -- data/mnist_sample.npz"):
        load_mnist()


def test_unwritable_data_dir_falls_back_to_the_cache(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("COURSE_DATA_DIR", str(blocker / "data"))  # cannot be created: its parent is a file
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = data.data_dir(verbose=True)
    assert folder == tmp_path / "cache" / "dl-course" and folder.is_dir()
    assert "is not writable; using" in capsys.readouterr().out


def test_full_mnist_offline_is_one_line_then_the_sample(tmp_path, monkeypatch, capsys, no_network):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    mnist = load_mnist("full")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("Full MNIST unavailable: could not download full MNIST")
    assert lines[0].endswith("using the offline sample instead.")
    assert "Traceback" not in lines[0]
    assert mnist.source == "sample" and len(mnist.y_train) == 4000
    assert not (tmp_path / "MNIST").exists()  # nothing half-written left behind
    assert not list(tmp_path.glob(".MNIST-partial-*"))


def test_full_profile_uses_idx_files_without_touching_the_network(full_mnist_dir, monkeypatch, capsys, no_network):
    root, (train_images, train_labels), (test_images, test_labels) = full_mnist_dir
    monkeypatch.setenv("COURSE_DATA_DIR", str(root))
    monkeypatch.setenv("COURSE_PROFILE", "full")
    mnist = load_mnist()
    assert capsys.readouterr().out == "MNIST (full MNIST): 60,000 train / 10,000 test images\n"
    assert mnist.source == "full"
    assert mnist.x_train.shape == (60_000, 1, 28, 28) and mnist.x_test.shape == (10_000, 1, 28, 28)
    assert torch.equal(mnist.y_test, torch.from_numpy(test_labels.astype(np.int64)))
    assert torch.equal((mnist.x_train[5, 0] * 255).round().to(torch.uint8), torch.from_numpy(train_images[5]))


def test_truncated_idx_file_is_not_taken_for_complete(full_mnist_dir, no_network):
    root = full_mnist_dir[0]
    path = root / "MNIST" / "raw" / "t10k-labels-idx1-ubyte"
    path.write_bytes(path.read_bytes()[:-10])
    assert "t10k-labels-idx1-ubyte has 9,998 bytes, expected 10,008" in data.full_mnist_status(root)


def test_fetch_is_atomic_when_interrupted(tmp_path, monkeypatch):
    from torchvision.datasets import MNIST

    def interrupted_download(self):
        import os
        os.makedirs(self.raw_folder, exist_ok=True)
        with open(os.path.join(self.raw_folder, "train-images-idx3-ubyte"), "wb") as f:
            f.write(b"\x00" * 1000)  # a partial file
        raise KeyboardInterrupt

    monkeypatch.setattr(MNIST, "download", interrupted_download)
    with pytest.raises(KeyboardInterrupt):
        data.fetch_full_mnist(tmp_path)
    assert not (tmp_path / "MNIST").exists()
    assert not list(tmp_path.iterdir())  # the staging folder is gone too


def test_fetch_moves_verified_files_into_place_and_is_idempotent(tmp_path, monkeypatch):
    from torchvision.datasets import MNIST

    calls = []

    def fake_download(self):
        calls.append(self.root)
        from pathlib import Path
        write_idx(Path(self.raw_folder), "train", 60_000, seed=1)
        write_idx(Path(self.raw_folder), "t10k", 10_000, seed=2)
        with gzip.open(Path(self.raw_folder) / "train-images-idx3-ubyte.gz", "wb") as f:
            f.write(b"archive")  # archives are removed once extracted

    monkeypatch.setattr(MNIST, "download", fake_download)
    assert data.fetch_full_mnist(tmp_path) == tmp_path
    assert data.full_mnist_status(tmp_path) is None
    assert not list((tmp_path / "MNIST" / "raw").glob("*.gz"))
    data.fetch_full_mnist(tmp_path)
    assert len(calls) == 1  # second call: already complete, nothing downloaded
    shutil.rmtree(tmp_path / "MNIST")
