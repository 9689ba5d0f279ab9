"""Guard against the PySide6 6.12.0 defect on Python 3.11.

PySide6 6.12.0 on Python 3.11 takes one reference away from `None` on every
call of a method that returns nothing; when the count reaches zero the
interpreter aborts ("Fatal Python error: none_dealloc"). A kiosk animating a
breathing circle would die within seconds. pyproject.toml pins Python 3.11 below
6.12; this test fails if any installed PySide6 brings the defect back.

The calls run in a child interpreter that checks the count as it goes, so a
defective PySide6 fails this test with a clear message instead of aborting the
whole test run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

CALLS_PER_KIND = 25_000  # four kinds: 100,000 void calls in all
CHUNK = 100  # check the count this often, to stop well before None could be freed

CHILD = r"""
import json, os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QObject
from PySide6.QtGui import QImage, QPainter
from PySide6.QtMultimedia import QAudioOutput
from PySide6.QtWidgets import QApplication, QWidget

app = QApplication([])
obj = QObject()
widget = QWidget()
image = QImage(64, 64, QImage.Format.Format_ARGB32)
painter = QPainter(image)
audio = QAudioOutput()

def set_name(): obj.setObjectName("guard")
def widget_update(): widget.update()
def paint(): painter.drawEllipse(2, 2, 40, 40)
def set_volume(): audio.setVolume(0.5)

kinds = {
    "QObject.setObjectName": set_name,
    "QWidget.update": widget_update,
    "QPainter.drawEllipse": paint,
    "QAudioOutput.setVolume": set_volume,
}
calls, chunk = int(sys.argv[1]), int(sys.argv[2])
result = {"pyside": pyside_version, "python": sys.version.split()[0], "kinds": {}}
for name, call in kinds.items():
    before = sys.getrefcount(None)
    done = 0
    while done < calls:
        for _ in range(chunk):
            call()
        done += chunk
        delta = sys.getrefcount(None) - before
        if delta < -chunk // 2:
            break  # leaking: stop before the interpreter aborts
    result["kinds"][name] = {"calls": done, "none_refcount_delta": delta}
painter.end()
print(json.dumps(result), flush=True)
# Skip interpreter shutdown: with the defect, freeing objects at exit could
# drop None's count to zero and abort before the parent reads the result.
os._exit(0)
"""


def test_void_calls_keep_none_alive() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("PULSE_SERVER", None)  # no sound device needed: setVolume still runs
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(CALLS_PER_KIND), str(CHUNK)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    if proc.returncode != 0 or not proc.stdout.strip():
        pytest.fail(
            "the child interpreter making PySide6 void calls died "
            f"(exit {proc.returncode}):\n{proc.stderr[-2000:]}"
        )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    leaking = {
        name: k for name, k in result["kinds"].items() if k["none_refcount_delta"] < -(CHUNK // 2)
    }
    assert not leaking, (
        f"PySide6 {result['pyside']} on Python {result['python']} loses references to "
        f"None on void calls: {leaking}. This aborts the kiosk within seconds "
        "('Fatal Python error: none_dealloc'). Pin another PySide6 in pyproject.toml."
    )
    total_calls = sum(k["calls"] for k in result["kinds"].values())
    assert total_calls == 4 * CALLS_PER_KIND
