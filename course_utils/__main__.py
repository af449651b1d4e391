"""Command line for learners and instructors: ``python -m course_utils COMMAND``.

    doctor              check this machine for the course: versions, device, data; exit 1 with the fix if not ready
    fetch-data          download and verify full MNIST ahead of time (atomic; does nothing if already there)
    student-versions    write the notebooks with solutions stubbed and outputs cleared, to hand out
"""

import argparse
import importlib
import platform
import sys
from pathlib import Path


def doctor() -> int:
    """Print what the course needs and whether this machine has it; return 0 when ready, 1 otherwise.

    It never stops at the first problem: a missing torch, a bad COURSE_DEVICE or COURSE_PROFILE, a damaged data
    file or a folder that cannot be written are each listed with their fix.
    """
    from course_utils import data
    from course_utils.profile import get_profile

    problems = []
    print(f"Python       {platform.python_version()}")
    if sys.version_info < (3, 11):
        problems.append("Python 3.11 or newer is needed: install it, then recreate the environment (`make clean lab`).")
    torch = _version_line("torch", problems, "torch is not installed or does not import: install it "
                          "(`pip install torch torchvision`, or `make clean lab` in the course folder).")
    _version_line("torchvision", problems, "torchvision does not import: install the torchvision release that "
                  "matches torch (e.g. `pip install --force-reinstall torch torchvision` together).")
    _version_line("numpy", problems, "numpy does not import: install it (`pip install numpy`).")

    if torch is not None:
        from course_utils.device import DeviceError, describe_device, get_device

        try:
            print(f"device       {describe_device(get_device(verbose=False))}")
        except DeviceError as exc:
            print(f"device       PROBLEM: {exc}")
            problems.append(str(exc))
    try:
        profile = get_profile()
        print(f"profile      {profile}")
    except ValueError as exc:
        profile = None
        print(f"profile      PROBLEM: {exc}")
        problems.append(str(exc))

    try:
        path = data.verify_sample()
        print(f"MNIST sample verified (sha256 ok): {path}")
    except data.DataError as exc:
        print(f"MNIST sample PROBLEM: {exc}")
        problems.append(str(exc))

    try:
        root, status = data.find_full_mnist()
        raw = root / "MNIST" / "raw"
        if status is None:
            print(f"full MNIST   present and verified (MD5 of each file) in {raw}")
        elif data.full_mnist_status(root, verify=False) is None:  # all there, but damaged
            print(f"full MNIST   PROBLEM: {status}")
            fix = f"full MNIST is damaged ({status}): {data.FETCH_HINT}."
            if profile == "full":
                problems.append(fix)
            else:
                print(f"             (only needed for COURSE_PROFILE=full; to fix: {data.FETCH_HINT})")
        else:
            print(f"full MNIST   not present ({status}); only needed for COURSE_PROFILE=full")
            if profile == "full":
                problems.append("COURSE_PROFILE=full needs full MNIST: run `python -m course_utils fetch-data` "
                                "while online, or use COURSE_PROFILE=quick (the offline sample).")

        wanted = data.wanted_data_dir()
        try:
            folder = data.data_dir()
            note = "" if folder == wanted else f" (fallback: {wanted} is not writable)"
            print(f"data folder  {folder} is writable{note}")
        except data.DataError as exc:
            print(f"data folder  PROBLEM: {exc}")
            problems.append(f"{exc} (only downloads need it: the offline sample is read in place).")
    except data.DataError as exc:  # COURSE_DATA_DIR itself is wrong (a relative path outside a checkout)
        print(f"data folder  PROBLEM: {exc}")
        problems.append(str(exc))

    if problems:
        print("\nNot ready. To fix:")
        for problem in problems:
            print(f"- {problem}")
        return 1
    print("\nReady for the course.")
    return 0


def _version_line(name: str, problems: list, fix: str):
    """Import ``name`` and print its version line; on failure print why, add ``fix`` and return None."""
    try:
        module = importlib.import_module(name)
    except Exception as exc:  # missing, or a torch/torchvision mismatch that fails at import with an operator error
        first = (str(exc).splitlines() or [""])[0]
        print(f"{name:<12} {'NOT INSTALLED' if isinstance(exc, ModuleNotFoundError) else 'BROKEN'} "
              f"({type(exc).__name__}: {first})")
        problems.append(fix)
        return None
    print(f"{name:<12} {module.__version__}")
    return module


def fetch_data(root: Path | None) -> int:
    from course_utils import data

    try:
        if root is not None:
            folder = root.expanduser().absolute()
        else:
            folder = data.data_dir(verbose=True)
        if folder.exists() and not folder.is_dir():
            print(f"Failed: {folder} is a file, not a folder: choose a folder for the data (--root).")
            return 1
        if not data.is_writable(folder):
            print(f"Failed: {folder} cannot be written: choose a folder you can write to (--root or "
                  "COURSE_DATA_DIR).")
            return 1
        if data.full_mnist_status(folder) is None:
            print(f"Full MNIST is already present and verified in {folder / 'MNIST' / 'raw'}; nothing to do.")
            return 0
        print(f"Downloading full MNIST into {folder / 'MNIST' / 'raw'} ...", flush=True)
        data.fetch_full_mnist(folder)
    except data.DataError as exc:
        print(f"Failed: {exc}. Nothing was left half-written; run this again when online.")
        return 1
    except KeyboardInterrupt:
        print("\nInterrupted: nothing was left half-written; run this again to download full MNIST.")
        return 130
    print("Done: 60,000 train and 10,000 test images, verified (MD5 of each file).")
    try:
        looked_in = data.find_full_mnist()[0]
    except data.DataError:
        looked_in = None
    if looked_in is not None and looked_in.resolve() != folder.resolve():
        print(f"The notebooks look in {looked_in}: set COURSE_DATA_DIR={folder} for them to find this copy.")
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
