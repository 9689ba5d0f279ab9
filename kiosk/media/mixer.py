"""The arithmetic of the music's loudness: fades, crossfades, the patient's level, ducking.

Plain Python with no Qt, so every curve is tested on an injected clock. The
player (`kiosk.media.player`) asks `Mix.volumes(now)` many times a second while
anything moves and sets its two outputs to the answer.

Every change is a ramp from wherever the value is at that moment, so nothing
ever jumps: a fade-out asked for halfway through a fade-in turns round where it
is. Three things multiply into what each of the two players plays at:

- its *fader*, 0 (silent) to 1 (full), heard on an equal-power curve
  (sin(fader * pi/2)): in a crossfade one fader falls as the other rises, and
  the two together keep the loudness steady instead of dipping by 3 dB in the
  middle as straight lines would;
- the patient's *level*, 0 to `max_level`, on a perceptual scale (equal steps
  sound equal); `to_linear` turns it into the amplitude factor the output
  wants (the player passes QtAudio.convertVolume);
- the *duck*: 1, or `DUCK_GAIN` while the call chime or a breathing cue sounds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

DUCK_GAIN = 0.3
"""Amplitude of the music while something else must be heard: about -10 dB."""
DUCK_DOWN_SECONDS = 0.4
DUCK_UP_SECONDS = 2.0
LEVEL_SECONDS = 0.6
"""How long a change of the patient's level takes: quick enough to feel direct, never a jump."""
DECKS = 2


class Ramp:
    """A value moving in a straight line from where it is to a target, over a time."""

    def __init__(self, value: float = 0.0) -> None:
        self._start = self._target = value
        self._t0 = self._t1 = 0.0

    @property
    def target(self) -> float:
        """Where the value is going (or is)."""
        return self._target

    def value(self, now: float) -> float:
        if now >= self._t1:
            return self._target
        if now <= self._t0:
            return self._start
        x = (now - self._t0) / (self._t1 - self._t0)
        return self._start + (self._target - self._start) * x

    def move(self, target: float, seconds: float, now: float) -> None:
        """Go from the value at `now` to `target` in `seconds` (at once if 0)."""
        self._start = self.value(now)
        self._target = target
        self._t0 = now
        self._t1 = now + max(0.0, seconds)

    def moving(self, now: float) -> bool:
        return now < self._t1 and self._start != self._target

    @property
    def ends_at(self) -> float:
        """When the value reaches its target."""
        return self._t1


def equal_power(fader: float) -> float:
    """How loud a fader position sounds as amplitude: 0 → 0, 1 → 1, sin-shaped."""
    return math.sin(max(0.0, min(1.0, fader)) * math.pi / 2)


@dataclass(frozen=True)
class Volumes:
    """The amplitude each player's output should have, and whether anything still moves."""

    decks: tuple[float, ...]
    moving: bool


class Mix:
    """The loudness of the music's two players over time; see the module docstring.

    `level` and `max_level` are on the patient's perceptual scale, 0 to 1. The
    patient's level never goes above `max_level`, whatever is asked.
    """

    def __init__(
        self,
        *,
        level: float,
        max_level: float,
        to_linear: Callable[[float], float] = lambda level: level,
    ) -> None:
        if not 0.0 <= max_level <= 1.0:
            raise ValueError(f"max_level must be from 0 to 1, not {max_level}")
        self.max_level = max_level
        self._to_linear = to_linear
        self._level = Ramp(self._capped(level))
        self._duck = Ramp(1.0)
        self._ducked_by: set[str] = set()
        self._faders = tuple(Ramp(0.0) for _ in range(DECKS))

    # -- the patient's level ----------------------------------------------------
    @property
    def level(self) -> float:
        """The level the patient has chosen (where it is going, if it is moving)."""
        return self._level.target

    def set_level(self, level: float, now: float, seconds: float = LEVEL_SECONDS) -> float:
        """Move to `level`, capped at `max_level`; returns the level that will be reached."""
        capped = self._capped(level)
        self._level.move(capped, seconds, now)
        return capped

    def lower_to(self, level: float, now: float, seconds: float) -> bool:
        """Bring the level down to `level` slowly; never raises it. True if it moves."""
        if self._capped(level) >= self._level.target:
            return False
        self.set_level(level, now, seconds)
        return True

    # -- ducking ----------------------------------------------------------------
    def duck(self, reason: str, on: bool, now: float) -> None:
        """Lower the music while `reason` sounds; it comes back when no reason is left."""
        before = bool(self._ducked_by)
        if on:
            self._ducked_by.add(reason)
        else:
            self._ducked_by.discard(reason)
        after = bool(self._ducked_by)
        if after and not before:
            self._move_duck(DUCK_GAIN, DUCK_DOWN_SECONDS, now)
        elif before and not after:
            self._move_duck(1.0, DUCK_UP_SECONDS, now)

    @property
    def ducked(self) -> bool:
        return bool(self._ducked_by)

    # -- the two players' faders ------------------------------------------------
    def fade(self, deck: int, target: float, seconds: float, now: float) -> float:
        """Move `deck`'s fader to `target` (0 or 1) at the pace of a full fade in `seconds`.

        A fade that starts part-way takes the matching part of `seconds`. Returns
        when (on the same clock) the fader arrives.
        """
        fader = self._faders[deck]
        distance = abs(target - fader.value(now))
        fader.move(target, seconds * distance, now)
        return fader.ends_at

    def silence(self, deck: int, now: float) -> None:
        """Set `deck`'s fader to 0 at once: only for a player that is not playing."""
        self._faders[deck].move(0.0, 0.0, now)

    def fader(self, deck: int, now: float) -> float:
        return self._faders[deck].value(now)

    def fader_target(self, deck: int) -> float:
        return self._faders[deck].target

    # -- the answer ---------------------------------------------------------------
    def volumes(self, now: float) -> Volumes:
        """Each player's output amplitude at `now`, and whether any ramp is still moving."""
        common = self._to_linear(self._level.value(now)) * self._duck.value(now)
        decks = tuple(equal_power(f.value(now)) * common for f in self._faders)
        ramps: Iterable[Ramp] = (self._level, self._duck, *self._faders)
        return Volumes(decks, any(r.moving(now) for r in ramps))

    # -- inside ---------------------------------------------------------------------
    def _capped(self, level: float) -> float:
        return max(0.0, min(self.max_level, level))

    def _move_duck(self, target: float, full_seconds: float, now: float) -> None:
        distance = abs(target - self._duck.value(now)) / (1.0 - DUCK_GAIN)
        self._duck.move(target, full_seconds * distance, now)
