"""`make bench`: measures the kiosk against floors taken in the same run, and prints one table.

Each row: what is measured, the kiosk's figure, the floor's (a bare program doing the
least the same job needs, started and measured the same way), the goal and whether
this run met it. Goals are printed, never asserted.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import biglog, breathing, calls, day, music, startup, station
from tests.realsound import pulse_null_sink

Row = tuple[str, str, str, str, str]  # measure, kiosk, floor, goal, floor is


def machine() -> str:
    cpus = os.cpu_count() or 0
    return f"{platform.machine()}, {cpus} cores, Python {platform.python_version()}"


def _goal(text: str, met: bool) -> str:
    return f"{text}: {'met' if met else 'MISSED'}"


def _cpu(percent: float | None, digits: int = 1) -> str:
    return "n/a" if percent is None else f"{percent:.{digits}f} % of a core"


def startup_rows() -> tuple[list[Row], list[str]]:
    missing = breathing.available()
    if missing is not None:
        return [], [f"Start-up row skipped: {missing}."]
    got = startup.measure()
    ratio = got.kiosk_median / got.floor_median
    return [(
        f"Start to first frame (median of {len(got.kiosk)})",
        f"{got.kiosk_median:.2f} s", f"{got.floor_median:.2f} s",
        _goal(f"<= {startup.GOAL_RATIO}x floor", ratio <= startup.GOAL_RATIO) + f" ({ratio:.1f}x)",
        "bare QWidget, 3 QLabels + 3 QPushButtons, xcb",
    )], [
        (f"Start-up, each run (s): kiosk {', '.join(f'{s:.2f}' for s in got.kiosk)}; "
        f"floor {', '.join(f'{s:.2f}' for s in got.floor)}."),
    ]


def music_rows() -> tuple[list[Row], list[str]]:
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
        ("Peak RSS, music playing", f"{kiosk.peak_rss_mb:.0f} MB", f"{bare.peak_rss_mb:.0f} MB",
         "", floor),
        (f"CPU, music playing ({span})", _cpu(kiosk.cpu_percent), _cpu(bare.cpu_percent), "",
         floor),
    ], []


def breathing_rows() -> tuple[list[Row], list[str]]:
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
    idle_cpu = got.idle.cpu_percent
    rss_over = got.idle.peak_rss_mb - got.idle_floor.peak_rss_mb
    rows = [
        (f"Breathing, frames shown ({span})", f"{kiosk.frames.fps:.1f} fps",
         f"{floor.frames.fps:.1f} fps",
         _goal(f">= {breathing.GOAL_FPS:.0f} fps", kiosk.frames.fps >= breathing.GOAL_FPS), disc),
        ("Breathing, frame interval p99 (worst)",
         f"{kiosk.frames.p99_ms:.1f} ms ({kiosk.frames.worst_ms:.0f} ms)",
         f"{floor.frames.p99_ms:.1f} ms ({floor.frames.worst_ms:.0f} ms)", "", disc),
        (f"CPU, breathing ({span})", _cpu(kiosk.cpu_percent), _cpu(floor.cpu_percent),
         _goal(f"<= {breathing.GOAL_BREATHING_CPU:.0f} %",
               kiosk.cpu_percent <= breathing.GOAL_BREATHING_CPU), disc),
        (f"CPU of Xvfb, breathing ({span})", _cpu(kiosk.server_cpu_percent),
         _cpu(floor.server_cpu_percent), "", disc),
        ("Peak RSS, breathing", f"{kiosk.peak_rss_mb:.0f} MB", f"{floor.peak_rss_mb:.0f} MB", "",
         disc),
        (f"CPU, idle stage screen ({span})", _cpu(idle_cpu, 2),
         _cpu(got.idle_floor.cpu_percent, 2),
         _goal(f"<= {breathing.GOAL_IDLE_CPU} %", idle_cpu <= breathing.GOAL_IDLE_CPU), bare),
        ("Peak RSS, idle stage screen", f"{got.idle.peak_rss_mb:.0f} MB",
         f"{got.idle_floor.peak_rss_mb:.0f} MB",
         _goal(f"<= floor + {breathing.GOAL_IDLE_RSS_OVER_MB:.0f} MB",
               rss_over <= breathing.GOAL_IDLE_RSS_OVER_MB) + f" (+{rss_over:.0f})", bare),
    ]
    notes = [
        (f"Breathing, kiosk: frame timer {kiosk.frames.ticks_per_second:.1f} ticks/s, pacer asked "
         f"to repaint {kiosk.frames.requests_per_second:.1f} times/s, painted {kiosk.frames.fps:.1f} "
         f"times/s (median interval {kiosk.frames.p50_ms:.1f} ms); floor: "
         f"{floor.frames.ticks_per_second:.1f} ticks/s, {floor.frames.fps:.1f} paints/s."),
    ]
    return rows, notes


def call_rows() -> tuple[list[Row], list[str]]:
    got = calls.measure()
    floor = f"os.write + os.fsync of the same line, same folder ({got.folder})"
    limit = calls.GOAL_P99_RATIO * got.bare_p99_ms
    return [
        (f"Call nurse tap -> requested on disk, p50 ({calls.CALLS})", f"{got.tap_p50_ms:.2f} ms",
         f"{got.bare_p50_ms:.2f} ms", "", floor),
        (f"Call nurse tap -> requested on disk, p99 ({calls.CALLS})", f"{got.tap_p99_ms:.2f} ms",
         f"{got.bare_p99_ms:.2f} ms",
         _goal(f"<= {calls.GOAL_P99_RATIO:.0f}x floor", got.tap_p99_ms <= limit)
         + f" ({got.tap_p99_ms / got.bare_p99_ms:.1f}x)", floor),
    ], []


def station_rows() -> tuple[list[Row], list[str]]:
    missing = station.available()
    if missing is not None:
        return [], [f"Nurse station rows skipped: {missing}."]
    got = station.measure()
    floor = "bare paho QoS 1 publish -> subscriber, same broker (TLS, loopback)"
    return [
        (f"Call nurse tap -> at the nurse station, p50 ({station.CALLS})",
         f"{got.tap_p50_ms:.2f} ms", f"{got.bare_p50_ms:.2f} ms", "", floor),
        (f"Call nurse tap -> at the nurse station, p99 ({station.CALLS})",
         f"{got.tap_p99_ms:.2f} ms", f"{got.bare_p99_ms:.2f} ms",
         _goal(f"<= {station.GOAL_P99_MS:.0f} ms", got.tap_p99_ms <= station.GOAL_P99_MS), floor),
    ], []


def log_rows() -> tuple[list[Row], list[str]]:
    got = biglog.measure()
    floor = "python: read every line of every day file, json.loads"
    size = f"{got.events / 1e6:g}M events"

    def goal(read: biglog.Read) -> str:
        ok = read.seconds <= biglog.GOAL_SECONDS and read.peak_mb <= biglog.GOAL_MB
        return _goal(f"<= {biglog.GOAL_SECONDS:.0f} s, <= {biglog.GOAL_MB:.0f} MB", ok)

    def figures(read: biglog.Read) -> str:
        return f"{read.seconds:.1f} s, {read.peak_mb:.0f} MB"

    return [
        (f"kiosk log verify, {size}", figures(got.verify), figures(got.floor), goal(got.verify),
         floor),
        (f"Visit restore, {size}", figures(got.restore), figures(got.floor), goal(got.restore),
         floor),
    ], [f"The {size} log ({got.folder}) was written in {got.write_seconds:.0f} s."]


def day_rows() -> tuple[list[Row], list[str]]:
    got = day.measure()
    return [(
        f"RSS growth over a day ({got.visits} visits)",
        f"{got.growth_mb:+.1f} MB", "", _goal(f"< {day.GOAL_GROWTH_MB:.0f} MB",
                                              got.growth_mb < day.GOAL_GROWTH_MB),
        "RSS after visit 1 to after the last",
    )], [
        (f"Day: {got.visits} visits over {got.kiosk_hours:.1f} h of kiosk clock in "
        f"{got.wall_seconds:.0f} s; RSS after each visit "
        f"{', '.join(f'{mb:.1f}' for mb in got.rss_mb)} MB (peak {got.peak_rss_mb:.0f} MB); "
        f"QObjects under the window {got.qobjects_first} -> {got.qobjects_last}; "
        f"{got.events} events, {got.music_started} music starts; sound: {got.sound}."),
    ]


def main() -> int:
    rows: list[Row] = []
    notes: list[str] = []
    parts: list[Callable[[], tuple[list[Row], list[str]]]] = [
        startup_rows, music_rows, breathing_rows, call_rows, station_rows, log_rows, day_rows]
    for part in parts:
        try:
            measured = part()
        except RuntimeError as error:
            measured = [], [f"{part.__name__}: {error}"]
        rows += measured[0]
        notes += measured[1]
    header = ("Measure", "Kiosk", "Floor", "Goal", "Floor is")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    print(f"infusion-kiosk benchmarks, {date.today().isoformat()}, {machine()}")
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))
    for note in notes:
        print(note)
    print("Start-up, breathing and idle: a real Xvfb display (1280x800, openbox, xcb), no sound "
          "server. Music and the day: offscreen, sound into a PulseAudio null sink. Calls: "
          "offscreen, no sound server; to the nurse station through Mosquitto on loopback.")
    return 0 if rows else 1


if __name__ == "__main__":
    sys.exit(main())
