"""The nurse station's model, plain (no Qt), driven on a FakeClock.

Events come at least once and in any order: each is kept once, by (kiosk, seq),
and a hole in a kiosk's chain of events asks for them again. The calls, their
waiting times, escalation, silence and the desk alert all follow from what was fed.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.clock import FakeClock
from kiosk.station.model import StationModel
from kiosk.station.protocol import (
    Ack,
    CallEvent,
    Heartbeat,
    OpenCall,
    Resend,
    RoomState,
)

ZONE = timezone(timedelta(hours=1))  # the station's day: midnight is 23:00 UTC
START = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)
MIDNIGHT = datetime(2026, 11, 21, 0, 0, tzinfo=ZONE)
ROOMS = {"kiosk-a": "Room 1", "kiosk-b": "Room 2", "kiosk-c": "Room 3"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def model(clock: FakeClock) -> StationModel:
    m = StationModel(clock, zone=ZONE)
    m.set_connected(True)
    return m


def event(seq: int, prev: int | None, kind: str, call_id: str = "c1", *, kiosk: str = "kiosk-a",
          room: str = "Room 1", at: datetime = START, **data: Any) -> CallEvent:
    return CallEvent(kiosk=kiosk, room=room, seq=seq, prev_seq=prev, ts=at,
                     type=f"nurse_call.{kind}", session="s1", data={"call_id": call_id, **data})


def state(kiosk: str = "kiosk-a", room: str | None = None, *, last: int | None = None,
          call: OpenCall | None = None, at: datetime = START, **fields: Any) -> RoomState:
    return RoomState(kiosk=kiosk, room=room or ROOMS[kiosk], ts=at, visit_open=True, stage="infusion",
                     call=call, last_call_seq=last, **fields)


def chain(kiosk: str = "kiosk-a", at: datetime = START) -> list[CallEvent]:
    """One call and its steps: requested, reason, chimed, acknowledged, resolved (seq 11..15)."""
    kinds: list[tuple[str, dict[str, Any]]] = [("requested", {"source": "button"}), ("reason", {"reason": "I feel sick"}),
             ("chimed", {"event": "requested", "ok": True}),
             ("acknowledged", {"by": "station", "waited_seconds": 45}),
             ("resolved", {"by": "nurse", "waited_seconds": 300})]
    events: list[CallEvent] = []
    prev = 10
    for number, (kind, data) in enumerate(kinds):
        seq = 11 + number
        events.append(event(seq, prev, kind, kiosk=kiosk, at=at + timedelta(seconds=45 * number), **data))
        prev = seq
    return events


def contact(model: StationModel, kiosk: str = "kiosk-a", last: int | None = 10) -> None:
    """The kiosk's first word (its state), with the first-contact resend taken."""
    assert model.on_state(state(kiosk, last=last)) == [(kiosk, Resend(after=None, since=MIDNIGHT))]


def test_the_first_contact_counts_towards_the_throttle(model: StationModel, clock: FakeClock) -> None:
    contact(model)
    events = chain()
    model.on_event(events[0])
    assert model.on_event(events[2]) == []  # the answer to the first contact may bring 12
    clock.advance(2)
    assert model.on_event(events[3]) == [("kiosk-a", Resend(after=11))]


# -- exactly once ------------------------------------------------------------------------
def test_an_event_twice_is_kept_once(model: StationModel) -> None:
    contact(model)
    requested = chain()[0]
    assert model.on_event(requested) == []
    version = model.version
    assert model.on_event(requested) == []
    assert model.events_of("kiosk-a") == [requested]
    assert not model.changed_since(version)


def test_a_resent_batch_adds_only_what_was_missing_in_seq_order(model: StationModel) -> None:
    contact(model)
    events = chain()
    for e in events[:2] + events[3:]:
        model.on_event(e)
    for e in reversed(events):  # the answer to the resend: all again, in any order
        model.on_event(e)
    assert model.events_of("kiosk-a") == events


def test_first_contact_by_an_event_asks_for_todays_calls(model: StationModel) -> None:
    e = chain()[2]
    assert model.on_event(e) == [("kiosk-a", Resend(after=None, since=MIDNIGHT))]
    assert model.on_event(chain()[3]) == []  # known now


def test_first_contact_since_is_the_local_midnight(clock: FakeClock) -> None:
    clock.set_wall(datetime(2026, 11, 21, 23, 30, tzinfo=timezone.utc))  # 00:30 next day at +1
    m = StationModel(clock, zone=ZONE)
    assert m.on_state(state()) == [("kiosk-a", Resend(after=None, since=datetime(2026, 11, 22, tzinfo=ZONE)))]


# -- gaps ------------------------------------------------------------------------------------
def test_a_missing_event_is_asked_for_once_per_throttle_and_filling_it_clears_it(
    model: StationModel, clock: FakeClock
) -> None:
    contact(model)
    clock.advance(3)
    events = chain()
    model.on_event(events[0])
    assert model.on_event(events[2]) == [("kiosk-a", Resend(after=11))]  # 12 is missing
    assert model.on_event(events[3]) == []  # asked already, within the throttle
    clock.advance(1.9)
    assert model.on_online("kiosk-a", True) == []
    clock.advance(0.2)
    assert model.on_online("kiosk-a", True) == [("kiosk-a", Resend(after=11))]  # still missing
    clock.advance(5)
    assert model.on_event(events[1]) == []  # filled
    clock.advance(5)
    assert model.on_online("kiosk-a", True) == []
    assert [e.seq for e in model.events_of("kiosk-a")] == [11, 12, 13, 14]


def test_a_last_call_seq_beyond_what_is_held_asks_for_the_rest(
    model: StationModel, clock: FakeClock
) -> None:
    contact(model)
    events = chain()
    for e in events[:3]:
        model.on_event(e)
    clock.advance(3)
    assert model.on_state(state(last=13)) == []
    assert model.on_state(state(last=15)) == [("kiosk-a", Resend(after=13))]
    model.on_event(events[3])
    model.on_event(events[4])
    clock.advance(3)
    assert model.on_state(state(last=15, infusion_minutes=3)) == []


def test_a_lost_first_event_after_first_contact_is_noticed(model: StationModel, clock: FakeClock) -> None:
    contact(model, last=10)  # nothing since seq 10 today
    events = chain()
    clock.advance(3)
    assert model.on_event(events[1]) == [("kiosk-a", Resend(after=10))]  # 11 never came


def test_an_offline_kiosk_is_asked_when_it_comes_back(model: StationModel, clock: FakeClock) -> None:
    contact(model)
    events = chain()
    model.on_event(events[0])
    model.on_online("kiosk-a", False)
    clock.advance(3)
    assert model.on_event(events[2]) == []  # (a late delivery) it cannot answer now
    assert model.on_online("kiosk-a", True) == [("kiosk-a", Resend(after=11))]


def test_a_gap_of_another_kiosk_is_asked_for_on_any_message(model: StationModel, clock: FakeClock) -> None:
    contact(model)
    contact(model, "kiosk-b")
    clock.advance(3)
    events = chain()
    model.on_event(events[0])
    assert model.on_event(events[2]) == [("kiosk-a", Resend(after=11))]
    clock.advance(3)
    assert model.on_state(state("kiosk-b", "Room 2")) == [("kiosk-a", Resend(after=11))]


# -- calls -------------------------------------------------------------------------------------
def test_records_are_rebuilt_in_seq_order_whatever_the_arrival(model: StationModel, clock: FakeClock) -> None:
    contact(model)
    events = chain()
    clock.advance(400)
    for e in (events[4], events[1], events[3], events[0], events[2]):
        model.on_event(e)
    [call] = model.calls_today()
    assert call.call_id == "c1" and call.requested_seq == 11 and call.requested_at == START
    assert call.reason == "I feel sick"
    assert call.acknowledged_by == "station" and call.at_desk
    assert call.response_seconds == 135  # acknowledged at the fourth step, 3 × 45 s later
    assert call.closed_how == "resolved" and not call.is_open
    assert model.rooms()[0].call is None


def test_an_open_call_shows_on_its_tile_with_its_wait(model: StationModel, clock: FakeClock) -> None:
    contact(model)
    for e in chain()[:2]:
        model.on_event(e)
    clock.advance(100)
    [room] = model.rooms()
    assert room.call is not None and room.call.reason == "I feel sick" and room.call.is_open
    assert room.call.response_seconds is None
    assert room.waited_seconds == 100 and room.emphasis == 1 and not room.call.escalated


def test_escalation_by_time_and_by_the_kiosks_event(model: StationModel, clock: FakeClock) -> None:
    contact(model)
    contact(model, "kiosk-b")
    model.on_event(event(11, 10, "requested"))
    model.on_event(event(11, 10, "requested", "c2", kiosk="kiosk-b", room="Room 2"))
    model.on_event(event(12, 11, "escalated", "c2", kiosk="kiosk-b", room="Room 2", waited_seconds=60))
    a, b = model.rooms()
    assert (a.emphasis, b.emphasis) == (1, 2)
    assert b.call is not None and b.call.escalated
    clock.advance(120)
    a, b = model.rooms()
    assert a.emphasis == 2 and a.call is not None and a.call.escalated
    clock.advance(120)
    assert [r.emphasis for r in model.rooms()] == [3, 3]


def test_a_call_known_only_from_the_room_state_shows(model: StationModel, clock: FakeClock) -> None:
    call = OpenCall("c9", "requested", requested_at=START - timedelta(seconds=30), reason="I feel sick")
    model.on_state(state(call=call))
    [room] = model.rooms()
    assert room.call is not None and room.call.call_id == "c9" and room.call.requested_seq == 0
    assert room.waited_seconds == 30
    assert [c.call_id for c in model.calls_today()] == ["c9"]
    assert model.acknowledge("kiosk-a") == Ack("c9", "station")
    pending = model.rooms()[0].call
    assert pending is not None and pending.ack_sent
    assert model.alert_due() is None
    acknowledged = OpenCall("c9", "acknowledged", requested_at=call.requested_at, acknowledged_by="station")
    model.on_state(state(call=acknowledged))
    assert model.acks_to_resend("kiosk-a") == []
    [room] = model.rooms()
    assert room.call is not None and room.call.acknowledged and room.emphasis == 0


def test_a_state_ahead_of_the_events_is_believed(model: StationModel) -> None:
    contact(model)
    model.on_event(event(11, 10, "requested"))
    assert model.alert_due() == "new"
    model.on_state(state(last=12, call=OpenCall("c1", "acknowledged", requested_at=START,
                                                 escalated=True, acknowledged_by="nurse")))
    [room] = model.rooms()
    assert room.call is not None and room.call.acknowledged and room.call.escalated
    assert room.call.acknowledged_by == "nurse" and room.emphasis == 0
    assert model.alert_due() is None


# -- silence -------------------------------------------------------------------------------------
def test_silence_by_timeout_and_by_offline_and_recovery(model: StationModel, clock: FakeClock) -> None:
    contact(model)
    heard_at = clock.now()
    clock.advance(29)
    assert not model.rooms()[0].silent
    clock.advance(1)
    [room] = model.rooms()
    assert room.silent and room.silent_since == heard_at
    model.on_heartbeat(Heartbeat("kiosk-a", clock.now()))
    assert not model.rooms()[0].silent
    model.on_online("kiosk-a", False)
    assert model.rooms()[0].silent
    model.on_online("kiosk-a", True)
    assert not model.rooms()[0].silent


def test_no_kiosk_is_silent_while_the_station_is_disconnected(model: StationModel, clock: FakeClock) -> None:
    contact(model)
    model.set_connected(False, "Connection refused")
    assert not model.connected and model.connection_problem == "Connection refused"
    clock.advance(300)
    assert not model.rooms()[0].silent
    model.set_connected(True)
    assert model.connection_problem == ""
    assert not model.rooms()[0].silent  # each kiosk has its time to speak again
    clock.advance(30)
    assert model.rooms()[0].silent


# -- the desk acknowledges ------------------------------------------------------------------------
def test_acknowledge_sends_an_ack_and_the_kiosk_confirms_it(model: StationModel, clock: FakeClock) -> None:
    contact(model)
    model.on_event(event(11, 10, "requested"))
    clock.advance(45)
    assert model.acknowledge("kiosk-a") == Ack("c1", "station")
    call = model.rooms()[0].call
    assert call is not None and call.ack_sent and not call.acknowledged
    assert model.acknowledge("kiosk-a") is None  # sent already
    assert model.acks_to_resend("kiosk-a") == [Ack("c1", "station")]
    model.on_event(event(12, 11, "acknowledged", by="station", waited_seconds=45, at=clock.now()))
    room = model.rooms()[0]
    assert room.call is not None and not room.call.ack_sent and room.call.acknowledged
    assert room.call.response_seconds == 45 and room.emphasis == 0 and room.waited_seconds == 45
    assert model.acks_to_resend("kiosk-a") == []


def test_acknowledge_with_nothing_to_acknowledge_is_none(model: StationModel) -> None:
    assert model.acknowledge("kiosk-z") is None
    contact(model)
    assert model.acknowledge("kiosk-a") is None
    model.on_event(event(11, 10, "requested"))
    model.on_event(event(12, 11, "acknowledged", by="nurse"))
    assert model.acknowledge("kiosk-a") is None
    model.on_event(event(13, 12, "resolved", by="nurse"))
    assert model.acknowledge("kiosk-a") is None


def test_a_pending_ack_goes_when_the_call_is_cancelled(model: StationModel) -> None:
    contact(model)
    model.on_event(event(11, 10, "requested"))
    assert model.acknowledge("kiosk-a") is not None
    model.on_event(event(12, 11, "cancelled", waited_seconds=5))
    assert model.acks_to_resend("kiosk-a") == []
    assert model.calls_today()[0].closed_how == "cancelled"


# -- the desk alert ------------------------------------------------------------------------------
def test_alert_timing(model: StationModel, clock: FakeClock) -> None:
    contact(model)
    assert model.alert_due() is None and model.seconds_until_alert() is None
    model.on_event(event(11, 10, "requested"))
    assert model.alert_due() == "new" and model.seconds_until_alert() == 0
    model.alert_played()
    assert model.alert_due() is None and model.seconds_until_alert() == 20
    clock.advance(20)
    assert model.alert_due() == "new"
    model.alert_played()
    clock.advance(10)  # 30 s waited
    model.on_event(event(12, 11, "escalated", waited_seconds=30, at=clock.now()))
    assert model.alert_due() == "escalated"  # an escalation sounds at once
    model.alert_played()
    assert model.seconds_until_alert() == 10  # twice as often once escalated
    clock.advance(10)
    assert model.alert_due() == "escalated"
    model.alert_played()
    assert model.acknowledge("kiosk-a") is not None
    assert model.alert_due() is None and model.seconds_until_alert() is None


def test_an_escalation_by_time_sounds_at_once_and_repeats_at_least_5_s_apart(clock: FakeClock) -> None:
    m = StationModel(clock, zone=ZONE, alert_repeat_seconds=8, escalate_seconds=60)
    m.set_connected(True)
    m.on_state(state(last=10))
    m.on_event(event(11, 10, "requested"))
    m.alert_played()
    clock.advance(56)
    m.alert_played()  # the repeat at 56 s
    assert m.seconds_until_alert() == 4  # the escalation at 60 s, before the next repeat at 64 s
    clock.advance(4)
    assert m.alert_due() == "escalated"
    m.alert_played()
    assert m.seconds_until_alert() == 5  # 8 / 2 = 4, but never under 5


@pytest.mark.parametrize("how", ["acknowledged", "resolved", "cancelled"])
def test_the_alert_stops_when_the_kiosk_answers(model: StationModel, how: str) -> None:
    contact(model)
    model.on_event(event(11, 10, "requested"))
    model.on_event(event(12, 11, how, by="nurse"))
    assert model.alert_due() is None and model.seconds_until_alert() is None


# -- the day -----------------------------------------------------------------------------------------
def test_calls_today_drops_yesterdays(model: StationModel, clock: FakeClock) -> None:
    contact(model)
    yesterday = START - timedelta(hours=12)  # 22:00 local, the day before
    model.on_event(event(11, 10, "requested", "old", at=yesterday))  # only an answer to a resend
    model.on_event(event(12, 11, "resolved", "old", at=yesterday, by="nurse"))
    model.on_event(event(13, 12, "requested", "new"))
    assert [c.call_id for c in model.calls_today()] == ["new"]
    assert [e.seq for e in model.events_of("kiosk-a")] == [13]


def test_the_day_change_drops_the_days_before(model: StationModel, clock: FakeClock) -> None:
    contact(model)
    for e in chain():
        model.on_event(e)
    assert len(model.calls_today()) == 1
    clock.advance(14 * 3600 + 1)  # 00:00:01 local, the next day
    assert model.calls_today() == [] and model.events_of("kiosk-a") == []
    # the next call follows on from yesterday's last event: no hole
    assert model.on_event(event(16, 15, "requested", "c2", at=clock.now())) == []
    clock.advance(3)
    assert model.on_event(event(18, 17, "reason", "c2", at=clock.now(), reason="x")) == [
        ("kiosk-a", Resend(after=16))
    ]


def test_calls_today_are_oldest_first_across_kiosks(model: StationModel) -> None:
    contact(model)
    contact(model, "kiosk-b")
    model.on_event(event(11, 10, "requested", "late", at=START + timedelta(seconds=5)))
    model.on_event(event(11, 10, "requested", "early", kiosk="kiosk-b", room="Room 2"))
    assert [c.call_id for c in model.calls_today()] == ["early", "late"]
    assert [r.room for r in model.rooms()] == ["Room 1", "Room 2"]


# -- odd input ---------------------------------------------------------------------------------------
def test_odd_input_is_passed_over(model: StationModel) -> None:
    contact(model)
    model.on_event(event(11, 10, "acknowledged", "nobody", by="nurse"))  # a call not held
    model.on_event(event(12, 11, "requested", "c1"))
    model.on_event(event(13, 12, "resolved", "c1", by="nurse"))
    model.on_event(event(14, 13, "acknowledged", "c1", by="station"))  # after it closed
    model.on_event(event(15, 14, "reason", "c1", reason=42))
    model.on_event(CallEvent("kiosk-a", "Room 1", 16, 15, START, "nurse_call.requested", None,
                             {"call_id": ["not", "a", "string"]}))
    model.on_event(event(17, 16, "mystery"))
    [call] = model.calls_today()
    assert call.closed_how == "resolved" and call.acknowledged_by is None and call.reason is None
    assert model.acknowledge("kiosk-a") is None
    assert len(model.events_of("kiosk-a")) == 7
    assert model.events_of("nobody") == [] and model.acks_to_resend("nobody") == []


def test_a_kiosk_heard_only_by_heartbeat_is_listed_without_a_room(model: StationModel) -> None:
    model.on_heartbeat(Heartbeat("kiosk-q", START))
    [room] = model.rooms()
    assert room.kiosk == "kiosk-q" and room.room == "" and room.state is None and room.call is None


# -- property: exactly once, in order, whatever the delivery ---------------------------------------
def _long_chain() -> list[CallEvent]:
    events, prev, seq = [], None, 1
    for number in range(4):
        call_id = f"call-{number}"
        for kind in ("requested", "reason", "chimed", "acknowledged", "resolved"):
            events.append(event(seq, prev, kind, call_id, at=START + timedelta(minutes=seq),
                                reason="I feel sick", by="station"))
            prev, seq = seq, seq + 1
    return events


CHAIN = _long_chain()


@settings(max_examples=150, deadline=None)
@given(order=st.permutations(CHAIN), again=st.lists(st.sampled_from(CHAIN), max_size=15),
       where=st.lists(st.integers(0, 40), min_size=15, max_size=15))
def test_any_delivery_of_a_chain_is_kept_once_in_order(
    order: list[CallEvent], again: list[CallEvent], where: list[int]
) -> None:
    delivered = list(order)
    for e, at in zip(again, where):
        delivered.insert(min(at, len(delivered)), e)
    clock = FakeClock(START + timedelta(hours=2))
    model = StationModel(clock, zone=ZONE)
    model.set_connected(True)
    model.on_state(state(last=None))
    for e in delivered:
        model.on_event(e)
        clock.advance(0.5)
    assert model.events_of("kiosk-a") == CHAIN
    clock.advance(10)
    assert model.on_state(state(last=CHAIN[-1].seq)) == []
    assert model.on_online("kiosk-a", True) == []
    assert [c.call_id for c in model.calls_today()] == [f"call-{n}" for n in range(4)]
    assert all(c.closed_how == "resolved" and c.at_desk for c in model.calls_today())
