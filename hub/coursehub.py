"""The parts of the workshop hub that are code, not settings: read by ``hub/jupyterhub_config.py``.

- ``Room``: the room's settings (the config file's ``ROOM = Room(...)``), each one overridable for a single run by
  an environment variable ``COURSE_HUB_<NAME>`` (``make hub HUB_PORT=8080`` and the tests use that).
- ``LearnerAuthenticator``: JupyterHub's shared-password authenticator (a name and the workshop's access code),
  with names made safe for a system account ("Grace Hopper" -> ``grace-hopper``).
- ``LearnerSpawner``: JupyterHub's local-process spawner, where each learner's server runs as the learner's own
  system user ``<prefix><name>``, created on first login with a private home that holds a fresh copy of the
  exercise versions and the data sample. A home that exists is never overwritten: learners lose nothing.
- ``preflight``: checks, before the hub starts, what would otherwise fail at a learner's first login.

Runs in the hub's environment (``hub/.venv``): only the standard library and JupyterHub. The course environment
(torch, course_utils) is reached as a subprocess, as the learners reach it.
"""

import asyncio
import grp
import os
import pwd
import re
import secrets
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, fields
from pathlib import Path

from jupyterhub.authenticators.shared import SharedPasswordAuthenticator
from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Any, Unicode

# The system accounts the hub creates carry this comment; the hub refuses to run a server as an account without it.
ACCOUNT_COMMENT = "dl-course workshop learner"
SETUP_MARKER = ".dl-course-home"  # written in a home once its exercises and data are in place
SAMPLE_NAME = "mnist_sample.npz"
FULL_MNIST_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                    "t10k-labels-idx1-ubyte")
NAME_PATTERN = r"[a-z][a-z0-9_-]{0,19}"  # after normalising; with the prefix it stays within Linux's 32 characters


# --------------------------------------------------------------------------------------------- the room's settings


@dataclass
class Room:
    """The room's settings. Each field can be overridden for one run by ``COURSE_HUB_<FIELD NAME IN CAPITALS>``."""

    port: int = 8000
    ip: str = ""
    admin: str = "instructor"
    profile: str = "quick"
    data_dir: Path = Path("data")
    exercises: Path = Path("exercises")
    notebooks: Path = Path("notebooks")
    course_env: Path = Path(".venv")
    homes: Path = Path("/home")
    user_prefix: str = "learner-"
    idle_timeout: int = 3600
    kernel_idle_timeout: int = 1800
    threads_per_learner: int = 1
    max_learners: int = 40
    state_dir: Path = Path("hub/state")

    def __post_init__(self):
        for f in fields(self):
            value = os.environ.get(f"COURSE_HUB_{f.name.upper()}")
            if value is not None:
                setattr(self, f.name, value)
        for f in fields(self):  # coerce both the file's values and the environment's strings
            if f.type is int:
                setattr(self, f.name, int(getattr(self, f.name)))
            elif f.type is Path:
                setattr(self, f.name, Path(getattr(self, f.name)).expanduser().absolute())
        if self.profile not in ("quick", "full"):
            raise ValueError(f"profile must be 'quick' or 'full', got {self.profile!r}")
        if not re.fullmatch(r"[a-z][a-z0-9_-]{0,11}", self.user_prefix):
            raise ValueError(f"user_prefix must be 1-12 lowercase letters, digits, '-' or '_', got {self.user_prefix!r}")
        if not re.fullmatch(NAME_PATTERN, self.admin):
            raise ValueError(f"admin must match {NAME_PATTERN}, got {self.admin!r}")

    @property
    def python(self) -> Path:
        return self.course_env / "bin" / "python"

    def system_name(self, hub_name: str) -> str:
        return self.user_prefix + hub_name

    def home(self, hub_name: str) -> Path:
        return self.homes / self.system_name(hub_name)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (for the hub's and the proxy's internal APIs)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_or_make_code(path: Path, nbytes: int, override: str | None = None) -> str:
    """The access code stored in ``path`` (mode 600), made on first use; ``override`` replaces it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if override:
        code = override
    elif path.exists():
        return path.read_text().strip()
    elif nbytes <= 8:  # the learners' code: short, lowercase, no 0/o/1/l, easy to write on a board
        alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
        code = "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))
    else:
        code = secrets.token_urlsafe(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(code + "\n")
    return code


# --------------------------------------------------------------------------------------------- who logs in


def normalize_name(name: str) -> str:
    """A login name made safe for a system account: lowercase ASCII, spaces to '-'. "José Ruiz" -> "jose-ruiz"."""
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    name = re.sub(r"\s+", "-", name.strip().lower())
    return name


class LearnerAuthenticator(SharedPasswordAuthenticator):
    """A name and the workshop's access code (JupyterHub's shared-password authenticator).

    The instructor (``admin_users``) logs in with the separate, longer admin code. Names are normalised and must
    match ``NAME_PATTERN`` (a letter first, at most 20 characters); anything else is refused at the login page.
    """

    def normalize_username(self, username):
        return super().normalize_username(normalize_name(username))


# --------------------------------------------------------------------------------------------- each learner's server


def ensure_learner(room: Room, hub_name: str, exercises: Path) -> pwd.struct_passwd:
    """The learner's system account, created on first login with a private home holding the course material.

    A home that is already set up is left exactly as it is. Raises ``PermissionError`` for an account of that
    name that the hub did not create (it never runs a server as someone else's account).
    """
    name = room.system_name(hub_name)
    home = room.home(hub_name)
    try:
        account = pwd.getpwnam(name)
    except KeyError:
        room.homes.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["useradd", "--create-home", "--home-dir", str(home), "--user-group", "--shell", "/bin/bash",
             "--comment", ACCOUNT_COMMENT, "-K", "HOME_MODE=0700", name],
            check=True, capture_output=True, text=True,
        )
        account = pwd.getpwnam(name)
    if account.pw_gecos.split(",")[0] != ACCOUNT_COMMENT:
        raise PermissionError(f"system user {name!r} exists but was not created by the workshop hub; "
                              "refusing to start a server as it (choose another user_prefix)")
    home = Path(account.pw_dir)
    os.chmod(home, 0o700)  # whatever useradd's defaults: no learner can list or read another's home
    if not (home / SETUP_MARKER).exists():
        copy_course_material(room, home, exercises, account.pw_uid, account.pw_gid)
    link_full_mnist(room, home, account.pw_uid, account.pw_gid)
    return account


def copy_course_material(room: Room, home: Path, exercises: Path, uid: int, gid: int) -> None:
    """Copy the exercise versions to ``home/exercises`` and the data sample to ``home/data``; never overwrite.

    Only the notebooks: ``exercises/README.md`` is for maintainers ("generated, do not edit"), not for learners."""
    copies = [(p, home / "exercises" / p.relative_to(exercises)) for p in sorted(exercises.rglob("*.ipynb"))
              if p.is_file() and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts]
    copies.append((room.data_dir / SAMPLE_NAME, home / "data" / SAMPLE_NAME))
    for source, target in copies:
        for folder in reversed(target.relative_to(home).parents[:-1]):
            if not (home / folder).exists():
                (home / folder).mkdir(mode=0o755)
                os.chown(home / folder, uid, gid)
        if not target.exists():  # a file the learner already has (or changed) stays theirs
            shutil.copyfile(source, target)
            os.chown(target, uid, gid)
            os.chmod(target, 0o644)
    marker = home / SETUP_MARKER
    marker.write_text("Course material copied here on first login; delete this file to get missing files back.\n")
    os.chown(marker, uid, gid)


def full_mnist_complete(data_dir: Path) -> bool:
    raw = data_dir / "MNIST" / "raw"
    return all((raw / name).is_file() for name in FULL_MNIST_FILES)


def link_full_mnist(room: Room, home: Path, uid: int, gid: int) -> None:
    """Point ``home/data/MNIST`` at the room's one copy of full MNIST, when the instructor has fetched it."""
    link = home / "data" / "MNIST"
    if full_mnist_complete(room.data_dir) and not link.exists() and not link.is_symlink() and link.parent.is_dir():
        link.symlink_to(room.data_dir / "MNIST", target_is_directory=True)
        os.lchown(link, uid, gid)


class LearnerSpawner(LocalProcessSpawner):
    """A learner's JupyterLab, run by the course environment's Python as the learner's own system user."""

    room = Any(config=True, help="the Room (hub/jupyterhub_config.py's ROOM)")
    exercises_dir = Unicode(config=True, help="the exercise versions copied into each new home")

    @property
    def system_name(self) -> str:
        return self.room.system_name(self.user.name)

    def make_preexec_fn(self, name):
        become = set_user_setuid(self.system_name)

        def preexec():
            become()
            os.umask(0o077)  # what a learner writes (in /tmp too) is theirs alone

        return preexec

    def user_env(self, env):
        account = pwd.getpwnam(self.system_name)
        env.update(USER=account.pw_name, LOGNAME=account.pw_name, HOME=account.pw_dir, SHELL=account.pw_shell)
        env["COURSE_DATA_DIR"] = str(Path(account.pw_dir) / "data")
        return env

    def get_env(self):
        env = super().get_env()
        threads = str(self.room.threads_per_learner)
        env.update(COURSE_PROFILE=self.room.profile, OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads,
                   OPENBLAS_NUM_THREADS=threads)
        return env

    async def start(self):
        account = await asyncio.to_thread(ensure_learner, self.room, self.user.name, Path(self.exercises_dir))
        self.log.info("Learner %s runs as system user %s (uid %d), home %s",
                      self.user.name, account.pw_name, account.pw_uid, account.pw_dir)
        return await super().start()


# --------------------------------------------------------------------------------------------- before the hub starts


def blocked_for_others(path: Path) -> Path | None:
    """The first folder on the way to ``path`` that other users cannot enter (or the file they cannot read)."""
    path = Path(os.path.realpath(path))
    for folder in [*reversed(path.parents), path]:
        mode = folder.stat().st_mode
        if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
            return folder
    if path.is_file() and not path.stat().st_mode & stat.S_IROTH:
        return path
    return None


def run_course_python(room: Room, code: str, *args: str, as_user: str | None = None, timeout: float = 120):
    """Run ``code`` in the course environment (as ``as_user`` when given); return the CompletedProcess."""
    command = [str(room.python), "-c", code, *args]
    if as_user:
        command = [shutil.which("runuser") or "runuser", "-u", as_user, "--", *command]
    with tempfile.TemporaryDirectory(prefix="course-hub-") as home:  # caches (matplotlib's) go here, then away
        os.chmod(home, 0o777)
        env = {"PATH": "/usr/bin:/bin", "HOME": home, "LANG": os.environ.get("LANG", "C.UTF-8")}
        for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # kept as the machine sets them
            if name in os.environ:
                env[name] = os.environ[name]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, cwd="/")


# What a learner's account must be able to run: the single-user server and JupyterLab, and find the course's
# packages (found, not imported: importing torch takes seconds and proves nothing more about permissions).
LEARNER_PROBE = ("import importlib.util as u, jupyterhub.singleuser, jupyterlab; "
                 "gone = [m for m in ('course_utils', 'torch', 'ipykernel') if u.find_spec(m) is None]; "
                 "print('missing: ' + ', '.join(gone) if gone else 'ok')")


def preflight(room: Room) -> list[str]:
    """What would stop learners from working, each with its fix; empty when the room is ready."""
    problems = []
    if os.geteuid() != 0:
        problems.append("the hub must run as root to create learners' accounts and start their servers: "
                        "`sudo make hub`")
    if shutil.which("useradd") is None or shutil.which("runuser") is None:
        problems.append("`useradd` and `runuser` are needed (Debian/Ubuntu: apt-get install passwd util-linux)")
    if not room.python.exists():
        problems.append(f"no course environment at {room.course_env}: run `make install` (or set course_env)")
        return problems
    for needed in (room.python, room.data_dir / SAMPLE_NAME):
        blocked = blocked_for_others(needed)
        if blocked is not None:
            problems.append(
                f"learners cannot reach {needed}: {blocked} is mode {stat.filemode(blocked.stat().st_mode)}. "
                "Put the course and its Python where every user can read them (e.g. clone into /srv or /opt and "
                "create the environment with a system Python: `make clean hub PYTHON=/usr/bin/python3`)")
    if problems or os.geteuid() != 0:
        return problems
    try:
        grp.getgrnam("nogroup")
        tester = "nobody"
        pwd.getpwnam(tester)
    except KeyError:
        return problems
    probe = run_course_python(room, LEARNER_PROBE, as_user=tester)
    if probe.stdout.strip() != "ok":
        last = (probe.stderr.strip().splitlines() or [probe.stdout.strip() or "(no message)"])[-1]
        problems.append(
            f"a learner's account cannot run the course environment ({last}). The course environment needs "
            "JupyterHub's single-user server (`make hub-install` adds it) and must be readable by every user.")
    return problems


def exercise_source(room: Room) -> Path:
    """The exercise versions to copy: the repository's ``exercises/`` if it has notebooks, else generated ones.

    Generated into the state folder from ``notebooks/`` at every hub start, by ``write_student_versions`` run in the
    course environment, so they always match the notebooks the hub was started with.
    """
    if room.exercises.is_dir() and any(room.exercises.glob("*.ipynb")):
        return room.exercises
    out = room.state_dir / "exercises"
    code = ("import sys\nfrom pathlib import Path\nfrom course_utils.student import write_student_versions\n"
            "written = write_student_versions(Path(sys.argv[1]), Path(sys.argv[2]), force=True)\n"
            "print(len(written))")
    done = run_course_python(room, code, str(room.notebooks), str(out))
    if done.returncode != 0:
        raise RuntimeError(f"could not write the exercise versions from {room.notebooks}:\n{done.stderr}")
    for stale in out.glob("*.ipynb"):  # a notebook removed from notebooks/ is not handed out
        if not (room.notebooks / stale.name).exists():
            stale.unlink()
    return out


def say(message: str) -> None:
    print(f"[course hub] {message}", file=sys.stderr, flush=True)
