"""Music: the kiosk's memory and CPU while its own music plays, beside a bare QMediaPlayer.

Both run as child processes (offscreen) against a private PulseAudio with a null
sink, so the sound really goes through the whole chain. Each plays the kiosk's
first bundled track; once it sounds, the parent waits for the fade-in to end,
then reads the child's CPU time over a fixed span from /proc, and its peak RSS
(VmHWM) at the end.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from kiosk.media.playlist import BUNDLED_DIR

ROOT = Path(__file__).resolve().parents[1]
SETTLE_SECONDS = 4.0  # past the 3 s fade-in
SPAN_SECONDS = 20.0

KIOSK_CHILD = r"""
import sys, tempfile
from dataclasses import replace
from pathlib import Path
from PySide6.QtWidgets import QApplication
from kiosk import config as kiosk_config
from kiosk.app import create_window

app = QApplication(sys.argv[:1])
base = kiosk_config.defaults()
config = replace(base, log=replace(base.log, dir=Path(tempfile.mkdtemp()) / "events"))
window = create_window(config)
window.resize(1280, 800)
window.show()
window.session.start(45, "en")
window.show_screen("music")
window.music.player.track_changed.connect(lambda track: print("PLAYING", flush=True))
if not window.music.start():
    print("NO OUTPUT", flush=True)
    sys.exit(1)
app.exec()
"""

BARE_CHILD = r"""
import sys
from PySide6.QtCore import QUrl
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
from PySide6.QtWidgets import QApplication, QLabel

app = QApplication(sys.argv[:1])
label = QLabel("music")
label.resize(1280, 800)
label.show()
player = QMediaPlayer()
output = QAudioOutput()
output.setVolume(0.11)
player.setAudioOutput(output)
player.playingChanged.connect(lambda on: on and print("PLAYING", flush=True))
player.setSource(QUrl.fromLocalFile(sys.argv[1]))
player.play()
app.exec()
"""


@dataclass(frozen=True)
class Usage:
    peak_rss_mb: float
    cpu_percent: float  # of one core


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc status")


def _measure(code: str, args: list[str], env: dict[str, str]) -> Usage:
    child_env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    child_env.update(env, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", code, *args], env=child_env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if line != "PLAYING":
            raise RuntimeError(f"the music did not start ({line or 'no answer'})")
        time.sleep(SETTLE_SECONDS)  # another process: the parent only waits for time to pass
        cpu0, t0 = cpu_seconds(proc.pid), time.monotonic()
        time.sleep(SPAN_SECONDS)
        cpu1, t1 = cpu_seconds(proc.pid), time.monotonic()
        return Usage(peak_rss_mb(proc.pid), 100.0 * (cpu1 - cpu0) / (t1 - t0))
    finally:
        proc.kill()
        proc.wait()


def measure(env: dict[str, str]) -> tuple[Usage, Usage]:
    """(the kiosk playing its own music, a bare QMediaPlayer playing the same file)."""
    track = min(BUNDLED_DIR.glob("*.ogg"))
    bare = _measure(BARE_CHILD, [str(track)], env)
    kiosk = _measure(KIOSK_CHILD, [], env)
    return kiosk, bare
