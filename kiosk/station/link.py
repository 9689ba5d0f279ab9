"""The nurse station's end of the broker: every kiosk's messages in, acknowledgements out.

Plain Python and paho (see `kiosk.station.mqtt`): decoded messages are handed to
`on_message` in the link's thread, whose owner passes them to the GUI thread; what
the desk sends (`send`) is a queue put. A payload that does not decode is logged
and dropped, never passed on.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any, Final

from kiosk.station import protocol
from kiosk.station.mqtt import BrokerSettings, MqttWorker
from kiosk.station.protocol import Ack, CallEvent, Heartbeat, Resend, RoomState

log = logging.getLogger(__name__)

#: what reaches the owner: a decoded message, or (kiosk, online) for the online topic
Incoming = RoomState | CallEvent | Heartbeat | tuple[str, bool]
SUBSCRIPTIONS: Final = tuple(protocol.subscription(kind) for kind in protocol.KIOSK_TOPICS)


class DeskLink(MqttWorker):
    """The station's connection: subscribed to every kiosk's state, events, online and beats."""

    def __init__(self, settings: BrokerSettings, *, on_message: Callable[[Incoming], None],
                 on_connection: Callable[[bool, str], None]) -> None:
        # a fresh client id per start: two station windows must not throw each other off
        super().__init__(settings, client_id=f"station-{secrets.token_hex(4)}", tick_seconds=5.0,
                         name="desk-link")
        self._on_incoming = on_message
        self._on_connection = on_connection

    def send(self, kiosk: str, message: Ack | Resend) -> None:
        """Publish an acknowledgement or a resend request to one kiosk; never blocks."""
        self.post((kiosk, message))

    # -- the worker thread -------------------------------------------------------------------
    def connected(self) -> None:
        self.subscribe(list(SUBSCRIPTIONS))
        self._on_connection(True, "")

    def disconnected(self, problem: str) -> None:
        self._on_connection(False, problem)

    def handle(self, item: Any) -> None:
        kiosk, message = item
        kind = protocol.ACK if isinstance(message, Ack) else protocol.RESEND
        if self.publish(protocol.topic(kiosk, kind), protocol.encode(message)) is None:
            log.warning("could not send %s to %s: not connected to the broker", kind, kiosk)

    def acked(self, mid: int, ok: bool, problem: str) -> None:
        if not ok:
            log.error("the broker refused a message from the station (%s); IT: check the "
                      "ACL for the station user", problem)

    def message(self, topic: str, payload: bytes) -> None:
        try:
            kiosk, kind = protocol.parse_topic(topic)
            incoming = _decode(kiosk, kind, payload)
        except protocol.ProtocolError as error:
            log.warning("dropped a message on %s: %s", topic, error)
            return
        if incoming is not None:
            self._on_incoming(incoming)


def _decode(kiosk: str, kind: str, payload: bytes) -> Incoming | None:
    if kind == protocol.ONLINE:
        if not payload:  # a cleared retained message
            return None
        return (kiosk, protocol.decode_online(payload))
    decoded: RoomState | CallEvent | Heartbeat
    if kind == protocol.STATE:
        if not payload:
            return None
        decoded = protocol.decode_state(payload)
    elif kind == protocol.EVENT:
        decoded = protocol.decode_event(payload)
    elif kind == protocol.HEARTBEAT:
        decoded = protocol.decode_heartbeat(payload)
    else:
        return None
    if decoded.kiosk != kiosk:  # the topic is what the broker's ACL vouches for
        raise protocol.ProtocolError(f"says it is from {decoded.kiosk!r}, on {kiosk!r}'s topic")
    return decoded
