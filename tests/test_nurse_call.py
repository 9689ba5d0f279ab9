"""The nurse-call model, driven on an injected clock (no Qt, no sleeping).

A call goes requested → acknowledged → resolved, or is cancelled; repeats,
reasons, reminders and the escalation come on top, every step is logged, and
the window is told what to do through notices. `restore()` rebuilds the open
call from the log after a restart, and `status_key()` picks honest words.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from kiosk.clock import FakeClock
from kiosk.content import CALL_KEYS
from kiosk.nurse_call import (
    MIN_REPEAT_SECONDS,
    CallError,
    CallState,
    Notice,
    NurseCall,
    status_key,
)
from tests.fakes import MemEvent, MemoryLog

REASONS = ("I feel sick", "I need the bathroom", "Something else")
START = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def log(clock: FakeClock) -> MemoryLog:
    return MemoryLog(clock)


@pytest.fixture
def visit() -> list[str | None]:
    """The current visit id, as the session model would give it; change [0] to move on."""
    return ["visit-1"]


@pytest.fixture
def call(log: MemoryLog, clock: FakeClock, visit: list[str | None]) -> NurseCall:
    return NurseCall(log, clock, reasons=REASONS, session=lambda: visit[0])


@pytest.fixture
def notices(call: NurseCall) -> list[Notice]:
    seen: list[Notice] = []
    call.on_notice(seen.append)
    return seen


def open_id(call: NurseCall) -> str:
    call_id = call.state.call_id
    assert call_id is not None
    return call_id


def watch(call: NurseCall, clock: FakeClock, origin: float) -> list[tuple[float, str]]:
    """A list that fills with (seconds since `origin`, notice event) as notices are told."""
    told: list[tuple[float, str]] = []
    call.on_notice(lambda notice: told.append((clock.monotonic() - origin, notice.event)))
    return told


def run_by_due_times(call: NurseCall, clock: FakeClock, origin: float, until: float) -> None:
    """Advance to each due time and tick, as the window's timer would, up to `until`."""
    for _ in range(100_000):
        due = call.seconds_until_due()
        if due is None or clock.monotonic() - origin + due > until:
            return
        clock.advance(due)
        call.tick()
        after = call.seconds_until_due()
        assert after is None or after > 0, "tick() left work due at once"
    raise AssertionError("the schedule never ended")


def default_schedule(until: int) -> list[tuple[float, str]]:
    """Reminders at 30, 60, 90, the escalation at 120, then a chime every 15 s."""
    told: list[tuple[float, str]] = [(30, "reminder"), (60, "reminder"), (90, "reminder")]
    told.append((120, "escalated"))
    told += [(float(t), "reminder") for t in range(135, until + 1, 15)]
    return told


# -- the lifecycle -------------------------------------------------------------------


@pytest.mark.parametrize("source", ["button", "key"])
def test_request_opens_a_call_records_it_and_sounds_the_chime(
    call: NurseCall, log: MemoryLog, notices: list[Notice], source: Any
) -> None:
    state = call.request(source)
    assert state is call.state
    assert state.is_open and state.status == "requested"
    assert state.recorded and state.requested_at == START
    assert (state.repeats, state.reminders, state.escalated) == (0, 0, False)
    assert (state.chime_ok, state.notify_ok, state.reason) == (None, None, None)
    call_id = open_id(call)
    assert len(call_id) == 8
    assert log.types() == ["nurse_call.requested"]
    assert log.events[0].data == {"call_id": call_id, "source": source}
    assert notices == [Notice("requested", call_id, None, chime=True, notify=True)]
    assert call.waited_seconds() == 0
    assert call.seconds_until_due() == 30
    assert call.log_problem == ""


def test_acknowledge_records_who_and_how_long_and_stops_the_chime(
    call: NurseCall, log: MemoryLog, clock: FakeClock, notices: list[Notice]
) -> None:
    call.request()
    call_id = open_id(call)
    clock.advance(42)
    assert call.waited_seconds() == 42
    call.acknowledge(by="kiosk")
    assert call.state.status == "acknowledged"
    assert call.state.acknowledged_by == "kiosk"
    assert call.state.call_id == call_id
    assert log.events[-1].type == "nurse_call.acknowledged"
    assert log.events[-1].data == {"call_id": call_id, "by": "kiosk", "waited_seconds": 42}
    assert notices[-1] == Notice("acknowledged", call_id, None, stop_chime=True)
    assert notices[-1].chime is False and notices[-1].notify is True
    assert call.seconds_until_due() is None


def test_resolve_closes_the_call(
    call: NurseCall, log: MemoryLog, clock: FakeClock, notices: list[Notice]
) -> None:
    call.request()
    call_id = open_id(call)
    clock.advance(20)
    call.acknowledge(by="nurse station")
    clock.advance(100)
    call.resolve(by="kiosk")
    assert call.state == CallState()
    assert not call.state.is_open
    assert log.types() == [
        "nurse_call.requested", "nurse_call.acknowledged", "nurse_call.resolved"
    ]
    assert log.events[-1].data == {"call_id": call_id, "by": "kiosk", "waited_seconds": 120}
    assert notices[-1] == Notice("resolved", call_id, None, stop_chime=True)
    assert call.waited_seconds() is None
    assert call.seconds_until_due() is None


@pytest.mark.parametrize("acknowledged_first", [False, True])
def test_cancel_closes_the_call_from_either_open_state(
    call: NurseCall,
    log: MemoryLog,
    clock: FakeClock,
    notices: list[Notice],
    acknowledged_first: bool,
) -> None:
    call.request()
    call_id = open_id(call)
    clock.advance(7)
    if acknowledged_first:
        call.acknowledge(by="kiosk")
    call.cancel()
    assert call.state == CallState()
    assert log.events[-1].type == "nurse_call.cancelled"
    assert log.events[-1].data == {"call_id": call_id, "waited_seconds": 7}
    assert notices[-1] == Notice("cancelled", call_id, None, stop_chime=True)
    assert call.seconds_until_due() is None


@pytest.mark.parametrize(
    "act",
    [
        lambda c: c.acknowledge(by="kiosk"),
        lambda c: c.resolve(by="kiosk"),
        lambda c: c.cancel(),
        lambda c: c.set_reason(REASONS[0]),
    ],
    ids=["acknowledge", "resolve", "cancel", "set_reason"],
)
def test_nothing_to_act_on_without_an_open_call(
    call: NurseCall, log: MemoryLog, notices: list[Notice], act: Callable[[NurseCall], None]
) -> None:
    with pytest.raises(CallError, match="no call is open"):
        act(call)
    call.request()
    call.cancel()
    with pytest.raises(CallError, match="no call is open"):
        act(call)  # a closed call is no call either
    assert log.types() == ["nurse_call.requested", "nurse_call.cancelled"]
    assert [n.event for n in notices] == ["requested", "cancelled"]


def test_acknowledge_twice_and_unknown_reasons_are_refused(
    call: NurseCall, log: MemoryLog, notices: list[Notice]
) -> None:
    call.request()
    with pytest.raises(CallError, match="not one of the configured reasons"):
        call.set_reason("I want a pizza")
    assert call.state.reason is None
    call.acknowledge(by="kiosk")
    with pytest.raises(CallError, match="already acknowledged"):
        call.acknowledge(by="nurse station")
    assert call.state.acknowledged_by == "kiosk"
    assert log.types() == ["nurse_call.requested", "nurse_call.acknowledged"]
    assert [n.event for n in notices] == ["requested", "acknowledged"]


def test_a_model_without_reasons_accepts_none(log: MemoryLog, clock: FakeClock) -> None:
    call = NurseCall(log, clock)
    assert call.reasons == ()
    call.request()
    with pytest.raises(CallError):
        call.set_reason("I feel sick")


@pytest.mark.parametrize(
    "timings",
    [
        {"remind_seconds": 0},
        {"remind_seconds": -5},
        {"escalate_seconds": 0},
        {"repeat_guard_seconds": -1},
    ],
)
def test_timings_must_make_sense(log: MemoryLog, clock: FakeClock, timings: Any) -> None:
    with pytest.raises(ValueError, match="positive"):
        NurseCall(log, clock, **timings)


def test_a_zero_guard_is_allowed_and_every_tap_chimes(
    log: MemoryLog, clock: FakeClock
) -> None:
    call = NurseCall(log, clock, repeat_guard_seconds=0)
    told: list[Notice] = []
    call.on_notice(told.append)
    call.request()
    call.request()
    assert log.events[-1].data["within_guard"] is False
    assert [n.event for n in told] == ["requested", "repeated"]


def test_events_carry_the_visit_from_the_session_callable(
    call: NurseCall, log: MemoryLog, visit: list[str | None]
) -> None:
    visit[0] = None  # outside a visit
    call.request()
    call.cancel()
    visit[0] = "visit-7"
    call.request()
    call.set_reason(REASONS[1])
    call.acknowledge(by="kiosk")
    call.resolve(by="kiosk")
    assert [(e.type, e.session) for e in log.events] == [
        ("nurse_call.requested", None),
        ("nurse_call.cancelled", None),
        ("nurse_call.requested", "visit-7"),
        ("nurse_call.reason", "visit-7"),
        ("nurse_call.acknowledged", "visit-7"),
        ("nurse_call.resolved", "visit-7"),
    ]


# -- repeats ----------------------------------------------------------------------------


def test_taps_within_the_guard_are_quiet_repeats(
    call: NurseCall, log: MemoryLog, clock: FakeClock, notices: list[Notice]
) -> None:
    call.request()
    call_id = open_id(call)
    clock.advance(5)
    state = call.request("key")
    assert state.call_id == call_id and state.repeats == 1
    clock.advance(4)
    assert call.request().repeats == 2
    assert log.types() == ["nurse_call.requested"] + ["nurse_call.repeated"] * 2
    assert log.events[1].data == {
        "call_id": call_id, "count": 1, "source": "key", "within_guard": True
    }
    assert log.events[2].data["count"] == 2
    assert log.events[2].data["within_guard"] is True
    assert [n.event for n in notices] == ["requested"]  # no chime, no notify
    assert call.seconds_until_due() == 21  # a quiet repeat does not move the reminder


def test_a_tap_after_the_guard_chimes_and_notifies_again(
    call: NurseCall, log: MemoryLog, clock: FakeClock, notices: list[Notice]
) -> None:
    call.request()
    call_id = open_id(call)
    call.set_reason(REASONS[0])
    clock.advance(20)
    assert call.request().repeats == 1
    assert log.events[-1].type == "nurse_call.repeated"
    assert log.events[-1].data["within_guard"] is False
    assert notices[-1] == Notice("repeated", call_id, REASONS[0], chime=True, notify=True)
    assert call.state.call_id == call_id  # the same call, not a second one
    assert call.seconds_until_due() == 30  # the reminder counts from this chime


def test_the_guard_is_measured_from_the_last_tap(
    call: NurseCall, log: MemoryLog, clock: FakeClock, notices: list[Notice]
) -> None:
    call.request()
    for _ in range(4):  # 9 s apart: 36 s after the first tap, but never 10 s after the last
        clock.advance(9)
        call.request()
    assert [e.data["within_guard"] for e in log.events[1:]] == [True] * 4
    assert [n.event for n in notices] == ["requested"]
    clock.advance(10)  # exactly the guard after the last tap: no longer within it
    call.request()
    assert log.events[-1].data["within_guard"] is False
    assert [n.event for n in notices] == ["requested", "repeated"]
    clock.advance(3)
    call.request()  # and the guard starts again from that tap
    assert log.events[-1].data["within_guard"] is True
    assert len(notices) == 2


def test_never_two_open_calls(call: NurseCall, log: MemoryLog, clock: FakeClock) -> None:
    call.request()
    call_id = open_id(call)
    for _ in range(20):
        clock.advance(13)
        call.request()
    assert call.state.call_id == call_id and call.state.repeats == 20
    assert log.types().count("nurse_call.requested") == 1
    assert {e.data["call_id"] for e in log.events} == {call_id}


def test_taps_on_an_acknowledged_call_are_repeats_of_it(
    call: NurseCall, log: MemoryLog, clock: FakeClock, notices: list[Notice]
) -> None:
    call.request()
    call.acknowledge(by="kiosk")
    clock.advance(3)
    call.request()
    assert call.state.status == "acknowledged" and call.state.repeats == 1
    assert log.events[-1].data["within_guard"] is True
    assert call.seconds_until_due() is None  # no reminders come back


def test_after_cancel_a_tap_within_the_guard_opens_a_new_call(
    call: NurseCall, log: MemoryLog, clock: FakeClock, notices: list[Notice]
) -> None:
    call.request()
    first = open_id(call)
    clock.advance(2)
    call.cancel()
    clock.advance(1)
    state = call.request()
    assert state.is_open and state.status == "requested" and state.repeats == 0
    assert state.call_id != first
    assert log.types() == [
        "nurse_call.requested", "nurse_call.cancelled", "nurse_call.requested"
    ]
    assert notices[-1] == Notice("requested", open_id(call), None, chime=True)
    assert call.seconds_until_due() == 30  # a fresh schedule


# -- reasons --------------------------------------------------------------------------


def test_set_reason_records_and_tells(
    call: NurseCall, log: MemoryLog, notices: list[Notice]
) -> None:
    call.request()
    call_id = open_id(call)
    call.set_reason(REASONS[1])
    assert call.state.reason == REASONS[1]
    assert call.state.status == "requested"
    assert log.events[-1].type == "nurse_call.reason"
    assert log.events[-1].data == {"call_id": call_id, "reason": REASONS[1]}
    assert notices[-1] == Notice("reason", call_id, REASONS[1], chime=False, notify=True)
    assert call.seconds_until_due() == 30  # a reason never delays the call


def test_a_reason_can_change_and_is_carried_in_later_notices(
    call: NurseCall, log: MemoryLog, clock: FakeClock, notices: list[Notice]
) -> None:
    call.request()
    call_id = open_id(call)
    call.set_reason(REASONS[0])
    call.set_reason(REASONS[2])
    assert call.state.reason == REASONS[2]
    assert [e.data.get("reason") for e in log.events[1:]] == [REASONS[0], REASONS[2]]
    clock.advance(15)
    call.request()  # repeated, after the guard
    clock.advance(30)
    call.tick()  # reminder
    call.acknowledge(by="kiosk")
    call.resolve(by="kiosk")
    assert [(n.event, n.call_id, n.reason) for n in notices[3:]] == [
        ("repeated", call_id, REASONS[2]),
        ("reminder", call_id, REASONS[2]),
        ("acknowledged", call_id, REASONS[2]),
        ("resolved", call_id, REASONS[2]),
    ]
    call.request()
    assert call.state.reason is None  # a new call starts without one
    assert notices[-1].reason is None


# -- reminders and escalation ------------------------------------------------------------


def test_thirty_unanswered_minutes_stepping_to_each_due_time(
    call: NurseCall, log: MemoryLog, clock: FakeClock
) -> None:
    origin = clock.monotonic()
    call.request()
    told = watch(call, clock, origin)
    run_by_due_times(call, clock, origin, until=30 * 60)
    assert told == default_schedule(30 * 60)
    assert len(told) == 4 + 112
    types = log.types()
    assert types.count("nurse_call.reminded") == 115
    assert types.count("nurse_call.escalated") == 1
    assert len(types) == 117
    reminded = [e.data for e in log.events if e.type == "nurse_call.reminded"]
    assert [d["number"] for d in reminded] == list(range(1, 116))
    assert [d["waited_seconds"] for d in reminded[:4]] == [30, 60, 90, 135]
    escalated = next(e for e in log.events if e.type == "nurse_call.escalated")
    assert escalated.data == {"call_id": open_id(call), "waited_seconds": 120}
    assert call.state.escalated and call.state.reminders == 115
    assert call.seconds_until_due() == 15


def test_thirty_unanswered_minutes_in_one_second_steps(
    call: NurseCall, log: MemoryLog, clock: FakeClock
) -> None:
    origin = clock.monotonic()
    call.request()
    told = watch(call, clock, origin)
    for _ in range(30 * 60):
        clock.advance(1)
        call.tick()
    assert told == default_schedule(30 * 60)
    assert len(log.events) == 117


def test_the_escalation_replaces_the_reminder_due_at_the_same_time(
    call: NurseCall, log: MemoryLog, clock: FakeClock, notices: list[Notice]
) -> None:
    call.request()
    for _ in range(3):
        clock.advance(30)
        call.tick()
    assert call.seconds_until_due() == 30
    clock.advance(30)  # 120 s: both a reminder and the escalation would be due
    call.tick()
    call.tick()
    assert log.types()[-2:] == ["nurse_call.reminded", "nurse_call.escalated"]
    assert [n.event for n in notices] == ["requested"] + ["reminder"] * 3 + ["escalated"]
    assert notices[-1].chime and notices[-1].notify
    assert call.state.reminders == 3 and call.state.escalated


def test_tick_with_nothing_due_does_nothing(
    call: NurseCall, log: MemoryLog, clock: FakeClock, notices: list[Notice]
) -> None:
    changes: list[CallState] = []
    call.subscribe(changes.append)
    call.tick()  # no call at all
    call.request()
    call.tick()
    clock.advance(29.9)
    call.tick()
    assert call.seconds_until_due() == pytest.approx(0.1)
    assert log.types() == ["nurse_call.requested"]
    assert [n.event for n in notices] == ["requested"]
    assert len(changes) == 1
    clock.advance(0.1)
    call.tick()
    assert [n.event for n in notices] == ["requested", "reminder"]


def test_acknowledging_stops_the_reminders(
    call: NurseCall, log: MemoryLog, clock: FakeClock, notices: list[Notice]
) -> None:
    call.request()
    clock.advance(30)
    call.tick()
    clock.advance(10)
    call.acknowledge(by="kiosk")
    assert call.seconds_until_due() is None
    for _ in range(600):
        clock.advance(1)
        call.tick()
    assert [n.event for n in notices] == ["requested", "reminder", "acknowledged"]
    assert not call.state.escalated
    assert log.types().count("nurse_call.reminded") == 1


def test_a_big_jump_gives_one_catch_up_per_tick_not_a_burst(
    call: NurseCall, log: MemoryLog, clock: FakeClock, notices: list[Notice]
) -> None:
    call.request()
    clock.advance(10 * 60)  # a stalled event loop, a suspended machine
    call.tick()
    call.tick()
    call.tick()
    assert [n.event for n in notices] == ["requested", "escalated"]
    assert log.events[-1].data["waited_seconds"] == 600
    assert call.state.reminders == 0 and call.state.escalated
    assert call.seconds_until_due() == 15  # counted from the catch-up, not from 120 s
    clock.advance(10 * 60)
    call.tick()
    call.tick()
    assert [n.event for n in notices] == ["requested", "escalated", "reminder"]
    assert call.state.reminders == 1


def test_a_jump_before_the_escalation_sends_one_reminder(
    call: NurseCall, clock: FakeClock, notices: list[Notice]
) -> None:
    call.request()
    clock.advance(100)  # three reminders were due: one is sent
    call.tick()
    call.tick()
    assert [n.event for n in notices] == ["requested", "reminder"]
    assert call.state.reminders == 1
    assert call.seconds_until_due() == 20  # the escalation still comes at 120 s


def test_the_wall_clock_stepping_back_changes_no_timing(
    call: NurseCall, log: MemoryLog, clock: FakeClock
) -> None:
    origin = clock.monotonic()
    call.request()
    told = watch(call, clock, origin)
    clock.advance(30)
    call.tick()
    clock.advance(20)
    clock.set_wall(clock.now() - timedelta(hours=1))  # an NTP step back
    assert call.waited_seconds() == 50
    assert call.seconds_until_due() == 10
    run_by_due_times(call, clock, origin, until=300)
    assert told == default_schedule(300)
    clock.advance(5)
    call.acknowledge(by="kiosk")
    assert log.events[-1].data["waited_seconds"] == 305


def test_custom_timings_from_the_arguments(log: MemoryLog, clock: FakeClock) -> None:
    call = NurseCall(log, clock, remind_seconds=5, escalate_seconds=12)
    origin = clock.monotonic()
    call.request()
    told = watch(call, clock, origin)
    run_by_due_times(call, clock, origin, until=12)
    assert told == [(5, "reminder"), (10, "reminder"), (12, "escalated")]


@pytest.mark.parametrize(
    ("remind", "escalated_every"),
    [(12, MIN_REPEAT_SECONDS), (20, 10), (30, 15), (50, 25)],
)
def test_escalated_chimes_come_twice_as_often_but_no_more_than_the_floor(
    log: MemoryLog, clock: FakeClock, remind: int, escalated_every: float
) -> None:
    call = NurseCall(log, clock, remind_seconds=remind, escalate_seconds=10)
    origin = clock.monotonic()
    call.request()
    told = watch(call, clock, origin)
    run_by_due_times(call, clock, origin, until=10 + 3 * escalated_every)
    assert told == [(10, "escalated")] + [
        (10 + k * escalated_every, "reminder") for k in (1, 2, 3)
    ]


def test_escalation_never_makes_the_chime_slower(log: MemoryLog, clock: FakeClock) -> None:
    call = NurseCall(log, clock, remind_seconds=5, escalate_seconds=10)
    call.request()
    for _ in range(2):
        clock.advance(5)
        call.tick()
    assert call.state.escalated
    due = call.seconds_until_due()
    assert due is not None and due <= 5


# -- when the log cannot be written ------------------------------------------------------


def test_a_call_goes_ahead_when_the_log_fails(
    call: NurseCall,
    log: MemoryLog,
    notices: list[Notice],
    caplog: pytest.LogCaptureFixture,
) -> None:
    log.fail = True
    with caplog.at_level(logging.CRITICAL, logger="kiosk.nurse_call"):
        state = call.request()
    assert state.is_open and state.status == "requested"
    assert state.recorded is False
    assert state.requested_at == START  # from the clock, since the log gave no time
    assert notices == [Notice("requested", open_id(call), None, chime=True, notify=True)]
    assert call.log_problem == "disk full"
    critical = [r for r in caplog.records if r.levelno == logging.CRITICAL]
    assert len(critical) == 1
    assert critical[0].name == "kiosk.nurse_call"
    assert "nurse_call.requested" in critical[0].getMessage()
    assert "disk full" in critical[0].getMessage()
    assert log.events == []
    assert status_key(state, chime_enabled=True, notify_enabled=True) == "fallback"


def test_a_successful_write_clears_the_log_problem(
    call: NurseCall, log: MemoryLog, clock: FakeClock, notices: list[Notice]
) -> None:
    log.fail = True
    call.request()
    clock.advance(30)
    call.tick()  # the reminder still goes out
    assert [n.event for n in notices] == ["requested", "reminder"]
    assert call.log_problem == "disk full"
    log.fail = False
    call.set_reason(REASONS[0])
    assert call.log_problem == ""
    assert log.types() == ["nurse_call.reason"]
    assert call.state.recorded is False  # the call itself stays unrecorded


def test_every_step_goes_ahead_unrecorded(
    call: NurseCall, log: MemoryLog, clock: FakeClock, notices: list[Notice]
) -> None:
    log.fail = True
    call.request()
    clock.advance(20)
    call.request()
    call.set_reason(REASONS[1])
    clock.advance(100)
    call.tick()
    call.acknowledge(by="kiosk")
    call.resolve(by="kiosk")
    assert [n.event for n in notices] == [
        "requested", "repeated", "reason", "escalated", "acknowledged", "resolved"
    ]
    assert call.state == CallState()
    assert log.events == [] and call.log_problem == "disk full"


# -- what the chime and the notify command reported -------------------------------------


def test_chime_result_records_and_updates_the_open_call(
    call: NurseCall, log: MemoryLog, notices: list[Notice]
) -> None:
    call.request()
    notice = notices[0]
    call.chime_result(notice)
    assert call.state.chime_ok is True
    assert log.events[-1].type == "nurse_call.chimed"
    assert log.events[-1].data == {"call_id": notice.call_id, "event": "requested", "ok": True}
    call.chime_result(notice, "no audio device")
    assert call.state.chime_ok is False
    assert log.events[-1].data == {
        "call_id": notice.call_id, "event": "requested", "ok": False, "error": "no audio device"
    }


def test_a_late_outcome_for_an_old_call_changes_nothing(
    call: NurseCall, log: MemoryLog, notices: list[Notice]
) -> None:
    call.request()
    old = notices[0]
    call.cancel()
    call.chime_result(old, "no audio device")  # nothing open: recorded only
    assert call.state == CallState()
    call.request()
    new_state = call.state
    call.chime_result(old, "no audio device")
    call.notify_result({"event": "requested", "call_id": old.call_id, "ok": True})
    assert call.state == new_state
    assert call.state.chime_ok is None and call.state.notify_ok is None
    assert log.types().count("nurse_call.chimed") == 2
    assert log.types().count("nurse_call.notified") == 1


def test_notify_result_records_and_one_success_is_enough(
    call: NurseCall, log: MemoryLog, notices: list[Notice]
) -> None:
    call.request()
    call_id = open_id(call)
    outcome: dict[str, Any] = {
        "event": "requested", "call_id": call_id, "ok": False, "exit_code": 1,
        "timed_out": False, "seconds": 0.2, "error": "exit status 1",
    }
    call.notify_result(outcome)
    assert call.state.notify_ok is False
    assert log.events[-1].type == "nurse_call.notified"
    assert log.events[-1].data == outcome
    call.notify_result({**outcome, "ok": True, "exit_code": 0, "error": None})
    assert call.state.notify_ok is True
    call.notify_result({**outcome, "event": "reminder"})  # a later run fails
    assert call.state.notify_ok is True
    assert log.types().count("nurse_call.notified") == 3


def test_outcomes_reach_state_listeners(call: NurseCall, notices: list[Notice]) -> None:
    call.request()
    seen: list[CallState] = []
    call.subscribe(seen.append)
    call.chime_result(notices[0])
    call.notify_result({"call_id": open_id(call), "ok": True})
    assert [(s.chime_ok, s.notify_ok) for s in seen] == [(True, None), (True, True)]


# -- the patient's words --------------------------------------------------------------

OPEN = CallState(call_id="c0ffee00", status="requested")


@pytest.mark.parametrize(
    ("state", "chime_enabled", "notify_enabled", "key"),
    [
        (CallState(), True, True, ""),
        (CallState(), False, False, ""),
        (CallState(call_id="c", status="acknowledged"), True, True, "acknowledged"),
        (CallState(call_id="c", status="acknowledged", recorded=False, chime_ok=False),
         True, True, "acknowledged"),
        (CallState(call_id="c", status="requested", recorded=False, chime_ok=True,
                   notify_ok=True), True, True, "fallback"),
        (CallState(call_id="c", status="requested", chime_ok=True), True, True,
         "recorded_chime"),
        (CallState(call_id="c", status="requested", chime_ok=True), True, False,
         "recorded_chime"),
        (CallState(call_id="c", status="requested", chime_ok=False, notify_ok=True),
         True, True, "recorded_message"),
        (CallState(call_id="c", status="requested", notify_ok=True), False, True,
         "recorded_message"),
        (CallState(call_id="c", status="requested", chime_ok=False), True, True,
         "sending"),
        (OPEN, True, True, "sending"),
        (CallState(call_id="c", status="requested", chime_ok=False, notify_ok=False),
         True, True, "fallback"),
        (CallState(call_id="c", status="requested", chime_ok=False), True, False,
         "fallback"),
        (CallState(call_id="c", status="requested", notify_ok=False), False, True,
         "fallback"),
        (OPEN, False, False, "fallback"),
        (CallState(call_id="c", status="requested", escalated=True, chime_ok=True),
         True, True, "waiting"),
        (CallState(call_id="c", status="requested", escalated=True, chime_ok=False,
                   notify_ok=False), True, True, "fallback"),
    ],
    ids=[
        "no-call", "no-call-nothing-enabled", "acknowledged", "acknowledged-unrecorded",
        "not-recorded", "chime-ok", "chime-ok-no-notify", "chime-failed-notify-ok",
        "chime-off-notify-ok", "chime-failed-notify-pending", "nothing-reported-yet",
        "chime-failed-notify-failed", "chime-failed-notify-off", "chime-off-notify-failed",
        "nothing-enabled", "escalated", "escalated-no-path",
    ],
)
def test_status_key_tells_only_what_is_so(
    state: CallState, chime_enabled: bool, notify_enabled: bool, key: str
) -> None:
    assert status_key(state, chime_enabled=chime_enabled, notify_enabled=notify_enabled) == key
    assert key == "" or key in CALL_KEYS  # a sentence the content really has


def test_status_key_follows_a_live_call(
    call: NurseCall, clock: FakeClock, notices: list[Notice]
) -> None:
    def key() -> str:
        return status_key(call.state, chime_enabled=True, notify_enabled=True)

    assert key() == ""
    call.request()
    assert key() == "sending"
    call.chime_result(notices[0], "no audio device")
    call.notify_result({"call_id": open_id(call), "ok": True})
    assert key() == "recorded_message"
    clock.advance(120)
    call.tick()
    assert key() == "waiting"
    call.acknowledge(by="kiosk")
    assert key() == "acknowledged"
    call.resolve(by="kiosk")
    assert key() == ""


# -- after a restart ------------------------------------------------------------------------


def restored(events: list[MemEvent], clock: FakeClock) -> tuple[NurseCall, MemoryLog, list[Notice]]:
    """A fresh model (its own log) restored from `events`, and what it told while restoring."""
    fresh_log = MemoryLog(clock)
    model = NurseCall(fresh_log, clock, reasons=REASONS)
    told: list[Notice] = []
    model.on_notice(told.append)
    model.restore(events)
    assert fresh_log.events == []  # restoring writes nothing
    return model, fresh_log, told


def test_restore_an_unanswered_call(
    call: NurseCall, log: MemoryLog, clock: FakeClock
) -> None:
    call.request()
    call_id = open_id(call)
    call.set_reason(REASONS[0])
    clock.advance(3)
    call.request()
    clock.advance(3)
    call.request()
    call.set_reason(REASONS[2])
    for _ in range(4):  # reminders at 30, 60, 90, the escalation at 120
        clock.advance(call.seconds_until_due() or 0)
        call.tick()
    clock.advance(15)
    call.tick()  # one escalated chime
    assert call.state.reminders == 4 and call.state.escalated
    clock.advance(5)

    model, _, told = restored(log.events, clock)
    state = model.state
    assert state.call_id == call_id and state.status == "requested"
    assert state.reason == REASONS[2]
    assert (state.repeats, state.reminders, state.escalated) == (2, 4, True)
    assert state.requested_at == START
    assert state.acknowledged_by is None
    assert told == [Notice("reminder", call_id, REASONS[2], chime=True, notify=False)]
    assert model.waited_seconds() == 140
    assert model.seconds_until_due() == 10  # 15 s after the last chime, 5 s ago


def test_restore_continues_the_schedule_from_the_last_logged_chime(
    call: NurseCall, log: MemoryLog, clock: FakeClock
) -> None:
    call.request()
    clock.advance(30)
    call.tick()
    clock.advance(10)
    model, _, told = restored(log.events, clock)
    assert [n.event for n in told] == ["reminder"]
    assert model.seconds_until_due() == 20
    origin = clock.monotonic() - 40  # when the call was made
    later = watch(model, clock, origin)
    run_by_due_times(model, clock, origin, until=150)
    assert later == [(60, "reminder"), (90, "reminder"), (120, "escalated"), (135, "reminder"),
                     (150, "reminder")]
    assert model.state.reminders == 5


def test_restore_after_a_reboot_uses_the_wall_times_in_the_log(
    call: NurseCall, log: MemoryLog, clock: FakeClock
) -> None:
    call.request()
    call_id = open_id(call)
    clock.advance(30)
    call.tick()
    # After a reboot the monotonic clock starts again; only the wall time carries over.
    rebooted = FakeClock(clock.now() + timedelta(seconds=200))
    model, _, told = restored(log.events, rebooted)
    assert model.state.call_id == call_id and not model.state.escalated
    assert model.waited_seconds() == 230
    assert [n.event for n in told] == ["reminder"]
    assert model.seconds_until_due() == 0  # the escalation is overdue: the next tick sends it
    model.tick()
    assert model.state.escalated
    assert [n.event for n in told] == ["reminder", "escalated"]
    assert model.seconds_until_due() == 15


def test_restore_an_acknowledged_call_sends_no_chime(
    call: NurseCall, log: MemoryLog, clock: FakeClock
) -> None:
    call.request()
    call_id = open_id(call)
    call.set_reason(REASONS[1])
    clock.advance(45)
    call.tick()
    call.acknowledge(by="nurse station")
    clock.advance(300)
    model, _, told = restored(log.events, clock)
    assert model.state.call_id == call_id
    assert model.state.status == "acknowledged"
    assert model.state.acknowledged_by == "nurse station"
    assert model.state.reason == REASONS[1] and model.state.reminders == 1
    assert told == []
    assert model.seconds_until_due() is None
    model.resolve(by="kiosk")  # and staff can close it as usual
    assert model.state == CallState()


@pytest.mark.parametrize("close", ["cancel", "resolve"])
def test_restore_a_closed_call_to_no_call(
    call: NurseCall, log: MemoryLog, clock: FakeClock, close: str
) -> None:
    call.request()
    clock.advance(40)
    call.tick()
    if close == "cancel":
        call.cancel()
    else:
        call.acknowledge(by="kiosk")
        call.resolve(by="kiosk")
    seen: list[CallState] = []
    model = NurseCall(MemoryLog(clock), clock)
    model.subscribe(seen.append)
    told: list[Notice] = []
    model.on_notice(told.append)
    model.restore(log.events)
    assert model.state == CallState()
    assert told == [] and seen == [CallState()]
    assert model.seconds_until_due() is None and model.waited_seconds() is None


def test_restore_ignores_other_calls_and_other_events(
    call: NurseCall, log: MemoryLog, clock: FakeClock, notices: list[Notice]
) -> None:
    call.request()
    old = open_id(call)
    call.cancel()
    clock.advance(60)
    call.request()
    current = open_id(call)
    clock.advance(5)
    call.chime_result(notices[0])  # a late chime outcome of the old call
    call.notify_result({"call_id": old, "ok": True})
    ts = clock.now()
    strays = [
        MemEvent("nurse_call.acknowledged", None, ts, {"call_id": old, "by": "kiosk"}),
        MemEvent("nurse_call.reminded", None, ts, {"call_id": old, "number": 1}),
        MemEvent("nurse_call.escalated", None, ts, {"call_id": "deadbeef"}),
        MemEvent("nurse_call.resolved", None, ts, {"call_id": "deadbeef", "by": "kiosk"}),
        MemEvent("nurse_call.reason", None, ts, {"call_id": old, "reason": REASONS[0]}),
        MemEvent("stage.changed", "visit-1", ts, {"call_id": current, "to": "recovery"}),
        MemEvent("session.ended", "visit-1", ts, {"stage": "recovery"}),
    ]
    model, _, told = restored([*log.events, *strays], clock)
    state = model.state
    assert state.call_id == current and state.status == "requested"
    assert (state.reason, state.repeats, state.reminders, state.escalated) == (None, 0, 0, False)
    assert state.requested_at == START + timedelta(seconds=60)
    assert told == [Notice("reminder", current, None, chime=True, notify=False)]
    assert model.seconds_until_due() == 25


def test_restore_counts_a_repeat_after_the_guard_as_a_chime(
    call: NurseCall, log: MemoryLog, clock: FakeClock
) -> None:
    call.request()
    clock.advance(20)
    call.request()  # after the guard: chimes and notifies again
    clock.advance(10)
    assert call.seconds_until_due() == 20
    model, _, _ = restored(log.events, clock)
    assert model.seconds_until_due() == 20


def test_restore_measures_the_guard_from_the_last_logged_tap(
    call: NurseCall, log: MemoryLog, clock: FakeClock
) -> None:
    call.request()
    clock.advance(25)
    call.request()
    clock.advance(2)
    model, fresh_log, told = restored(log.events, clock)
    told.clear()
    model.request()  # 2 s after the last tap: a quiet repeat, as it would be without a restart
    assert fresh_log.events[-1].data["within_guard"] is True
    assert told == []


# -- listeners ------------------------------------------------------------------------


def test_state_listeners_see_every_change_until_unsubscribed(
    call: NurseCall, clock: FakeClock
) -> None:
    first: list[CallState] = []
    second: list[CallState] = []
    stop_first = call.subscribe(first.append)
    call.subscribe(second.append)
    call.request()
    call.set_reason(REASONS[0])
    clock.advance(30)
    call.tick()
    stop_first()
    call.acknowledge(by="kiosk")
    call.resolve(by="kiosk")
    assert [(s.status, s.reason, s.reminders) for s in first] == [
        ("requested", None, 0), ("requested", REASONS[0], 0), ("requested", REASONS[0], 1)
    ]
    assert [s.status for s in second] == [
        "requested", "requested", "requested", "acknowledged", "none"
    ]
    assert second[-1] == call.state == CallState()


def test_notice_listeners_hear_every_notice_until_unsubscribed(
    call: NurseCall, clock: FakeClock
) -> None:
    first: list[Notice] = []
    second: list[Notice] = []
    stop_first = call.on_notice(first.append)
    stop_second = call.on_notice(second.append)
    call.request()
    stop_first()
    call.set_reason(REASONS[0])
    stop_second()
    call.cancel()
    assert [n.event for n in first] == ["requested"]
    assert [n.event for n in second] == ["requested", "reason"]
