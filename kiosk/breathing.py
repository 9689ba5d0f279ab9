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
from collections.abc import Callable, Iterable, Mapping, Sequence
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


# -- one kiosk's exercise ------------------------------------------------------------

CHOOSING: Final = "choosing"  # the patient picks a pattern and a length
RUNNING: Final = "running"
PAUSED: Final = "paused"  # the patient went to another screen during an exercise
DIZZY: Final = "dizzy"  # stopped by "I feel dizzy"
FINISHED: Final = "finished"  # the exercise came to its end
STATES: tuple[str, ...] = (CHOOSING, RUNNING, PAUSED, DIZZY, FINISHED)

RESUME_SECONDS = 120.0
"""A patient who comes back to Breathe within this long carries on; later, they choose afresh."""

Record = Callable[[str, dict[str, object]], None]
Listener = Callable[[str], None]


class Guide:
    """The breathing exercise of one kiosk: the patient's choice, where it stands, what is logged.

    `clock` gives monotonic seconds. An exercise starts with `start()`, is asked
    where it stands with `moment()` (which notices when it has come to its end),
    and stops with `stop()`, `dizzy()` or `end()`. Leaving the screen pauses it
    (`leave()`); coming back within RESUME_SECONDS (`come_back()`) carries on from
    the start of the breath it was in, so the patient never lands in a hold.

    The log gets `breathing.started` {pattern, minutes} (with `resumed` on coming
    back) and `breathing.finished` {pattern, minutes, minutes_done, reason}, the
    reason being `completed`, `stopped` (Stop or "I feel dizzy": nothing about the
    patient's body is written), `left` (another screen), `visit_end` or
    `kiosk_stopped`. `minutes_done` counts the whole exercise so far, before and
    after any pause.
    """

    def __init__(
        self,
        patterns: Mapping[str, Pattern],
        default_pattern: str,
        default_minutes: int,
        record: Record,
        clock: Callable[[], float],
    ) -> None:
        if default_pattern not in patterns:
            raise ValueError(f"unknown default pattern {default_pattern!r}")
        if default_minutes not in LENGTHS:
            raise ValueError(f"minutes must be one of {LENGTHS}, not {default_minutes!r}")
        self.patterns: Mapping[str, Pattern] = MappingProxyType(dict(patterns))
        self.default_pattern = default_pattern
        self.default_minutes = default_minutes
        self._record = record
        self._clock = clock
        self._listeners: list[Listener] = []
        self._state: str = CHOOSING
        self._chosen = default_pattern
        self._minutes = default_minutes
        self._started_at = 0.0  # clock reading at elapsed 0 while running
        self._left_at = -math.inf  # when the patient last went to another screen
        self._elapsed = 0.0  # while paused or after the end

    # -- what the patient sees ---------------------------------------------------------
    @property
    def state(self) -> str:
        return self._state

    @property
    def active(self) -> bool:
        """An exercise is under way: the screen must stay awake and on Breathe."""
        return self._state == RUNNING

    @property
    def pattern(self) -> Pattern:
        """The pattern chosen (and running, during an exercise)."""
        return self.patterns[self._chosen]

    @property
    def minutes(self) -> int:
        """The length chosen, in minutes; 0 = open-ended."""
        return self._minutes

    def elapsed(self) -> float:
        """Seconds of the current or last exercise behind (0 before any)."""
        if self._state == RUNNING:
            return max(0.0, self._clock() - self._started_at)
        return self._elapsed

    def moment(self) -> Moment | None:
        """Where the exercise stands now (None when none is under way or paused)."""
        if self._state not in (RUNNING, PAUSED):
            return None
        now = moment(self.pattern, self.elapsed(), self._minutes)
        if now.finished and self._state == RUNNING:
            self._elapsed = length_seconds(self.pattern, self._minutes) or self.elapsed()
            self._finish("completed", FINISHED)
        return now

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(state)` after every change (of state or choice); returns an unsubscribe."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    # -- what the patient does ---------------------------------------------------------
    def choose(self, pattern_name: str | None = None, minutes: int | None = None) -> None:
        """Pick the pattern and/or length for the next exercise (not during one)."""
        if pattern_name is not None:
            if pattern_name not in self.patterns:
                raise ValueError(f"unknown pattern {pattern_name!r}")
            self._chosen = pattern_name
        if minutes is not None:
            if minutes not in LENGTHS:
                raise ValueError(f"minutes must be one of {LENGTHS}, not {minutes!r}")
            self._minutes = minutes
        self._notify()

    def start(self) -> None:
        """Begin the chosen exercise from its first breath (ends one under way first)."""
        if self._state in (RUNNING, PAUSED):
            self.stop()
        self._started_at = self._clock()
        self._elapsed = 0.0
        self._record("breathing.started", self._data())
        self._set_state(RUNNING)

    def stop(self) -> None:
        """The patient stops the exercise; back to choosing."""
        self._finish("stopped", CHOOSING)

    def dizzy(self) -> None:
        """"I feel dizzy": stop at once and show the calming words."""
        self._finish("stopped", DIZZY)

    def leave(self) -> None:
        """The patient went to another screen: hold any exercise where it is."""
        self._left_at = self._clock()
        if self._state == RUNNING:
            self._finish("left", PAUSED)

    def come_back(self) -> None:
        """The patient is back on Breathe.

        Within RESUME_SECONDS of leaving, a paused exercise carries on from the
        start of the breath it was in, and the words after "I feel dizzy" or at
        the end are still there; later, the patient chooses afresh.
        """
        recent = self._clock() - self._left_at <= RESUME_SECONDS
        if self._state == PAUSED and recent:
            cycle = self.pattern.cycle_seconds
            self._elapsed = math.floor(self._elapsed / cycle + 1e-9) * cycle
            self._started_at = self._clock() - self._elapsed
            self._record("breathing.started", {**self._data(), "resumed": True})
            self._set_state(RUNNING)
        elif self._state != RUNNING and not recent:
            self._set_state(CHOOSING)

    def dismiss(self) -> None:
        """Put away the words after "I feel dizzy" or at the end, to choose a new exercise."""
        if self._state in (DIZZY, FINISHED):
            self._set_state(CHOOSING)

    def end(self, reason: str = "visit_end") -> None:
        """The visit is over: stop any exercise and forget the patient's choice."""
        self._finish(reason, CHOOSING)
        self._chosen, self._minutes = self.default_pattern, self.default_minutes
        self._notify()

    # -- inside ------------------------------------------------------------------------
    def _data(self) -> dict[str, object]:
        return {"pattern": self._chosen, "minutes": self._minutes}

    def _finish(self, reason: str, then: str) -> None:
        if self._state == RUNNING:  # a paused exercise was logged as left already
            if reason != "completed":  # a completed one holds its exact length already
                self._elapsed = self.elapsed()
            self._record("breathing.finished", {
                **self._data(), "minutes_done": round(self._elapsed / 60, 1), "reason": reason})
        self._set_state(then)

    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self._notify()

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener(self._state)
