"""Shared test settings: no windows, the quick profile, and no real network."""

import socket

import matplotlib
import pytest

# No windows from the unit tests. Set in this process only: an MPLBACKEND variable would reach the notebook
# kernels that nbval starts, and with Agg their plt.show() would print nothing to compare.
matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _quick_profile(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.delenv("COURSE_DEVICE", raising=False)


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a network connection fails the way it does offline."""

    def refuse(*args, **kwargs):
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", lambda self, *a, **k: refuse())
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
