"""A notebook opened alone, as in Colab: course_utils from a wheel, no repository around it, no network.

The environment is fresh for the course package (installed from a wheel built from this repository) and
borrows the heavy third-party packages (torch, jupyter) from the test's own environment through a path file,
so the test does not download gigabytes. It proves that the package alone carries what a notebook needs,
the offline MNIST sample included.
"""

import json
import os
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "05_softmax_cross_entropy.ipynb"  # short, and it loads MNIST

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory):
    base = tmp_path_factory.mktemp("standalone")
    dist = base / "dist"
    build = subprocess.run(  # hatchling comes with the dev extra, so no download is needed
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(ROOT)],
        capture_output=True, text=True,
    )
    assert build.returncode == 0, build.stderr
    [wheel] = dist.glob("course_utils-*.whl")

    env_dir = base / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    own_site = Path(subprocess.check_output(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip())
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--target", str(own_site), str(wheel)], check=True)
    # Third-party packages from this environment; its .pth files (the editable course install) are NOT read.
    # (Every site-packages folder on this interpreter's path, so a venv that itself borrows, as a worktree's does,
    # lends what it borrowed.)
    borrowed = dict.fromkeys([*site.getsitepackages(), *(p for p in sys.path if p.endswith("-packages"))])
    (own_site / "zz_borrowed.pth").write_text("\n".join(borrowed) + "\n")
    return python, wheel


def test_wheel_carries_the_sample_and_not_the_source_tree(wheel_env, tmp_path):
    python, wheel = wheel_env
    out = subprocess.check_output(
        [python, "-c", "import course_utils, course_utils.data as d; print(course_utils.__file__); "
                       "print(d.sample_path()); print(d.REPO_DATA_DIR.exists())"],
        cwd=tmp_path, text=True, env={**os.environ, "COURSE_PROFILE": "quick"},
    ).splitlines()
    assert not out[0].startswith(str(ROOT)) and "site-packages" in out[0]
    assert out[1].endswith("course_utils/_data/mnist_sample.npz")
    assert out[2] == "False"


def test_one_notebook_alone_in_an_empty_folder_runs_offline(wheel_env, tmp_path):
    python, _ = wheel_env
    shutil.copy(ROOT / "notebooks" / NOTEBOOK, tmp_path / NOTEBOOK)
    assert sorted(p.name for p in tmp_path.iterdir()) == [NOTEBOOK]
    env = {**os.environ, "COURSE_PROFILE": "quick", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "no_proxy": ""}
    env.pop("COURSE_DATA_DIR", None)
    result = subprocess.run(
        [python, "-m", "nbconvert", "--to", "notebook", "--execute", "--output", "executed.ipynb",
         "--ExecutePreprocessor.kernel_name=python3", NOTEBOOK],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    nb = json.loads((tmp_path / "executed.ipynb").read_text())
    printed = "".join("".join(o["text"]) for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]
                      if o.get("output_type") == "stream")  # stored text is a string or a list of lines
    assert "MNIST (offline sample): 4,000 train / 1,000 test images" in printed
    assert str(ROOT) not in printed
