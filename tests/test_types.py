"""The core passes `mypy --strict`: its types are part of its documentation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = [
    "kiosk/clock.py",
    "kiosk/config.py",
    "kiosk/config_lines.py",
    "kiosk/config_schema.py",
    "kiosk/config_validate.py",
    "kiosk/event_format.py",
    "kiosk/event_reader.py",
    "kiosk/events.py",
    "kiosk/logtool.py",
    "kiosk/content.py",
    "kiosk/security.py",
    "kiosk/session.py",
    "kiosk/care.py",
    "kiosk/nurse_call.py",
    "kiosk/control_client.py",
    "kiosk/media/tones.py",
    "kiosk/media/playlist.py",
    "kiosk/media/mixer.py",
    "kiosk/breathing.py",
    "kiosk/theme.py",
    "kiosk/cli.py",
]


def test_core_is_strictly_typed() -> None:
    pytest.importorskip("mypy")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", *CORE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
