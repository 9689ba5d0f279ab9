"""Soft synthesized tones, written as WAV files: the call chime and other cues.

Plain Python with no Qt, so the sound itself can be checked without a sound card.
The call chime is a gentle "ding-dong" (E5 then C5) that staff nearby hear
clearly without startling a patient: each tone fades in over a few
milliseconds and dies away smoothly to exactly zero, so there is no click at
either end. The output is the same on every run.
"""

from __future__ import annotations

import math
import sys
import wave
from array import array
from collections.abc import Sequence
from pathlib import Path

SAMPLE_RATE = 44100

CHIME_FREQUENCIES: tuple[float, float] = (659.25, 523.25)
"""The "ding" (E5) and the "dong" (C5), in Hz: well within a small speaker's range."""

CHIME_PEAK = 0.6
"""Loudest sample of the chime, as a fraction of full scale."""

_HARMONIC = 0.2  # level of the soft second harmonic that gives a bell-like colour
_DECAY = 3.0  # how fast a tone dies away: its level at the end before the shift to zero is e^-3
_DING_SECONDS = 0.72
_DONG_SECONDS = 0.75
_DONG_START = 0.70  # the dong begins just before the ding has quite died away
CHIME_SECONDS = _DONG_START + _DONG_SECONDS
"""How long the call chime lasts."""


def tone(
    frequency: float,
    seconds: float,
    *,
    peak: float,
    attack: float = 0.015,
    sample_rate: int = SAMPLE_RATE,
) -> array[float]:
    """One soft bell-like tone of `frequency` Hz lasting `seconds`.

    The tone fades in along a raised cosine over `attack` seconds, then decays
    exponentially, shifted so that the last sample is exactly 0. The first
    sample is 0 too. The loudest sample is exactly `peak` (a fraction of full
    scale).
    """
    if frequency <= 0 or seconds <= 0 or sample_rate <= 0:
        raise ValueError("frequency, seconds and sample_rate must be positive")
    if not 0 <= attack < seconds:
        raise ValueError("attack must be at least 0 and shorter than the tone")
    count = max(2, round(seconds * sample_rate))
    last = count - 1
    attack_samples = min(round(attack * sample_rate), last - 1)
    floor = math.exp(-_DECAY)
    samples = array("d")  # 8 bytes a sample, not a list's 32: the chime is made in a running kiosk
    for i in range(count):
        if i < attack_samples:
            envelope = 0.5 * (1.0 - math.cos(math.pi * i / attack_samples))
        else:
            x = (i - attack_samples) / (last - attack_samples)
            envelope = (math.exp(-_DECAY * x) - floor) / (1.0 - floor)
        phase = 2.0 * math.pi * frequency * i / sample_rate
        samples.append(envelope * (math.sin(phase) + _HARMONIC * math.sin(2.0 * phase)))
    samples[0] = samples[last] = 0.0  # exact, whatever the rounding
    return _scaled(samples, peak)


def chime_samples(sample_rate: int = SAMPLE_RATE) -> array[float]:
    """The call chime: the two `CHIME_FREQUENCIES` one after the other, 1.45 s in all."""
    ding = tone(CHIME_FREQUENCIES[0], _DING_SECONDS, peak=CHIME_PEAK, sample_rate=sample_rate)
    dong = tone(CHIME_FREQUENCIES[1], _DONG_SECONDS, peak=CHIME_PEAK, sample_rate=sample_rate)
    start = round(_DONG_START * sample_rate)
    samples = ding + array("d", [0.0]) * (start + len(dong) - len(ding))
    for i, value in enumerate(dong):
        samples[start + i] += value
    return _scaled(samples, CHIME_PEAK)


CUE_FREQUENCIES: dict[str, float] = {
    "inhale": 392.0,  # G4: the breath in
    "hold": 349.23,  # F4
    "exhale": 293.66,  # D4: lower, for the breath out
    "rest": 329.63,  # E4
}
"""The breathing cue for the start of each kind of phase, in Hz: low and round."""

CUE_PEAK = 0.35
"""Loudest sample of a breathing cue: well below the chime, to be heard, never to startle."""
_CUE_SECONDS = 1.2
_CUE_ATTACK = 0.08  # a slow swell: a cue that begins softly cannot make anyone jump


def cue_samples(kind: str, sample_rate: int = SAMPLE_RATE) -> array[float]:
    """The soft tone that marks the start of a breathing phase of `kind` (see CUE_FREQUENCIES)."""
    return tone(CUE_FREQUENCIES[kind], _CUE_SECONDS, peak=CUE_PEAK, attack=_CUE_ATTACK,
                sample_rate=sample_rate)


def write_wav(path: Path, samples: Sequence[float], sample_rate: int = SAMPLE_RATE) -> Path:
    """Write `samples` (clipped to [-1, 1]) as a 16-bit mono PCM WAV file; return `path`."""
    pcm = array("h", (round(max(-1.0, min(1.0, s)) * 32767) for s in samples))
    if sys.byteorder == "big":
        pcm.byteswap()  # WAV data is little-endian
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm.tobytes())
    return path


def write_chime(path: Path) -> Path:
    """Write the call chime to `path` as a WAV file; return `path`."""
    return write_wav(path, chime_samples())


def _scaled(samples: array[float], peak: float) -> array[float]:
    """`samples` scaled so that the loudest one is exactly `peak`."""
    loudest = max(abs(s) for s in samples)
    if loudest == 0.0:
        return samples
    factor = peak / loudest
    return array("d", (s * factor for s in samples))
