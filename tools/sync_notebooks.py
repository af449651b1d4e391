"""Rewrite every notebook's Colab badge and setup cell from the one definition in pyproject.toml.

    python tools/sync_notebooks.py           # rewrite where they disagree (outputs are kept)
    python tools/sync_notebooks.py --check   # only report; exit status 1 if any notebook disagrees

The repository URL and the ref to install from are ``[project.urls] Repository`` and ``Colab-Ref``.
The badge is the line in the first markdown cell that starts with ``[![Open In Colab]``; the setup cell is the
first code cell, which starts with ``# Setup``.
"""

import argparse
import re
import sys
import tomllib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
BADGE_PREFIX = "[![Open In Colab]"

SETUP_TEMPLATE = '''\
# Setup (the same in every notebook). On Colab it first installs the course helpers from the repository;
# torch, torchvision and numpy stay exactly as Colab has them. Anywhere else it only imports.
import sys

if "google.colab" in sys.modules:
    import subprocess

    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "{requirement}"],
        check=True,  # a failed install stops here, with pip's reason above
    )
    import importlib.util

    if importlib.util.find_spec("course_utils") is None:
        raise RuntimeError("course_utils did not install: see pip's output above, then re-run this cell.")

import matplotlib.pyplot as plt
import numpy as np
import torch

from course_utils import get_device, get_profile, seed_everything, use_course_style

use_course_style()  # colour-blind-safe colours, readable sizes, white background
device = get_device()
seed_everything(0)
print(f"Profile: {{get_profile()}}")'''


def project_urls() -> tuple[str, str]:
    """(repository URL, ref) from pyproject.toml."""
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    return urls["Repository"].rstrip("/"), urls["Colab-Ref"]


def expected_badge(notebook_name: str) -> str:
    repo, ref = project_urls()
    slug = repo.removeprefix("https://github.com/")
    return (f"{BADGE_PREFIX}(https://colab.research.google.com/assets/colab-badge.svg)]"
            f"(https://colab.research.google.com/github/{slug}/blob/{ref}/notebooks/{notebook_name})")


def expected_setup() -> str:
    repo, ref = project_urls()
    return SETUP_TEMPLATE.format(requirement=f"course-utils @ git+{repo}@{ref}")


def problems(nb, name: str) -> list[str]:
    """What in ``nb`` disagrees with pyproject.toml (empty when all is well)."""
    found = []
    markdown = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    badge_lines = [l for l in (markdown.source.splitlines() if markdown else []) if l.startswith(BADGE_PREFIX)]
    if badge_lines != [expected_badge(name)]:
        found.append(f"{name}: Colab badge is {badge_lines[:1] or 'missing'}, expected {expected_badge(name)}")
    code = next((c for c in nb.cells if c.cell_type == "code"), None)
    if code is None or code.source != expected_setup():
        found.append(f"{name}: the first code cell is not the standard setup cell")
    return found


def sync(nb, name: str) -> None:
    markdown = next(c for c in nb.cells if c.cell_type == "markdown")
    lines = [l for l in markdown.source.splitlines() if not l.startswith(BADGE_PREFIX)]
    title_at = next((i + 1 for i, l in enumerate(lines) if l.startswith("# ")), 0)
    lines.insert(title_at, expected_badge(name))
    markdown.source = "\n".join(lines)
    code = next(c for c in nb.cells if c.cell_type == "code")
    if not code.source.startswith("# Setup"):
        raise SystemExit(f"{name}: the first code cell must be the setup cell (starting with '# Setup')")
    code.source = expected_setup()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="report only; exit 1 on any disagreement")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    failed = False
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        found = problems(nb, path.name)
        if not found:
            continue
        if args.check:
            print("\n".join(found))
            failed = True
        else:
            sync(nb, path.name)
            nbformat.write(nb, path)
            print(f"{path.name}: badge and setup cell rewritten")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
