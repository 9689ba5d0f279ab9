"""Shared test set-up.

Widget tests run offscreen unless a test asks for a real display, and in-process
tests never find a sound server: PULSE_SERVER points at nothing, so QtMultimedia
lists no audio output on every machine alike. Tests of real sound play in a child
process against the private PulseAudio of the `pulse_sink` fixture.
Qt's messages are not captured (`--no-qt-log` in pyproject.toml): see there.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PULSE_SERVER", "unix:/nonexistent/pulse-socket")

import shutil  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from tests.realdisplay import xvfb  # noqa: E402
from tests.realsound import pulse_null_sink  # noqa: E402


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
