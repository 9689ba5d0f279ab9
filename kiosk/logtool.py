"""The functions behind ``kiosk log verify|show|export``.

Staff and auditors read the event log with these, usually over SSH on a kiosk that is in
use, so they only read (no lock, no repair), stream (a year of events never sits in memory)
and never show a traceback: every failure is one line on `err` and exit status 2. Times are
shown in the kiosk's local time for people, and kept in UTC in exports for machines.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from kiosk.events import EventLogError, Record, format_ts, iter_records, verify

__all__ = ["cmd_export", "cmd_show", "cmd_verify", "format_event", "parse_since"]

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_ERROR = 2

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_BARE_VALUE_RE = re.compile(r'[^\s="]+')


class _UsageError(Exception):
    """A problem with what the user asked for; its message is shown as it is."""


def parse_since(text: str) -> datetime:
    """A --since value: "2026-11-21" (local midnight) or an ISO date-time -> aware UTC.

    A date-time without an offset is the kiosk's local time.
    """
    value = text.strip()
    try:
        if _DATE_RE.fullmatch(value):
            day = date.fromisoformat(value)
            when = datetime(day.year, day.month, day.day)
        else:
            if value.endswith(("Z", "z")):
                value = value[:-1] + "+00:00"
            when = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date or time (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], "
            "optionally with a UTC offset such as +01:00 or Z)"
        ) from None
    try:
        if when.tzinfo is None:
            when = when.astimezone()  # a naive time is the kiosk's local time
        return when.astimezone(timezone.utc)
    except (OverflowError, ValueError):  # year 1 or 9999 moved past the calendar's ends
        raise ValueError(f"{text!r} is out of range (years 1 to 9999, in UTC too)") from None


def cmd_verify(directory: Path, out: TextIO, err: TextIO) -> int:
    """0 and "OK: ..." when the chain is intact, 1 and "FAIL: ..." when not, 2 on errors."""

    def run() -> int:
        _check_directory(directory)
        result = verify(directory)
        if not result.ok:
            out.write(f"FAIL: {result.first_bad}\n")
            return EXIT_FAIL
        if result.events == 0:
            out.write("OK: 0 events, the log is empty\n")
        else:
            out.write(
                f"OK: {result.events} events, seq {result.first_seq}..{result.last_seq}, "
                "chain intact\n"
            )
        if result.torn_tail:
            out.write(f"note: {result.torn_tail}\n")
        return EXIT_OK

    return _guarded("verify", run, err)


def cmd_show(
    directory: Path,
    out: TextIO,
    err: TextIO,
    *,
    session: str | None = None,
    type_prefix: str | None = None,
    since: datetime | None = None,
    as_json: bool = False,
) -> int:
    """Print events, oldest first, one per line in local time (or as the raw JSON lines).

    `type_prefix` matches whole dotted parts: "nurse_call" (or "nurse_call." / "nurse_call.*")
    matches "nurse_call.requested" but not "nurse_caller.x".
    """

    def run() -> int:
        _check_directory(directory)
        problems: list[str] = []
        wanted = _filter(session=session, type_prefix=type_prefix, since=since)
        for record in iter_records(directory, problems=problems):
            if wanted(record):
                line = record.raw.decode("utf-8") if as_json else format_event(record)
                out.write(_printable(line) + "\n")
        _notes(problems, err)
        return EXIT_OK

    return _guarded("show", run, err)


def cmd_export(
    directory: Path, out: TextIO, err: TextIO, *, fmt: str, since: datetime | None = None
) -> int:
    """Write the events as CSV (data as compact JSON) or as one JSON array, streamed."""

    def run() -> int:
        if fmt not in ("csv", "json"):
            raise _UsageError(f"unknown export format {fmt!r} (expected csv or json)")
        _check_directory(directory)
        problems: list[str] = []
        wanted = _filter(since=since)
        records = (r for r in iter_records(directory, problems=problems) if wanted(r))
        if fmt == "csv":
            _export_csv(records, out)
        else:
            _export_json(records, out)
        _notes(problems, err)
        return EXIT_OK

    return _guarded("export", run, err)


# --------------------------------------------------------------------------- helpers


def _guarded(command: str, run: Callable[[], int], err: TextIO) -> int:
    """Run a command; turn every expected failure into one line on `err` and status 2."""
    try:
        return run()
    except BrokenPipeError:
        return EXIT_ERROR  # the reader went away (| head): nobody is left to tell
    except (_UsageError, EventLogError) as exc:
        message = str(exc)
    except OSError as exc:
        message = f"{exc.filename or 'output'}: {exc.strerror or exc}"
    except (ValueError, UnicodeError) as exc:
        message = str(exc)
    err.write(f"kiosk log {command}: {message}\n")
    return EXIT_ERROR


def _check_directory(directory: Path) -> None:
    path = Path(directory)
    if not path.exists():
        raise _UsageError(f"no event log directory at {path}")
    if not path.is_dir():
        raise _UsageError(f"{path} is not a directory")


def _filter(
    *, session: str | None = None, type_prefix: str | None = None, since: datetime | None = None
) -> Callable[[Record], bool]:
    prefix = _type_prefix(type_prefix)
    if since is not None and since.tzinfo is None:
        raise _UsageError("--since needs a time with a timezone (use parse_since)")

    def wanted(record: Record) -> bool:
        event = record.event
        if session is not None and event.session != session:
            return False
        if prefix is not None and event.type != prefix and not event.type.startswith(prefix + "."):
            return False
        return since is None or event.ts >= since

    return wanted


def _type_prefix(text: str | None) -> str | None:
    if text is None:
        return None
    for suffix in (".*", "."):
        if text.endswith(suffix):
            return text[: -len(suffix)]
    return text


def format_event(record: Record) -> str:
    """One event for people, in local time, e.g.
    ``2026-11-21 09:34:49  #12  session.started  session=abc123  minutes=40 language=en``.
    """
    event = record.event
    parts = [_local_time(event.ts), f"#{event.seq}", event.type]
    if event.session is not None:
        parts.append(f"session={_value(event.session)}")
    if event.data:
        parts.append(" ".join(f"{key}={_value(value)}" for key, value in event.data.items()))
    return "  ".join(parts)


def _local_time(when: datetime) -> str:
    """`when` in the kiosk's local time; in UTC, said so, at the very ends of the calendar."""
    try:
        return when.astimezone().isoformat(" ", "seconds")[:19]
    except (OverflowError, ValueError):  # e.g. 0001-01-01T00:00Z west of Greenwich
        return when.astimezone(timezone.utc).isoformat(" ", "seconds")[:19] + " UTC"


def _value(value: Any) -> str:
    if isinstance(value, str) and _BARE_VALUE_RE.fullmatch(value):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _printable(line: str) -> str:
    """Escape control characters so a log line cannot drive the terminal."""
    if line.isprintable():
        return line
    return "".join(c if c.isprintable() else _escape(c) for c in line)


def _escape(char: str) -> str:
    """A JSON-style escape (valid inside a JSON string), as a surrogate pair beyond U+FFFF."""
    code = ord(char)
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _notes(problems: list[str], err: TextIO) -> None:
    err.writelines(f"note: {problem}\n" for problem in problems)


def _export_csv(records: Iterator[Record], out: TextIO) -> None:
    writer = csv.writer(out)
    writer.writerow(["seq", "ts", "kiosk", "room", "session", "type", "data"])
    for record in records:
        event = record.event
        data = json.dumps(event.data, separators=(",", ":"), ensure_ascii=False)
        session = "" if event.session is None else event.session
        texts = [_encodable(text) for text in (event.kiosk, event.room, session, event.type, data)]
        writer.writerow([event.seq, format_ts(event.ts), *texts])


def _encodable(text: str) -> str:
    """`text`, a lone surrogate (from a "\\udXXX" escape in the line) kept as that escape.

    The writer never logs one, but JSON can spell it and no UTF-8 output can hold it.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _export_json(records: Iterator[Record], out: TextIO) -> None:
    """A JSON array of the lines exactly as logged, one per line, written as they are read."""
    separator = "[\n"
    for record in records:
        out.write(separator + record.raw.decode("utf-8"))
        separator = ",\n"
    out.write("[]\n" if separator == "[\n" else "\n]\n")
