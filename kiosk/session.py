"""The visit as a state machine.

A nurse starts a visit, moves it on stage by stage (or one step back after a
mis-tap) and ends it. Every transition is written to the event log *before* the
model changes, so the log is always the truth: after a crash, `restore()` reads
it back and the kiosk shows the same stage with the same elapsed time. The
patient may switch the visit's language on the stage screen; that is recorded
first too, so a restart keeps it.

The model never ends the infusion on its own. It measures how long the infusion
has run with the monotonic clock and offers an approximate time left; only a
nurse moves the visit to `infusion_complete`.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from kiosk.clock import Clock

IDLE = "idle"
STAGES: tuple[str, ...] = (
    "settling",
    "iv_placement",
    "infusion",
    "infusion_complete",
    "recovery",
    "going_home",
)
INFUSION = "infusion"
INFUSION_COMPLETE = "infusion_complete"
MIN_PLANNED_MINUTES = 5
MAX_PLANNED_MINUTES = 240


class LoggedEvent(Protocol):
    """What the model reads back from the event log."""

    @property
    def type(self) -> str: ...
    @property
    def session(self) -> str | None: ...
    @property
    def ts(self) -> datetime: ...
    @property
    def data(self) -> Mapping[str, Any]: ...


class EventSink(Protocol):
    """Where the model records what happened (`kiosk.events.EventLog`)."""

    def append(
        self, type: str, data: Mapping[str, Any] | None = None, *, session: str | None = None
    ) -> LoggedEvent: ...


class SessionError(ValueError):
    """A request the visit cannot follow (start while open, advance past the end...)."""


@dataclass(frozen=True)
class VisitState:
    """A snapshot of the visit, for screens to draw from."""

    session: str | None = None
    stage: str = IDLE
    language: str | None = None
    planned_infusion_minutes: int | None = None
    started_at: datetime | None = None
    #: wall time at which each stage reached so far began (the latest entry)
    stage_started: Mapping[str, datetime] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.session is not None


Listener = Callable[[VisitState], None]


class SessionModel:
    """The open visit, if any; every change recorded first, then applied."""

    def __init__(
        self,
        log: EventSink,
        clock: Clock,
        *,
        languages: Iterable[str] = ("en",),
    ) -> None:
        self._log = log
        self._clock = clock
        self._languages = tuple(languages)
        self._state = VisitState()
        # Monotonic readings of when each stage began (durations never use wall time).
        self._stage_mono: dict[str, float] = {}
        self._started_mono = 0.0  # when the open visit began
        self._infusion_seconds_final: float | None = None
        self._listeners: list[Listener] = []

    # -- reading ---------------------------------------------------------------
    @property
    def state(self) -> VisitState:
        return self._state

    @property
    def is_open(self) -> bool:
        return self._state.is_open

    @property
    def stage(self) -> str:
        return self._state.stage

    def infusion_elapsed_seconds(self) -> float | None:
        """Seconds the infusion has run; frozen once a nurse marks it complete."""
        if self._infusion_seconds_final is not None:
            return self._infusion_seconds_final
        began = self._stage_mono.get(INFUSION)
        if self._state.stage != INFUSION or began is None:
            return None
        return max(0.0, self._clock.monotonic() - began)

    def infusion_elapsed_minutes(self) -> int | None:
        seconds = self.infusion_elapsed_seconds()
        return None if seconds is None else int(seconds // 60)

    def infusion_minutes_left(self) -> int | None:
        """An approximate number of minutes to go, during the infusion only.

        Rounded to 5 minutes while more than 10 remain, so the screen never reads
        like a countdown; 0 once the planned time has passed (the infusion goes on
        until a nurse ends it).
        """
        seconds = self.infusion_elapsed_seconds()
        planned = self._state.planned_infusion_minutes
        if self._state.stage != INFUSION or seconds is None or planned is None:
            return None
        left = planned - seconds / 60
        if left <= 0:
            return 0
        if left > 10:
            return int(5 * round(left / 5))
        return math.ceil(left)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(state)` after every change; returns an unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    # -- a nurse's actions --------------------------------------------------------
    def start(self, planned_infusion_minutes: int, language: str) -> str:
        """Open a visit at `settling`; returns the new visit's id."""
        if self.is_open:
            raise SessionError("a visit is already open; end it first")
        if isinstance(planned_infusion_minutes, bool) or not isinstance(
            planned_infusion_minutes, int
        ):
            raise SessionError("planned infusion minutes must be a whole number")
        if not MIN_PLANNED_MINUTES <= planned_infusion_minutes <= MAX_PLANNED_MINUTES:
            raise SessionError(
                f"planned infusion minutes must be {MIN_PLANNED_MINUTES} to "
                f"{MAX_PLANNED_MINUTES}, not {planned_infusion_minutes}"
            )
        if language not in self._languages:
            raise SessionError(
                f"language {language!r} is not offered here ({', '.join(self._languages)})"
            )
        session = secrets.token_hex(6)
        event = self._log.append(
            "session.started",
            {
                "planned_infusion_minutes": planned_infusion_minutes,
                "language": language,
                "stage": STAGES[0],
            },
            session=session,
        )
        self._started_mono = self._clock.monotonic()
        self._stage_mono = {STAGES[0]: self._started_mono}
        self._infusion_seconds_final = None
        self._state = VisitState(
            session=session,
            stage=STAGES[0],
            language=language,
            planned_infusion_minutes=planned_infusion_minutes,
            started_at=event.ts,
            stage_started={STAGES[0]: event.ts},
        )
        self._notify()
        return session

    def advance(self) -> str:
        """Move to the next stage; returns it."""
        index = self._open_stage_index()
        if index == len(STAGES) - 1:
            raise SessionError("the visit is at its last stage; end it instead")
        return self._move_to(STAGES[index + 1], "forward")

    def back(self) -> str:
        """Undo a mistaken `advance`: return to the previous stage."""
        index = self._open_stage_index()
        if index == 0:
            raise SessionError("the visit is at its first stage")
        return self._move_to(STAGES[index - 1], "back")

    def end(self) -> None:
        """Close the visit; nothing of it remains in the state."""
        if not self.is_open:
            raise SessionError("no visit is open")
        state = self._state
        # measured on the monotonic clock: a wall clock set back or forward meanwhile
        # never makes a visit last a negative time or a day longer
        minutes = round(max(0.0, self._clock.monotonic() - self._started_mono) / 60)
        infusion = self.infusion_elapsed_seconds()
        self._log.append(
            "session.ended",
            {
                "stage": state.stage,
                "visit_minutes": minutes,
                "infusion_minutes": None if infusion is None else round(infusion / 60, 1),
            },
            session=state.session,
        )
        self._clear()
        self._notify()

    # -- the patient's choices --------------------------------------------------
    def change_language(self, language: str) -> None:
        """The patient switches the visit's language on the stage screen.

        The same language again changes nothing and records nothing.
        """
        if not self.is_open:
            raise SessionError("no visit is open")
        if language not in self._languages:
            raise SessionError(
                f"language {language!r} is not offered here ({', '.join(self._languages)})"
            )
        if language == self._state.language:
            return
        self._log.append(
            "session.language_changed", {"language": language}, session=self._state.session
        )
        self._state = replace(self._state, language=language)
        self._notify()

    # -- after a restart --------------------------------------------------------
    def restore(self, events: Iterable[LoggedEvent]) -> None:
        """Rebuild the open visit (if any) from the event log, oldest event first.

        Durations are carried over from the wall-clock stamps in the log, since
        the monotonic clock starts again with the process. So a restore after the
        wall clock was set while a stage ran measures that stage with the jump in
        it: set back past the stage's start, it counts from now (never negative);
        set forward a day, the running infusion reads a day longer. A finished
        infusion keeps the minutes measured when it ended (see
        `_finished_infusion_seconds`).
        """
        self._clear()
        planned: int | None = None
        language: str | None = None
        session: str | None = None
        started_at: datetime | None = None
        stage = IDLE
        stage_started: dict[str, datetime] = {}
        infusion_final: float | None = None
        for event in events:
            if event.type == "session.started":
                # a damaged line never stops the kiosk: what cannot be read is left out
                session, stage = event.session, STAGES[0]
                planned = _planned_minutes(event.data.get("planned_infusion_minutes"))
                language = self._offered(event.data.get("language")) or self._languages[0]
                started_at = event.ts
                stage_started = {STAGES[0]: event.ts}
                infusion_final = None
            elif event.session is None or event.session != session:
                continue
            elif event.type == "stage.changed":
                new = event.data.get("to")
                if not isinstance(new, str) or new not in STAGES:
                    continue
                if stage == INFUSION and new != INFUSION and INFUSION in stage_started:
                    infusion_final = _finished_infusion_seconds(
                        event.data, (event.ts - stage_started[INFUSION]).total_seconds()
                    )
                if new == INFUSION:
                    infusion_final = None
                stage = new
                if event.data.get("direction") != "back" or new not in stage_started:
                    stage_started[new] = event.ts
            elif event.type == "session.language_changed":
                language = self._offered(event.data.get("language")) or language
            elif event.type == "session.ended":
                session, stage, stage_started = None, IDLE, {}
        if session is None:
            self._notify()
            return
        now_wall, now_mono = self._clock.now(), self._clock.monotonic()
        self._stage_mono = {
            name: now_mono - max(0.0, (now_wall - began).total_seconds())
            for name, began in stage_started.items()
        }
        if started_at is not None:
            self._started_mono = now_mono - max(0.0, (now_wall - started_at).total_seconds())
        self._infusion_seconds_final = infusion_final if stage != INFUSION else None
        self._state = VisitState(
            session=session,
            stage=stage,
            language=language,
            planned_infusion_minutes=planned,
            started_at=started_at,
            stage_started=dict(stage_started),
        )
        self._notify()

    # -- inside -----------------------------------------------------------------
    def _offered(self, language: object) -> str | None:
        """`language` if it is one offered here, else None."""
        return language if isinstance(language, str) and language in self._languages else None

    def _open_stage_index(self) -> int:
        if not self.is_open:
            raise SessionError("no visit is open")
        return STAGES.index(self._state.stage)

    def _move_to(self, new: str, direction: str) -> str:
        old = self._state.stage
        leaving_infusion = old == INFUSION
        infusion = self.infusion_elapsed_seconds() if leaving_infusion else None
        data: dict[str, Any] = {"from": old, "to": new, "direction": direction}
        if infusion is not None:
            data["infusion_minutes"] = round(infusion / 60, 1)
        event = self._log.append("stage.changed", data, session=self._state.session)
        if leaving_infusion:
            self._infusion_seconds_final = infusion
        if new == INFUSION:
            self._infusion_seconds_final = None
        stage_started = dict(self._state.stage_started)
        # Stepping back after a mis-tap resumes the earlier stage as it was:
        # an infusion that never stopped keeps its start time.
        if direction == "forward" or new not in stage_started:
            self._stage_mono[new] = self._clock.monotonic()
            stage_started[new] = event.ts
        self._state = VisitState(
            session=self._state.session,
            stage=new,
            language=self._state.language,
            planned_infusion_minutes=self._state.planned_infusion_minutes,
            started_at=self._state.started_at,
            stage_started=stage_started,
        )
        self._notify()
        return new

    def _clear(self) -> None:
        self._state = VisitState()
        self._stage_mono = {}
        self._started_mono = 0.0
        self._infusion_seconds_final = None

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener(self._state)


def _planned_minutes(value: object) -> int | None:
    """The planned minutes of a `session.started` event, or None if they are not readable."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if MIN_PLANNED_MINUTES <= value <= MAX_PLANNED_MINUTES else None


#: How far the recorded infusion minutes (rounded to 0.1 min) may be from the true length,
#: with a millisecond for each of the two wall stamps.
_RECORDED_MINUTES_SLACK = 3.002


def _finished_infusion_seconds(data: Mapping[str, Any], wall_seconds: float) -> float:
    """How long a finished infusion ran, from the `stage.changed` event that ended it.

    The wall stamps of the log are precise, but wrong when the wall clock was set back or
    forward while the infusion ran; the event's ``infusion_minutes`` were measured on the
    monotonic clock, to 0.1 min. The wall difference counts while it agrees with them.
    """
    wall_seconds = max(0.0, wall_seconds)
    recorded = data.get("infusion_minutes")
    if (isinstance(recorded, bool) or not isinstance(recorded, (int, float))
            or not math.isfinite(recorded) or recorded < 0):
        return wall_seconds  # an older or damaged event: the wall clock is all there is
    measured = float(recorded) * 60
    if abs(wall_seconds - measured) <= _RECORDED_MINUTES_SLACK:
        return wall_seconds
    return measured
