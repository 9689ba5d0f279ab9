"""Shared test set-up.

Widget tests run offscreen unless a test asks for a real display, and in-process
tests never find a sound server: PULSE_SERVER points at nothing, so QtMultimedia
lists no audio output on every machine alike. Tests of real sound play in a child
process against the private PulseAudio of the `pulse_sink` fixture.
Qt's messages are not captured (`--no-qt-log` in pyproject.toml): see there.
Every test is checked for windows, timers, animations and players it leaves behind
(`tests/leaks.py`).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PULSE_SERVER", "unix:/nonexistent/pulse-socket")

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import leaks
from tests.realdisplay import xvfb
from tests.realsound import pulse_null_sink


@pytest.fixture(scope="session")
def x_display() -> Iterator[str]:
    """DISPLAY of a private Xvfb (1280×800) with the openbox window manager."""
    with xvfb() as display:
        yield display


@pytest.fixture(scope="session")
def pulse_sink() -> Iterator[dict[str, str]]:
    """Environment (PULSE_SERVER, ...) of a private PulseAudio whose null sink is `kiosk_test`."""
    if shutil.which("pulseaudio") is None:
        pytest.skip("pulseaudio is not installed (make test installs packages pulseaudio, pulseaudio-utils)")
    with pulse_null_sink() as env:
        yield env


@pytest.fixture(autouse=True)
def kiosk_state_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's own state folder (the last good configuration), never the user's."""
    state = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("KIOSK_STATE_DIR", str(state))
    return state


@pytest.fixture(autouse=True)
def qt_leak_guard(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test that leaves a window alive or a timer, animation, thread or player running.

    Autouse and requesting nothing, so it is set up before the test's other function-scoped
    fixtures and checks after their teardown and pytest-qt's closing of qtbot's widgets.
    Nothing is checked while no QApplication exists. See `tests/leaks.py`.
    """
    before = leaks.snapshot()
    yield
    problem = leaks.check(before, request.node.nodeid)
    if problem is not None:
        pytest.fail(problem, pytrace=False)
