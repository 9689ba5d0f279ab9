"""An 8-hour day: the kiosk's memory over six visits back to back, on an accelerated clock.

A child process (offscreen, its window shown at 1280×800) builds the kiosk on its
defaults with English and Spanish offered and a throwaway event log, on a kiosk
clock that starts at 08:00 and jumps each stage's minutes, and runs
`tests.day.Day`: six whole visits (about 75 kiosk minutes each, 8 hours in all) as a
nurse and a patient tap them, with the music and the breathing exercise of each
visit running in real time (`MUSIC_SECONDS`, `BREATHING_SECONDS`). With `pulseaudio`
installed the music really plays, into a private PulseAudio with a null sink
(`tests.realsound.pulse_null_sink`); without it no music can play, and the result
says so.

After each visit, once its music has faded out, the child reports its VmRSS and
VmHWM (/proc/self/status) and the QObjects under the window, one JSON line each;
at the end the day's wall time and the number of events logged. The growth is
VmRSS after the last visit less VmRSS after the first: what the first visit loads
once (the decoders, the fonts, the Spanish texts) is not counted as growth.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.realsound import pulse_null_sink

ROOT = Path(__file__).resolve().parents[1]
VISITS = 6
MUSIC_SECONDS = 12.0
"""Real seconds of each visit's music span: the 3 s fade-in, Next three times (each a 4 s
crossfade), Louder, Quieter, Pause, Play; the music plays on until the visit ends."""
BREATHING_SECONDS = 11.0
"""Real seconds of each visit's breathing exercise: one whole resonant breath (5.5 s in, 5.5 s out)."""
GOAL_GROWTH_MB = 10.0
TIMEOUT_SECONDS = 600

CHILD = r"""
import json, sys, time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from kiosk import config as kiosk_config
from kiosk.app import create_window
from kiosk.clock import FakeClock
from kiosk.events import read_events
from tests.day import Day, DayError

folder = Path(sys.argv[1])
visits, music_seconds, breathing_seconds = int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
app = QApplication(sys.argv[:1])
base = kiosk_config.defaults()
config = replace(base, kiosk=replace(base.kiosk, languages=("en", "es")),
                 log=replace(base.log, dir=folder / "events"))
clock = FakeClock(datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc))
window = create_window(config, clock=clock)
window.resize(1280, 800)
window.show()
QTest.qWait(200)

def said(report):
    print(json.dumps({"visit": report.visit, "rss_kb": report.rss_kb, "hwm_kb": report.hwm_kb,
                      "qobjects": report.qobjects, "wrappers": report.wrappers,
                      "tracks": report.tracks, "seconds": report.real_seconds}), flush=True)

began = time.monotonic()
try:
    Day(window, clock, QTest.qWait, music_seconds=music_seconds, breathing_seconds=breathing_seconds,
        on_visit_end=said).run(visits)
except DayError as error:
    print(json.dumps({"error": str(error)}), flush=True)
    sys.exit(1)
wall = time.monotonic() - began
window.shutdown()
window.events.close()
events = list(read_events(config.log.dir))
print(json.dumps({"wall_seconds": wall, "events": len(events),
                  "music_started": sum(e.type == "music.started" for e in events),
                  "kiosk_hours": (events[-1].ts - events[0].ts).total_seconds() / 3600}), flush=True)
"""


@dataclass(frozen=True)
class DayResult:
    visits: int
    rss_first_mb: float  # VmRSS after the first visit
    rss_last_mb: float  # VmRSS after the last visit
    growth_mb: float  # rss_last_mb - rss_first_mb
    peak_rss_mb: float  # VmHWM after the last visit
    qobjects_first: int  # QObjects under the window after the first visit
    qobjects_last: int  # ... and after the last
    wall_seconds: float  # the day's visits, in real time (start-up not counted)
    events: int  # events logged over the day
    kiosk_hours: float  # the day on the kiosk clock, first event to last
    music_started: int  # music.started events (0: no music played)
    sound: str  # where the music went, or why there was none
    rss_mb: tuple[float, ...]  # VmRSS after each visit
    wrappers: tuple[int, ...]  # Qt objects Python held a wrapper for, after each visit


def measure(*, visits: int = VISITS, music_seconds: float = MUSIC_SECONDS,
            breathing_seconds: float = BREATHING_SECONDS) -> DayResult:
    """Run the day in a child process, with real sound when pulseaudio is installed.

    RuntimeError if the day cannot be run to its end (the child's last words say why).
    """
    if shutil.which("pulseaudio") is None:
        return _run(visits, music_seconds, breathing_seconds, {"PULSE_SERVER": "unix:/nonexistent"},
                    "none: pulseaudio is not installed (package pulseaudio), so no music could play")
    with pulse_null_sink() as env:
        return _run(visits, music_seconds, breathing_seconds, env, "into a private PulseAudio null sink")


def _run(visits: int, music_seconds: float, breathing_seconds: float, sound_env: dict[str, str],
         sound: str) -> DayResult:
    with tempfile.TemporaryDirectory(prefix="kiosk-day-") as tmp:
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        env.update(sound_env, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT),
                   KIOSK_STATE_DIR=str(Path(tmp) / "state"))
        args = [tmp, str(visits), str(music_seconds), str(breathing_seconds)]
        try:
            done = subprocess.run([sys.executable, "-c", CHILD, *args], env=env, capture_output=True,
                                  text=True, timeout=TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired as error:
            raise RuntimeError(f"the day took more than {TIMEOUT_SECONDS} s") from error
    answers = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    reports = [a for a in answers if "visit" in a]
    end = answers[-1] if answers else {}
    if done.returncode != 0 or "wall_seconds" not in end or len(reports) != visits:
        raise RuntimeError(end.get("error") or done.stderr[-2000:].strip() or "the day did not finish")
    first, last = reports[0], reports[-1]
    if end["music_started"] == 0 and not sound.startswith("none"):
        sound += ", but no music played"
    return DayResult(
        visits=visits,
        rss_first_mb=first["rss_kb"] / 1024,
        rss_last_mb=last["rss_kb"] / 1024,
        growth_mb=(last["rss_kb"] - first["rss_kb"]) / 1024,
        peak_rss_mb=last["hwm_kb"] / 1024,
        qobjects_first=first["qobjects"],
        qobjects_last=last["qobjects"],
        wall_seconds=end["wall_seconds"],
        events=end["events"],
        kiosk_hours=end["kiosk_hours"],
        music_started=end["music_started"],
        sound=sound,
        rss_mb=tuple(r["rss_kb"] / 1024 for r in reports),
        wrappers=tuple(r["wrappers"] for r in reports),
    )


if __name__ == "__main__":  # python -m benchmarks.day
    print(measure())
