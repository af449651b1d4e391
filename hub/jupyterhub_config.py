"""The workshop hub's configuration: one machine hosts the whole room. An instructor changes this file only.

`sudo make hub` installs what the hub needs (once) and starts it with this file; Ctrl-C stops it. Learners open
http://THIS-MACHINE:PORT/ and log in with a name of their choice and the workshop's access code; each gets a
JupyterLab running as their own system user, in a private home with a fresh copy of the exercises and the data
sample. The instructor logs in as ADMIN with the admin code and is the hub's admin (/hub/admin).

Access codes are not kept here (this file is in git): they are made on first start and stored in STATE_DIR
(`access-code` for learners, `admin-code` for you; `sudo cat hub/state/access-code`). To choose the learners'
code, start with `COURSE_HUB_ACCESS_CODE=your-code sudo -E make hub` (8 characters or more).

Every setting in ROOM can be overridden for one run by an environment variable COURSE_HUB_<NAME>, for example
`COURSE_HUB_PORT=8080` (that is what `make hub HUB_PORT=8080` does). The tests use those to run a private hub.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import coursehub  # noqa: E402  (hub/coursehub.py: the code behind these settings)

# ============================================================================================ the room: change these
ROOM = coursehub.Room(
    port=8000,                      # the port learners open: http://THIS-MACHINE:8000/
    ip="",                          # "" listens on every network interface; "127.0.0.1" on this machine only
    admin="instructor",             # the instructor's login name; logs in with the admin code, not the access code
    profile="quick",                # COURSE_PROFILE for every learner: "quick" (the offline sample) or "full"
    data_dir=REPO / "data",         # the room's data: the sample, and full MNIST fetched here once for "full"
                                    # (`.venv/bin/python -m course_utils fetch-data`); homes link to it, read-only
    exercises=REPO / "exercises",   # copied into each new home; when absent, written from notebooks/ at start
    notebooks=REPO / "notebooks",   # the source of those exercise versions (solutions stubbed, outputs cleared)
    course_env=REPO / ".venv",      # the one course environment, shared read-only by every learner
    homes=Path("/home"),            # learners' homes: HOMES/PREFIXNAME, mode 700, kept across hub restarts
    user_prefix="learner-",         # the system user of learner "ada" is "learner-ada": no name can become root
    idle_timeout=3600,              # seconds without activity before a learner's server is stopped (files stay)
    kernel_idle_timeout=1800,       # seconds before an idle kernel is shut down, open tab or not: each holds
                                    # a few hundred MB, and a learner who opens nine notebooks has nine kernels
    threads_per_learner=1,          # CPU threads per learner for PyTorch/NumPy: learners share the cores
    max_learners=40,                # servers running at once; the next learner is asked to wait
    state_dir=HERE / "state",       # the hub's database, cookie secret and access codes (git-ignored)
)
# ==================================================================================================================

c = get_config()  # noqa: F821  (provided by JupyterHub when it reads this file)

problems = coursehub.preflight(ROOM)
if problems:
    sys.exit("The hub cannot start:\n" + "\n".join(f"- {p}" for p in problems))
ROOM.state_dir.mkdir(parents=True, exist_ok=True)
os.chmod(ROOM.state_dir, 0o700)
exercises = coursehub.exercise_source(ROOM)
access_code = coursehub.read_or_make_code(ROOM.state_dir / "access-code", 4, os.environ.get("COURSE_HUB_ACCESS_CODE"))
admin_code = coursehub.read_or_make_code(ROOM.state_dir / "admin-code", 30, os.environ.get("COURSE_HUB_ADMIN_CODE"))

# Where the hub listens, and its private state.
c.JupyterHub.bind_url = f"http://{ROOM.ip}:{ROOM.port}/"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = coursehub.free_port()
c.JupyterHub.db_url = f"sqlite:///{ROOM.state_dir / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(ROOM.state_dir / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(ROOM.state_dir / "jupyterhub.pid")
c.JupyterHub.active_server_limit = ROOM.max_learners
proxy = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
c.ConfigurableHTTPProxy.command = [str(proxy) if proxy.exists() else "configurable-http-proxy"]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{coursehub.free_port()}"
c.ConfigurableHTTPProxy.pid_file = str(ROOM.state_dir / "proxy.pid")

# Who logs in: a name and the shared access code; the instructor with the admin code.
c.JupyterHub.authenticator_class = coursehub.LearnerAuthenticator
c.LearnerAuthenticator.user_password = access_code
c.LearnerAuthenticator.admin_password = admin_code
c.LearnerAuthenticator.admin_users = {ROOM.admin}
c.LearnerAuthenticator.allow_all = True  # anyone with the access code, under any new name
c.LearnerAuthenticator.username_pattern = coursehub.NAME_PATTERN
c.JupyterHub.template_vars = {
    "announcement_login": "Log in with your first name (or any name you will remember) and the workshop's "
                          "access code as the password.",
}

# Each learner's server: their own system user, made on first login, running the shared course environment.
c.JupyterHub.spawner_class = coursehub.LearnerSpawner
c.LearnerSpawner.room = ROOM
c.LearnerSpawner.exercises_dir = str(exercises)
c.Spawner.cmd = [str(ROOM.python), "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab/tree/exercises"
c.Spawner.notebook_dir = "~"
c.Spawner.env_keep = ["LANG", "LC_ALL", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"]
c.Spawner.environment = {"PATH": f"{ROOM.course_env / 'bin'}:/usr/local/bin:/usr/bin:/bin"}
c.Spawner.args = [f"--MappingKernelManager.cull_idle_timeout={ROOM.kernel_idle_timeout}",
                  "--MappingKernelManager.cull_interval=60", "--MappingKernelManager.cull_connected=True"]
c.Spawner.start_timeout = 180  # thirty learners logging in at once share the cores
c.Spawner.http_timeout = 120

# The idle culler stops servers nobody has used for idle_timeout seconds; their files stay in their homes.
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={ROOM.idle_timeout}",
                f"--cull-every={max(5, min(300, ROOM.idle_timeout // 2))}"],
}]
c.JupyterHub.load_roles = [{
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}]

where = f"http://{ROOM.ip or 'THIS-MACHINE'}:{ROOM.port}/"
coursehub.say(f"learners open {where} and log in with a name and the access code: {access_code}")
coursehub.say(f"the instructor logs in as {ROOM.admin!r} with the admin code in {ROOM.state_dir / 'admin-code'}")
coursehub.say(f"exercises copied into each new home from {exercises}; homes in {ROOM.homes}; Ctrl-C stops the hub")
