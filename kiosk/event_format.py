"""The event log's line format: fields, timestamps, hashes and day-file names.

Shared by the writer (`kiosk.events`) and the reader (`kiosk.event_reader`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

FIELDS = ("seq", "ts", "kiosk", "room", "session", "type", "data", "prev")
_FIELD_SET = frozenset(FIELDS)
ZERO_HASH = "0" * 64
FILE_MODE = 0o640
DIR_MODE = 0o750

# used with fullmatch: "$" would also accept a trailing newline
_TYPE_RE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
_TS_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z")
# is_ts, without building a datetime: the day from a small cache, the time by its digits
_TIME_RE = re.compile(r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{3}Z")
_MEMO_SIZE = 4096  # distinct days and event types remembered (a log has few of either)
_valid_days: dict[str, bool] = {}
_valid_types: dict[str, bool] = {}
_decode = json.JSONDecoder().decode  # json.loads without its per-call checks
_HASH_RE = re.compile(r"[0-9a-f]{64}")
_FILE_RE = re.compile(r"events-([0-9]{4}-[0-9]{2}-[0-9]{2})\.jsonl")


class EventLogError(Exception):
    """The event log could not be read or written; the message says what, where and why."""


@dataclass(frozen=True)
class Event:
    """One line of the log, parsed."""

    seq: int
    ts: datetime
    kiosk: str
    room: str
    session: str | None
    type: str
    data: Mapping[str, Any] = field(hash=False)
    prev: str


@dataclass(frozen=True)
class Record:
    """An event with where it was found and its exact bytes (for raw output)."""

    file: str
    line: int
    raw: bytes
    event: Event


@dataclass(frozen=True)
class VerifyResult:
    """What `verify` found. `torn_tail` describes an interrupted last write (not a failure)."""

    ok: bool
    events: int
    first_bad: str | None
    torn_tail: str | None = None
    first_seq: int | None = None
    last_seq: int | None = None


# --------------------------------------------------------------------------- formats


def is_valid_type(type_: str) -> bool:
    """True for a dotted lowercase event type such as "session.started", or "error"."""
    valid = _valid_types.get(type_)
    if valid is None:
        valid = type_ == "error" or bool(_TYPE_RE.fullmatch(type_))
        if len(_valid_types) < _MEMO_SIZE:
            _valid_types[type_] = valid
    return valid


def file_name_for(day: date) -> str:
    """The name of the file holding the events of a UTC day."""
    return f"events-{day.isoformat()}.jsonl"


def format_ts(when: datetime) -> str:
    """RFC 3339 UTC with milliseconds: "2026-11-21T08:34:49.123Z"."""
    when = when.astimezone(timezone.utc).replace(tzinfo=None)
    return when.isoformat(timespec="milliseconds") + "Z"  # strftime's %Y drops year 1's zeros


def parse_ts(text: str) -> datetime:
    """The inverse of `format_ts`; ValueError for anything else."""
    if not _TS_RE.fullmatch(text):
        raise ValueError(f"not an RFC 3339 UTC time with milliseconds: {text!r}")
    return datetime.fromisoformat(text[:-1] + "+00:00")


def is_ts(text: str) -> bool:
    """True when `parse_ts` would accept `text` (read for every line: kept cheap)."""
    if len(text) != 24 or not _TIME_RE.fullmatch(text, 10):
        return False
    day = text[:10]
    valid = _valid_days.get(day)
    if valid is None:
        try:
            valid = bool(_TS_RE.fullmatch(text)) and date.fromisoformat(day) is not None
        except ValueError:
            valid = False
        if len(_valid_days) < _MEMO_SIZE:
            _valid_days[day] = valid
    return valid


def line_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def encode_line(fields: Mapping[str, Any]) -> bytes:
    text = json.dumps(fields, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")


def field_problem(obj: Mapping[str, Any]) -> str | None:
    """Why a parsed line is not an event, or None when every field is there with its type.

    Read for every line of the log (a million lines for `kiosk log verify`): kept lean.
    """
    if not obj.keys() >= _FIELD_SET:
        missing = next(name for name in FIELDS if name not in obj)
        return f"field {missing!r} is missing"
    seq, ts, session, type_, prev = obj["seq"], obj["ts"], obj["session"], obj["type"], obj["prev"]
    if type(seq) is not int or seq < 1:
        return "field 'seq' must be a positive integer"
    if type(ts) is not str or not is_ts(ts):
        return "field 'ts' must be an RFC 3339 UTC time with milliseconds"
    if not isinstance(obj["kiosk"], str):
        return "field 'kiosk' must be a string"
    if not isinstance(obj["room"], str):
        return "field 'room' must be a string"
    if session is not None and not isinstance(session, str):
        return "field 'session' must be a string or null"
    if type(type_) is not str or not is_valid_type(type_):
        return "field 'type' must be a dotted lowercase event type"
    if not isinstance(obj["data"], dict):
        return "field 'data' must be a JSON object"
    if type(prev) is not str or not _HASH_RE.fullmatch(prev):
        return "field 'prev' must be 64 lowercase hex digits"
    return None


def parse_object(raw: bytes) -> dict[str, Any] | str:
    """The JSON object on a line, or a description of why there is none."""
    try:
        obj = _decode(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return "not UTF-8"
    except ValueError as exc:
        return f"not valid JSON ({exc})"
    except RecursionError:  # the decoder follows nesting by recursing
        return "not valid JSON (nested too deeply)"
    if not isinstance(obj, dict):
        return "not a JSON object"
    return obj


def event_from_object(obj: Mapping[str, Any]) -> Event:
    return Event(
        seq=obj["seq"],
        ts=parse_ts(obj["ts"]),
        kiosk=obj["kiosk"],
        room=obj["room"],
        session=obj["session"],
        type=obj["type"],
        data=obj["data"],
        prev=obj["prev"],
    )


# --------------------------------------------------------------------------- files


def day_files(directory: Path) -> list[str]:
    """Names of the day files in `directory`, oldest first (the names sort by date)."""
    names: list[str] = []
    try:
        with os.scandir(directory) as entries:  # closed, also when an entry cannot be read
            names.extend(e.name for e in entries if is_day_file(e.name) and _is_file(e, directory))
    except NotADirectoryError as exc:
        raise EventLogError(f"the event log directory {directory} is not a directory") from exc
    except OSError as exc:
        raise EventLogError(
            f"could not list the event log directory {directory}: {exc.strerror}"
        ) from exc
    return sorted(names)


def _is_file(entry: os.DirEntry[str], directory: Path) -> bool:
    """A day file's entry is a file (or a link to one); EventLogError when that cannot be told."""
    try:
        return entry.is_file()
    except OSError as exc:  # e.g. a symbolic link that points to itself
        raise EventLogError(
            f"could not read the event log {Path(directory) / entry.name}: {exc.strerror}"
        ) from exc


def is_day_file(name: str) -> bool:
    match = _FILE_RE.fullmatch(name)
    if not match:
        return False
    try:
        date.fromisoformat(match.group(1))
    except ValueError:
        return False
    return True


def file_day(name: str) -> date:
    match = _FILE_RE.fullmatch(name)
    assert match is not None
    return date.fromisoformat(match.group(1))

