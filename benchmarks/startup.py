"""Cold start: from process start to the first painted frame, the kiosk beside a bare window.

Both run on one real Xvfb (1280×800, openbox, Qt's xcb platform), with no sound
server, one after the other, `RUNS` times each:

- kiosk: `kiosk run` on its built-in defaults with a throwaway log and state folder,
  fullscreen; the frame counted is the idle screen's first paint;
- floor: a bare QWidget with a few QLabels and QPushButtons, shown at 1280×800.

The parent notes `time.monotonic()` (one clock for every process) just before it
starts the child; the child notes it once its first frame has been painted and
handed to the X server (a zero-time timer after the paint, so the flush that
follows the paint is inside) and prints it.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.breathing import BARE_WINDOW, _read_line
from tests.realdisplay import HEIGHT, WIDTH, xvfb

ROOT = Path(__file__).resolve().parents[1]
RUNS = 7
GOAL_RATIO = 1.3
TIMEOUT_SECONDS = 60.0

# Both children: print the monotonic time once the first frame of `widget` is painted.
_FIRST_FRAME = r"""
import time
from PySide6.QtCore import QTimer

def report_first_frame(cls):
    original = cls.paintEvent
    done = []

    def paintEvent(self, event):
        original(self, event)
        if not done:
            done.append(True)
            QTimer.singleShot(0, lambda: print(f"FRAME {time.monotonic()!r}", flush=True))

    cls.paintEvent = paintEvent
"""

KIOSK = _FIRST_FRAME + r"""
import sys
from kiosk.screens.idle import IdleScreen
report_first_frame(IdleScreen)
from kiosk import cli
sys.exit(cli.main(["run"]))
"""

FLOOR = _FIRST_FRAME + r"""
import sys
from PySide6.QtWidgets import QApplication, QWidget

class Window(QWidget):
    pass

report_first_frame(Window)
app = QApplication(sys.argv[:1])
""" + BARE_WINDOW + r"""
app.exec()
"""


@dataclass(frozen=True)
class Starts:
    kiosk: list[float]  # seconds, one per run
    floor: list[float]

    @property
    def kiosk_median(self) -> float:
        return statistics.median(self.kiosk)

    @property
    def floor_median(self) -> float:
        return statistics.median(self.floor)


def _start(code: str, display: str, folder: Path) -> float:
    """Seconds from just before the child starts to its first painted frame."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "KIOSK_CONFIG", "NOTIFY_SOCKET")}
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", PULSE_SERVER="unix:/nonexistent",
               PYTHONPATH=str(ROOT), KIOSK_STATE_DIR=str(folder / "state"),
               HOME=str(folder))  # the default log folder is under ~
    errors_path = folder / "stderr.txt"
    with errors_path.open("w") as errors:
        began = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-c", code], env=env, text=True, cwd=folder,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors)
    try:
        line = _read_line(proc, TIMEOUT_SECONDS)
        if not line.startswith("FRAME "):
            tail = errors_path.read_text()[-2000:].strip()
            raise RuntimeError(f"a child painted no frame ({line or 'no answer'}): {tail}")
        return float(line.split()[1]) - began
    finally:
        proc.kill()
        proc.communicate()


def measure(runs: int = RUNS) -> Starts:
    """Start Xvfb; start the kiosk and the floor `runs` times each, taking turns."""
    kiosk: list[float] = []
    floor: list[float] = []
    with xvfb(WIDTH, HEIGHT) as display, tempfile.TemporaryDirectory(prefix="kiosk-start-") as tmp:
        for number in range(runs + 1):  # the first pair warms the page cache, and is not kept
            for name, code, into in (("kiosk", KIOSK, kiosk), ("floor", FLOOR, floor)):
                folder = Path(tmp) / f"{name}-{number}"
                folder.mkdir()
                seconds = _start(code, display, folder)
                if number > 0:
                    into.append(seconds)
    return Starts(kiosk, floor)
