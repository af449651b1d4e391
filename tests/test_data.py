import gzip
import hashlib
import os
import shutil
import struct
import sys
import time
from pathlib import Path

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


def write_full_mnist(root, monkeypatch, n_train=60_000, n_test=10_000):
    """IDX files under root/MNIST/raw, and FULL_MNIST_FILES patched to their sizes and MD5s (the real MD5s are
    those of the real files, which no test can download)."""
    raw = root / "MNIST" / "raw"
    train = write_idx(raw, "train", n_train, seed=1)
    test = write_idx(raw, "t10k", n_test, seed=2)
    files = {name: (n_train if name.startswith("train") else n_test, (raw / name).stat().st_size,
                    hashlib.md5((raw / name).read_bytes()).hexdigest()) for name in data.FULL_MNIST_FILES}
    monkeypatch.setattr(data, "FULL_MNIST_FILES", files)
    return train, test


@pytest.fixture
def full_mnist_dir(tmp_path, monkeypatch):
    train, test = write_full_mnist(tmp_path, monkeypatch)
    return tmp_path, train, test


@pytest.fixture
def small_mnist_dir(tmp_path, monkeypatch):
    """A small stand-in for full MNIST (600 train / 100 test images): same format, fast to write and read."""
    train, test = write_full_mnist(tmp_path / "data", monkeypatch, n_train=600, n_test=100)
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data", train, test


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
    """In the checkout the fix is git; a copy in COURSE_DATA_DIR is deleted or replaced (git cannot restore it)."""
    raw = bytearray(data.sample_path().read_bytes())
    raw[1000] ^= 0xFF
    in_repo = tmp_path / "course" / "data"
    in_repo.mkdir(parents=True)
    (in_repo / "README.md").write_text("the checkout's data folder")
    (in_repo / data.SAMPLE_NAME).write_bytes(bytes(raw))
    monkeypatch.setattr(data, "REPO_DATA_DIR", in_repo)
    with pytest.raises(DataError, match=rf"{in_repo / data.SAMPLE_NAME}.*corrupted.*git checkout -- data/mnist_sample.npz"):
        load_mnist()
    bad = tmp_path / data.SAMPLE_NAME
    bad.write_bytes(bytes(raw))
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    with pytest.raises(DataError, match=rf"{bad}.*corrupted.*comes from COURSE_DATA_DIR: delete it.*`cp "):
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


# ------------------------------------------------------------------ issue 19: full MNIST verified by content


def flip_byte(path, offset):
    raw = bytearray(path.read_bytes())
    raw[offset] ^= 0x01
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize("name, offset", [("train-images-idx3-ubyte", 16 + 5 * 784 + 300),
                                          ("t10k-labels-idx1-ubyte", 8 + 42)])
def test_a_flipped_byte_in_a_right_sized_file_is_caught(small_mnist_dir, capsys, no_network, name, offset):
    root = small_mnist_dir[0]
    path = root / "MNIST" / "raw" / name
    flip_byte(path, offset)
    assert path.stat().st_size == data.FULL_MNIST_FILES[name][1]
    problem = data.full_mnist_status(root)
    assert problem.startswith(f"{path} is corrupted: it has the right size but its MD5 is")
    mnist = load_mnist("full")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"Full MNIST unavailable: {path} is corrupted")
    assert "To fix: run `python -m course_utils fetch-data` while online" in lines[0]
    assert len(lines) == 2 and mnist.source == "sample"


def test_a_label_of_200_is_caught_before_training(small_mnist_dir, capsys, no_network):
    root = small_mnist_dir[0]
    path = root / "MNIST" / "raw" / "train-labels-idx1-ubyte"
    raw = bytearray(path.read_bytes())
    raw[8 + 7] = 200
    path.write_bytes(bytes(raw))
    assert load_mnist("full").source == "sample"
    assert "train-labels-idx1-ubyte is corrupted" in capsys.readouterr().out


def test_the_md5_is_cached_until_a_file_changes(small_mnist_dir, monkeypatch, no_network):
    root = small_mnist_dir[0]
    hashed = []
    real_md5 = data.md5_of
    monkeypatch.setattr(data, "md5_of", lambda path: hashed.append(path.name) or real_md5(path))
    assert data.full_mnist_status(root) is None
    assert len(hashed) == 4 and (root / "MNIST" / "raw" / data.STAMP_NAME).is_file()
    hashed.clear()
    assert load_mnist("full", verbose=False).source == "full"
    assert hashed == []  # verified by the stamp: no file read for its MD5
    path = root / "MNIST" / "raw" / "t10k-images-idx3-ubyte"
    flip_byte(path, 1000)  # a new write: its mtime changes
    assert "t10k-images-idx3-ubyte is corrupted" in data.full_mnist_status(root)
    assert hashed == ["t10k-images-idx3-ubyte"]


def test_the_real_full_mnist_md5s_are_the_guides():
    assert {name: md5 for name, (_, _, md5) in data.FULL_MNIST_FILES.items()} == {
        "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
        "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
        "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
        "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
    }


def test_a_read_only_copy_is_used_in_place(small_mnist_dir, tmp_path, monkeypatch, capsys, no_network):
    """A shared copy that cannot be written (COURSE_DATA_DIR) is still read; only the stamp is skipped."""
    root = small_mnist_dir[0]
    monkeypatch.setattr(data, "is_writable", lambda folder: Path(folder) != root)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert load_mnist("full").source == "full"
    assert capsys.readouterr().out == "MNIST (full MNIST): 600 train / 100 test images\n"


# ------------------------------------------------------------------ issue 19: the one-line fallback always


def test_full_profile_without_torchvision_still_reads_present_files(small_mnist_dir, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "torchvision", None)  # `import torchvision` now fails
    monkeypatch.setitem(sys.modules, "torchvision.datasets", None)
    monkeypatch.setenv("COURSE_PROFILE", "full")
    assert load_mnist().source == "full"
    shutil.rmtree(small_mnist_dir[0] / "MNIST")
    mnist = load_mnist()
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2].startswith("Full MNIST unavailable: torchvision does not import")
    assert lines[-2].endswith("using the offline sample instead.") and mnist.source == "sample"


def test_full_profile_with_no_writable_folder_falls_back_in_one_line(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_DATA_DIR", "/proc/1/no-such-data")  # not writable, even by root
    monkeypatch.setenv("XDG_CACHE_HOME", "/proc/1/no-such-cache")
    monkeypatch.setenv("COURSE_PROFILE", "full")
    mnist = load_mnist()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Full MNIST unavailable: neither /proc/1/no-such-data nor the cache folder")
    assert len(lines) == 2 and mnist.source == "sample"


# ------------------------------------------------------------------ issue 19: downloads


@pytest.fixture
def mirror(tmp_path_factory, monkeypatch):
    """A loopback HTTP server posing as the MNIST mirrors, serving gzip archives of small IDX files.

    ``mirror.mode`` picks its behaviour: "ok", "trickle" (one byte every 50 ms), "missing" (404 with a reason),
    "garbage" (the right names, the wrong bytes). ``mirror.requests`` counts what was asked.
    """
    import http.server
    import threading

    source = tmp_path_factory.mktemp("mirror-source")
    write_full_mnist(source, monkeypatch, n_train=600, n_test=100)
    archives = {}
    for name in data.FULL_MNIST_FILES:
        archives[name + ".gz"] = gzip.compress((source / "MNIST" / "raw" / name).read_bytes())

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            state.requests.append(self.path)
            name = self.path.rsplit("/", 1)[-1]
            mode = state.modes.get(self.path.split("/")[1], state.mode)
            if mode == "missing" or name not in archives:
                self.send_error(404, "File not found or corrupted")
                return
            body = archives[name] if mode != "garbage" else b"x" * len(archives[name])
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                if mode == "trickle":
                    for i in range(len(body)):
                        time.sleep(0.05)
                        self.wfile.write(body[i:i + 1])
                        self.wfile.flush()
                else:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the deadline): that is the point

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    class State:
        mode, modes, requests = "ok", {}, []
        base = f"http://127.0.0.1:{server.server_port}"
        mirrors = [f"{base}/first/"]

    state = State()
    resources = [(name, hashlib.md5(body).hexdigest()) for name, body in archives.items()]
    monkeypatch.setattr(data, "_mnist_sources", lambda: (list(state.mirrors), resources))
    yield state
    server.shutdown()
    server.server_close()


def test_fetch_downloads_verifies_and_moves_into_place_once(tmp_path, mirror, capsys):
    root = tmp_path / "data"
    assert data.fetch_full_mnist(root) == root
    assert data.full_mnist_status(root) is None
    assert sorted(p.name for p in (root / "MNIST" / "raw").iterdir()) == sorted([*data.FULL_MNIST_FILES,
                                                                                 data.STAMP_NAME])
    assert [p.name for p in root.iterdir()] == ["MNIST"]  # no archive, no staging folder left
    out = capsys.readouterr().out
    assert "train-images-idx3-ubyte.gz:" in out and "(100%)" in out  # progress, one line per file
    asked = len(mirror.requests)
    data.fetch_full_mnist(root)
    assert len(mirror.requests) == asked == 4  # the second call found correct files: nothing downloaded


def test_fetch_replaces_a_damaged_copy(small_mnist_dir, mirror, capsys):
    root = small_mnist_dir[0]
    flip_byte(root / "MNIST" / "raw" / "train-images-idx3-ubyte", 5000)
    from course_utils.__main__ import main

    assert main(["fetch-data"]) == 0
    assert data.full_mnist_status(root) is None and len(mirror.requests) == 4
    assert "verified (MD5 of each file)" in capsys.readouterr().out


def test_a_trickling_mirror_meets_the_deadline(tmp_path, mirror):
    mirror.mode = "trickle"
    start = time.monotonic()
    with pytest.raises(DataError, match=r"took longer than the 1 s allowed.*train-images-idx3-ubyte.gz: \d"):
        data.fetch_full_mnist(tmp_path, timeout=5, deadline=1.0, progress=False)
    assert time.monotonic() - start < 4
    assert list(tmp_path.iterdir()) == []


def test_a_bad_mirror_is_skipped_and_every_reason_kept_whole(tmp_path, mirror):
    mirror.mirrors = [f"{mirror.base}/garbage/", f"{mirror.base}/{'long-folder-name-' * 12}/", f"{mirror.base}/ok/"]
    mirror.modes = {"garbage": "garbage", "long-folder-name-" * 12: "missing"}
    data.fetch_full_mnist(tmp_path, progress=False)
    assert data.full_mnist_status(tmp_path) is None
    mirror.mirrors = mirror.mirrors[:2]
    shutil.rmtree(tmp_path / "MNIST")
    with pytest.raises(DataError) as failure:
        data.fetch_full_mnist(tmp_path, progress=False)
    message = str(failure.value)
    assert len(message) > 200 and message.endswith("HTTP Error 404: File not found or corrupted)")
    assert "garbage/train-images-idx3-ubyte.gz: MD5" in message


def test_an_interrupted_download_leaves_nothing_and_says_so(tmp_path, mirror, monkeypatch, capsys):
    def interrupted(url, dest, *args):
        dest.write_bytes(b"\x00" * 1000)  # a partial file
        raise KeyboardInterrupt

    monkeypatch.setattr(data, "_download", interrupted)
    with pytest.raises(KeyboardInterrupt):
        data.fetch_full_mnist(tmp_path)
    assert list(tmp_path.iterdir()) == []
    from course_utils.__main__ import main

    assert main(["fetch-data", "--root", str(tmp_path)]) == 130
    out = capsys.readouterr().out
    assert "Interrupted: nothing was left half-written" in out and "Traceback" not in out
    assert list(tmp_path.iterdir()) == []


def test_partial_folders_of_a_killed_download_are_removed(tmp_path, mirror):
    import subprocess

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    killed = tmp_path / ".MNIST-partial-killed"
    (killed / "MNIST" / "raw").mkdir(parents=True)
    (killed / "owner").write_text(dead.stdout)
    running = tmp_path / ".MNIST-partial-running"  # another download still running (this process)
    running.mkdir()
    (running / "owner").write_text(f"{os.getpid()}\n")
    data.fetch_full_mnist(tmp_path, progress=False)
    assert not killed.exists() and running.exists()


# ------------------------------------------------------------------ issue 19: the sample, and where data lives


@pytest.mark.parametrize("kind", ["folder", "fifo", "dev-zero"])
def test_a_sample_that_is_not_a_file_is_a_clear_error_not_a_hang(tmp_path, monkeypatch, kind):
    import signal

    path = tmp_path / data.SAMPLE_NAME
    {"folder": lambda: path.mkdir(), "fifo": lambda: os.mkfifo(path),
     "dev-zero": lambda: path.symlink_to("/dev/zero")}[kind]()
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))

    def hung(*args):
        raise TimeoutError(f"loading a sample that is a {kind} hangs")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(10)  # opening a FIFO or hashing /dev/zero would never return
    try:
        with pytest.raises(DataError, match=rf"{path} is not a regular file"):
            load_mnist()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def fake_checkout(tmp_path, monkeypatch):
    course = tmp_path / "course"
    (course / "data").mkdir(parents=True)
    (course / "data" / "README.md").write_text("the checkout's data folder")
    (course / "notebooks").mkdir()
    monkeypatch.setattr(data, "REPO_DATA_DIR", course / "data")
    return course


def test_a_relative_course_data_dir_means_one_folder_wherever_it_is_read(tmp_path, monkeypatch):
    course = fake_checkout(tmp_path, monkeypatch)
    monkeypatch.setenv("COURSE_DATA_DIR", "my-data")
    seen = set()
    for cwd in (course, course / "notebooks", tmp_path):  # fetch-data from the root, a kernel in notebooks/
        monkeypatch.chdir(cwd)
        seen.add(data.data_dir())
    assert seen == {course / "my-data"}


def test_a_relative_course_data_dir_outside_a_checkout_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "REPO_DATA_DIR", tmp_path / "site-packages" / "data")  # an installed wheel
    monkeypatch.setenv("COURSE_DATA_DIR", "my-data")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataError, match="COURSE_DATA_DIR=my-data is a relative path.*set it to an absolute path"):
        data.data_dir()
    assert not (tmp_path / "my-data").exists()


# ------------------------------------------------------------------ issue 19: MnistData refuses silent mistakes


def test_normalising_twice_is_refused(capsys):
    mnist = load_mnist(verbose=False)
    once = mnist.normalized()
    with pytest.raises(ValueError, match="already normalised"):
        once.normalized()
    with pytest.raises(ValueError, match="already normalised"):
        once.to("cpu").normalized()  # moving keeps the mark
    assert repr(once) == repr(mnist) == ("MnistData(source='sample', train=(4000, 1, 28, 28), "
                                         "test=(1000, 1, 28, 28), mean=0.1315, std=0.3088)")


@pytest.mark.parametrize("not_a_device", [torch.uint8, torch.float16, "uint8", 1.5])
def test_to_takes_a_device_never_a_dtype(not_a_device):
    mnist = load_mnist(verbose=False)
    with pytest.raises(TypeError, match=r"MnistData.to\(\) (moves the data to|needs) a device"):
        mnist.to(not_a_device)
    moved = mnist.to(torch.device("cpu"))
    assert moved.x_train.dtype == torch.float32 and moved.y_train.dtype == torch.int64
