"""Layers point inward: the core never imports Qt.

Each core module is imported in a fresh interpreter, and PySide6 must not be in
`sys.modules` afterwards. The CLI is checked too: `check-config` and `log` must
work on a machine with no display and load no Qt.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE_MODULES = [
    "kiosk",
    "kiosk.clock",
    "kiosk.config",
    "kiosk.config_lines",
    "kiosk.config_schema",
    "kiosk.config_validate",
    "kiosk.event_format",
    "kiosk.event_reader",
    "kiosk.events",
    "kiosk.logtool",
    "kiosk.content",
    "kiosk.security",
    "kiosk.session",
    "kiosk.care",
    "kiosk.nurse_call",
    "kiosk.theme",
    "kiosk.media.tones",
    "kiosk.media.playlist",
    "kiosk.media.mixer",
    "kiosk.breathing",
    "kiosk.restore",
    "kiosk.cli",
    "kiosk.control_client",
    "kiosk.lastgood",
    "kiosk.health",
    "kiosk.status",
    "kiosk.sdnotify",
    "kiosk.station",
    "kiosk.station.protocol",
    "kiosk.station.model",
    "kiosk.station.mqtt",
    "kiosk.station.link",
    "kiosk.station_link",
]


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_does_not_import_qt(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print(','.join(qt))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"{module} pulls in {proc.stdout.strip()}"
