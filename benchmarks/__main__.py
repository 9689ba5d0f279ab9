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

from benchmarks import music
from tests.realsound import pulse_null_sink


def machine() -> str:
    cpus = os.cpu_count() or 0
    return f"{platform.machine()}, {cpus} cores, Python {platform.python_version()}"


def main() -> int:
    if shutil.which("pulseaudio") is None:
        print("make bench needs pulseaudio (package pulseaudio) for the music figures", file=sys.stderr)
        return 1
    rows: list[tuple[str, str, str, str]] = []
    with pulse_null_sink() as env:
        kiosk, bare = music.measure(env)
    span = f"{music.SPAN_SECONDS:.0f} s"
    rows.append(("Peak RSS, music playing", f"{kiosk.peak_rss_mb:.0f} MB",
                 f"{bare.peak_rss_mb:.0f} MB", "bare QMediaPlayer + window, same track"))
    rows.append((f"CPU, music playing ({span})", f"{kiosk.cpu_percent:.1f} % of a core",
                 f"{bare.cpu_percent:.1f} % of a core", "bare QMediaPlayer + window, same track"))
    header = ("Measure", "Kiosk", "Floor", "Floor is")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    print(f"infusion-kiosk benchmarks, {date.today().isoformat()}, {machine()}")
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))
    print("Offscreen windows, sound into a PulseAudio null sink. Start-up, idle, breathing and "
          "call latency come with their issues.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
