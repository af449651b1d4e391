"""A private workshop hub for the tests: loopback only, its own system users, homes and state, all removed after.

``missing()`` says why the hub tests cannot run here (not root, no hub environment, no proxy, no Chromium, no
Python that learners' accounts can run), or None. ``TestHub`` starts ``hub/jupyterhub_config.py`` on a free
127.0.0.1 port with a random user prefix and temporary homes, and ``close()`` stops everything it started and deletes
its users. ``run_in_kernel`` runs code in a learner's own kernel through the hub, as a learner's notebook would.
"""

import asyncio
import concurrent.futures
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import site
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HUB_DIR = ROOT / "hub"
HUB_JUPYTERHUB = HUB_DIR / ".venv" / "bin" / "jupyterhub"
HUB_SITE = HUB_DIR / ".venv" / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
PROXY = HUB_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ACCOUNT_COMMENT = "dl-course workshop learner"  # the same as hub/coursehub.py's
TEST_PREFIX = "hubt"  # every test run's users are hubt<hex>-<name>; stale ones from a killed run are removed


# What a learner's account must be able to run: the single-user server and JupyterLab, and find the course's
# packages (found, not imported: importing torch takes seconds and proves nothing more about permissions).
LEARNER_PROBE = ("import importlib.util as u, jupyterhub.singleuser, jupyterlab; "
                 "gone = [m for m in ('course_utils', 'torch', 'ipykernel') if u.find_spec(m) is None]; "
                 "print('missing: ' + ', '.join(gone) if gone else 'ok')")


def missing() -> str | None:
    """Why the hub tests cannot run on this machine, with the fix; None when they can."""
    if sys.platform != "linux" or os.geteuid() != 0:
        return "the hub tests create system users and run a hub as root: run them as root (CI does)"
    for tool in ("useradd", "userdel", "runuser"):
        if shutil.which(tool) is None:
            return f"`{tool}` is missing (apt-get install passwd util-linux)"
    if not HUB_JUPYTERHUB.exists():
        return "the hub's environment hub/.venv is missing: run `make hub-install`"
    if not PROXY.exists() and shutil.which("configurable-http-proxy") is None:
        return ("configurable-http-proxy is missing: run `make hub-install` (npm ci in hub/), "
                "or `npm install -g configurable-http-proxy`")
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: apt-get install chromium"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright (Python) is missing: install the course's dev extra"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def blocked_for_others(path: Path) -> Path | None:
    """The first folder on the way to ``path`` that other users cannot enter; None if they can."""
    path = Path(os.path.realpath(path))
    for folder in [*reversed(path.parents), path]:
        if folder.is_dir() and not folder.stat().st_mode & 0o001:
            return folder
    return None


def importable_here(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def learner_course_env(folder: Path) -> Path:
    """The course environment this test runs in, as the learners' accounts can run it.

    Where this environment's Python sits behind a private folder (pyenv under /root, say), a small environment is
    made in ``folder`` from a system Python of the same version that reads the same site-packages (nothing is
    installed or copied); JupyterHub's single-user server comes from hub/.venv when the course environment lacks it.
    Raises RuntimeError, with the reason, when no account but root could run it.
    """
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    sites = [Path(p) for p in site.getsitepackages()]
    if blocked_for_others(Path(sys.executable)) is None and importable_here("jupyterhub"):
        env = Path(sys.prefix)
    else:
        candidates = [Path(sys.executable).resolve(), Path(f"/usr/bin/python{version}"),
                      Path(f"/usr/local/bin/python{version}")]
        base = next((p for p in candidates if p.exists() and blocked_for_others(p) is None), None)
        if base is None:
            raise RuntimeError(f"no Python {version} that other users can run (tried {', '.join(map(str, candidates))})")
        env = folder / "course-env"
        subprocess.run([str(base), "-m", "venv", "--without-pip", str(env)], check=True, capture_output=True)
        lines = [f"import site; site.addsitedir({str(p)!r})" for p in sites]
        if not importable_here("jupyterhub"):
            lines.append(f"import site; site.addsitedir({str(HUB_SITE)!r})")
        (env / "lib" / f"python{version}" / "site-packages" / "_course_env.pth").write_text("\n".join(lines) + "\n")
        # JupyterLab's assets, extensions and kernel specs live in the prefix's share/jupyter, and the switches that
        # load the server extensions (JupyterLab itself) in its etc/jupyter.
        prefixes = [Path(p).parents[2] for p in sys.path if p.endswith("site-packages")]
        prefix = next((p for p in prefixes if (p / "share" / "jupyter" / "lab").is_dir()), None)
        if prefix is not None:
            for part in ("share", "etc"):
                if (prefix / part).is_dir():
                    (env / part).symlink_to(prefix / part, target_is_directory=True)
    probe = subprocess.run(
        [shutil.which("runuser"), "-u", "nobody", "--", str(env / "bin" / "python"), "-c",
         LEARNER_PROBE],
        capture_output=True, text=True, cwd="/", env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"}, timeout=120)
    if probe.stdout.strip() != "ok":
        last = (probe.stderr.strip().splitlines() or [probe.stdout.strip() or "no message"])[-1]
        raise RuntimeError(f"other users cannot run the course environment from {env} ({last}); "
                           "the checkout and its environment must be readable by every user")
    return env


def test_users(prefix: str = TEST_PREFIX) -> list[pwd.struct_passwd]:
    """System users made by a test hub (the prefix and the hub's account comment)."""
    return [u for u in pwd.getpwall() if u.pw_name.startswith(prefix) and u.pw_gecos.startswith(ACCOUNT_COMMENT)]


def pids_of(uids: set[int]) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid in uids:
                    pids.append(int(entry.name))
            except FileNotFoundError:
                pass
    return pids


def remove_users(users: list[pwd.struct_passwd]) -> None:
    """Stop every process of ``users`` (by pid), then delete the users, their groups and homes."""
    uids = {u.pw_uid for u in users}
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids_of(uids):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 10
        while pids_of(uids) and time.monotonic() < deadline:
            time.sleep(0.2)
    for user in users:
        subprocess.run(["userdel", "--remove", user.pw_name], capture_output=True)
        shutil.rmtree(user.pw_dir, ignore_errors=True)


class TestHub:
    """The repository's hub configuration, run privately: loopback port, own users, homes and state."""

    __test__ = False  # not a test class

    def __init__(self, idle_timeout: int = 3600):
        remove_users(test_users())  # left by a run that was killed before it could clean up
        self.tmp = Path(tempfile.mkdtemp(prefix="course-hub-test-"))
        os.chmod(self.tmp, 0o755)  # learners pass through it to their homes and the course environment
        self.homes = self.tmp / "homes"
        self.homes.mkdir(mode=0o755)
        self.state = self.tmp / "state"
        self.prefix = f"{TEST_PREFIX}{secrets.token_hex(2)}-"
        self.access_code = "test-" + secrets.token_hex(4)
        self.admin_code = secrets.token_urlsafe(30)
        self.api_token = secrets.token_hex(32)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.log_path = self.tmp / "hub.log"
        try:
            self.course_env = learner_course_env(self.tmp)
        except BaseException:
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise
        self.config = self.tmp / "test_config.py"
        self.config.write_text(
            "# The repository's configuration, plus a service token for the tests.\n"
            f"load_subconfig({str(HUB_DIR / 'jupyterhub_config.py')!r})\n"
            f"c.JupyterHub.services.append({{'name': 'course-tests', 'api_token': {self.api_token!r}}})\n"
            "c.JupyterHub.load_roles.append({'name': 'course-tests', 'services': ['course-tests'],\n"
            "    'scopes': ['admin:users', 'admin:servers', 'tokens', 'list:users', 'read:users']})\n"
        )
        self.idle_timeout = idle_timeout

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COURSE_", "JUPYTER", "PYTHON"))}
        env.update(
            PATH=f"{HUB_DIR / 'node_modules' / '.bin'}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            COURSE_HUB_PORT=str(self.port), COURSE_HUB_IP="127.0.0.1", COURSE_HUB_HOMES=str(self.homes),
            COURSE_HUB_USER_PREFIX=self.prefix, COURSE_HUB_STATE_DIR=str(self.state),
            COURSE_HUB_COURSE_ENV=str(self.course_env), COURSE_HUB_IDLE_TIMEOUT=str(self.idle_timeout),
            COURSE_HUB_ACCESS_CODE=self.access_code, COURSE_HUB_ADMIN_CODE=self.admin_code,
        )
        return env

    def start(self, timeout: float = 120) -> None:
        log = open(self.log_path, "a")
        log.write(f"\n===== hub start, idle timeout {self.idle_timeout} s =====\n")
        log.flush()
        self.proc = subprocess.Popen([str(HUB_JUPYTERHUB), "-f", str(self.config)],
                                     cwd=self.tmp, env=self.env(), stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + timeout
        import requests

        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the hub exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/hub/api", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"the hub did not answer within {timeout} s:\n{self.log_tail()}")

    def stop(self, timeout: float = 90) -> None:
        """Stop the hub as Ctrl-C does: it stops every learner's server and the proxy, then exits."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

    def restart(self, idle_timeout: int | None = None) -> None:
        self.stop()
        if idle_timeout is not None:
            self.idle_timeout = idle_timeout
        self.start()

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def close(self) -> None:
        try:
            self.stop()
        finally:
            self._kill_proxy()
            remove_users([u for u in test_users(self.prefix)])
            shutil.rmtree(self.tmp, ignore_errors=True)

    def _kill_proxy(self) -> None:
        pid_file = self.state / "proxy.pid"
        try:
            pid = int(pid_file.read_text().strip())
            if "configurable-http-proxy" in Path(f"/proc/{pid}/cmdline").read_text():
                os.kill(pid, signal.SIGTERM)
        except (FileNotFoundError, ValueError, ProcessLookupError):
            pass

    # ----------------------------------------------------------------------------------------------- the hub's API

    def api(self, method: str, path: str, token: str | None = None, **kwargs):
        import requests

        headers = {"Authorization": f"token {token or self.api_token}"}
        return requests.request(method, f"{self.url}{path}", headers=headers, timeout=30, **kwargs)

    def user(self, name: str) -> dict | None:
        r = self.api("GET", f"/hub/api/users/{name}")
        return r.json() if r.status_code == 200 else None

    def token_for(self, name: str) -> str:
        r = self.api("POST", f"/hub/api/users/{name}/tokens", json={"note": "course tests", "expires_in": 3600})
        r.raise_for_status()
        return r.json()["token"]

    def start_server(self, name: str, timeout: float = 180) -> None:
        r = self.api("POST", f"/hub/api/users/{name}/server")
        assert r.status_code in (201, 202, 400), (r.status_code, r.text)  # 400: already running
        self.wait_for_server(name, ready=True, timeout=timeout)

    def wait_for_server(self, name: str, ready: bool, timeout: float) -> float:
        """Wait until ``name``'s server is ready (or gone); return the seconds it took."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            server = (self.user(name) or {}).get("servers", {}).get("")
            if (server is not None and server.get("ready")) == ready and (ready or server is None):
                return time.monotonic() - started
            time.sleep(1)
        state = "ready" if ready else "stopped"
        raise AssertionError(f"{name}'s server was not {state} within {timeout} s:\n{self.log_tail()}")

    def system_user(self, name: str) -> pwd.struct_passwd:
        return pwd.getpwnam(self.prefix + name)

    def server_pid(self, name: str) -> int:
        """The pid of the learner's single-user server (from the hub's stored spawner state)."""
        r = self.api("GET", f"/hub/api/users/{name}", params={"include_stopped_servers": "0"})
        state = r.json()["servers"][""].get("state") or {}
        if "pid" in state:
            return state["pid"]
        uid = self.system_user(name).pw_uid
        for pid in pids_of({uid}):
            if b"jupyterhub.singleuser" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
        raise LookupError(f"no single-user server process for {name}")


# --------------------------------------------------------------------------------------------- a learner's kernel


def run_in_kernel(hub: TestHub, name: str, token: str, code: str | list[str], timeout: float = 120,
                  keep: bool = False) -> str | tuple[str, str]:
    """Run ``code`` (or cells one after another) in a new kernel of ``name``'s own server, reached through the hub
    with ``token``, as a notebook would; return its stdout (and the kernel id when ``keep``, else it is shut down).

    An exception in the code raises AssertionError with the traceback.
    """
    r = hub.api("POST", f"/user/{name}/api/kernels", token=token, json={"name": "python3"})
    assert r.status_code == 201, (r.status_code, r.text)
    kernel = r.json()["id"]
    cells = [code] if isinstance(code, str) else list(code)
    try:
        # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            out = pool.submit(asyncio.run, _execute(hub, name, token, kernel, cells, timeout)).result()
    except BaseException:
        keep = False
        raise
    finally:
        if not keep:
            hub.api("DELETE", f"/user/{name}/api/kernels/{kernel}", token=token)
    return (out, kernel) if keep else out


async def _execute(hub, name, token, kernel, cells, timeout):
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    url = f"ws://127.0.0.1:{hub.port}/user/{name}/api/kernels/{kernel}/channels"
    ws = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {token}"}))
    session, out = uuid.uuid4().hex, []
    deadline = time.monotonic() + timeout
    try:
        for code in cells:
            msg_id = uuid.uuid4().hex
            ws.write_message(json.dumps({
                "header": {"msg_id": msg_id, "username": name, "session": session, "msg_type": "execute_request",
                           "version": "5.3", "date": ""},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                            "allow_stdin": False, "stop_on_error": True},
            }))
            error = None
            while True:
                raw = await asyncio.wait_for(ws.read_message(), max(0.1, deadline - time.monotonic()))
                if raw is None:
                    raise AssertionError("the kernel's websocket closed")
                msg = json.loads(raw)
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = msg["msg_type"]
                if kind == "stream" and msg["content"]["name"] == "stdout":
                    out.append(msg["content"]["text"])
                elif kind == "error":
                    error = "\n".join(msg["content"]["traceback"])
                elif kind == "status" and msg["content"]["execution_state"] == "idle":
                    break
            if error:
                raise AssertionError(re.sub(r"\x1b\[[0-9;]*m", "", error))
    finally:
        ws.close()
    return "".join(out)
