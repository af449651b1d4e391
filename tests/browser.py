"""A real browser for the tests: Debian's Chromium driven by PyPI's playwright (no browser download), and a
JupyterLab server on a free loopback port with a token.

Tests that need them call ``chromium_or_skip()`` first: without Chromium or playwright they are skipped with a
line that says why (``.ci/run`` installs Chromium so that CI runs them).
"""

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
# Headless, and quiet on a closed network: no background requests, updates, sync or first-run pages.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def chromium_or_skip():
    """playwright's ``sync_playwright``, or skip the test saying what is missing."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"browser test skipped: no Chromium at {CHROMIUM} (install Debian's `chromium`, as .ci/run does)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser test skipped: the Python package `playwright` is not installed (it is in the dev extra)")
    return sync_playwright


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def jupyterlab(root: Path, settings_dir: Path, timeout: float = 90.0):
    """Start JupyterLab on ``root`` (loopback, a random token); yield its base URL with the token as a query.

    Every cell is rendered (windowing off), so a cell's output can be found on the page wherever it is; the
    app object is exposed to the page so that a test can run JupyterLab's own commands (Run All Cells).
    """
    port, token = free_port(), secrets.token_hex(16)
    notebook_settings = settings_dir / "@jupyterlab" / "notebook-extension"
    notebook_settings.mkdir(parents=True, exist_ok=True)
    (notebook_settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    apputils = settings_dir / "@jupyterlab" / "apputils-extension"
    apputils.mkdir(parents=True, exist_ok=True)  # no "get notified about news?" pop-up over the page
    (apputils / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings_dir), "JUPYTER_CONFIG_DIR": str(settings_dir / "cfg"),
           "COURSE_PROFILE": "quick"}
    log = open(settings_dir / "jupyterlab.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
         f"--ServerApp.token={token}", "--LabApp.expose_app_in_browser=True", f"--ServerApp.root_dir={root}",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start: " + (settings_dir / "jupyterlab.log").read_text()[-2000:])
                time.sleep(0.5)
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def open_notebook(page, base: str, token: str, name: str, timeout_ms: int = 120_000) -> None:
    """Open ``name`` in JupyterLab and wait until its kernel is idle."""
    page.goto(f"{base}/lab/tree/{name}?reset&token={token}")  # reset: no tabs restored from an earlier page
    page.wait_for_function(
        "() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
        " const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;"
        " return k && k.status === 'idle'; }",
        timeout=timeout_ms,
    )


# The cells of the notebook in front (other notebooks' tabs stay in the page, hidden).
CELLS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell"


def wait_for_idle_kernel(page, timeout_ms: int = 120_000) -> None:
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " return w.sessionContext.session.kernel.status === 'idle'; }", timeout=timeout_ms)


def run_all_cells(page) -> None:
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")


def copy_for_browser(paths, root: Path) -> None:
    """Copy notebooks into ``root`` so that the browser's saves never touch the committed files."""
    root.mkdir(parents=True, exist_ok=True)
    for path in paths:
        shutil.copy(path, root / Path(path).name)
