"""A patient's call for a nurse, from the first tap until staff close it.

A call is `requested`, then `acknowledged` by staff, then `resolved`; the
patient may cancel it at any point. There is never more than one open call:
another tap adds `nurse_call.repeated` to it. Every step is written to the event
log first, then applied, and the outside world is told what to do through
*notices* (sound the chime, run the notify command, stop the chime), which the
window carries out. The model itself never sounds or runs anything.

The log is the record, not a gate: when it cannot be written, the call still
goes ahead (the chime and the notify command still happen) and the state says
it was not recorded, so the patient is asked to use the room's own call button
as well. Reminders and the escalation come from `tick()`, driven by a timer in
the window and measured on the monotonic clock; `seconds_until_due()` says when
to call it next.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final, Literal

from kiosk.clock import Clock
from kiosk.session import EventSink, LoggedEvent

log = logging.getLogger(__name__)

Status = Literal["none", "requested", "acknowledged"]
REQUESTED: Final = "requested"
ACKNOWLEDGED: Final = "acknowledged"
Source = Literal["button", "key"]

#: once escalated, the chime repeats this much faster, but never more often than MIN_REPEAT_SECONDS
ESCALATED_SPEED_UP = 2
MIN_REPEAT_SECONDS = 10


class CallError(ValueError):
    """A request about a call that does not fit its state (acknowledge with no call open...)."""


@dataclass(frozen=True)
class CallState:
    """The open call, if any, for screens to draw from."""

    call_id: str | None = None
    status: Status = "none"
    reason: str | None = None
    requested_at: datetime | None = None
    repeats: int = 0
    reminders: int = 0
    escalated: bool = False
    acknowledged_by: str | None = None
    #: False when the event log refused the call: it is going ahead unrecorded
    recorded: bool = True
    #: what the paths to staff reported: None = not tried (or still running)
    chime_ok: bool | None = None
    notify_ok: bool | None = None

    @property
    def is_open(self) -> bool:
        return self.call_id is not None


@dataclass(frozen=True)
class Notice:
    """What the window must do now for a call.

    `event` is the name given to the notify command's `{event}`: requested,
    repeated, reason, reminder, escalated, acknowledged, cancelled or resolved.
    """

    event: str
    call_id: str
    reason: str | None
    chime: bool = False
    stop_chime: bool = False
    notify: bool = True


StateListener = Callable[[CallState], None]
NoticeListener = Callable[[Notice], None]


class NurseCall:
    """The call lifecycle over an event log and a clock."""

    def __init__(
        self,
        log: EventSink,
        clock: Clock,
        *,
        repeat_guard_seconds: float = 10,
        remind_seconds: float = 30,
        escalate_seconds: float = 120,
        reasons: Sequence[str] = (),
        session: Callable[[], str | None] = lambda: None,
    ) -> None:
        if remind_seconds <= 0 or escalate_seconds <= 0 or repeat_guard_seconds < 0:
            raise ValueError("call timings must be positive")
        self._log = log
        self._clock = clock
        self._guard = repeat_guard_seconds
        self._remind = remind_seconds
        self._escalate = escalate_seconds
        self._reasons = tuple(reasons)
        self._session = session
        self._state = CallState()
        self._problem = ""
        # monotonic readings for the open call
        self._opened = 0.0
        self._last_tap = 0.0
        self._last_chime = 0.0
        self._state_listeners: list[StateListener] = []
        self._notice_listeners: list[NoticeListener] = []

    # -- reading ------------------------------------------------------------------
    @property
    def state(self) -> CallState:
        return self._state

    @property
    def reasons(self) -> tuple[str, ...]:
        return self._reasons

    @property
    def log_problem(self) -> str:
        """Why the last write to the event log failed; "" once a write has succeeded again."""
        return self._problem

    def waited_seconds(self) -> float | None:
        """How long the open call has waited (monotonic), or None with no call open."""
        if not self._state.is_open:
            return None
        return max(0.0, self._clock.monotonic() - self._opened)

    def seconds_until_due(self) -> float | None:
        """When `tick()` next has work: a reminder or the escalation; None if never."""
        if self._state.status != REQUESTED:
            return None
        now = self._clock.monotonic()
        due = self._last_chime + self._repeat_seconds()
        if not self._state.escalated:
            due = min(due, self._opened + self._escalate)
        return max(0.0, due - now)

    def subscribe(self, listener: StateListener) -> Callable[[], None]:
        """Call `listener(state)` after every change; returns an unsubscribe function."""
        self._state_listeners.append(listener)
        return lambda: self._state_listeners.remove(listener)

    def on_notice(self, listener: NoticeListener) -> Callable[[], None]:
        """Call `listener(notice)` whenever the window must chime, notify or stop."""
        self._notice_listeners.append(listener)
        return lambda: self._notice_listeners.remove(listener)

    # -- the patient ------------------------------------------------------------------
    def request(self, source: Source = "button") -> CallState:
        """A tap of Call nurse (or a call key): a new call, or a repeat of the open one."""
        now = self._clock.monotonic()
        if self._state.is_open:
            return self._repeat(source, now)
        call_id = secrets.token_hex(4)
        event = self._record("nurse_call.requested", {"call_id": call_id, "source": source})
        self._opened = self._last_tap = self._last_chime = now
        self._state = CallState(
            call_id=call_id,
            status=REQUESTED,
            requested_at=event.ts if event is not None else self._clock.now(),
            recorded=event is not None,
        )
        self._changed()
        self._tell(Notice("requested", call_id, None, chime=True))
        return self._state

    def set_reason(self, reason: str) -> None:
        """The patient's optional reason; it updates the open call and never delays it."""
        call_id = self._open_call_id()
        if reason not in self._reasons:
            raise CallError(f"{reason!r} is not one of the configured reasons")
        self._record("nurse_call.reason", {"call_id": call_id, "reason": reason})
        self._state = replace(self._state, reason=reason)
        self._changed()
        self._tell(Notice("reason", call_id, reason))

    def cancel(self) -> None:
        """The patient no longer needs the nurse."""
        call_id = self._open_call_id()
        self._record("nurse_call.cancelled", {"call_id": call_id, **self._waited()})
        self._close("cancelled", call_id)

    # -- staff ------------------------------------------------------------------------------
    def acknowledge(self, by: str) -> None:
        """Staff have seen the call (at the kiosk, from a shell or the nurse station)."""
        call_id = self._open_call_id()
        if self._state.status == ACKNOWLEDGED:
            raise CallError("the call is already acknowledged")
        self._record("nurse_call.acknowledged", {"call_id": call_id, "by": by, **self._waited()})
        self._state = replace(self._state, status=ACKNOWLEDGED, acknowledged_by=by)
        self._changed()
        self._tell(Notice("acknowledged", call_id, self._state.reason, stop_chime=True))

    def resolve(self, by: str) -> None:
        """Staff have dealt with the call: it closes."""
        call_id = self._open_call_id()
        self._record("nurse_call.resolved", {"call_id": call_id, "by": by, **self._waited()})
        self._close("resolved", call_id)

    # -- time ------------------------------------------------------------------------------
    def tick(self) -> None:
        """Send whatever is due: the escalation, or a reminder, for an unanswered call."""
        if self._state.status != REQUESTED or self.seconds_until_due() != 0:
            return
        call_id = self._open_call_id()
        now = self._clock.monotonic()
        waited = {"waited_seconds": round(now - self._opened)}
        if not self._state.escalated and now - self._opened >= self._escalate:
            self._record("nurse_call.escalated", {"call_id": call_id, **waited})
            self._state = replace(self._state, escalated=True)
            event = "escalated"
        else:
            number = self._state.reminders + 1
            self._record("nurse_call.reminded", {"call_id": call_id, "number": number, **waited})
            self._state = replace(self._state, reminders=number)
            event = "reminder"
        self._last_chime = now
        self._changed()
        self._tell(Notice(event, call_id, self._state.reason, chime=True))

    # -- what the paths to staff reported ------------------------------------------------------
    def chime_result(self, notice: Notice, error: str = "") -> None:
        """Record whether the chime could sound for `notice` ("" = it is sounding)."""
        data: dict[str, Any] = {"call_id": notice.call_id, "event": notice.event, "ok": not error}
        if error:
            data["error"] = error
        self._record("nurse_call.chimed", data)
        if self._state.call_id == notice.call_id:
            self._state = replace(self._state, chime_ok=not error)
            self._changed()

    def notify_result(self, outcome: Mapping[str, Any]) -> None:
        """Record what the notify command did (the runner's outcome dict)."""
        self._record("nurse_call.notified", dict(outcome))
        if outcome.get("call_id") == self._state.call_id and self._state.is_open:
            ok = bool(outcome.get("ok"))
            # one success is enough to say the staff have been told
            self._state = replace(self._state, notify_ok=ok or bool(self._state.notify_ok))
            self._changed()

    # -- after a restart --------------------------------------------------------------
    def restore(self, events: Iterable[LoggedEvent]) -> None:
        """Rebuild the open call, if any, from the log (oldest first)."""
        state = CallState()
        last_chime: datetime | None = None
        last_tap: datetime | None = None
        for event in events:
            if not event.type.startswith("nurse_call."):
                continue
            call_id = event.data.get("call_id")
            if event.type == "nurse_call.requested":
                state = CallState(call_id=str(call_id), status=REQUESTED, requested_at=event.ts)
                last_chime = last_tap = event.ts
            elif not state.is_open or call_id != state.call_id:
                continue
            elif event.type == "nurse_call.repeated":
                state = replace(state, repeats=state.repeats + 1)
                last_tap = event.ts
                if event.data.get("within_guard") is False:
                    last_chime = event.ts
            elif event.type == "nurse_call.reason":
                state = replace(state, reason=str(event.data.get("reason")))
            elif event.type == "nurse_call.reminded":
                state = replace(state, reminders=state.reminders + 1)
                last_chime = event.ts
            elif event.type == "nurse_call.escalated":
                state = replace(state, escalated=True)
                last_chime = event.ts
            elif event.type == "nurse_call.acknowledged":
                state = replace(state, status=ACKNOWLEDGED, acknowledged_by=str(event.data.get("by")))
            elif event.type in ("nurse_call.cancelled", "nurse_call.resolved"):
                state, last_chime, last_tap = CallState(), None, None
        self._state = state
        if state.is_open and state.requested_at is not None:
            now_wall, now_mono = self._clock.now(), self._clock.monotonic()
            self._opened = now_mono - max(0.0, (now_wall - state.requested_at).total_seconds())

            def mono(when: datetime | None) -> float:
                assert state.requested_at is not None
                return now_mono - max(0.0, (now_wall - (when or state.requested_at)).total_seconds())

            self._last_chime = mono(last_chime)
            self._last_tap = mono(last_tap)
        self._changed()
        if state.is_open and state.call_id is not None and state.status == REQUESTED:
            # Still unanswered after a restart: sound again so the staff hear it.
            self._tell(Notice("reminder", state.call_id, state.reason, chime=True, notify=False))

    # -- inside ---------------------------------------------------------------------
    def _repeat(self, source: Source, now: float) -> CallState:
        call_id = self._open_call_id()
        within_guard = now - self._last_tap < self._guard
        self._last_tap = now
        count = self._state.repeats + 1
        self._record(
            "nurse_call.repeated",
            {"call_id": call_id, "count": count, "source": source, "within_guard": within_guard},
        )
        self._state = replace(self._state, repeats=count)
        self._changed()
        if not within_guard:
            # Pressed again after a while: the patient still needs someone; sound and tell again.
            self._last_chime = now
            self._tell(Notice("repeated", call_id, self._state.reason, chime=True))
        return self._state

    def _close(self, event: str, call_id: str) -> None:
        reason = self._state.reason
        self._state = CallState()
        self._changed()
        self._tell(Notice(event, call_id, reason, stop_chime=True))

    def _repeat_seconds(self) -> float:
        if self._state.escalated:
            # faster, but never more often than the floor, and never slower than before
            return min(self._remind, max(MIN_REPEAT_SECONDS, self._remind / ESCALATED_SPEED_UP))
        return self._remind

    def _waited(self) -> dict[str, int]:
        waited = self.waited_seconds()
        return {"waited_seconds": round(waited or 0)}

    def _open_call_id(self) -> str:
        if self._state.call_id is None:
            raise CallError("no call is open")
        return self._state.call_id

    def _record(self, type_: str, data: Mapping[str, Any]) -> LoggedEvent | None:
        """Write one event; on failure say so loudly and carry on (a call is never held up)."""
        try:
            event = self._log.append(type_, data, session=self._session())
        except Exception as error:  # noqa: BLE001 - any failure to record must not stop a call
            self._problem = str(error) or type(error).__name__
            log.critical("could not record %s in the event log: %s", type_, self._problem)
            return None
        self._problem = ""
        return event

    def _changed(self) -> None:
        for listener in list(self._state_listeners):
            listener(self._state)

    def _tell(self, notice: Notice) -> None:
        for listener in list(self._notice_listeners):
            listener(notice)


def status_key(state: CallState, *, chime_enabled: bool, notify_enabled: bool) -> str:
    """Which patient text tells the truth about `state` (a key of the content's [call] table).

    The words may only claim what is so: "recorded" only when the log took the
    call, "a chime is sounding" only when it is. With no path known to work, the
    patient is asked to use the room's own call button as well.
    """
    if not state.is_open:
        return ""
    if state.status == ACKNOWLEDGED:
        return "acknowledged"
    chime = chime_enabled and state.chime_ok is not False
    notify = notify_enabled and state.notify_ok is not False
    if not state.recorded or not (chime or notify):
        return "fallback"
    if state.escalated:
        return "waiting"
    if chime_enabled and state.chime_ok:
        return "recorded_chime"
    if notify_enabled and state.notify_ok:
        return "recorded_message"
    return "sending"
