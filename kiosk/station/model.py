"""The nurse station's picture of every room, fed with the messages the kiosks send.

Plain Python, no Qt: the link decodes messages and hands them in (`on_state`,
`on_event`, `on_online`, `on_heartbeat`), the window reads `rooms()` and
`calls_today()` and redraws. Time comes from an injected `Clock`: waiting times
and escalation are measured on the station's wall clock against the kiosk's
stamps, silence and the desk alert on the station's monotonic clock.

Call events arrive at least once and in any order: they are kept per kiosk by
their log ``seq``, so a duplicate changes nothing, and the calls are rebuilt from
the kept events in seq order. Each event names the seq of the kiosk's previous
call event (``prev_seq``), so a missing one shows as a hole in the chain; the
retained room state's ``last_call_seq`` shows a missing last one. Either way the
feeding method returns a `Resend` request for the link to publish, at most one per
kiosk every `resend_throttle_seconds`. The first word from a kiosk asks for all
of its calls since the station's local midnight.

Only today's events are kept: at each local midnight the older ones are dropped.
Nothing is kept that the messages do not carry, and they carry no patient's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, tzinfo
from typing import Final

from kiosk.clock import Clock
from kiosk.station.protocol import (
    Ack,
    CallEvent,
    Heartbeat,
    OpenCall,
    Resend,
    RoomState,
)

REQUESTED: Final = "nurse_call.requested"
REASON: Final = "nurse_call.reason"
ESCALATED: Final = "nurse_call.escalated"
ACKNOWLEDGED: Final = "nurse_call.acknowledged"
CANCELLED: Final = "nurse_call.cancelled"
RESOLVED: Final = "nurse_call.resolved"
CLOSING: Final = {CANCELLED: "cancelled", RESOLVED: "resolved"}

#: who a desk acknowledgement says it is from; the kiosk records it as the acknowledger
STATION_BY: Final = "station"
#: once escalated, the desk alert repeats twice as often, but never more often than this
MIN_ESCALATED_REPEAT_SECONDS: Final = 5.0

NEW: Final = "new"
ESCALATED_ALERT: Final = "escalated"


@dataclass(frozen=True)
class CallRecord:
    """One call, for its room's tile and for today's list."""

    kiosk: str
    room: str
    call_id: str
    requested_seq: int  # 0 when the call is known only from the room state
    requested_at: datetime
    reason: str | None = None
    escalated: bool = False  # the kiosk escalated it, or it waited escalate_seconds or more
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    closed_at: datetime | None = None
    closed_how: str | None = None  # "cancelled" or "resolved"
    ack_sent: bool = False  # the desk pressed Acknowledge; the kiosk has not confirmed it yet

    @property
    def response_seconds(self) -> float | None:
        """Seconds from the call to its acknowledgement (None: not acknowledged, or not known when)."""
        if self.acknowledged_at is None:
            return None
        return max(0.0, (self.acknowledged_at - self.requested_at).total_seconds())

    @property
    def is_open(self) -> bool:
        return self.closed_how is None

    @property
    def acknowledged(self) -> bool:
        """Staff have seen the call (at the desk or in the room), as the kiosk says."""
        return self.acknowledged_at is not None or self.acknowledged_by is not None

    @property
    def at_desk(self) -> bool:
        """The acknowledgement came from the nurse station."""
        return self.acknowledged_by == STATION_BY


@dataclass(frozen=True)
class RoomView:
    """What one room's tile shows."""

    kiosk: str
    room: str  # "" until the kiosk has sent its state or an event
    state: RoomState | None
    call: CallRecord | None  # the open call, if any
    silent: bool
    silent_since: datetime | None  # station wall time of the last word heard from the kiosk
    waited_seconds: float | None  # the open call's wait so far (or until it was acknowledged)
    emphasis: int  # 0 none, 1 a new call, 2 waited escalate_seconds, 3 waited twice that


@dataclass
class _Kiosk:
    """What the station holds about one kiosk."""

    kiosk: str
    room: str = ""
    state: RoomState | None = None
    events: dict[int, CallEvent] = field(default_factory=dict)
    #: seqs at or below this are accounted for without being held (before today, or older
    #: than the room state of the first contact); None: nothing is known below the floor
    baseline: int | None = None
    online: bool | None = None
    heard_mono: float | None = None
    heard_wall: datetime | None = None
    resent_mono: float | None = None
    #: Acknowledge pressed at the desk and not yet confirmed by the kiosk, by call id
    acks: dict[str, Ack] = field(default_factory=dict)
    records: list[CallRecord] | None = None  # built from the events on demand
    #: a state or an event has come (the first one asks for the whole day)
    contacted: bool = False


class StationModel:
    """Every room the station has heard of, their calls, silences and the desk alert."""

    def __init__(
        self,
        clock: Clock,
        *,
        escalate_seconds: float = 120,
        silent_after_seconds: float = 30,
        alert_repeat_seconds: float = 20,
        resend_throttle_seconds: float = 2,
        zone: tzinfo | None = None,
    ) -> None:
        """`zone` is the time zone of the station's day (None: the machine's local zone)."""
        self._clock = clock
        self.escalate_seconds = float(escalate_seconds)
        self.silent_after_seconds = float(silent_after_seconds)
        self.alert_repeat_seconds = float(alert_repeat_seconds)
        self.resend_throttle_seconds = float(resend_throttle_seconds)
        self._zone = zone
        self._kiosks: dict[str, _Kiosk] = {}
        self._version = 0
        self._connected = False
        self._problem = ""
        self._connected_mono: float | None = None
        self._midnight = self.midnight()
        # the desk alert: calls sounded for, calls whose escalation was sounded for, when
        self._alerted: set[tuple[str, str]] = set()
        self._alerted_escalated: set[tuple[str, str]] = set()
        self._last_alert: float | None = None

    # -- time ----------------------------------------------------------------------------
    def local(self, when: datetime) -> datetime:
        """`when` in the station's time zone."""
        return when.astimezone(self._zone) if self._zone is not None else when.astimezone()

    def midnight(self) -> datetime:
        """The start of the station's local day, as an aware time."""
        return self._midnight_of(self.local(self._clock.now()).date())

    def _midnight_of(self, day: date) -> datetime:
        if self._zone is not None:
            return datetime.combine(day, time(), tzinfo=self._zone)
        return datetime.combine(day, time()).astimezone()  # naive: taken as local time

    def _roll_day(self) -> None:
        """At a new local day, drop the events of the days before."""
        midnight = self.midnight()
        if midnight == self._midnight:
            return
        self._midnight = midnight
        for k in self._kiosks.values():
            old = [seq for seq, event in k.events.items() if event.ts < midnight]
            if old:
                for seq in old:
                    del k.events[seq]
                k.baseline = max(old) if k.baseline is None else max(k.baseline, max(old))
                k.records = None
        self._bump()

    # -- feeding ---------------------------------------------------------------------------
    def on_state(self, state: RoomState) -> list[tuple[str, Resend]]:
        """The retained room state of a kiosk; returns the resend requests to publish."""
        self._roll_day()
        k = self._kiosk(state.kiosk)
        first = not k.contacted
        self._heard(k)
        if k.state != state or k.room != state.room:
            k.state = state
            k.room = state.room
            k.records = None
            self._bump()
        if first:
            # the first contact asks for every call of today: seqs up to this state's
            # newest are accounted for by that answer
            k.contacted = True
            k.baseline = state.last_call_seq
            return [*self._first_contact(k), *self._resends(exclude=k.kiosk)]
        return self._resends()

    def on_event(self, event: CallEvent) -> list[tuple[str, Resend]]:
        """One nurse_call.* event (maybe again, maybe late); returns the resend requests to publish."""
        self._roll_day()
        k = self._kiosk(event.kiosk)
        first = not k.contacted
        self._heard(k)
        if k.state is None and k.room != event.room:
            k.room = event.room
            self._bump()
        if event.ts < self._midnight:
            # yesterday's: not kept, but no longer missing either
            if event.seq not in k.events and (k.baseline is None or event.seq > k.baseline):
                k.baseline = event.seq
        elif event.seq not in k.events:
            k.events[event.seq] = event
            k.records = None
            self._bump()
        if first:
            k.contacted = True
            return [*self._first_contact(k), *self._resends(exclude=k.kiosk)]
        return self._resends()

    def on_online(self, kiosk: str, online: bool) -> list[tuple[str, Resend]]:
        """The kiosk's retained online/offline (offline is its last will)."""
        self._roll_day()
        k = self._kiosk(kiosk)
        if online:
            self._heard(k)
        if k.online != online:
            k.online = online
            self._bump()
        return self._resends()

    def on_heartbeat(self, beat: Heartbeat) -> None:
        self._roll_day()
        self._heard(self._kiosk(beat.kiosk))

    def set_connected(self, connected: bool, problem: str = "") -> None:
        """The station's own link to the broker: up, or down with a sentence saying why."""
        if connected and not self._connected:
            # every kiosk gets a fresh silence window: nothing could be heard while down
            self._connected_mono = self._clock.monotonic()
        problem = "" if connected else problem
        if connected != self._connected or problem != self._problem:
            self._connected = connected
            self._problem = problem
            self._bump()

    @property
    def connected(self) -> bool:
        return self._connected

    @property
    def connection_problem(self) -> str:
        """Why the station is not connected ("" when connected or not known)."""
        return self._problem

    # -- the desk acknowledges ---------------------------------------------------------------
    def acknowledge(self, kiosk: str) -> Ack | None:
        """Acknowledge pressed on a room's open call: the Ack to publish (None: nothing to acknowledge)."""
        self._roll_day()
        k = self._kiosks.get(kiosk)
        if k is None:
            return None
        call = self._open_call(k)
        if call is None or call.acknowledged or call.ack_sent:
            return None
        ack = Ack(call_id=call.call_id, by=STATION_BY)
        k.acks[call.call_id] = ack
        k.records = None
        self._bump()
        return ack

    def acks_to_resend(self, kiosk: str) -> list[Ack]:
        """Acknowledgements sent to `kiosk` that it has not confirmed (to send again)."""
        k = self._kiosks.get(kiosk)
        if k is None:
            return []
        self._records(k)  # drops the confirmed ones
        return list(k.acks.values())

    def resends_due(self) -> list[tuple[str, Resend]]:
        """Ask again for what is still missing (throttled): a request may have reached a
        kiosk while it was away, and nothing else may arrive to prompt another."""
        self._roll_day()
        return self._resends()

    # -- reading -----------------------------------------------------------------------------
    @property
    def version(self) -> int:
        """Goes up on every change to what is shown (not on the passing of time)."""
        return self._version

    def changed_since(self, version: int) -> bool:
        return self._version != version

    def rooms(self) -> list[RoomView]:
        """Every kiosk heard of, by room name then kiosk id."""
        self._roll_day()
        views = [self._view(k) for k in self._kiosks.values()]
        return sorted(views, key=lambda v: (v.room, v.kiosk))

    def room(self, kiosk: str) -> RoomView | None:
        """One kiosk's view (None: never heard of)."""
        self._roll_day()
        k = self._kiosks.get(kiosk)
        return None if k is None else self._view(k)

    def calls_today(self) -> list[CallRecord]:
        """Calls requested since the station's local midnight, oldest first."""
        self._roll_day()
        now = self._clock.now()
        calls: list[CallRecord] = []
        for k in self._kiosks.values():
            records = self._records(k)
            calls.extend(r for r in records if r.requested_at >= self._midnight)
            from_state = self._state_call(k)
            if (from_state is not None and from_state.requested_at >= self._midnight
                    and all(r.call_id != from_state.call_id for r in records)):
                calls.append(from_state)
        calls = [self._timed(call, now) for call in calls]
        return sorted(calls, key=lambda r: (r.requested_at, r.kiosk, r.requested_seq))

    def events_of(self, kiosk: str) -> list[CallEvent]:
        """The events held for `kiosk`, by seq."""
        k = self._kiosks.get(kiosk)
        return [] if k is None else [k.events[seq] for seq in sorted(k.events)]

    # -- the desk alert ------------------------------------------------------------------------
    def alert_due(self) -> str | None:
        """"new" or "escalated" when the desk should sound now, else None."""
        plan = self._alert_plan()
        if plan is None or plan[0] > self._clock.monotonic():
            return None
        return plan[1]

    def alert_played(self) -> None:
        """The window sounded the alert: every waiting call has been sounded for."""
        now = self._clock.monotonic()
        calls = self._alertable()
        keys = {key for key, _, _ in calls}
        self._alerted = keys
        self._alerted_escalated = {key for key, escalated, _ in calls if escalated}
        self._last_alert = now

    def seconds_until_alert(self) -> float | None:
        """Seconds until the next sound is due (0: now; None: no call is waiting)."""
        plan = self._alert_plan()
        if plan is None:
            return None
        return max(0.0, plan[0] - self._clock.monotonic())

    def _alertable(self) -> list[tuple[tuple[str, str], bool, float | None]]:
        """(key, escalated, seconds until it escalates by time) of each call the desk must hear."""
        self._roll_day()
        now = self._clock.now()
        found: list[tuple[tuple[str, str], bool, float | None]] = []
        for k in self._kiosks.values():
            call = self._open_call(k)
            if call is None or call.acknowledged or call.ack_sent:
                continue
            call = self._timed(call, now)
            until = None if call.escalated else self.escalate_seconds - self._waited(call, now)
            found.append(((k.kiosk, call.call_id), call.escalated, until))
        return found

    def _alert_plan(self) -> tuple[float, str] | None:
        """(monotonic time the next sound is due, its kind), or None with no call waiting."""
        calls = self._alertable()
        if not calls:
            return None
        now = self._clock.monotonic()
        kind = ESCALATED_ALERT if any(esc for _, esc, _ in calls) else NEW
        for key, escalated, _ in calls:
            if key not in self._alerted or (escalated and key not in self._alerted_escalated):
                return now, kind
        repeat = self.alert_repeat_seconds
        if kind == ESCALATED_ALERT:
            repeat = min(repeat, max(MIN_ESCALATED_REPEAT_SECONDS, repeat / 2))
        due = (now if self._last_alert is None else self._last_alert) + repeat
        for _, _, until in calls:
            if until is not None:
                due = min(due, now + until)  # its escalation will make one due then
        return due, kind

    # -- inside --------------------------------------------------------------------------------
    def _bump(self) -> None:
        self._version += 1

    def _kiosk(self, kiosk: str) -> _Kiosk:
        k = self._kiosks.get(kiosk)
        if k is None:
            k = self._kiosks[kiosk] = _Kiosk(kiosk)
            self._bump()
        return k

    def _heard(self, k: _Kiosk) -> None:
        was_silent = self._silent(k)
        k.heard_mono = self._clock.monotonic()
        k.heard_wall = self._clock.now()
        if was_silent != self._silent(k):
            self._bump()

    def _silent(self, k: _Kiosk) -> bool:
        if k.online is False:
            return True
        if not self._connected:
            return False  # the station's own problem; the window says so instead
        if k.heard_mono is None:
            return True
        since = k.heard_mono
        if self._connected_mono is not None:
            since = max(since, self._connected_mono)
        return self._clock.monotonic() - since >= self.silent_after_seconds

    def _first_contact(self, k: _Kiosk) -> list[tuple[str, Resend]]:
        k.resent_mono = self._clock.monotonic()
        return [(k.kiosk, Resend(after=None, since=self._midnight))]

    def _resends(self, exclude: str | None = None) -> list[tuple[str, Resend]]:
        """A resend request for each kiosk with a hole in its events, throttled per kiosk."""
        now = self._clock.monotonic()
        out: list[tuple[str, Resend]] = []
        for k in self._kiosks.values():
            if k.kiosk == exclude or k.online is False or not k.contacted:
                continue
            if k.resent_mono is not None and now - k.resent_mono < self.resend_throttle_seconds:
                continue
            if not self._has_gap(k):
                continue
            k.resent_mono = now
            after = self._complete_upto(k)
            if k.events:
                out.append((k.kiosk, Resend(after=after)))
            else:
                out.append((k.kiosk, Resend(after=after, since=self._midnight)))
        return out

    def _lower(self, k: _Kiosk) -> int | None:
        """The lowest seq the station expects to hold (None: no expectation yet)."""
        floor = min(k.events) if k.events else None
        if k.baseline is None:
            return floor
        return k.baseline + 1 if floor is None else min(floor, k.baseline + 1)

    def _has_gap(self, k: _Kiosk) -> bool:
        lower = self._lower(k)
        if lower is None:
            return False
        for event in k.events.values():
            prev = event.prev_seq
            if prev is not None and prev >= lower and prev not in k.events:
                return True
        last = None if k.state is None else k.state.last_call_seq
        return last is not None and last >= lower and last not in k.events

    def _complete_upto(self, k: _Kiosk) -> int | None:
        """The highest seq up to which the chain held for `k` has no hole."""
        held = sorted(k.events)
        if not held:
            return k.baseline
        first = k.events[held[0]]
        if k.baseline is not None and first.prev_seq is not None and first.prev_seq > k.baseline:
            return k.baseline  # the hole is right after what is accounted for
        upto = held[0]
        for seq in held[1:]:
            prev = k.events[seq].prev_seq
            if prev is not None and prev > upto:
                break  # prev itself is missing
            upto = seq
        return upto

    def _records(self, k: _Kiosk) -> list[CallRecord]:
        """The kiosk's calls rebuilt from its events in seq order (cached until they change)."""
        if k.records is not None:
            return k.records
        records: dict[str, CallRecord] = {}
        for seq in sorted(k.events):
            _apply(records, k.events[seq], k.room)
        open_in_state = None if k.state is None else k.state.call
        for call_id in list(k.acks):
            record = records.get(call_id)
            if record is not None:
                waiting = record.is_open and not record.acknowledged
            else:
                # known only from the room state: waiting while the state shows it unanswered
                waiting = (open_in_state is not None and open_in_state.call_id == call_id
                           and open_in_state.status != "acknowledged")
            if not waiting:
                del k.acks[call_id]  # confirmed, or the call is over
            elif record is not None:
                records[call_id] = replace(record, ack_sent=True)
        k.records = list(records.values())
        return k.records

    def _state_call(self, k: _Kiosk) -> CallRecord | None:
        """The room state's open call as a record (for a call whose events have not come)."""
        if k.state is None or k.state.call is None:
            return None
        call: OpenCall = k.state.call
        acknowledged = call.status == "acknowledged"
        return CallRecord(
            kiosk=k.kiosk, room=k.room, call_id=call.call_id, requested_seq=0,
            requested_at=call.requested_at or k.state.ts, reason=call.reason,
            escalated=call.escalated,
            acknowledged_by=(call.acknowledged_by or "") if acknowledged else None,
            ack_sent=not acknowledged and call.call_id in k.acks,
        )

    def _open_call(self, k: _Kiosk) -> CallRecord | None:
        """The tile's call: the newest open record, else the room state's call."""
        open_calls = [r for r in self._records(k) if r.is_open]
        in_state = self._state_call(k)
        if not open_calls:
            return in_state
        call = max(open_calls, key=lambda r: r.requested_seq)
        if in_state is not None and in_state.call_id == call.call_id:
            # the state may be ahead of the events (an acknowledgement on its way)
            if in_state.escalated and not call.escalated:
                call = replace(call, escalated=True)
            if in_state.acknowledged and not call.acknowledged:
                call = replace(call, acknowledged_by=in_state.acknowledged_by, ack_sent=False)
        return call

    @staticmethod
    def _waited(call: CallRecord, now: datetime) -> float:
        """How long the call has waited for staff: until acknowledged or closed, else until now."""
        end = call.acknowledged_at or call.closed_at or now
        return max(0.0, (end - call.requested_at).total_seconds())

    def _timed(self, call: CallRecord, now: datetime) -> CallRecord:
        """`call`, escalated if it waited escalate_seconds or more."""
        if call.escalated or (call.acknowledged and call.acknowledged_at is None):
            return call  # escalated already, or answered at a time not known
        if self._waited(call, now) >= self.escalate_seconds:
            return replace(call, escalated=True)
        return call

    def _view(self, k: _Kiosk) -> RoomView:
        now = self._clock.now()
        call = self._open_call(k)
        waited: float | None = None
        emphasis = 0
        if call is not None:
            call = self._timed(call, now)
            if call.acknowledged:
                waited = call.response_seconds
            else:
                waited = self._waited(call, now)
                if waited >= 2 * self.escalate_seconds:
                    emphasis = 3
                elif call.escalated:
                    emphasis = 2
                else:
                    emphasis = 1
        return RoomView(
            kiosk=k.kiosk, room=k.room, state=k.state, call=call, silent=self._silent(k),
            silent_since=k.heard_wall, waited_seconds=waited, emphasis=emphasis,
        )


def _apply(records: dict[str, CallRecord], event: CallEvent, room: str) -> None:
    """Apply one event to the calls being rebuilt; anything odd is passed over."""
    call_id = event.data.get("call_id")
    if not isinstance(call_id, str):
        return
    record = records.get(call_id)
    if event.type == REQUESTED:
        if record is None:
            records[call_id] = CallRecord(kiosk=event.kiosk, room=room or event.room, call_id=call_id,
                                          requested_seq=event.seq, requested_at=event.ts)
        return
    if record is None or not record.is_open:
        return  # a step of a call not held, or of one already closed
    if event.type == REASON:
        reason = event.data.get("reason")
        if isinstance(reason, str):
            records[call_id] = replace(record, reason=reason)
    elif event.type == ESCALATED:
        records[call_id] = replace(record, escalated=True)
    elif event.type == ACKNOWLEDGED and not record.acknowledged:
        by = event.data.get("by")
        records[call_id] = replace(record, acknowledged_at=event.ts,
                                   acknowledged_by=by if isinstance(by, str) else "")
    elif event.type in CLOSING:
        records[call_id] = replace(record, closed_at=event.ts, closed_how=CLOSING[event.type])

