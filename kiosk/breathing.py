"""Guided breathing: patterns of timed phases, and where an exercise is at any moment.

A pattern is a cycle of phases (breathe in, hold, breathe out, rest), each some
seconds long. Where an exercise stands is a pure function of the time since it
began (`moment`): the screen asks it for every frame, so a slow frame or a long
exercise never puts the pacer out of step, and tests run an hour in a moment.

The default, `resonant`, is slow even breathing (5.5 s in, 5.5 s out) with no
holds: holding the breath can make a patient dizzy, so holds are never the
default. An exercise ends at the end of a whole breath once its minutes are up,
never half-way through one; 0 minutes is open-ended.

Plain Python: no Qt here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Protocol

INHALE: Final = "inhale"
HOLD: Final = "hold"
EXHALE: Final = "exhale"
REST: Final = "rest"
KINDS: tuple[str, ...] = (INHALE, HOLD, EXHALE, REST)
"""The phases of one breath, in the order they come."""
LENGTHS: tuple[int, ...] = (1, 3, 5, 0)
"""The lengths of an exercise offered, in minutes; 0 = open-ended."""


@dataclass(frozen=True)
class Phase:
    kind: str  # one of KINDS
    seconds: float


@dataclass(frozen=True)
class Pattern:
    """A breathing rhythm: phases that repeat, none of zero length."""

    name: str
    phases: tuple[Phase, ...]

    def __post_init__(self) -> None:
        kinds = [p.kind for p in self.phases]
        if INHALE not in kinds or EXHALE not in kinds:
            raise ValueError(f"pattern {self.name!r} needs an in-breath and an out-breath")
        if any(p.kind not in KINDS or not p.seconds > 0 for p in self.phases):
            raise ValueError(f"pattern {self.name!r} has a phase that is unknown or not positive")

    @property
    def cycle_seconds(self) -> float:
        return sum(p.seconds for p in self.phases)

    @property
    def has_hold(self) -> bool:
        return any(p.kind == HOLD for p in self.phases)


class PatternSettings(Protocol):
    """A [[breathing.patterns]] table (kiosk.config.BreathingPattern)."""

    @property
    def name(self) -> str: ...
    @property
    def inhale(self) -> float: ...
    @property
    def hold(self) -> float: ...
    @property
    def exhale(self) -> float: ...
    @property
    def rest(self) -> float: ...


def pattern(name: str, inhale: float, exhale: float, *, hold: float = 0.0, rest: float = 0.0) -> Pattern:
    """A pattern from its seconds; a hold or rest of 0 is left out."""
    seconds = {INHALE: inhale, HOLD: hold, EXHALE: exhale, REST: rest}
    return Pattern(name, tuple(Phase(kind, seconds[kind]) for kind in KINDS
                               if seconds[kind] > 0 or kind in (INHALE, EXHALE)))


BUILTIN: Mapping[str, Pattern] = MappingProxyType({
    "resonant": pattern("resonant", 5.5, 5.5),
    "extended_exhale": pattern("extended_exhale", 4.0, 6.0),
    "box": pattern("box", 4.0, 4.0, hold=4.0, rest=4.0),
    "4-7-8": pattern("4-7-8", 4.0, 8.0, hold=7.0),
})
"""The patterns every kiosk offers; `resonant` is the default."""


def all_patterns(custom: Iterable[PatternSettings]) -> dict[str, Pattern]:
    """The built-in patterns, then the clinic's own from the config, in order."""
    found = dict(BUILTIN)
    for p in custom:
        found[p.name] = pattern(p.name, p.inhale, p.exhale, hold=p.hold, rest=p.rest)
    return found


@dataclass(frozen=True)
class Moment:
    """Where an exercise stands at one instant."""

    kind: str  # the phase now: inhale, hold, exhale or rest
    breath: int  # how many whole breaths came before this one
    phase_index: int  # the phase's place in the pattern
    progress: float  # 0 at the start of the phase, 1 at its end
    remaining: float  # seconds left in this phase
    size: float  # the pacer's size, 0 (empty lungs) to 1 (full), eased
    done: float  # share of the exercise behind, 0 to 1 (0 for an open-ended one)
    finished: bool


def ease(x: float) -> float:
    """Slow at both ends, like a breath: 0 → 0, 1 → 1 along half a cosine."""
    x = max(0.0, min(1.0, x))
    return 0.5 - 0.5 * math.cos(math.pi * x)


def length_seconds(chosen: Pattern, minutes: int) -> float | None:
    """How long an exercise of `minutes` lasts: whole breaths, at least that long; None if open."""
    if minutes <= 0:
        return None
    return math.ceil(minutes * 60 / chosen.cycle_seconds - 1e-9) * chosen.cycle_seconds


def moment(chosen: Pattern, elapsed: float, minutes: int = 0) -> Moment:
    """Where an exercise of `chosen` for `minutes` stands `elapsed` seconds after it began."""
    total = length_seconds(chosen, minutes)
    finished = total is not None and elapsed >= total
    t = max(0.0, min(elapsed, total) if total is not None else elapsed)
    cycle = chosen.cycle_seconds
    breath = int(t // cycle)
    within = t - breath * cycle
    if finished:  # the last breath has ended: lungs empty, at rest
        breath, within = breath - 1, cycle
    phases = chosen.phases
    start = 0.0
    index = len(phases) - 1
    for i, phase in enumerate(phases):
        if within < start + phase.seconds:
            index = i
            break
        start += phase.seconds
    else:
        start = cycle - phases[-1].seconds
    phase = phases[index]
    progress = min(1.0, (within - start) / phase.seconds)
    return Moment(
        kind=phase.kind,
        breath=breath,
        phase_index=index,
        progress=progress,
        remaining=max(0.0, phase.seconds - (within - start)),
        size=_size(phases, index, progress),
        done=1.0 if finished else (t / total if total else 0.0),
        finished=finished,
    )


def _size(phases: Sequence[Phase], index: int, progress: float) -> float:
    kind = phases[index].kind
    if kind == INHALE:
        return ease(progress)
    if kind == EXHALE:
        return 1.0 - ease(progress)
    if kind == HOLD:
        return 1.0
    return 0.0
