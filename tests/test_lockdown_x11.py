"""Lock-down on a real X display: nothing but Exit kiosk behind the PIN closes the kiosk.

The kiosk runs as `kiosk run` on Xvfb with the openbox window manager, so Alt+F4
and `wmctrl -c` are real window-manager close requests. Where to touch is taken
from the same window laid out offscreen at the same size.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from kiosk import config as kiosk_config
from kiosk.app import KioskWindow, create_window
from kiosk.clock import FakeClock
from kiosk.security import hash_pin
from tests.kioskproc import RunningKiosk
from tests.realdisplay import HEIGHT, WIDTH

PIN = "408317"
REFUSED = re.compile(r"close request refused")
RUNNING = re.compile(r"is running in Room 4")

pytestmark = pytest.mark.xvfb

GRAB = (
    "import sys\nfrom PySide6.QtGui import QGuiApplication\n"
    "app = QGuiApplication([])\napp.primaryScreen().grabWindow(0).save(sys.argv[1])\n"
)


def centre(window: KioskWindow, widget: QWidget) -> tuple[int, int]:
    for _ in range(5):  # let pending layout requests run: a stale layout gives wrong points
        QApplication.processEvents()
    point = widget.mapTo(window, widget.rect().center())
    return point.x(), point.y()


def touch_points(qtbot: QtBot, tmp_path: Path, pin_hash: str) -> dict[str, tuple[int, int]]:
    """Where the Staff control, the PIN keys, Exit kiosk and its confirmation are."""
    base = kiosk_config.defaults()
    cfg = replace(
        base,
        staff=replace(base.staff, pin_hash=pin_hash),
        log=replace(base.log, dir=tmp_path / "layout-events"),
    )
    window = create_window(cfg, clock=FakeClock())
    qtbot.addWidget(window)
    try:
        window.resize(WIDTH, HEIGHT)
        window.show()
        points = {"staff": centre(window, window.staff_button)}
        window.open_staff()
        qtbot.waitUntil(lambda: window.staff_screen.pin_pad.keys["OK"].isVisible())
        for key, button in window.staff_screen.pin_pad.keys.items():
            points[key] = centre(window, button)
        window.staff_screen.pin_pad.type_digits(PIN)
        window.staff_screen.pin_pad.keys["OK"].click()
        points["exit"] = centre(window, window.staff_screen.exit_button)
        window.staff_screen.exit_button.click()
        qtbot.waitUntil(lambda: window.staff_screen.confirm_yes.isVisible())
        points["confirm"] = centre(window, window.staff_screen.confirm_yes)
        return points
    finally:
        window.shutdown()
        window.events.close()


def xdo(display: str, *args: str) -> str:
    proc = subprocess.run(
        ["xdotool", *args], env=dict(os.environ, DISPLAY=display),
        capture_output=True, text=True, timeout=60, check=True,
    )
    return proc.stdout


def test_only_exit_kiosk_with_the_pin_closes_it(qtbot: QtBot, tmp_path: Path, x_display: str) -> None:
    pin_hash = hash_pin(PIN, n=2**4)
    points = touch_points(qtbot, tmp_path, pin_hash)
    events = tmp_path / "events"
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\nid = "chair-4"\nroom = "Room 4"\n[staff]\npin_hash = "{pin_hash}"\n'
        f'[log]\ndir = "{events}"\n',
        encoding="utf-8",
    )
    env_display = {"DISPLAY": x_display}
    kiosk = RunningKiosk(config, env=env_display)
    try:
        kiosk.wait_for(RUNNING)
        window = xdo(x_display, "search", "--sync", "--onlyvisible", "--name", "^infusion-kiosk$").split()[0]
        geometry = dict(line.split("=", 1) for line in xdo(x_display, "getwindowgeometry", "--shell", window).split())
        assert (int(geometry["X"]), int(geometry["Y"])) == (0, 0)
        assert (int(geometry["WIDTH"]), int(geometry["HEIGHT"])) == (WIDTH, HEIGHT)
        xdo(x_display, "windowactivate", "--sync", window)

        for keys in ("Escape", "ctrl+q", "ctrl+w", "alt+F4"):
            xdo(x_display, "key", "--clearmodifiers", keys)
        kiosk.wait_for(REFUSED)  # Alt+F4: openbox asked the window to close; it refused
        subprocess.run(["wmctrl", "-c", "infusion-kiosk"], env=dict(os.environ, **env_display),
                       check=True, timeout=30)
        kiosk.wait_for(REFUSED)
        assert kiosk.proc.poll() is None
        xdo(x_display, "search", "--onlyvisible", "--name", "^infusion-kiosk$")  # still mapped

        # Exit kiosk: hold Staff for 2 s, type the PIN, Exit kiosk, confirm.
        x, y = points["staff"]
        xdo(x_display, "mousemove", str(x), str(y), "mousedown", "1", "sleep", "2.6", "mouseup", "1")
        kiosk.wait_for(re.compile("staff PIN pad opened"), timeout=10)
        clicks: list[str] = []
        for key in [*PIN, "OK", "exit", "confirm"]:
            x, y = points[key]
            clicks += ["mousemove", "--sync", str(x), str(y), "click", "1", "sleep", "0.3"]
        xdo(x_display, *clicks)
        try:
            status = kiosk.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            shot = tmp_path / "screen.png"
            subprocess.run([sys.executable, "-c", GRAB, str(shot)], env=dict(os.environ, DISPLAY=x_display,
                           QT_QPA_PLATFORM="xcb"), timeout=60)
            journal = []
            while not kiosk.lines.empty():
                journal.append(kiosk.lines.get())
            pytest.fail(f"the kiosk did not exit; the screen is in {shot}; journal:\n{''.join(journal)}")
        assert status == 0
    finally:
        if kiosk.proc.poll() is None:
            kiosk.proc.kill()
        kiosk.close()
    last = json.loads(sorted(events.glob("events-*.jsonl"))[-1].read_text().splitlines()[-1])
    assert last["type"] == "kiosk.stopped"
    assert last["data"] == {"reason": "staff"}
    assert sys.platform.startswith("linux")
