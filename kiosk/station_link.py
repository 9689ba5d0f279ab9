"""The kiosk's link to the nurse station, through the clinic's MQTT broker.

The event log is the outbox. Every ``nurse_call.*`` line the log takes is handed to
the link (`event_logged`, a queue put: the call path never waits for the network)
and published with QoS 1. The link keeps a cursor, the seq of the last call event
the broker took, in ``station-cursor.json`` beside the log; after a disconnect or a
restart it sends again everything after the cursor, read back from the log. So a
call made while the network or the broker was down reaches the desk once it is
back, and the station drops what it already holds by (kiosk, seq).

The room's state (visit, stage, minutes, open call, comfort plan, faults) is
published retained whenever it changes, the kiosk says it is online (retained,
with "offline" as its last will) and beats every `heartbeat_seconds`. The station's
acknowledgements come back through `on_ack`, called in the link's thread: the
caller passes them on to the GUI thread.

Plain Python and paho; no Qt.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

from kiosk.clock import Clock
from kiosk.event_format import Event, EventLogError
from kiosk.event_reader import read_events_newest_first
from kiosk.station import protocol
from kiosk.station.mqtt import BrokerSettings, MqttWorker
from kiosk.station.protocol import Ack, CallEvent, Heartbeat, Resend, RoomState

log = logging.getLogger(__name__)

CURSOR_FILE: Final = "station-cursor.json"
#: with no cursor yet (the link is new), the calls of this many hours go out first
FIRST_START_HOURS: Final = 24
#: a lost connection is a fault for staff only once it has lasted this long
PROBLEM_GRACE_SECONDS: Final = 10.0


def is_call_event(event: Event) -> bool:
    return event.type.startswith("nurse_call.")


def call_events_after(directory: Path, after: int | None, since: datetime | None
                      ) -> list[tuple[Event, int | None]]:
    """The log's call events with seq > `after` and ts >= `since`, oldest first, each with
    the seq of the call event before it (None for the first ever).

    The log is read from its end and only as far back as needed.
    """
    found: list[Event] = []
    anchor: int | None = None
    for event in read_events_newest_first(directory):
        if not is_call_event(event):
            continue
        if (after is not None and event.seq <= after) or (since is not None and event.ts < since):
            anchor = event.seq
            break
        found.append(event)
    found.reverse()
    chained: list[tuple[Event, int | None]] = []
    prev = anchor
    for event in found:
        chained.append((event, prev))
        prev = event.seq
    return chained


def to_message(event: Event, prev_seq: int | None) -> CallEvent:
    return CallEvent(kiosk=event.kiosk, room=event.room, seq=event.seq, prev_seq=prev_seq,
                     ts=event.ts, type=event.type, session=event.session, data=dict(event.data))


class StationLink(MqttWorker):
    """Publishes this kiosk's calls and room state; hands the desk's acknowledgements back."""

    def __init__(self, settings: BrokerSettings, *, kiosk: str, log_dir: Path, clock: Clock,
                 heartbeat_seconds: float, on_ack: Callable[[Ack], None],
                 on_problem: Callable[[str], None] = lambda problem: None) -> None:
        super().__init__(settings, client_id=f"kiosk-{kiosk}", tick_seconds=1.0,
                         will=(protocol.topic(kiosk, protocol.ONLINE), protocol.OFFLINE_PAYLOAD),
                         name=f"station-link-{kiosk}")
        self._kiosk = kiosk
        self._log_dir = Path(log_dir)
        self._clock = clock
        self._heartbeat = heartbeat_seconds
        self._on_ack = on_ack
        self._on_problem = on_problem
        self._cursor_path = self._log_dir / CURSOR_FILE
        self._cursor: int | None = None  # the last call seq the broker took, in order
        self._pending: dict[int, CallEvent] = {}  # after the cursor, not yet taken
        self._last_call_seq: int | None = None  # the newest call event known (the chain's end)
        self._loaded = False
        self._inflight: dict[int, int | None] = {}  # mid -> seq (None: a resend or the state)
        self._taken: set[int] = set()
        self._state: RoomState | None = None
        self._last_beat = 0.0
        self._down_since: float | None = clock.monotonic()  # None while connected
        self._shown_problem = ""
        self.sent = 0  # call events published, resends included (for tests and benchmarks)

    # -- any thread ---------------------------------------------------------------------
    def event_logged(self, event: Event) -> None:
        """The event log's listener: hand a call event over; never blocks."""
        if is_call_event(event):
            self.post(("event", event))

    def set_state(self, state: RoomState) -> None:
        """The room's state changed: publish it (retained) as soon as connected."""
        self.post(("state", state))

    @property
    def cursor(self) -> int | None:
        return self._cursor

    # -- the worker thread ------------------------------------------------------------------
    def handle(self, item: Any) -> None:
        kind, value = item
        if kind == "event":
            self._add(value)
        elif kind == "state":
            self._state = value
            self._publish_state()

    def connected(self) -> None:
        self._down_since = None
        self._tell_problem("")
        self.subscribe([protocol.topic(self._kiosk, protocol.ACK),
                        protocol.topic(self._kiosk, protocol.RESEND)])
        self.publish(protocol.topic(self._kiosk, protocol.ONLINE), protocol.ONLINE_PAYLOAD,
                     retain=True)
        self._load()
        self._inflight.clear()
        for seq in sorted(self._pending):
            self._send(self._pending[seq], seq)
        self._publish_state()
        self._beat()

    def disconnected(self, problem: str) -> None:
        if self._down_since is None:
            self._down_since = self._clock.monotonic()
        self._inflight.clear()
        self._load()  # keep reading what waits while the broker is away

    def acked(self, mid: int, ok: bool, problem: str) -> None:
        seq = self._inflight.pop(mid, None)
        if not ok:
            self._tell_problem(f"the broker refused a message from this kiosk ({problem}); "
                               "IT: check the broker's ACL and this kiosk's user name")
            return
        if seq is None:
            return
        self._taken.add(seq)
        moved = False
        for waiting in sorted(self._pending):
            if waiting not in self._taken:
                break
            del self._pending[waiting]
            self._taken.discard(waiting)
            self._cursor = waiting
            moved = True
        if moved:
            self._save_cursor()

    def message(self, topic: str, payload: bytes) -> None:
        try:
            kiosk, kind = protocol.parse_topic(topic)
            if kiosk != self._kiosk:
                return
            if kind == protocol.ACK:
                self._on_ack(protocol.decode_ack(payload))
            elif kind == protocol.RESEND:
                self._resend(protocol.decode_resend(payload))
        except protocol.ProtocolError as error:
            log.warning("ignored a message from the nurse station on %s: %s", topic, error)

    def tick(self) -> None:
        now = self._clock.monotonic()
        if self.is_connected and now - self._last_beat >= self._heartbeat:
            self._beat()
        if (self._down_since is not None and now - self._down_since >= PROBLEM_GRACE_SECONDS
                and self.problem):
            self._tell_problem(self.problem)

    def goodbye(self) -> None:
        self.publish(protocol.topic(self._kiosk, protocol.ONLINE), protocol.OFFLINE_PAYLOAD,
                     retain=True)

    # -- inside ------------------------------------------------------------------------
    def _load(self) -> None:
        """Once: the cursor, and the call events after it that the log holds."""
        if self._loaded:
            return
        self._cursor = self._read_cursor()
        since = None
        if self._cursor is None:
            since = self._clock.now() - timedelta(hours=FIRST_START_HOURS)
        try:
            chained = call_events_after(self._log_dir, self._cursor, since)
        except EventLogError as error:
            log.error("the nurse station link cannot read the event log: %s", error)
            return
        self._loaded = True
        for event, prev in chained:
            self._pending.setdefault(event.seq, to_message(event, prev))
        newest = max(self._pending, default=None)
        if newest is not None:
            self._last_call_seq = newest
        elif chained:
            self._last_call_seq = chained[-1][0].seq
        else:
            self._last_call_seq = self._newest_call_seq()

    def _newest_call_seq(self) -> int | None:
        try:
            for event in read_events_newest_first(self._log_dir):
                if is_call_event(event):
                    return event.seq
        except EventLogError:
            pass
        return self._cursor

    def _add(self, event: Event) -> None:
        self._load()
        if event.seq in self._pending or (self._cursor is not None and event.seq <= self._cursor):
            return  # the log already gave it
        if self._last_call_seq is not None and event.seq <= self._last_call_seq:
            return
        message = to_message(event, self._last_call_seq)
        self._last_call_seq = event.seq
        self._pending[event.seq] = message
        self._send(message, event.seq)
        if self._state is not None:
            self._publish_state()  # its last_call_seq moved

    def _send(self, message: CallEvent, seq: int | None) -> None:
        mid = self.publish(protocol.topic(self._kiosk, protocol.EVENT), protocol.encode(message))
        if mid is not None:
            self._inflight[mid] = seq
            self.sent += 1

    def _resend(self, request: Resend) -> None:
        try:
            chained = call_events_after(self._log_dir, request.after, request.since)
        except EventLogError as error:
            log.error("the nurse station asked for calls again, but the log cannot be read: %s",
                      error)
            return
        for event, prev in chained:
            self._send(to_message(event, prev), None)

    def _publish_state(self) -> None:
        if self._state is None:
            return
        state = replace(self._state, last_call_seq=self._last_call_seq)
        self.publish(protocol.topic(self._kiosk, protocol.STATE), protocol.encode(state),
                     retain=True)

    def _beat(self) -> None:
        self._last_beat = self._clock.monotonic()
        self.publish(protocol.topic(self._kiosk, protocol.HEARTBEAT),
                     protocol.encode(Heartbeat(self._kiosk, self._clock.now())), qos=0)

    def _tell_problem(self, problem: str) -> None:
        if problem != self._shown_problem:
            self._shown_problem = problem
            self._on_problem(problem)

    def _read_cursor(self) -> int | None:
        try:
            obj = json.loads(self._cursor_path.read_text(encoding="utf-8"))
            seq = obj["seq"]
            if isinstance(seq, int) and not isinstance(seq, bool) and seq >= 0:
                return seq
            raise ValueError(f"seq {seq!r}")
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as error:
            log.warning("the nurse station cursor %s is unreadable (%s); the last %d hours of "
                        "calls go out again", self._cursor_path, error, FIRST_START_HOURS)
            return None

    def _save_cursor(self) -> None:
        """Atomically; not fsynced: a lost cursor only means calls the station already has."""
        temporary = self._cursor_path.with_suffix(".tmp")
        try:
            temporary.write_text(json.dumps({"seq": self._cursor}) + "\n", encoding="utf-8")
            os.replace(temporary, self._cursor_path)
        except OSError as error:
            log.warning("could not save the nurse station cursor %s: %s", self._cursor_path, error)
