"""Breathing and idle: the kiosk on a real X display, beside bare PySide6 floors.

Each figure comes from a child process drawing into a real Xvfb (1280×800, with
openbox) through Qt's xcb platform, its window at 1280×800 and shown, with no
sound server (PULSE_SERVER points at nothing). Four children, one after another:

- kiosk, breathing: a visit open, Breathe, Start: the default exercise runs;
- floor, animated: a bare QWidget repainting an antialiased disc of changing
  radius over its whole area every 16 ms;
- kiosk, idle: a visit open, the stage screen shown;
- floor, idle: a bare QWidget with a few QLabels and QPushButtons.

A child prints READY once its window is on screen (the breathing child: at the
pacer's first paint). The parent waits for things to settle, then reads the
child's CPU time from /proc over a fixed span, and its peak RSS (VmHWM) at the
end. The animated children note `time.monotonic()` (one clock for all processes)
at each paint, each tick of their frame timer and (kiosk) each repaint the pacer
asks for; after the span the parent sends them the span's ends on stdin and they
answer with the times inside it, from which come frames per second and the
intervals between frames.
"""

from __future__ import annotations

import itertools
import json
import os
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.music import cpu_seconds, peak_rss_mb
from tests.realdisplay import HEIGHT, WIDTH, xvfb

ROOT = Path(__file__).resolve().parents[1]
SETTLE_SECONDS = 2.0
SPAN_SECONDS = 20.0
READY_TIMEOUT_SECONDS = 30.0
GOAL_FPS = 55.0
GOAL_BREATHING_CPU = 15.0  # % of a core
GOAL_IDLE_CPU = 0.5  # % of a core
GOAL_IDLE_RSS_OVER_MB = 40.0  # the idle stage screen over the bare window

# The children share this: READY once the window is exposed (or when `ready()` is
# called), and an answer on stdin with the noted times inside the span asked for.
HARNESS = r"""
import json, sys, time
from PySide6.QtCore import QSocketNotifier, QTimer
from PySide6.QtWidgets import QApplication

app = QApplication(sys.argv[:1])
notes = {"paints": [], "ticks": [], "requests": []}
_said = []

def ready():
    if not _said:
        _said.append(True)
        print("READY", flush=True)

def when_exposed(widget):
    poll = QTimer(widget)
    def check():
        handle = widget.windowHandle()
        if handle is not None and handle.isExposed():
            poll.stop()
            ready()
    poll.timeout.connect(check)
    poll.start(10)

def _answer():
    words = sys.stdin.readline().split()
    if len(words) != 3:
        app.quit()
        return
    t0, t1 = float(words[1]), float(words[2])
    inside = {k: [t for t in v if t0 <= t <= t1] for k, v in notes.items()}
    print(json.dumps(inside), flush=True)

_stdin = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
_stdin.activated.connect(_answer)
"""

# The kiosk on its defaults with a throwaway log, shown at 1280×800, a visit open.
KIOSK = r"""
from dataclasses import replace
from pathlib import Path
from kiosk import config as kiosk_config
from kiosk.app import create_window

def open_kiosk():
    base = kiosk_config.defaults()
    # no check-in or comfort question before the stage screen: it is the screen measured
    config = replace(base, log=replace(base.log, dir=Path(sys.argv[1]) / "events"),
                     session=replace(base.session, checkins=False, comfort_plan=False))
    window = create_window(config)
    window.resize(1280, 800)
    window.show()
    window.session.start(45, "en")
    return window
"""

KIOSK_BREATHING = HARNESS + KIOSK + r"""
from kiosk.screens.breathe import Pacer

_paint, _update = Pacer.paintEvent, Pacer.update

def paintEvent(self, event):
    notes["paints"].append(time.monotonic())
    _paint(self, event)
    ready()

def update(self, *args):
    notes["requests"].append(time.monotonic())
    _update(self, *args)

Pacer.paintEvent, Pacer.update = paintEvent, update
window = open_kiosk()
window.breathe_button.click()
window.breathe_screen.frame_timer.timeout.connect(lambda: notes["ticks"].append(time.monotonic()))
window.breathe_screen.start_button.click()
if not window.breathe_screen.frame_timer.isActive():
    print("NOT BREATHING", flush=True)
    sys.exit(1)
app.exec()
"""

FLOOR_ANIMATED = HARNESS + r"""
import math
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QWidget

class Disc(QWidget):
    def __init__(self):
        super().__init__()
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.radius = 150.0
        self.start = time.monotonic()
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(16)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def tick(self):
        now = time.monotonic()
        notes["ticks"].append(now)
        self.radius = 150 + 200 * (0.5 - 0.5 * math.cos(math.pi * (now - self.start) / 5.5))
        self.update()

    def paintEvent(self, event):
        notes["paints"].append(time.monotonic())
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.fillRect(self.rect(), QColor("#1c1815"))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#e6bd82"))
        center = QPointF(self.width() / 2, self.height() / 2)
        painter.drawEllipse(center, self.radius, self.radius)
        painter.end()

disc = Disc()
disc.resize(1280, 800)
disc.show()
when_exposed(disc)
app.exec()
"""

KIOSK_IDLE = HARNESS + KIOSK + r"""
window = open_kiosk()
if window.current_screen() is not window.stage_screen:
    print("NOT ON STAGE", flush=True)
    sys.exit(1)
when_exposed(window)
app.exec()
"""

# The idle floor's window, shared with the start-up floor: `Window` (a QWidget class) is
# defined first; `window` is then built, sized and shown.
BARE_WINDOW = r"""
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout

window = Window()
layout = QVBoxLayout(window)
for text in ("Welcome", "Your infusion is under way.", "A nurse is nearby if you need one."):
    layout.addWidget(QLabel(text))
layout.addStretch(1)
bar = QHBoxLayout()
for text in ("Music", "Breathe", "Call nurse"):
    bar.addWidget(QPushButton(text))
layout.addLayout(bar)
window.resize(1280, 800)
window.show()
"""

FLOOR_IDLE = HARNESS + r"""
from PySide6.QtWidgets import QWidget as Window
""" + BARE_WINDOW + r"""
when_exposed(window)
app.exec()
"""


@dataclass(frozen=True)
class Frames:
    """What an animated child drew over the span."""

    fps: float  # paints a second
    ticks_per_second: float  # frame timer ticks a second
    requests_per_second: float  # repaints asked for a second (kiosk only; else 0)
    p50_ms: float  # median interval between two paints
    p99_ms: float  # 99th percentile of it
    worst_ms: float


@dataclass(frozen=True)
class Run:
    peak_rss_mb: float
    cpu_percent: float  # of one core, the child alone
    server_cpu_percent: float | None  # of one core, the X server over the same span
    frames: Frames | None  # animated children only


@dataclass(frozen=True)
class Results:
    breathing: Run
    animated_floor: Run
    idle: Run
    idle_floor: Run


def available() -> str | None:
    """Why these figures cannot be taken here, or None if they can."""
    if shutil.which("Xvfb") is None:
        return "no Xvfb (package xvfb)"
    return None


def percentile(values: Sequence[float], share: float) -> float:
    """The `share` (0..1) percentile of `values`, by the nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def _frames(notes: dict[str, list[float]], span: float) -> Frames:
    paints = notes["paints"]
    gaps = [1000.0 * (b - a) for a, b in itertools.pairwise(paints)]
    return Frames(
        fps=len(paints) / span,
        ticks_per_second=len(notes["ticks"]) / span,
        requests_per_second=len(notes["requests"]) / span,
        p50_ms=percentile(gaps, 0.50),
        p99_ms=percentile(gaps, 0.99),
        worst_ms=max(gaps, default=float("nan")),
    )


def _x_server_pid() -> int | None:
    """Our own Xvfb: a child of this process named Xvfb."""
    me = str(os.getpid())
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        parent = text.rsplit(")", 1)[1].split()[1]
        if name == "Xvfb" and parent == me:
            return int(stat.parent.name)
    return None


def _run(code: str, display: str, animated: bool) -> Run:
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
        env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", PULSE_SERVER="unix:/nonexistent",
                   PYTHONPATH=str(ROOT))
        errors_path = Path(tmp) / "stderr.txt"
        with errors_path.open("w") as errors:
            proc = subprocess.Popen([sys.executable, "-c", code, tmp], env=env, text=True,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors)
        try:
            assert proc.stdin is not None and proc.stdout is not None
            line = _read_line(proc, READY_TIMEOUT_SECONDS)
            if line != "READY":
                tail = errors_path.read_text()[-2000:].strip()
                raise RuntimeError(f"a child did not get ready ({line or 'no answer'}): {tail}")
            time.sleep(SETTLE_SECONDS)  # another process: the parent only waits for time to pass
            server = _x_server_pid()
            s0 = cpu_seconds(server) if server is not None else 0.0
            cpu0, t0 = cpu_seconds(proc.pid), time.monotonic()
            time.sleep(SPAN_SECONDS)
            cpu1, t1 = cpu_seconds(proc.pid), time.monotonic()
            s1 = cpu_seconds(server) if server is not None else 0.0
            span = t1 - t0
            frames = None
            if animated:
                proc.stdin.write(f"SPAN {t0!r} {t1!r}\n")
                proc.stdin.flush()
                frames = _frames(json.loads(_read_line(proc, 10.0)), span)
            return Run(
                peak_rss_mb=peak_rss_mb(proc.pid),
                cpu_percent=100.0 * (cpu1 - cpu0) / span,
                server_cpu_percent=100.0 * (s1 - s0) / span if server is not None else None,
                frames=frames,
            )
        finally:
            proc.kill()
            proc.wait()


def _read_line(proc: subprocess.Popen[str], timeout: float) -> str:
    """The child's next line on stdout, or "" if it says nothing for `timeout` seconds."""
    assert proc.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            return ""
    return proc.stdout.readline().strip()


def measure() -> Results:
    """Start Xvfb and run the four children one after another on it."""
    with xvfb(WIDTH, HEIGHT) as display:
        return Results(
            breathing=_run(KIOSK_BREATHING, display, animated=True),
            animated_floor=_run(FLOOR_ANIMATED, display, animated=True),
            idle=_run(KIOSK_IDLE, display, animated=False),
            idle_floor=_run(FLOOR_IDLE, display, animated=False),
        )
