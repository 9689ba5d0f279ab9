"""Synthesise the kiosk's own calm music and encode it to Ogg Vorbis.

Run `python3 scripts/make-music.py` from the repository (needs `oggenc`, Debian
package vorbis-tools). It writes three slow, lyric-free tracks of about four
minutes each to kiosk/media/music/:

  01-evening-light.ogg  warm pads: soft detuned chords in D major, one every 18 s
  02-distant-waves.ogg  a low drone on A with slowly moving overtones, and
                        filtered noise that swells like waves every 8-12 s
  03-soft-rain.ogg      soft rain (filtered noise, gently changing density)
                        over a very quiet pad in F major

Everything is made here from sines and seeded noise: no samples, no recordings.
Plain Python (standard library only); the same WAV samples come out on every run.
Tonal layers are computed at a quarter of the final sample rate (noise at half)
and interpolated up, and each track has its own process: a run takes a minute
or two.

Sound rules for an infusion room: no percussion, no sudden onsets (every level
change is a slow curve), nothing harsh above a few kHz, nothing below 70 Hz,
and all tracks about equally loud (RMS near -20 dBFS; the brighter rain 1 dB
lower) with peaks below -3 dBFS.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import chain, count, islice, pairwise, repeat, starmap
from operator import add, mul, sub
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.media.tones import SAMPLE_RATE

Stereo = tuple["array[float]", "array[float]"]
Curve = Callable[[float], float]

TAU = 2.0 * math.pi
TONAL_RATE = SAMPLE_RATE // 4  # 11025 Hz: plenty for pads whose highest partial is ~1.5 kHz
NOISE_RATE = SAMPLE_RATE // 2  # 22050 Hz: room for rain up to ~4 kHz
CONTROL_HZ = 100  # envelopes are computed this often and interpolated in between

TARGET_RMS_DBFS = -20.0
PEAK_LIMIT_DBFS = -4.0  # 1 dB of room below the -3 dBFS ceiling for the encoder
FADE_IN_SECONDS = 2.0
FADE_OUT_SECONDS = 3.0

OGG_QUALITY = 4  # oggenc -q: about 128 kbit/s, enough for clean noise; three tracks in ~9 MB
ARTIST = "infusion-kiosk"
LICENSE = "Proprietary to the infusion-kiosk project, all rights reserved (same as the kiosk)"
DEFAULT_OUT = ROOT / "kiosk" / "media" / "music"


# --- signal helpers: C-level map() over arrays, so plain Python stays fast ---------------


def zeros(n: int) -> array[float]:
    """`n` samples of silence."""
    return array("d", bytes(8 * n))


def sine(freq: float, n: int, rate: int, phase: float = 0.0) -> Iterator[float]:
    """`n` samples of a unit sine at `freq` Hz, starting at `phase` radians."""
    return map(math.sin, islice(count(phase, TAU * freq / rate), n))


def scaled(x: Iterable[float], gain: float) -> Iterator[float]:
    """`x` times a constant."""
    return map(gain.__mul__, x)


def curve(fn: Curve, start: float, n: int, rate: int) -> array[float]:
    """`fn(t)` for the `n` samples from time `start` (s), linear between control points."""
    hop = max(1, rate // CONTROL_HZ)
    points = [fn(start + k * hop / rate) for k in range(n // hop + 2)]
    ramps = (islice(count(a, (b - a) / hop), hop) for a, b in pairwise(points))
    return array("d", islice(chain.from_iterable(ramps), n))


def mix_into(out: array[float], at: int, x: array[float]) -> None:
    """Add `x` to `out` starting at sample `at` (the part past the end is dropped)."""
    end = min(len(out), at + len(x))
    if end > at:
        out[at:end] = array("d", map(add, out[at:end], x))


def noise(rng: random.Random, n: int) -> array[float]:
    """`n` samples of white noise, uniform in [-1, 1)."""
    return array("d", map((-1.0).__add__, scaled(starmap(rng.random, repeat((), n)), 2.0)))


def lowpass(x: array[float], hz: float, rate: int, poles: int = 1) -> array[float]:
    """`x` through `poles` one-pole low-pass filters at `hz` (6 dB/octave each)."""
    k = 1.0 - math.exp(-TAU * hz / rate)
    for _ in range(poles):
        y = 0.0
        out = zeros(len(x))
        for i, v in enumerate(x):
            y += k * (v - y)
            out[i] = y
        x = out
    return x


def highpass(x: array[float], hz: float, rate: int, poles: int = 1) -> array[float]:
    """`x` through `poles` one-pole high-pass filters at `hz`: removes rumble below `hz`."""
    for _ in range(poles):
        x = array("d", map(sub, x, lowpass(x, hz, rate)))
    return x


def upsampled(x: array[float], rate: int) -> array[float]:
    """`x` (at `rate`) at SAMPLE_RATE, interpolated linearly (the last value is held)."""
    factor = SAMPLE_RATE // rate
    if factor == 1:
        return x
    out = zeros(len(x) * factor)
    ahead = x[1:] + x[-1:]
    step = array("d", map(sub, ahead, x))
    out[0::factor] = x
    for j in range(1, factor):
        out[j::factor] = array("d", map(add, x, scaled(step, j / factor)))
    return out


def smoothstep(x: float) -> float:
    """0 at x <= 0, 1 at x >= 1, and an S-curve with flat ends in between."""
    x = min(1.0, max(0.0, x))
    return x * x * (3.0 - 2.0 * x)


def midi_hz(note: float) -> float:
    """Frequency of MIDI note `note` (A4 = 69 = 440 Hz)."""
    return 440.0 * math.pow(2.0, (note - 69) / 12.0)


def rms(x: array[float]) -> float:
    """Root mean square of `x`."""
    return math.sqrt(sum(map(mul, x, x)) / max(1, len(x)))


def dbfs(level: float) -> float:
    """`level` (a fraction of full scale) in dBFS."""
    return 20.0 * math.log10(max(level, 1e-12))


# --- instruments ---------------------------------------------------------------------------


def soft_tone(
    freq: float,
    n: int,
    rate: int,
    rng: random.Random,
    harmonics: Sequence[float] = (0.15,),
) -> array[float]:
    """A warm sustained tone: two slightly detuned sines plus soft upper harmonics.

    The two voices, a fraction of a hertz apart and at unequal levels, beat
    once every 5-15 s: the slow, gentle movement of a string pad. `harmonics`
    are the levels of harmonics 2, 3, ... Peak level is at most 1 + sum(harmonics).
    """
    apart = rng.uniform(0.06, 0.2)  # Hz; wider would flutter, narrower would be static
    low, high = freq - apart / 2, freq + apart / 2
    tone: Iterator[float] = map(
        add,
        scaled(sine(low, n, rate, rng.uniform(0.0, TAU)), 0.85),
        scaled(sine(high, n, rate, rng.uniform(0.0, TAU)), 0.15),
    )
    for number, level in enumerate(harmonics, start=2):
        if freq * number < rate / 2.5:
            tone = map(add, tone, scaled(sine(freq * number, n, rate, rng.uniform(0.0, TAU)), level))
    return array("d", tone)


def chord_envelope(begin: float, end: float, fade: float, *, fade_in: bool, fade_out: bool) -> Curve:
    """Level of a chord sounding from `begin` to `end` (s) with equal-power crossfades.

    A chord fades in over the first `fade` seconds and out over the last; the
    sine/cosine shapes keep the sum of two crossfading chords at a steady power.
    """

    def level(t: float) -> float:
        gain = 1.0
        if fade_in:
            gain *= math.sin(0.5 * math.pi * smoothstep((t - begin) / fade))
        if fade_out:
            gain *= math.cos(0.5 * math.pi * smoothstep((t - (end - fade)) / fade))
        return gain

    return level


def mix_panned(out: Stereo, at: int, tone: array[float], levels: tuple[Curve, Curve], start: float) -> None:
    """Add mono `tone` (at TONAL_RATE, starting `start` s) to both channels of `out`.

    `levels` are the left and right gains over time. Both channels carry the
    same waveform, so a single speaker playing the sum loses nothing.
    """
    for channel, level in zip(out, levels):
        mix_into(channel, at, array("d", map(mul, tone, curve(level, start, len(tone), TONAL_RATE))))


def breathing(level: float, depth: float, period: float, phase: float) -> Curve:
    """`level`, dipping by up to `depth` (a fraction of it) and back once every `period` s."""
    return lambda t: level * (1.0 - depth * (0.5 + 0.5 * math.sin(TAU * t / period + phase)))


def drifting(level: float, envelope: Curve, pan: float, rng: random.Random, *, depth: float) -> tuple[Curve, Curve]:
    """Left and right gains for a note: `envelope` times `level`, placed at `pan` (-1..1).

    Each side also swells by +-`depth` on a slow cycle (8-15 s), a little out of
    step with the other, so the note seems to drift gently in the room.
    """
    period, phase, lag = rng.uniform(8.0, 15.0), rng.uniform(0.0, TAU), rng.uniform(0.6, 1.4)

    def side(gain: float, offset: float) -> Curve:
        def level_at(t: float) -> float:
            return gain * envelope(t) * (1.0 + depth * math.sin(TAU * t / period + phase + offset))

        return level_at

    return side(level * math.sqrt(1.0 - pan), 0.0), side(level * math.sqrt(1.0 + pan), lag)


Chord = tuple[int, tuple[int, ...]]  # bass note, then the pad notes (MIDI numbers)
Voice = tuple[str, int]  # a note's part in the chord ("bass", "inner", "top", "shine") and pitch

VOICE_SOUND: dict[str, tuple[float, tuple[float, ...]]] = {
    # level, then the levels of harmonics 2, 3, ... (the bass's help small speakers)
    "bass": (0.4, (0.45, 0.12, 0.1)),
    "inner": (0.6, (0.35, 0.2, 0.1, 0.05)),
    "top": (0.45, (0.3, 0.12, 0.05)),
    "shine": (1.0, ()),  # scaled by pad(shine=...)
}


def voicing(chord: Chord) -> list[Voice]:
    """The notes of `chord` with their parts, plus the top note an octave up ("shine")."""
    bass, notes = chord
    inner = [("inner", m) for m in notes[:-1]]
    return [("bass", bass), *inner, ("top", notes[-1]), ("shine", notes[-1] + 12)]


def pad(
    chords: Sequence[Chord],
    seconds: float,
    rng: random.Random,
    *,
    period: float,
    fade: float,
    shine: float,
) -> Stereo:
    """Chords of `chords` in turn, one every `period` s, crossfading over `fade` s.

    A note that the next chord keeps simply sounds on (two copies of one pitch
    would beat against each other during the crossfade). The bass sits in the
    middle; the other notes are spread a little to either side and drift
    slowly (see `drifting`). `shine` is the level of a pure sine an octave above
    the top note. Returns both channels at TONAL_RATE.
    """
    rate = TONAL_RATE
    n = round(seconds * rate)
    out = zeros(n), zeros(n)
    changes = max(1, math.ceil(seconds / period))
    notes: list[tuple[Voice, int, int]] = []  # voice, first and last chord it sounds in
    since: dict[Voice, int] = {}
    for k in range(changes):
        current = voicing(chords[k % len(chords)])
        notes += [(voice, first, k - 1) for voice, first in since.items() if voice not in current]
        since = {voice: since.get(voice, k) for voice in current}
    notes += [(voice, first, changes - 1) for voice, first in since.items()]
    for (part, pitch), first, last in notes:
        begin = 0.0 if first == 0 else first * period - fade / 2
        end = seconds if last == changes - 1 else (last + 1) * period + fade / 2
        envelope = chord_envelope(begin, end, fade, fade_in=first > 0, fade_out=last < changes - 1)
        level, harmonics = VOICE_SOUND[part]
        level *= shine if part == "shine" else 1.0
        pan = 0.0 if part == "bass" else rng.uniform(-0.45, 0.45)
        tone = soft_tone(midi_hz(pitch), round((end - begin) * rate), rate, rng, harmonics)
        mix_panned(out, round(begin * rate), tone, drifting(level, envelope, pan, rng, depth=0.15), begin)
    return out


def filtered_noise(
    rng: random.Random, n: int, rate: int, *, low: float, high: float, width: float
) -> Stereo:
    """Stereo band-limited noise: between `low` and `high` Hz, 12 dB/octave outside.

    A shared (mid) and a separate (side) noise at `width` make the channels alike
    but not identical: a slight width, not two unrelated hisses.
    """
    mid, side = (highpass(lowpass(noise(rng, n), high, rate, 2), low, rate, 2) for _ in range(2))
    side = array("d", scaled(side, width))
    return array("d", map(add, mid, side)), array("d", map(sub, mid, side))


# --- the tracks ----------------------------------------------------------------------------


EVENING_CHORDS: tuple[Chord, ...] = (
    (38, (50, 57, 64, 66)),  # D add9
    (47, (50, 54, 59, 66)),  # B minor
    (43, (50, 55, 59, 66)),  # G maj7
    (45, (52, 57, 61, 64)),  # A
    (40, (52, 55, 59, 62)),  # E minor 7
    (43, (50, 55, 57, 62)),  # G sus2
    (42, (50, 54, 57, 62)),  # D over F sharp
    (45, (52, 57, 59, 64)),  # A sus2, leading back to D
)

RAIN_CHORDS: tuple[Chord, ...] = (
    (41, (53, 57, 60, 64)),  # F maj7
    (38, (53, 57, 60, 62)),  # D minor 7
    (46, (53, 58, 62, 65)),  # B flat
    (48, (55, 60, 62, 67)),  # C sus2
)


def evening_light(seconds: float, rng: random.Random) -> list[tuple[int, Stereo]]:
    """Warm pads in D major, a gentle chord change every 18 s."""
    return [(TONAL_RATE, pad(EVENING_CHORDS, seconds, rng, period=18.0, fade=7.0, shine=0.25))]


def distant_waves(seconds: float, rng: random.Random) -> list[tuple[int, Stereo]]:
    """A drone on A with slowly moving overtones, long pentatonic tones, and waves."""
    rate = TONAL_RATE
    n = round(seconds * rate)
    drone = zeros(n), zeros(n)
    # (frequency, level, how far the level moves): root A2, fifth E3, then harmonics of A2
    partials = [(110.0, 0.4, 0.15), (164.81, 0.3, 0.5), (220.0, 0.4, 0.5), (330.0, 0.25, 0.7)]
    partials += [(440.0, 0.15, 0.8), (550.0, 0.1, 0.9), (660.0, 0.07, 0.9), (880.0, 0.04, 0.9)]
    for freq, level, depth in partials:
        period, phase, lag = rng.uniform(25.0, 70.0), rng.uniform(0.0, TAU), rng.uniform(0.4, 1.2)
        # the two sides rise and fall a little apart: the overtones wander across the room
        levels = breathing(level, depth, period, phase), breathing(level, depth, period, phase + lag)
        mix_panned(drone, 0, array("d", sine(freq, n, rate, rng.uniform(0.0, TAU))), levels, 0.0)

    # long, quiet tones from the A major pentatonic scale, overlapping like distant voices
    scale = (57, 59, 61, 64, 66, 69, 71)
    start, previous = rng.uniform(4.0, 10.0), -1
    while start < seconds - 20.0:
        choice = rng.choice([m for m in scale if m != previous])
        previous = choice
        length = rng.uniform(22.0, 30.0)
        envelope = chord_envelope(start, start + length, 9.0, fade_in=True, fade_out=True)
        tone = soft_tone(midi_hz(choice), round(length * rate), rate, rng, (0.12, 0.03))
        levels = drifting(0.22, envelope, rng.uniform(-0.5, 0.5), rng, depth=0.1)
        mix_panned(drone, round(start * rate), tone, levels, start)
        start += rng.uniform(12.0, 20.0)

    # waves: each swell rises over ~40% of its 8-12 s and ebbs away, never to silence
    swells: list[tuple[float, float, float, float]] = []  # start, length, height, pan
    t = -rng.uniform(0.0, 8.0)
    while t < seconds:
        length = rng.uniform(8.0, 12.0)
        swells.append((t, length, rng.uniform(0.6, 1.0), rng.uniform(-0.35, 0.35)))
        t += length
    starts = [s[0] for s in swells]

    def swell(t: float) -> tuple[float, float]:
        """Height (0.3..1) and pan (-1 left .. 1 right) of the sea at time `t`."""
        begin, length, height, pan = swells[max(0, bisect_right(starts, t) - 1)]
        x = min(1.0, max(0.0, (t - begin) / length))
        return 0.3 + 0.7 * height * math.sin(math.pi * x**0.75) ** 2, pan

    def side(sign: float, power: int) -> Curve:
        def level(t: float) -> float:
            height, pan = swell(t)
            return height**power * (1.0 + sign * 0.5 * pan)

        return level

    rate = NOISE_RATE  # from here on: the sea
    n = round(seconds * rate)
    body = filtered_noise(rng, n, rate, low=120.0, high=550.0, width=0.35)
    wash = filtered_noise(rng, n, rate, low=350.0, high=1500.0, width=0.5)
    sea = zeros(n), zeros(n)
    for out, sign, body_channel, wash_channel in zip(sea, (-1.0, 1.0), body, wash):
        mix_into(out, 0, array("d", map(mul, body_channel, curve(side(sign, 1), 0.0, n, rate))))
        # the brighter wash is heard mostly at the crest of a swell
        wash_level = curve(side(sign, 3), 0.0, n, rate)
        mix_into(out, 0, array("d", scaled(map(mul, wash_channel, wash_level), 0.45)))
    return [(TONAL_RATE, drone), (NOISE_RATE, matched(sea, drone, -2.0))]


def soft_rain(seconds: float, rng: random.Random) -> list[tuple[int, Stereo]]:
    """Soft rain whose density drifts slowly, over a very quiet pad in F major."""
    rate = NOISE_RATE
    n = round(seconds * rate)
    # density eases from one random value in 0.65..1 to the next, a new one every 5-9 s
    knots = [(0.0, rng.uniform(0.65, 1.0))]
    while knots[-1][0] < seconds + 10.0:
        knots.append((knots[-1][0] + rng.uniform(5.0, 9.0), rng.uniform(0.65, 1.0)))
    times = [k[0] for k in knots]

    def density(t: float) -> float:
        i = min(len(knots) - 2, bisect_right(times, t) - 1)
        (t0, d0), (t1, d1) = knots[i], knots[i + 1]
        return d0 + (d1 - d0) * smoothstep((t - t0) / (t1 - t0))

    rain = filtered_noise(rng, n, rate, low=250.0, high=1800.0, width=0.4)
    level = curve(density, 0.0, n, rate)
    rain = array("d", map(mul, rain[0], level)), array("d", map(mul, rain[1], level))

    # patter: many tiny soft swells of brighter noise, each 20-45 ms with a raised-cosine shape
    patter = zeros(n), zeros(n)
    windows: dict[int, array[float]] = {}
    t = 0.0
    while t < seconds:
        size = round(rng.uniform(0.020, 0.045) * rate)
        if size not in windows:
            windows[size] = array("d", (0.5 - 0.5 * math.cos(TAU * i / (size - 1)) for i in range(size)))
        height, pan = rng.uniform(0.3, 1.0) * density(t), rng.uniform(-0.8, 0.8)
        at = round(t * rate)
        for out, gain in zip(patter, (height * (1.0 - pan) / 2, height * (1.0 + pan) / 2)):
            mix_into(out, at, array("d", scaled(windows[size], gain)))
        t += rng.expovariate(14.0 * density(t))
    drops = filtered_noise(rng, n, rate, low=900.0, high=2800.0, width=0.6)
    for out, envelope, drop in zip(rain, patter, drops):
        mix_into(out, 0, array("d", scaled(map(mul, drop, envelope), 1.3)))

    chords = pad(RAIN_CHORDS, seconds, rng, period=22.0, fade=9.0, shine=0.1)
    return [(NOISE_RATE, rain), (TONAL_RATE, matched(chords, rain, -13.0))]


def matched(layer: Stereo, reference: Stereo, db: float) -> Stereo:
    """`layer` scaled so that its RMS is `db` dB from that of `reference`.

    Interpolating a layer up to SAMPLE_RATE later leaves its RMS as it is, so
    layers at different rates can be compared here.
    """
    ratio = 10.0 ** (db / 20.0) * stereo_rms(reference) / max(stereo_rms(layer), 1e-12)
    return array("d", scaled(layer[0], ratio)), array("d", scaled(layer[1], ratio))


def stereo_rms(signal: Stereo) -> float:
    """RMS over both channels."""
    return math.sqrt((rms(signal[0]) ** 2 + rms(signal[1]) ** 2) / 2.0)


# --- mastering and files -------------------------------------------------------------------


def master(layers: list[tuple[int, Stereo]], seconds: float, rms_dbfs: float) -> Stereo:
    """Layers mixed at SAMPLE_RATE, at RMS `rms_dbfs`, softened above ~5 kHz, faded at both ends."""
    n = round(seconds * SAMPLE_RATE)
    left, right = zeros(n), zeros(n)
    for rate, (layer_left, layer_right) in layers:
        mix_into(left, 0, upsampled(layer_left, rate)[:n])
        mix_into(right, 0, upsampled(layer_right, rate)[:n])
    # a gentle roll-off above ~5 kHz, which also removes what the interpolation leaves up high
    left, right = lowpass(left, 5000.0, SAMPLE_RATE, 2), lowpass(right, 5000.0, SAMPLE_RATE, 2)
    gain = 10.0 ** (rms_dbfs / 20.0) / max(stereo_rms((left, right)), 1e-12)
    peak = gain * max(max(map(abs, left)), max(map(abs, right)))
    limit = 10.0 ** (PEAK_LIMIT_DBFS / 20.0)
    if peak > limit:
        gain *= limit / peak  # quieter than the target, never over the ceiling
    left, right = array("d", scaled(left, gain)), array("d", scaled(right, gain))
    fade_in, fade_out = round(FADE_IN_SECONDS * SAMPLE_RATE), round(FADE_OUT_SECONDS * SAMPLE_RATE)
    rise = array("d", (0.5 - 0.5 * math.cos(math.pi * i / fade_in) for i in range(fade_in)))
    fall = array("d", (0.5 + 0.5 * math.cos(math.pi * (i + 1) / fade_out) for i in range(fade_out)))
    for channel in (left, right):
        channel[:fade_in] = array("d", map(mul, channel[:fade_in], rise))
        channel[n - fade_out :] = array("d", map(mul, channel[n - fade_out :], fall))
    return left, right


def write_stereo_wav(path: Path, signal: Stereo) -> None:
    """Write `signal` (clipped to [-1, 1]) as 16-bit stereo PCM at SAMPLE_RATE."""
    left, right = signal
    frames = array("h", bytes(4 * len(left)))
    for offset, channel in enumerate((left, right)):
        clipped = map(max, map(min, channel, repeat(1.0)), repeat(-1.0))
        frames[offset::2] = array("h", map(round, scaled(clipped, 32767.0)))
    if sys.byteorder == "big":
        frames.byteswap()  # WAV data is little-endian
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(frames.tobytes())


@dataclass(frozen=True)
class Track:
    """One piece: file stem, title, length, the function that makes its layers, its level."""

    stem: str
    title: str
    seconds: float
    make: Callable[[float, random.Random], list[tuple[int, Stereo]]]
    rms_dbfs: float = TARGET_RMS_DBFS


TRACKS: tuple[Track, ...] = (
    Track("01-evening-light", "Evening light", 222.0, evening_light),
    Track("02-distant-waves", "Distant waves", 234.0, distant_waves),
    # rain has more energy where the ear is most sensitive: 1 dB down sounds as loud as the others
    Track("03-soft-rain", "Soft rain", 228.0, soft_rain, rms_dbfs=TARGET_RMS_DBFS - 1.0),
)


def encode(wav: Path, ogg: Path, track: Track, number: int) -> None:
    """Encode `wav` to Ogg Vorbis at `ogg` with the track's title in the comments."""
    command = [
        "oggenc", "--quiet", "-q", str(OGG_QUALITY),
        "--serial", str(1000 + number),  # fixed stream serial: the same file on every run
        "-c", f"TITLE={track.title}", "-c", f"ARTIST={ARTIST}", "-c", f"TRACKNUMBER={number}",
        "-c", f"LICENSE={LICENSE}",
        "-c", "DESCRIPTION=Synthesised by scripts/make-music.py in the infusion-kiosk repository",
        "-o", str(ogg), str(wav),
    ]  # fmt: skip
    subprocess.run(command, check=True)


def make_track(number: int, out: Path, seconds: float | None, keep_wav: bool) -> str:
    """Render track `number` (from 1), encode it into `out`, and return a line about it."""
    started = time.monotonic()
    track = TRACKS[number - 1]
    length = track.seconds if seconds is None else seconds
    signal = master(track.make(length, random.Random(track.stem)), length, track.rms_dbfs)
    with tempfile.TemporaryDirectory(prefix="make-music-") as scratch:
        wav = (out if keep_wav else Path(scratch)) / f"{track.stem}.wav"
        write_stereo_wav(wav, signal)
        ogg = out / f"{track.stem}.ogg"
        encode(wav, ogg, track, number)
    peak = max(max(map(abs, signal[0])), max(map(abs, signal[1])))
    return (
        f"{ogg.name}: {length:.0f} s, RMS {dbfs(stereo_rms(signal)):.1f} dBFS, "
        f"peak {dbfs(peak):.1f} dBFS, {ogg.stat().st_size / 1e6:.2f} MB, "
        f"made in {time.monotonic() - started:.0f} s"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Make every track, one process per CPU; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for the .ogg files")
    parser.add_argument("--seconds", type=float, help="make every track this long (a quick check)")
    parser.add_argument("--keep-wav", action="store_true", help="also leave the .wav files in --out")
    args = parser.parse_args(argv)
    if args.seconds is not None and args.seconds < 10.0:
        parser.error("--seconds must be at least 10")
    if shutil.which("oggenc") is None:
        print("make-music: oggenc not found; install it with: apt-get install vorbis-tools", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    workers = max(1, min(len(TRACKS), os.cpu_count() or 1))
    with ProcessPoolExecutor(workers) as pool:
        jobs = [pool.submit(make_track, number, args.out, args.seconds, args.keep_wav) for number in range(1, len(TRACKS) + 1)]
        for job in jobs:
            print(job.result(), flush=True)
    print(f"done in {time.monotonic() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
