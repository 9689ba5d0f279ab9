"""The kiosk's outbox to the nurse station: the log read back, the cursor, the link itself.

The link runs against a real Mosquitto on loopback (tests/broker.py); no Qt here.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.clock import FakeClock, SystemClock
from kiosk.events import EventLog
from kiosk.station import protocol
from kiosk.station.link import DeskLink, Incoming
from kiosk.station.mqtt import BrokerSettings
from kiosk.station.protocol import Ack, CallEvent, Resend, RoomState
from kiosk.station_link import CURSOR_FILE, StationLink, call_events_after
from tests.broker import Broker, missing_tools

WAIT = 10.0


def make_log(tmp_path: Path, clock: FakeClock | SystemClock | None = None) -> EventLog:
    return EventLog(tmp_path / "events", kiosk="kiosk-a", room="Room A", clock=clock or FakeClock())


def call(log: EventLog, call_id: str, type_: str = "nurse_call.requested") -> int:
    return log.append(type_, {"call_id": call_id}).seq


# -- the log read back (plain) -------------------------------------------------------------
def test_call_events_after_chains_call_events_and_skips_the_rest(tmp_path: Path) -> None:
    clock = FakeClock()
    with make_log(tmp_path, clock) as log:
        first = call(log, "a")
        log.append("stage.changed", {"stage": "infusion"})
        second = call(log, "a", "nurse_call.cancelled")
        clock.advance(86_400)  # the next day file
        third = call(log, "b")
    every = call_events_after(tmp_path / "events", None, None)
    assert [(e.seq, prev) for e, prev in every] == [(first, None), (second, first), (third, second)]
    after = call_events_after(tmp_path / "events", first, None)
    assert [(e.seq, prev) for e, prev in after] == [(second, first), (third, second)]
    recent = call_events_after(tmp_path / "events", None, clock.now() - timedelta(hours=1))
    assert [(e.seq, prev) for e, prev in recent] == [(third, second)]
    assert call_events_after(tmp_path / "events", third, None) == []
    assert call_events_after(tmp_path / "nowhere", None, None) == []


def test_the_log_tells_its_listeners_of_every_line_in_order_and_stops_when_asked(tmp_path: Path) -> None:
    heard: list[int] = []
    with make_log(tmp_path) as log:
        stop = log.add_listener(lambda event: heard.append(event.seq))
        seqs = [call(log, str(n)) for n in range(3)]
        stop()
        call(log, "after")
    assert heard == seqs


# -- the link against a real broker ---------------------------------------------------------
needs_broker = pytest.mark.skipif(missing_tools() is not None, reason=str(missing_tools()))


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    running = Broker(tmp_path / "broker", ["kiosk-a", "kiosk-b"])
    running.start()
    yield running
    running.stop()


class Heard:
    """What a desk link received, waited on with a condition (no sleeping)."""

    def __init__(self) -> None:
        self.items: list[Incoming] = []
        self.connected = threading.Event()
        self._changed = threading.Condition()

    def add(self, item: Incoming) -> None:
        with self._changed:
            self.items.append(item)
            self._changed.notify_all()

    def connection(self, connected: bool, problem: str) -> None:
        if connected:
            self.connected.set()

    def events(self) -> list[CallEvent]:
        with self._changed:
            return [i for i in self.items if isinstance(i, CallEvent)]

    def wait(self, check: Callable[[], bool], timeout: float = WAIT) -> None:
        with self._changed:
            assert self._changed.wait_for(check, timeout), f"not heard in {timeout} s: {self.items[-5:]}"


def settings(broker: Broker, user: str) -> BrokerSettings:
    return BrokerSettings("localhost", broker.port, broker.ca_file, user, broker.password_file(user))


@pytest.fixture
def desk(broker: Broker) -> Iterator[tuple[DeskLink, Heard]]:
    heard = Heard()
    link = DeskLink(settings(broker, "station"), on_message=heard.add, on_connection=heard.connection)
    link.start()
    assert heard.connected.wait(WAIT)
    yield link, heard
    link.stop()


class Kiosk:
    def __init__(self, tmp_path: Path, broker: Broker, user: str = "kiosk-a") -> None:
        self.log = make_log(tmp_path, SystemClock())
        self.acks: list[Ack] = []
        self.problems: list[str] = []
        self.refused = threading.Event()
        self.link = StationLink(settings(broker, user), kiosk="kiosk-a", log_dir=tmp_path / "events",
                                clock=SystemClock(), heartbeat_seconds=2, on_ack=self.acks.append,
                                on_problem=self.problem)
        self.stop_listening = self.log.add_listener(self.link.event_logged)

    def problem(self, problem: str) -> None:
        self.problems.append(problem)
        if "refused" in problem:
            self.refused.set()

    def close(self) -> None:
        self.stop_listening()
        self.link.stop()
        self.log.close()


@needs_broker
def test_calls_go_out_in_order_and_the_cursor_follows_what_the_broker_took(
        tmp_path: Path, broker: Broker, desk: tuple[DeskLink, Heard]) -> None:
    _, heard = desk
    kiosk = Kiosk(tmp_path, broker)
    try:
        before = call(kiosk.log, "early")  # logged before the link started: read from the log
        kiosk.link.start()
        seqs = [before] + [call(kiosk.log, f"c{n}") for n in range(5)]
        heard.wait(lambda: [e.seq for e in heard.events()] == seqs)
        assert [e.prev_seq for e in heard.events()] == [None, *seqs[:-1]]
        cursor = tmp_path / "events" / CURSOR_FILE
        heard.wait(lambda: cursor.exists() and json.loads(cursor.read_text())["seq"] == seqs[-1])
        kiosk.link.set_state(RoomState(kiosk="kiosk-a", room="Room A", ts=SystemClock().now()))
        heard.wait(lambda: any(isinstance(i, RoomState) and i.last_call_seq == seqs[-1]
                               for i in heard.items))
        heard.wait(lambda: ("kiosk-a", True) in heard.items)
    finally:
        kiosk.close()
    heard.wait(lambda: heard.items[-1] == ("kiosk-a", False))  # said goodbye: offline


@needs_broker
def test_the_desk_acknowledges_and_asks_for_calls_again(
        tmp_path: Path, broker: Broker, desk: tuple[DeskLink, Heard]) -> None:
    link, heard = desk
    kiosk = Kiosk(tmp_path, broker)
    try:
        kiosk.link.start()
        seqs = [call(kiosk.log, f"c{n}") for n in range(3)]
        heard.wait(lambda: len(heard.events()) == 3)
        link.send("kiosk-a", Ack("c1"))
        link.send("kiosk-a", Resend(after=seqs[0]))
        heard.wait(lambda: len(heard.events()) == 5)
        assert [(e.seq, e.prev_seq) for e in heard.events()[3:]] == [(seqs[1], seqs[0]), (seqs[2], seqs[1])]
        assert kiosk.acks == [Ack("c1", "station")]
    finally:
        kiosk.close()


@needs_broker
def test_a_kiosk_logged_in_as_another_is_refused_and_says_so(
        tmp_path: Path, broker: Broker, desk: tuple[DeskLink, Heard]) -> None:
    _, heard = desk
    kiosk = Kiosk(tmp_path, broker, user="kiosk-b")  # kiosk-a's topics, kiosk-b's password
    try:
        kiosk.link.start()
        call(kiosk.log, "c0")
        assert kiosk.refused.wait(WAIT)
        assert any("refused" in p and "ACL" in p for p in kiosk.problems), kiosk.problems
        assert not (tmp_path / "events" / CURSOR_FILE).exists()  # nothing counts as sent
        assert heard.events() == []
    finally:
        kiosk.close()


@needs_broker
def test_an_unreadable_password_file_is_a_problem_not_a_crash(tmp_path: Path, broker: Broker) -> None:
    problems: list[str] = []
    bad = BrokerSettings("localhost", broker.port, broker.ca_file, "kiosk-a", tmp_path / "missing")
    link = StationLink(bad, kiosk="kiosk-a", log_dir=tmp_path / "events", clock=SystemClock(),
                       heartbeat_seconds=2, on_ack=lambda ack: None, on_problem=problems.append)
    link.start()
    link.stop()
    assert "cannot read the broker password file" in link.problem


def test_protocol_rejects_what_it_does_not_know() -> None:
    for payload in (b"", b"[]", b"{}", b'{"v":2}', b"\xff", b'{"v":1,"kiosk":"a/b","ts":"x"}'):
        with pytest.raises(protocol.ProtocolError):
            protocol.decode_event(payload)
        with pytest.raises(protocol.ProtocolError):
            protocol.decode_state(payload)
    with pytest.raises(protocol.ProtocolError):
        protocol.parse_topic("infusion-kiosk/kiosk/a/b/state")
    with pytest.raises(protocol.ProtocolError):
        protocol.topic("station/x", protocol.STATE)
    assert protocol.parse_topic("infusion-kiosk/kiosk/kiosk-a/event") == ("kiosk-a", "event")
