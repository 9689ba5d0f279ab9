"""Small measurements on mono samples (floats in [-1, 1]) for the sound tests."""

from __future__ import annotations

import math
from collections.abc import Sequence


def rms(samples: Sequence[float]) -> float:
    """Root mean square level, as a fraction of full scale."""
    if not samples:
        return 0.0
    return math.sqrt(sum(s * s for s in samples) / len(samples))


def goertzel(samples: Sequence[float], frequency: float, sample_rate: int) -> float:
    """Amplitude of `frequency` in `samples`: about A for a sine of amplitude A.

    A Goertzel filter is one bin of a discrete Fourier transform, computed
    directly at the wanted frequency (no rounding to the nearest FFT bin).
    """
    if not samples:
        return 0.0
    coefficient = 2.0 * math.cos(2.0 * math.pi * frequency / sample_rate)
    previous = before = 0.0
    for s in samples:
        previous, before = s + coefficient * previous - before, previous
    power = previous * previous + before * before - coefficient * previous * before
    return 2.0 * math.sqrt(max(power, 0.0)) / len(samples)


def first_above(samples: Sequence[float], level: float) -> int | None:
    """Index of the first sample louder than `level`, or None."""
    for i, s in enumerate(samples):
        if abs(s) > level:
            return i
    return None
