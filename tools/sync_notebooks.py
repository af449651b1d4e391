"""Keep every notebook's Colab badges and setup cell, and the exercise versions, in step with the one source.

    python tools/sync_notebooks.py           # rewrite badges and setup cells where they disagree (outputs are
                                             # kept), then regenerate exercises/ from notebooks/
    python tools/sync_notebooks.py --check   # only report; exit status 1 if anything disagrees or is stale

The repository URL and the ref to install from are ``[project.urls] Repository`` and ``Colab-Ref`` in
pyproject.toml. The badges are one line in the first markdown cell, right under the title: two "Open in Colab"
badges, the first for the exercise version (``exercises/NAME``: solutions stubbed, outputs cleared), the second
for the solved notebook (``notebooks/NAME``). The setup cell is the first code cell, which starts with ``# Setup``.

``exercises/`` holds what ``course_utils.student.student_notebook`` makes from each notebook in ``notebooks/``
(solutions stubbed, outputs cleared; see ``exercise_version``); the header and the setup cell are copied unchanged, so an exercise version opened alone on Colab installs the course
helpers exactly as the solved notebook does. Never edit ``exercises/`` by hand: change the notebook, then run
this tool (``make sync-notebooks``).
"""

import argparse
import json
import sys
import tomllib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = ROOT / "notebooks"
EXERCISES_DIR = ROOT / "exercises"
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
BADGE_PREFIX = "[!["  # a badge line starts with a linked image ...
BADGE_MARK = f"]({BADGE_IMAGE})]("  # ... whose image is Colab's badge

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


def colab_url(folder: str, notebook_name: str) -> str:
    """Where Colab opens ``folder/notebook_name`` of this repository at the ref Colab installs from."""
    repo, ref = project_urls()
    slug = repo.removeprefix("https://github.com/")
    return f"https://colab.research.google.com/github/{slug}/blob/{ref}/{folder}/{notebook_name}"


def expected_badge(notebook_name: str) -> str:
    """The header's badge line: the exercise version first, then the solved notebook."""
    return (f"[![Open the exercises in Colab]({BADGE_IMAGE})]({colab_url('exercises', notebook_name)}) "
            f"**exercises** · "
            f"[![Open the solutions in Colab]({BADGE_IMAGE})]({colab_url('notebooks', notebook_name)}) "
            f"**solutions**")


def is_badge_line(line: str) -> bool:
    return line.startswith(BADGE_PREFIX) and BADGE_MARK in line


def expected_setup() -> str:
    repo, ref = project_urls()
    return SETUP_TEMPLATE.format(requirement=f"course-utils @ git+{repo}@{ref}")


def problems(nb, name: str) -> list[str]:
    """What in ``nb`` disagrees with pyproject.toml (empty when all is well)."""
    found = []
    markdown = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    badge_lines = [l for l in (markdown.source.splitlines() if markdown else []) if is_badge_line(l)]
    if badge_lines != [expected_badge(name)]:
        found.append(f"{name}: Colab badge line is {badge_lines[:1] or 'missing'}, expected {expected_badge(name)}")
    code = next((c for c in nb.cells if c.cell_type == "code"), None)
    if code is None or code.source != expected_setup():
        found.append(f"{name}: the first code cell is not the standard setup cell")
    return found


def sync(nb, name: str) -> None:
    markdown = next(c for c in nb.cells if c.cell_type == "markdown")
    lines = [l for l in markdown.source.splitlines() if not is_badge_line(l)]
    title_at = next((i + 1 for i, l in enumerate(lines) if l.startswith("# ")), 0)
    lines.insert(title_at, expected_badge(name))
    markdown.source = "\n".join(lines)
    code = next(c for c in nb.cells if c.cell_type == "code")
    if not code.source.startswith("# Setup"):
        raise SystemExit(f"{name}: the first code cell must be the setup cell (starting with '# Setup')")
    code.source = expected_setup()


def exercise_version(notebook: dict, name: str) -> str:
    """The exercise version of one notebook (nbformat JSON as a dict), as the text of its file.

    ``course_utils.student.student_notebook`` stubs the solutions and clears the outputs; here the cells also
    lose nbclient's ``execution`` timings, which describe the solved notebook's last run, so that re-executing
    a notebook (``make execute``) leaves its exercise version unchanged. Written as nbformat writes notebooks.
    """
    from course_utils.student import student_notebook  # imported here: the badges do not need it

    exercise, _ = student_notebook(notebook, name=name)
    for cell in exercise.get("cells", []):
        cell.get("metadata", {}).pop("execution", None)
    text = nbformat.writes(nbformat.from_dict(exercise))
    return text if text.endswith("\n") else text + "\n"


def expected_exercises(notebooks_dir: Path = NOTEBOOKS_DIR) -> dict[str, bytes]:
    """The exercise versions of every notebook in ``notebooks_dir``, made in memory: {file name: bytes}."""
    paths = sorted(Path(notebooks_dir).glob("*.ipynb"))
    if not paths:
        raise FileNotFoundError(f"no notebooks (*.ipynb) found in {notebooks_dir}")
    return {p.name: exercise_version(json.loads(p.read_text(encoding="utf-8")), p.name).encode("utf-8")
            for p in paths}


def exercise_problems(notebooks_dir: Path = NOTEBOOKS_DIR, exercises_dir: Path = EXERCISES_DIR) -> list[str]:
    """Exercise versions that are missing, stale (not what the notebook makes now) or left over (no notebook)."""
    expected = expected_exercises(notebooks_dir)
    present = {p.name: p.read_bytes() for p in sorted(Path(exercises_dir).glob("*.ipynb"))}
    found = [f"exercises/{n}: missing" for n in expected if n not in present]
    found += [f"exercises/{n}: out of date with notebooks/{n}" for n in expected if n in present
              and present[n] != expected[n]]
    found += [f"exercises/{n}: no notebooks/{n} makes it (left over)" for n in present if n not in expected]
    if found:
        found.append("Regenerate them with `make sync-notebooks` (python tools/sync_notebooks.py) and commit.")
    return found


def write_exercises(notebooks_dir: Path = NOTEBOOKS_DIR, exercises_dir: Path = EXERCISES_DIR) -> list[str]:
    """Rewrite ``exercises_dir`` from ``notebooks_dir``; remove exercise versions that no notebook makes."""
    expected = expected_exercises(notebooks_dir)  # all converted first: a marker error writes nothing
    exercises_dir = Path(exercises_dir)
    exercises_dir.mkdir(exist_ok=True)
    changed = []
    for name, content in expected.items():
        target = exercises_dir / name
        if not target.exists() or target.read_bytes() != content:
            target.write_bytes(content)
            changed.append(f"exercises/{name}: regenerated")
    for path in sorted(exercises_dir.glob("*.ipynb")):
        if path.name not in expected:
            path.unlink()
            changed.append(f"exercises/{path.name}: removed (no notebook makes it)")
    return changed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="report only; exit 1 on any disagreement")
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="check or rewrite only these notebooks' badges (exercises/ is always all of them)")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
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
            print(f"{path.name}: badges and setup cell rewritten")
    if args.check:
        found = exercise_problems()
        if found:
            print("\n".join(found))
            failed = True
    else:
        print("\n".join(write_exercises()) or "exercises/: already up to date")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
