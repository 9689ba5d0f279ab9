"""`make bench`: measures the kiosk against floors taken in the same run, and prints one table."""

from __future__ import annotations

import os
import platform
import shutil
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import breathing, music
from tests.realsound import pulse_null_sink


def machine() -> str:
    cpus = os.cpu_count() or 0
    return f"{platform.machine()}, {cpus} cores, Python {platform.python_version()}"


def music_rows() -> tuple[list[tuple[str, str, str, str]], list[str]]:
    """The music rows, or a note why there are none."""
    if shutil.which("pulseaudio") is None:
        return [], ["Music rows skipped: no pulseaudio (package pulseaudio)."]
    try:
        with pulse_null_sink() as env:
            kiosk, bare = music.measure(env)
    except RuntimeError as error:
        return [], [f"Music rows skipped: {error}"]
    span = f"{music.SPAN_SECONDS:.0f} s"
    floor = "bare QMediaPlayer + window, same track"
    return [
        ("Peak RSS, music playing", f"{kiosk.peak_rss_mb:.0f} MB", f"{bare.peak_rss_mb:.0f} MB", floor),
        (f"CPU, music playing ({span})", f"{kiosk.cpu_percent:.1f} % of a core",
         f"{bare.cpu_percent:.1f} % of a core", floor),
    ], []


def _cpu(percent: float | None, digits: int = 1) -> str:
    return "n/a" if percent is None else f"{percent:.{digits}f} % of a core"


def breathing_rows() -> tuple[list[tuple[str, str, str, str]], list[str]]:
    """The breathing and idle rows (real Xvfb display), or a note why there are none."""
    missing = breathing.available()
    if missing is not None:
        return [], [f"Breathing and idle rows skipped: {missing}."]
    try:
        got = breathing.measure()
    except RuntimeError as error:
        return [], [f"Breathing and idle rows skipped: {error}"]
    span = f"{breathing.SPAN_SECONDS:.0f} s"
    kiosk, floor = got.breathing, got.animated_floor
    assert kiosk.frames is not None and floor.frames is not None
    disc = "bare QWidget repainting a whole-window AA disc every 16 ms"
    bare = "bare QWidget, 3 QLabels + 3 QPushButtons"
    rows = [
        (f"Breathing, frames shown ({span})", f"{kiosk.frames.fps:.1f} fps",
         f"{floor.frames.fps:.1f} fps", disc),
        ("Breathing, frame interval p99 (worst)",
         f"{kiosk.frames.p99_ms:.1f} ms ({kiosk.frames.worst_ms:.0f} ms)",
         f"{floor.frames.p99_ms:.1f} ms ({floor.frames.worst_ms:.0f} ms)", disc),
        (f"CPU, breathing ({span})", _cpu(kiosk.cpu_percent), _cpu(floor.cpu_percent), disc),
        (f"CPU of Xvfb, breathing ({span})", _cpu(kiosk.server_cpu_percent),
         _cpu(floor.server_cpu_percent), disc),
        ("Peak RSS, breathing", f"{kiosk.peak_rss_mb:.0f} MB", f"{floor.peak_rss_mb:.0f} MB", disc),
        (f"CPU, idle stage screen ({span})", _cpu(got.idle.cpu_percent, 2),
         _cpu(got.idle_floor.cpu_percent, 2), bare),
        ("Peak RSS, idle stage screen", f"{got.idle.peak_rss_mb:.0f} MB",
         f"{got.idle_floor.peak_rss_mb:.0f} MB", bare),
    ]
    notes = [
        (f"Goals (printed, not asserted): breathing >= {breathing.GOAL_FPS:.0f} fps at <= "
        f"{breathing.GOAL_BREATHING_CPU:.0f} % of a core; idle stage screen <= "
        f"{breathing.GOAL_IDLE_CPU} % of a core."),
        (f"Breathing, kiosk: frame timer {kiosk.frames.ticks_per_second:.1f} ticks/s, pacer asked "
        f"to repaint {kiosk.frames.requests_per_second:.1f} times/s, painted {kiosk.frames.fps:.1f} "
        f"times/s (median interval {kiosk.frames.p50_ms:.1f} ms); floor: "
        f"{floor.frames.ticks_per_second:.1f} ticks/s, {floor.frames.fps:.1f} paints/s."),
    ]
    return rows, notes


def main() -> int:
    rows: list[tuple[str, str, str, str]] = []
    notes: list[str] = []
    for measured in (music_rows(), breathing_rows()):
        rows += measured[0]
        notes += measured[1]
    header = ("Measure", "Kiosk", "Floor", "Floor is")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    print(f"infusion-kiosk benchmarks, {date.today().isoformat()}, {machine()}")
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))
    for note in notes:
        print(note)
    print("Music: offscreen windows, sound into a PulseAudio null sink. Breathing and idle: a real "
          "Xvfb display (1280x800, openbox, xcb), no sound server. Start-up and call latency come "
          "with their issues.")
    return 0 if rows else 1


if __name__ == "__main__":
    sys.exit(main())
