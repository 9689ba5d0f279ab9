"""The streamed restore (`kiosk.restore.History`) rebuilds exactly what the whole log would.

Every model's `restore()` is given, once, every event of a random log and, once, only
what `History` kept of it; the states must be equal. Plain Python: no QApplication.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.care import COMFORT_CHOICES, DISCHARGE_ITEMS, MOMENTS, VisitCare
from kiosk.clock import FakeClock
from kiosk.event_format import ZERO_HASH, Event
from kiosk.events import EventLog, read_events
from kiosk.nurse_call import NurseCall
from kiosk.restore import History, read_history
from kiosk.security import PinGate, hash_pin
from kiosk.session import STAGES, SessionModel
from tests.fakes import MemoryLog

START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
CALLS = st.sampled_from([None, "c1", "c2", "c3"])


def _data(type_: str, draw: Any) -> dict[str, Any]:
    """Data as the kiosk writes it for `type_`, now and then damaged."""
    if draw(st.integers(0, 19)) == 0:
        return draw(st.dictionaries(st.sampled_from(["to", "call_id", "item", "x"]),
                                    st.one_of(st.none(), st.integers(), st.text(max_size=3))))
    if type_ == "session.started":
        return {"planned_infusion_minutes": draw(st.integers(20, 90)),
                "language": draw(st.sampled_from(["en", "es"]))}
    if type_ == "stage.changed":
        return {"to": draw(st.sampled_from(STAGES)),
                "direction": draw(st.sampled_from(["forward", "back"]))}
    if type_ == "session.language_changed":
        return {"language": draw(st.sampled_from(["en", "es"]))}
    if type_ == "checkin.recorded":
        return {"moment": draw(st.sampled_from(MOMENTS)), "value": draw(st.integers(1, 5))}
    if type_ == "comfort_plan.recorded":
        return {"choices": draw(st.lists(st.sampled_from(COMFORT_CHOICES), unique=True))}
    if type_.startswith("discharge."):
        return {"item": draw(st.sampled_from(DISCHARGE_ITEMS))}
    if type_.startswith("nurse_call."):
        data: dict[str, Any] = {"call_id": draw(CALLS)}
        if type_ == "nurse_call.reason":
            data["reason"] = draw(st.sampled_from(["sick", "pain"]))
        if type_ == "nurse_call.repeated":
            data["within_guard"] = draw(st.booleans())
        if type_ == "nurse_call.acknowledged":
            data["by"] = "staff"
        return data
    if type_ == "staff.locked_out":
        return {"seconds": draw(st.integers(0, 600))}
    return {}


TYPES = [
    "session.started", "stage.changed", "session.language_changed", "session.ended",
    "checkin.recorded", "comfort_plan.recorded", "discharge.confirmed", "discharge.withdrawn",
    "nurse_call.requested", "nurse_call.repeated", "nurse_call.reason", "nurse_call.reminded",
    "nurse_call.escalated", "nurse_call.acknowledged", "nurse_call.cancelled",
    "nurse_call.resolved", "staff.pin_failed", "staff.locked_out", "staff.unlocked",
    "music.started", "breathing.started", "kiosk.started",
]


@st.composite
def logs(draw: Any) -> list[Event]:
    events: list[Event] = []
    started: list[str] = []
    when = START
    for seq in range(1, draw(st.integers(0, 80)) + 1):
        type_ = draw(st.sampled_from(TYPES))
        when += timedelta(seconds=draw(st.integers(0, 1200)))
        if type_ == "session.started":  # each visit has its own id, as the kiosk makes them
            started.append(f"v{seq}")
            visit: str | None = started[-1]
        else:
            visit = draw(st.sampled_from([None, *started[-2:]]))
        events.append(Event(seq, when, "k1", "room 1", visit, type_, _data(type_, draw),
                            ZERO_HASH))
    return events


def _models(events: list[Event], now: datetime) -> tuple[object, ...]:
    clock = FakeClock(now)
    sink = MemoryLog(clock)
    session = SessionModel(sink, clock, languages=("en", "es"))
    session.restore(events)
    care = VisitCare(sink, session)
    care.restore(events)
    calls = NurseCall(sink, clock, reasons=("sick", "pain"), session=lambda: session.state.session)
    calls.restore(events)
    gate = PinGate(sink, clock, pin_hash=hash_pin("246813"), attempts=3, lockout_seconds=60)
    gate.restore(events)
    return (session.state, session.infusion_elapsed_seconds(), care.state, calls.state,
            calls.waited_seconds(), calls.seconds_until_due(), gate.attempts_left,
            gate.locked_for())


@settings(max_examples=150, deadline=None)
@given(logs(), st.integers(0, 3 * 3600))
def test_the_kept_events_restore_what_the_whole_log_restores(events: list[Event],
                                                             later: int) -> None:
    now = (events[-1].ts if events else START) + timedelta(seconds=later)
    kept = History().extend(events)
    assert _models(kept.events(), now) == _models(events, now)
    assert kept.count == len(events)
    assert kept.last == (events[-1] if events else None)
    assert [e.seq for e in kept.events()] == sorted(e.seq for e in kept.events())


def _visit(log: EventLog, clock: FakeClock, number: int) -> None:
    session = f"visit-{number}"
    log.append("session.started", {"planned_infusion_minutes": 45, "language": "en"},
               session=session)
    for stage in STAGES[1:]:
        clock.advance(600)
        log.append("stage.changed", {"to": stage, "direction": "forward"}, session=session)
        log.append("music.started", {"track": "a.ogg"}, session=session)
        log.append("nurse_call.requested", {"call_id": f"c{number}-{stage}"}, session=session)
        log.append("nurse_call.resolved", {"call_id": f"c{number}-{stage}", "by": "staff"},
                   session=session)
    log.append("staff.pin_failed", {})
    log.append("staff.unlocked", {})
    log.append("session.ended", {}, session=session)


def test_a_long_log_of_closed_visits_keeps_only_the_open_one(tmp_path: Path) -> None:
    clock = FakeClock(START)
    with EventLog(tmp_path, kiosk="k1", room="room 1", clock=clock) as log:
        for number in range(40):
            _visit(log, clock, number)
        log.append("session.started", {"planned_infusion_minutes": 50, "language": "es"},
                   session="open")
        log.append("stage.changed", {"to": STAGES[1], "direction": "forward"}, session="open")
        log.append("nurse_call.requested", {"call_id": "last"}, session="open")
        log.append("staff.pin_failed", {})
        total = log.last_seq
    kept = read_history(tmp_path)
    assert total > 700
    assert kept.count < 40  # read from the end, back to the open visit's start and the last PIN
    assert [e.type for e in kept.events()] == [
        "session.started", "stage.changed", "nurse_call.requested", "staff.pin_failed"]
    assert kept.last is not None and kept.last.seq == total


@settings(max_examples=40, deadline=None)
@given(logs(), st.lists(st.integers(0, 30 * 3600), min_size=80, max_size=80))
def test_reading_from_the_end_keeps_what_reading_from_the_start_keeps(
        events: list[Event], gaps: list[int]) -> None:
    clock = FakeClock(START)
    with tempfile.TemporaryDirectory() as folder:
        with EventLog(Path(folder), kiosk="k1", room="room 1", clock=clock) as log:
            for event, gap in zip(events, gaps, strict=False):  # day files come and go
                clock.advance(gap)
                log.append(event.type, dict(event.data), session=event.session)
        forward = History().extend(read_events(Path(folder)))
        backward = read_history(Path(folder))
    assert backward.events() == forward.events()
    assert backward.last == forward.last
