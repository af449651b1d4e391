"""Command line for learners and instructors: ``python -m course_utils COMMAND``.

    doctor              check this machine for the course: versions, device, data; exit 1 with the fix if not ready
    fetch-data          download and verify full MNIST ahead of time (atomic; does nothing if already there)
    student-versions    write the notebooks with solutions stubbed and outputs cleared, to hand out
"""

import argparse
import platform
import sys
from pathlib import Path


def doctor() -> int:
    """Print what the course needs and whether this machine has it; return 0 when ready, 1 otherwise."""
    import numpy
    import torch

    from course_utils import data
    from course_utils.device import describe_device, get_device
    from course_utils.profile import get_profile

    problems = []
    print(f"Python       {platform.python_version()}")
    if sys.version_info < (3, 11):
        problems.append("Python 3.11 or newer is needed: install it, then recreate the environment (`make clean lab`).")
    print(f"torch        {torch.__version__}")
    try:
        import torchvision

        print(f"torchvision  {torchvision.__version__}")
    except Exception as exc:  # a torch/torchvision mismatch fails at import with an operator error
        print(f"torchvision  BROKEN ({type(exc).__name__}: {str(exc).splitlines()[0]})")
        problems.append("torchvision does not import: install the torchvision release that matches torch "
                        "(e.g. `pip install --force-reinstall torch torchvision` together).")
    print(f"numpy        {numpy.__version__}")
    print(f"device       {describe_device(get_device(verbose=False))}")
    print(f"profile      {get_profile()}")

    try:
        path = data.verify_sample()
        print(f"MNIST sample verified (sha256 ok): {path}")
    except data.DataError as exc:
        print(f"MNIST sample PROBLEM: {exc}")
        problems.append(str(exc))

    folder = data.data_dir()
    status = data.full_mnist_status(folder)
    if status is None:
        print(f"full MNIST   present and complete in {folder / 'MNIST' / 'raw'}")
    else:
        print(f"full MNIST   not present ({status}); only needed for COURSE_PROFILE=full")
        if get_profile() == "full":
            problems.append("COURSE_PROFILE=full needs full MNIST: run `python -m course_utils fetch-data` while "
                            "online, or use COURSE_PROFILE=quick (the offline sample).")
    wanted = data.REPO_DATA_DIR if (data.REPO_DATA_DIR / "README.md").exists() else data.cache_dir()
    if data.is_writable(folder):
        note = "" if folder == wanted else f" (fallback: {wanted} is not writable)"
        print(f"data folder  {folder} is writable{note}")
    else:
        print(f"data folder  {folder} is NOT writable")
        problems.append(f"make {folder} writable, or set COURSE_DATA_DIR to a folder you can write to.")

    if problems:
        print("\nNot ready. To fix:")
        for problem in problems:
            print(f"- {problem}")
        return 1
    print("\nReady for the course.")
    return 0


def fetch_data(root: Path | None) -> int:
    from course_utils import data

    folder = root or data.data_dir(verbose=True)
    if data.full_mnist_status(folder) is None:
        print(f"Full MNIST is already present and complete in {folder / 'MNIST' / 'raw'}; nothing to do.")
        return 0
    print(f"Downloading full MNIST into {folder / 'MNIST' / 'raw'} ...", flush=True)
    try:
        data.fetch_full_mnist(folder)
    except data.DataError as exc:
        print(f"Failed: {exc}. Nothing was left half-written; run this again when online.")
        return 1
    print("Done: 60,000 train and 10,000 test images, verified.")
    return 0


def student_versions(out_dir: Path, src_dir: Path, force: bool) -> int:
    from course_utils.student import StudentVersionError, write_student_versions

    try:
        written = write_student_versions(src_dir, out_dir, force=force)
    except (FileExistsError, FileNotFoundError, StudentVersionError) as exc:
        print(f"Error: {exc}")
        return 1
    except OSError as exc:  # anything the checks before writing could not foresee; nothing was written
        print(f"Error: could not write the student versions ({exc}); nothing was written")
        return 1
    for path, count in written:
        print(f"{path}  ({count} exercise{'s' if count != 1 else ''} stubbed)")
    print(f"Wrote {len(written)} student notebooks to {out_dir}. Hand out that folder together with the course package.")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("doctor", help="check this machine for the course")
    fetch = commands.add_parser("fetch-data", help="download and verify full MNIST")
    fetch.add_argument("--root", type=Path, default=None, help="data folder (default: the course's data folder)")
    student = commands.add_parser("student-versions", help="write student notebooks (solutions stubbed)")
    student.add_argument("out_dir", type=Path, help="folder to write them to, e.g. student/")
    student.add_argument("--notebooks", type=Path, default=Path("notebooks"), help="source folder (default notebooks/)")
    student.add_argument("--force", action="store_true", help="replace student notebooks already in out_dir")
    args = parser.parse_args(argv)
    if args.command == "doctor":
        return doctor()
    if args.command == "fetch-data":
        return fetch_data(args.root)
    return student_versions(args.out_dir, args.notebooks, args.force)


if __name__ == "__main__":
    sys.exit(main())
