"""Short music files for the player's tests: steady tones as WAV, and files that are not music.

A steady sine makes the level at any moment easy to judge: its RMS is the
amplitude over √2, whatever the window.
"""

from __future__ import annotations

import math
from pathlib import Path

from kiosk.media.tones import SAMPLE_RATE, write_wav


def steady_tone(path: Path, frequency: float, seconds: float, amplitude: float = 0.5) -> Path:
    """A sine at `amplitude` with 5 ms soft edges (no click), written as 16-bit mono WAV."""
    count = round(seconds * SAMPLE_RATE)
    edge = round(0.005 * SAMPLE_RATE)
    step = 2.0 * math.pi * frequency / SAMPLE_RATE
    samples = []
    for i in range(count):
        envelope = min(1.0, i / edge, (count - 1 - i) / edge)
        samples.append(amplitude * envelope * math.sin(step * i))
    return write_wav(path, samples)


def broken_files(folder: Path) -> dict[str, Path]:
    """A zero-byte .ogg, a text file named .mp3, and the path of a file that does not exist."""
    folder.mkdir(parents=True, exist_ok=True)
    empty = folder / "empty.ogg"
    empty.write_bytes(b"")
    text = folder / "notes.mp3"
    text.write_text("These are not sounds, only words in a file named like music.\n")
    return {"empty": empty, "text": text, "missing": folder / "gone.ogg"}
