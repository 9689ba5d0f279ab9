"""Call nurse: from the tap to `nurse_call.requested` on disk, beside a bare write + fsync.

A child process (offscreen, no sound server) builds the kiosk on its defaults with
its event log in a folder on the same disk as the installed kiosk's
(/var/tmp, beside /var/lib), and opens a visit. `CALLS` times: a mouse press and
release on the Call nurse button (QTest, the same path as a finger), timed from
just before the press to the moment the log's append of `nurse_call.requested`
has returned (written and fsynced); then the call is cancelled, untimed. The floor,
in the same child and folder: the same line appended to a file with `os.write` and
`os.fsync`, `CALLS` times.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.breathing import percentile

ROOT = Path(__file__).resolve().parents[1]
CALLS = 500
GOAL_P99_RATIO = 2.0
DISK_FOLDER = "/var/tmp"

CHILD = r"""
import json, os, sys, time
from dataclasses import replace
from pathlib import Path
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from kiosk import config as kiosk_config
from kiosk.app import create_window

folder, calls = Path(sys.argv[1]), int(sys.argv[2])
app = QApplication(sys.argv[:1])
base = kiosk_config.defaults()
config = replace(base, log=replace(base.log, dir=folder / "events"))
window = create_window(config)
window.resize(1280, 800)
window.show()
window.session.start(45, "en")
events = window.events
append = events.append
done = []

def timed_append(type, data=None, *, session=None):
    event = append(type, data, session=session)
    if type == "nurse_call.requested":
        done.append(time.perf_counter())
    return event

events.append = timed_append
taps = []
for _ in range(calls):
    app.processEvents()
    began = time.perf_counter()
    QTest.mouseClick(window.call_button, Qt.MouseButton.LeftButton)
    if len(done) != len(taps) + 1:
        print(json.dumps({"error": "a tap recorded no nurse_call.requested"}), flush=True)
        sys.exit(1)
    taps.append(done[-1] - began)
    window.calls.cancel()
window.shutdown()
events.close()

day_file = next((folder / "events").glob("events-*.jsonl"))
line = next(l for l in day_file.read_bytes().splitlines() if b'"nurse_call.requested"' in l) + b"\n"
bare = []
fd = os.open(folder / "bare.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
for _ in range(calls):
    began = time.perf_counter()
    os.write(fd, line)
    os.fsync(fd)
    bare.append(time.perf_counter() - began)
os.close(fd)
print(json.dumps({"taps": taps, "bare": bare}), flush=True)
"""


@dataclass(frozen=True)
class Latency:
    tap_p50_ms: float
    tap_p99_ms: float
    bare_p50_ms: float
    bare_p99_ms: float
    folder: str


def measure(calls: int = CALLS) -> Latency:
    parent = DISK_FOLDER if os.access(DISK_FOLDER, os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="kiosk-calls-", dir=parent) as tmp:
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        env.update(QT_QPA_PLATFORM="offscreen", PULSE_SERVER="unix:/nonexistent",
                   PYTHONPATH=str(ROOT), KIOSK_STATE_DIR=str(Path(tmp) / "state"))
        done = subprocess.run([sys.executable, "-c", CHILD, tmp, str(calls)], env=env,
                              capture_output=True, text=True, timeout=600, check=False)
        lines = done.stdout.strip().splitlines()
        answer = json.loads(lines[-1]) if lines else {}
        if done.returncode != 0 or "taps" not in answer:
            raise RuntimeError(answer.get("error") or done.stderr[-2000:].strip())
    taps, bare = answer["taps"], answer["bare"]
    return Latency(
        tap_p50_ms=1000 * percentile(taps, 0.50), tap_p99_ms=1000 * percentile(taps, 0.99),
        bare_p50_ms=1000 * percentile(bare, 0.50), bare_p99_ms=1000 * percentile(bare, 0.99),
        folder=parent or tempfile.gettempdir(),
    )
