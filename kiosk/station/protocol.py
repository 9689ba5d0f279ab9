"""What kiosks and the nurse station say to each other through the MQTT broker.

Topics, all under ``infusion-kiosk/kiosk/<kiosk id>/``; a kiosk logs in to the broker
with its ``kiosk.id`` as user name, so the broker's ACL (deploy/mosquitto/acl) lets it
write only under its own id and read only its own acknowledgements:

=============  =================  =====  ========  =====================================
topic          from → to          QoS    retained  payload (UTF-8 JSON unless said)
=============  =================  =====  ========  =====================================
``state``      kiosk → station    1      yes       `RoomState`
``event``      kiosk → station    1      no        `CallEvent`: one ``nurse_call.*`` line
``online``     kiosk → station    1      yes       ``online`` / ``offline`` (the last will)
``heartbeat``  kiosk → station    0      no        `Heartbeat`, every ``heartbeat_seconds``
``ack``        station → kiosk    1      no        `Ack`: a nurse at the desk saw the call
``resend``     station → kiosk    1      no        `Resend`: send call events again
=============  =================  =====  ========  =====================================

The kiosk's event log is the outbox. Every ``nurse_call.*`` event goes out with its log
``seq`` and ``prev_seq``, the seq of the kiosk's previous ``nurse_call.*`` event (None for
its first), so the station de-duplicates by (kiosk, seq) and can tell when one is
missing: a broker killed between taking a message and passing it on loses it. The
station then asks for what follows the last one it holds (`Resend`), and the retained
state's ``last_call_seq`` tells it of a missing last one.

Nothing here may carry a patient's name: kiosks know none, and the station keeps none.
Every decoder raises `ProtocolError` for a payload it cannot use, never anything else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any, Final

ROOT: Final = "infusion-kiosk/kiosk"
VERSION: Final = 1

STATE: Final = "state"
EVENT: Final = "event"
ONLINE: Final = "online"
HEARTBEAT: Final = "heartbeat"
ACK: Final = "ack"
RESEND: Final = "resend"
KIOSK_TOPICS: Final = (STATE, EVENT, ONLINE, HEARTBEAT)  # what a kiosk writes
STATION_TOPICS: Final = (ACK, RESEND)  # what the station writes

ONLINE_PAYLOAD: Final = b"online"
OFFLINE_PAYLOAD: Final = b"offline"

#: the station's user name on the broker; no kiosk may take it as its id
STATION_USER: Final = "station"
#: a kiosk id that is also a safe MQTT topic level and user name (as kiosk.id's rule)
KIOSK_ID: Final = re.compile(r"[A-Za-z0-9_-]{1,40}")
MAX_PAYLOAD: Final = 64 * 1024


class ProtocolError(ValueError):
    """A topic or payload that is not what this protocol says."""


def topic(kiosk: str, kind: str) -> str:
    """The topic of one kind of message for one kiosk."""
    if not KIOSK_ID.fullmatch(kiosk):
        raise ProtocolError(f"not a kiosk id: {kiosk!r}")
    if kind not in KIOSK_TOPICS + STATION_TOPICS:
        raise ProtocolError(f"not a message kind: {kind!r}")
    return f"{ROOT}/{kiosk}/{kind}"


def subscription(kind: str) -> str:
    """The station's subscription for one kind of message from every kiosk."""
    return f"{ROOT}/+/{kind}"


def parse_topic(name: str) -> tuple[str, str]:
    """(kiosk id, kind) of a topic of this protocol; ProtocolError for any other."""
    parts = name.split("/")
    if len(parts) != 4 or "/".join(parts[:2]) != ROOT:
        raise ProtocolError(f"not an infusion-kiosk topic: {name!r}")
    kiosk, kind = parts[2], parts[3]
    if not KIOSK_ID.fullmatch(kiosk) or kind not in KIOSK_TOPICS + STATION_TOPICS:
        raise ProtocolError(f"not an infusion-kiosk topic: {name!r}")
    return kiosk, kind


@dataclass(frozen=True)
class OpenCall:
    """The kiosk's open call, as the room state carries it."""

    call_id: str
    status: str  # "requested" or "acknowledged"
    requested_at: datetime | None = None
    reason: str | None = None
    escalated: bool = False
    acknowledged_by: str | None = None


@dataclass(frozen=True)
class RoomState:
    """Everything the station's tile shows about a room; published retained on every change."""

    kiosk: str
    room: str
    ts: datetime
    visit_open: bool = False
    stage: str | None = None
    #: whole minutes since the infusion started; None outside the infusion
    infusion_minutes: int | None = None
    planned_minutes: int | None = None
    call: OpenCall | None = None
    comfort: tuple[str, ...] = ()
    faults: tuple[str, ...] = ()
    #: seq of the kiosk's newest nurse_call.* event in its log (None: none yet)
    last_call_seq: int | None = None


@dataclass(frozen=True)
class CallEvent:
    """One ``nurse_call.*`` line of a kiosk's event log, as it is sent to the station."""

    kiosk: str
    room: str
    seq: int
    prev_seq: int | None
    ts: datetime
    type: str
    session: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Heartbeat:
    kiosk: str
    ts: datetime


@dataclass(frozen=True)
class Ack:
    """The desk saw the call `call_id`; `by` is what the kiosk records (always "station")."""

    call_id: str
    by: str = "station"


@dataclass(frozen=True)
class Resend:
    """Send again every nurse_call.* event with seq > `after` (None: any) and ts >= `since`."""

    after: int | None = None
    since: datetime | None = None


# -- encoding --------------------------------------------------------------------------
def encode(message: RoomState | CallEvent | Heartbeat | Ack | Resend) -> bytes:
    """The payload for a message (compact UTF-8 JSON with a version)."""
    return json.dumps({"v": VERSION, **_plain(asdict(message))}, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return _format_ts(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _format_ts(when: datetime) -> str:
    if when.tzinfo is None:
        raise ProtocolError("a time without a time zone")
    return when.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# -- decoding --------------------------------------------------------------------------
def decode_state(payload: bytes) -> RoomState:
    obj = _object(payload)
    call = obj.get("call")
    return RoomState(
        kiosk=_kiosk(obj), room=_str(obj, "room"), ts=_ts(obj, "ts"),
        visit_open=_bool(obj, "visit_open"), stage=_opt_str(obj, "stage"),
        infusion_minutes=_opt_int(obj, "infusion_minutes"),
        planned_minutes=_opt_int(obj, "planned_minutes"),
        call=None if call is None else _open_call(call),
        comfort=_strings(obj, "comfort"), faults=_strings(obj, "faults"),
        last_call_seq=_opt_int(obj, "last_call_seq"),
    )


def decode_event(payload: bytes) -> CallEvent:
    obj = _object(payload)
    data = obj.get("data", {})
    if not isinstance(data, dict):
        raise ProtocolError("data is not an object")
    type_ = _str(obj, "type")
    if not type_.startswith("nurse_call."):
        raise ProtocolError(f"not a nurse call event: {type_!r}")
    seq = _int(obj, "seq")
    prev_seq = _opt_int(obj, "prev_seq")
    if seq < 1 or (prev_seq is not None and not 1 <= prev_seq < seq):
        raise ProtocolError(f"seq {seq} / prev_seq {prev_seq} out of order")
    return CallEvent(kiosk=_kiosk(obj), room=_str(obj, "room"), seq=seq, prev_seq=prev_seq,
                     ts=_ts(obj, "ts"), type=type_, session=_opt_str(obj, "session"), data=data)


def decode_heartbeat(payload: bytes) -> Heartbeat:
    obj = _object(payload)
    return Heartbeat(kiosk=_kiosk(obj), ts=_ts(obj, "ts"))


def decode_ack(payload: bytes) -> Ack:
    obj = _object(payload)
    return Ack(call_id=_str(obj, "call_id"), by=_str(obj, "by"))


def decode_resend(payload: bytes) -> Resend:
    obj = _object(payload)
    since = obj.get("since")
    return Resend(after=_opt_int(obj, "after"), since=None if since is None else _ts(obj, "since"))


def decode_online(payload: bytes) -> bool:
    if payload == ONLINE_PAYLOAD:
        return True
    if payload == OFFLINE_PAYLOAD:
        return False
    raise ProtocolError(f"not online/offline: {payload[:40]!r}")


def _object(payload: bytes) -> dict[str, Any]:
    if len(payload) > MAX_PAYLOAD:
        raise ProtocolError(f"payload of {len(payload)} bytes is too long")
    try:
        obj = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ProtocolError(f"not JSON: {error}") from None
    if not isinstance(obj, dict):
        raise ProtocolError("not a JSON object")
    if obj.get("v") != VERSION:
        raise ProtocolError(f"protocol version {obj.get('v')!r}, expected {VERSION}")
    return obj


def _open_call(obj: Any) -> OpenCall:
    if not isinstance(obj, dict):
        raise ProtocolError("call is not an object")
    at = obj.get("requested_at")
    return OpenCall(call_id=_str(obj, "call_id"), status=_str(obj, "status"),
                    requested_at=None if at is None else _ts(obj, "requested_at"),
                    reason=_opt_str(obj, "reason"), escalated=_bool(obj, "escalated"),
                    acknowledged_by=_opt_str(obj, "acknowledged_by"))


def _kiosk(obj: Mapping[str, Any]) -> str:
    kiosk = _str(obj, "kiosk")
    if not KIOSK_ID.fullmatch(kiosk):
        raise ProtocolError(f"not a kiosk id: {kiosk[:60]!r}")
    return kiosk


def _str(obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str):
        raise ProtocolError(f"{key} is not a string")
    return value


def _opt_str(obj: Mapping[str, Any], key: str) -> str | None:
    return None if obj.get(key) is None else _str(obj, key)


def _int(obj: Mapping[str, Any], key: str) -> int:
    value = obj.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not -(2**63) < value < 2**63:
        raise ProtocolError(f"{key} is not an integer")
    return value


def _opt_int(obj: Mapping[str, Any], key: str) -> int | None:
    return None if obj.get(key) is None else _int(obj, key)


def _bool(obj: Mapping[str, Any], key: str) -> bool:
    value = obj.get(key, False)
    if not isinstance(value, bool):
        raise ProtocolError(f"{key} is not true/false")
    return value


def _strings(obj: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = obj.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProtocolError(f"{key} is not a list of strings")
    return tuple(value)


def _ts(obj: Mapping[str, Any], key: str) -> datetime:
    text = _str(obj, key)
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ProtocolError(f"{key} is not a time: {text[:40]!r}") from None
    if when.tzinfo is None:
        raise ProtocolError(f"{key} has no time zone")
    return when
