"""The workshop hub (hub/jupyterhub_config.py), tested as a room uses it: loopback only, started and stopped here.

Three learners log in through the real login page in headless Chromium and land in JupyterLab on their own copy of
the exercises; one runs notebook 00 from the menu and its first exercise check fails helpfully on the stub. A
learner's token and processes cannot reach another learner's server, API or home; a wrong access code is refused;
the instructor is the admin; after a hub restart the learners' files are still there, and the idle culler stops a
server nobody uses. Needs root, `make hub-install` (hub/.venv, configurable-http-proxy) and /usr/bin/chromium;
without them every test here is skipped with the reason (`pytest -rs` prints it).
"""

import hashlib
import json
import re
import stat
import time
from pathlib import Path

import nbformat
import pytest

import hubkit

pytestmark = pytest.mark.slow
REASON = hubkit.missing()
if REASON:
    pytestmark = [pytest.mark.slow, pytest.mark.skip(reason=f"workshop hub tests skipped: {REASON}")]

ROOT = Path(__file__).resolve().parents[1]
# hub name -> what the learner types at the login page. "root" must become an ordinary learner, never root.
LEARNERS = {"ada": "Ada", "grace-hopper": "Grace Hopper", "root": "root"}
NOTEBOOK = "00_functions_and_parameters.ipynb"
STUB = 'raise NotImplementedError("Exercise: write this part, then run the check below.")'  # course_utils.student


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def hub():
    try:
        room = hubkit.TestHub()
    except RuntimeError as exc:
        pytest.skip(f"workshop hub tests skipped: {exc}")
    try:
        room.start()
        yield room
    finally:
        room.close()
    assert not hubkit.test_users(room.prefix), "every test learner's account is deleted"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(hubkit.CHROMIUM), args=hubkit.CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def submit_login(browser, hub, typed_name: str, code: str, next_url: str = ""):
    """A fresh browser (own cookies) fills in the hub's login page and submits it; the page, not waited on."""
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(f"{hub.url}/hub/login" + (f"?next={next_url}" if next_url else ""))
    page.fill("#username_input", typed_name)
    page.fill("#password_input", code)
    page.click("#login_submit")
    return page


def exercise_source(hub) -> Path:
    repo = ROOT / "exercises"
    return repo if any(repo.glob("*.ipynb")) else hub.state / "exercises"


@pytest.fixture(scope="module")
def learners(hub, browser):
    """Three learners log in at once through the login page; each page is left open on their JupyterLab."""
    pages = {name: submit_login(browser, hub, typed, hub.access_code) for name, typed in LEARNERS.items()}
    listings = {}
    for name, page in pages.items():
        page.wait_for_url(re.compile(rf".*/user/{name}/lab.*"), timeout=240_000)
        page.locator(".jp-DirListing-itemText", has_text=NOTEBOOK).wait_for(timeout=120_000)
        listings[name] = sorted(page.locator(".jp-DirListing-itemText").all_inner_texts())
    yield {name: (pages[name], listings[name]) for name in LEARNERS}
    for page in pages.values():
        page.context.close()


def test_three_learners_log_in_and_land_in_their_own_copy_of_the_exercises(hub, learners):
    source = exercise_source(hub)
    expected = sorted(p.name for p in source.glob("*.ipynb"))
    assert len(expected) >= 9
    for name, (page, listing) in learners.items():
        assert re.search(rf"/user/{name}/lab/tree/exercises", page.url), page.url
        assert listing == expected, f"{name}'s JupyterLab shows {listing}"
        account = hub.system_user(name)
        home = Path(account.pw_dir)
        assert home.parent == hub.homes and account.pw_name == hub.prefix + name
        assert stat.S_IMODE(home.stat().st_mode) == 0o700 and home.stat().st_uid == account.pw_uid
        for nb in expected:
            copy = home / "exercises" / nb
            assert copy.stat().st_uid == account.pw_uid, f"{copy} belongs to the learner"
            if not (name == "ada" and nb == NOTEBOOK):  # ada may already have run and saved it
                assert sha256(copy) == sha256(source / nb), f"{copy} is the exercise version"
            code = "".join("".join(c["source"]) for c in json.loads(copy.read_text())["cells"]
                           if c["cell_type"] == "code")
            assert STUB in code and "# BEGIN SOLUTION" not in code, f"{copy} has stubs, not solutions"
        assert sha256(home / "data" / "mnist_sample.npz") == sha256(ROOT / "data" / "mnist_sample.npz")
        # The learner's server runs as the learner's own account: "root" too is an ordinary, unprivileged user.
        status = Path(f"/proc/{hub.server_pid(name)}/status").read_text()
        uids = re.search(r"^Uid:\s+(\d+)\s+(\d+)", status, flags=re.M).groups()
        assert uids == (str(account.pw_uid),) * 2 and account.pw_uid != 0


def first_check_cell(nb: dict) -> int:
    """The index of the first check call after the first stubbed solution (where a student run stops)."""
    cells = nb["cells"]
    first_stub = next(i for i, c in enumerate(cells) if c["cell_type"] == "code" and STUB in "".join(c["source"]))
    return next(i for i, c in enumerate(cells) if i >= first_stub and c["cell_type"] == "code"
                and re.search(r"^check_\w+\(", "".join(c["source"]), flags=re.M))


def kernel_is_idle(page) -> bool:
    return page.get_by_text(re.compile(r"^Python 3 \(ipykernel\) \| Idle$")).count() > 0


@pytest.fixture(scope="module")
def ada_ran_notebook(hub, learners):
    """Ada opens notebook 00, runs Run > Run All Cells, saves; the saved notebook as JSON (JupyterLab renders only
    the cells in view, so the result is read from the file her server wrote)."""
    page = learners["ada"][0]
    page.goto(f"{hub.url}/user/ada/lab/tree/exercises/{NOTEBOOK}")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=120_000)
    deadline = time.monotonic() + 180
    while not kernel_is_idle(page) and time.monotonic() < deadline:
        select = page.locator(".jp-Dialog button", has_text=re.compile(r"^Select$"))
        if select.count():  # JupyterLab may ask which kernel: a learner takes the one offered
            select.click()
        time.sleep(0.5)
    assert kernel_is_idle(page), "the notebook's kernel did not start"
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    path = hub.homes / (hub.prefix + "ada") / "exercises" / NOTEBOOK
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        time.sleep(2)
        if not kernel_is_idle(page):
            continue
        page.keyboard.press("Control+s")
        time.sleep(1)
        nb = json.loads(path.read_text())
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        if code[-1]["execution_count"] or any(o["output_type"] == "error" for c in code for o in c["outputs"]):
            return nb  # the run stopped at an error, or reached the last cell
    raise AssertionError("Run All Cells neither stopped at an error nor reached the last cell within 240 s")


def test_a_learner_runs_notebook_00_from_the_menu_and_its_first_check_fails_helpfully(ada_ran_notebook):
    nb = ada_ran_notebook
    stop = first_check_cell(nb)
    code = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]
    errors = [(i, o) for i in code for o in nb["cells"][i]["outputs"] if o["output_type"] == "error"]
    assert [i for i, _ in errors] == [stop], f"the run stops at the first check, cell {stop}: errors in {errors}"
    failure = errors[0][1]
    assert failure["ename"] == "SelfCheckError", failure["ename"]
    assert "is not written yet" in failure["evalue"] and "NotImplementedError" in failure["evalue"]
    assert all(nb["cells"][i]["execution_count"] for i in code if i < stop), "every cell before it ran"
    assert not any(nb["cells"][i]["execution_count"] for i in code if i > stop), "Run All stopped at the error"
    setup_out = "".join("".join(o.get("text", "")) for o in nb["cells"][code[0]]["outputs"])
    assert "Profile: quick" in setup_out, setup_out


def test_a_learners_token_is_refused_by_another_learners_server_and_api(hub, learners):
    """403 from the other learner's server. The hub's API refuses too: 403 for a token, and for reading or stopping
    another's server 404 "No access to resources or resources not found", the answer it gives for a user that does
    not exist (JupyterHub does not reveal who else is there)."""
    token = hub.token_for("ada")
    assert hub.api("GET", "/user/ada/api/contents/exercises", token=token).status_code == 200  # it works for ada
    assert hub.api("GET", "/hub/api/users/ada", token=token).status_code == 200
    for method, path in (("GET", "/user/grace-hopper/api/contents/exercises"),
                         ("GET", f"/user/grace-hopper/api/contents/exercises/{NOTEBOOK}"),
                         ("GET", "/user/grace-hopper/api/kernels"), ("POST", "/user/grace-hopper/api/kernels"),
                         ("GET", "/user/grace-hopper/lab")):
        r = hub.api(method, path, token=token, allow_redirects=False)
        assert r.status_code == 403, (method, path, r.status_code, r.text[:200])
    hidden = "No access to resources or resources not found"
    for method, path, expected in (
            ("GET", "/hub/api/users/grace-hopper", (404, hidden)),
            ("GET", "/hub/api/users/nobody-here", (404, hidden)),  # the same answer: B's existence is not revealed
            ("DELETE", "/hub/api/users/grace-hopper/server", (404, hidden)),
            ("POST", "/hub/api/users/grace-hopper/server", (404, hidden)),
            ("POST", "/hub/api/users/grace-hopper/tokens",
             (403, "User grace-hopper not found or no permissions to generate tokens"))):
        r = hub.api(method, path, token=token)
        assert (r.status_code, r.json()["message"]) == expected, (method, path, r.status_code, r.text[:200])
    r = hub.api("GET", "/hub/api/users", token=token)
    assert r.status_code == 403 and "requires any of [list:users]" in r.json()["message"], "nor list the room"
    assert hub.user("grace-hopper")["servers"][""]["ready"], "grace-hopper's server was there all along"


PROBE = r"""
import json, os, pwd, urllib.request, urllib.error
result = {"uid": os.getuid(), "user": pwd.getpwuid(os.getuid()).pw_name}
def attempt(label, action):
    try:
        action()
        result[label] = "allowed"
    except PermissionError:
        result[label] = "PermissionError"
    except urllib.error.HTTPError as e:
        result[label] = e.code
attempt("list_home", lambda: os.listdir(OTHER_HOME))
attempt("read_notebook", lambda: open(os.path.join(OTHER_HOME, "exercises", NOTEBOOK)).read())
attempt("read_environ", lambda: open(f"/proc/{OTHER_PID}/environ", "rb").read())
own_token = os.environ["JUPYTERHUB_API_TOKEN"]  # the token this learner's own server was given
def get(path):
    req = urllib.request.Request(BASE + path, headers={"Authorization": "token " + own_token})
    urllib.request.urlopen(req, timeout=30).read()
attempt("other_server", lambda: get("/user/grace-hopper/api/contents/exercises"))
attempt("other_user_api", lambda: get("/hub/api/users/grace-hopper"))
attempt("own_home", lambda: os.listdir(os.path.expanduser("~/exercises")))
print(json.dumps(result))
"""


def test_a_learners_processes_cannot_read_another_learners_home(hub, learners):
    other_home = hub.homes / (hub.prefix + "grace-hopper")
    setup = (f"OTHER_HOME = {str(other_home)!r}; NOTEBOOK = {NOTEBOOK!r}; "
             f"OTHER_PID = {hub.server_pid('grace-hopper')}; BASE = {hub.url!r}\n")
    out = hubkit.run_in_kernel(hub, "ada", hub.token_for("ada"), setup + PROBE)
    result = json.loads(out.strip().splitlines()[-1])
    assert result["uid"] == hub.system_user("ada").pw_uid and result["user"] == hub.prefix + "ada"
    assert result["own_home"] == "allowed"  # the probe itself works where it should
    assert result["list_home"] == result["read_notebook"] == result["read_environ"] == "PermissionError", result
    assert result["other_server"] == 403 and result["other_user_api"] == 404, result


def test_a_wrong_access_code_is_refused(hub, browser):
    attempts = [("Mallory", "not-the-code"),            # a wrong code
                ("Mallory", hub.admin_code),           # the admin code is for the instructor's name only
                ("instructor", hub.access_code)]       # the instructor needs the admin code
    for typed, code in attempts:
        page = submit_login(browser, hub, typed, code)
        page.locator(".login_error").wait_for(timeout=30_000)
        assert "Invalid username or password" in page.locator(".login_error").inner_text()
        assert "/hub/login" in page.url and "/user/" not in page.url
        page.context.close()
    assert hub.user("mallory") is None, "a refused login creates no hub user"
    assert not any(u.pw_name == hub.prefix + "mallory" for u in hubkit.test_users(hub.prefix))
    assert hub.user("instructor")["servers"] == {}


def test_the_instructor_logs_in_with_the_admin_code_and_is_the_admin(hub, browser, learners):
    page = submit_login(browser, hub, "instructor", hub.admin_code, next_url="/hub/admin")
    page.wait_for_url(re.compile(r".*/hub/admin.*"), timeout=60_000)
    for name in LEARNERS:
        page.get_by_text(name, exact=True).first.wait_for(timeout=60_000)  # the admin page lists every learner
    page.context.close()
    assert hub.user("instructor")["admin"] is True
    assert not any(hub.user(name)["admin"] for name in LEARNERS)


IDLE_TIMEOUT = 20  # seconds, for the restarted hub: the culler then stops a server nobody uses within the test


@pytest.fixture(scope="module")
def restarted(hub, learners, ada_ran_notebook):
    """The hub stopped (as Ctrl-C does) and started again, with a short idle timeout; what was there before."""
    for page, _ in learners.values():
        page.context.close()
    ada = hub.homes / (hub.prefix + "ada")
    before = {p.relative_to(ada): sha256(p) for p in ada.rglob("*") if p.is_file() and "exercises" in p.parts}
    servers = {name: hub.server_pid(name) for name in LEARNERS}
    token = hub.token_for("ada")
    hub.restart(idle_timeout=IDLE_TIMEOUT)
    return {"before": before, "servers": servers, "token": token}


def test_the_learners_files_survive_a_hub_restart(hub, restarted):
    for name, pid in restarted["servers"].items():
        assert not Path(f"/proc/{pid}").exists(), f"stopping the hub stopped {name}'s server"
    ada = hub.homes / (hub.prefix + "ada")
    after = {p.relative_to(ada): sha256(p) for p in ada.rglob("*") if p.is_file() and "exercises" in p.parts}
    assert after == restarted["before"], "nothing in ada's exercises changed, nothing was copied over it"
    hub.start_server("ada")  # she comes back: her server starts on the same home
    r = hub.api("GET", f"/user/ada/api/contents/exercises/{NOTEBOOK}", token=restarted["token"])
    assert r.status_code == 200, "her token, kept in the hub's database, still works"
    served = nbformat.from_dict(r.json()["content"])
    on_disk = nbformat.reads((ada / "exercises" / NOTEBOOK).read_text(), as_version=4)
    def content(nb):  # the server adds its own "trusted" marks to cell metadata when serving
        return [(c.cell_type, c.source, c.get("outputs"), c.get("execution_count")) for c in nb.cells]

    assert content(served) == content(on_disk), "her server serves the file she saved before the restart"
    failed = [o for c in served.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert [o.ename for o in failed] == ["SelfCheckError"], "with her run in it: outputs and the failed check"
    for name in LEARNERS:
        assert (hub.homes / (hub.prefix + name) / "exercises" / NOTEBOOK).exists()


def test_the_idle_culler_stops_a_server_nobody_uses(hub, restarted):
    if not (hub.user("ada") or {}).get("servers"):
        hub.start_server("ada")
    pid = hub.server_pid("ada")
    waited = hub.wait_for_server("ada", ready=False, timeout=IDLE_TIMEOUT * 4)
    assert not Path(f"/proc/{pid}").exists()
    assert re.search(r"Culling server ada", hub.log_tail(400)), "stopped by the idle culler"
    assert waited <= IDLE_TIMEOUT * 4
    assert (hub.homes / (hub.prefix + "ada") / "exercises" / NOTEBOOK).exists(), "her files stay"
