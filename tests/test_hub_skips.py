"""Without what the workshop hub tests need, they are skipped and the reason names the missing piece and its fix."""

from pathlib import Path

import pytest

import hubkit

TOOLS = {"useradd", "userdel", "runuser"}


@pytest.fixture
def everything_there(monkeypatch):
    """A machine with all the hub tests need (root, the tools, the hub's environment, the proxy, Chromium)."""
    here = Path(__file__)
    monkeypatch.setattr(hubkit.sys, "platform", "linux")
    monkeypatch.setattr(hubkit.os, "geteuid", lambda: 0)
    monkeypatch.setattr(hubkit.shutil, "which", lambda name: f"/usr/sbin/{name}" if name in TOOLS else None)
    monkeypatch.setattr(hubkit, "HUB_JUPYTERHUB", here)
    monkeypatch.setattr(hubkit, "PROXY", here)
    monkeypatch.setattr(hubkit, "CHROMIUM", here)
    pytest.importorskip("playwright.sync_api")
    assert hubkit.missing() is None
    return monkeypatch


@pytest.mark.parametrize("take_away, said", [
    (lambda m: m.setattr(hubkit, "CHROMIUM", Path("/nonexistent/chromium")), "apt-get install chromium"),
    (lambda m: m.setattr(hubkit, "PROXY", Path("/nonexistent/chp")), "configurable-http-proxy is missing"),
    (lambda m: m.setattr(hubkit, "HUB_JUPYTERHUB", Path("/nonexistent/jupyterhub")), "make hub-install"),
    (lambda m: m.setattr(hubkit.os, "geteuid", lambda: 1000), "run them as root"),
    (lambda m: m.setattr(hubkit.shutil, "which", lambda name: None), "`useradd` is missing"),
])
def test_each_missing_piece_is_named_with_its_fix(everything_there, take_away, said):
    take_away(everything_there)
    assert said in hubkit.missing()


def test_a_proxy_on_the_path_will_do(everything_there):
    everything_there.setattr(hubkit, "PROXY", Path("/nonexistent/chp"))
    everything_there.setattr(hubkit.shutil, "which",
                             lambda name: f"/usr/bin/{name}" if name in TOOLS | {"configurable-http-proxy"} else None)
    assert hubkit.missing() is None
