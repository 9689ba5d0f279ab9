"""Reading and verifying the event log, streamed: never the whole log in memory.

A torn last line (a crash mid-write) is skipped and described; `verify` finds any
edited, deleted, inserted or reordered line, across files.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from kiosk.event_format import (
    ZERO_HASH,
    Event,
    EventLogError,
    Record,
    VerifyResult,
    day_files,
    event_from_object,
    field_problem,
    file_day,
    line_hash,
    parse_object,
)


class _Line(NamedTuple):
    file: str
    number: int
    raw: bytes  # without the newline
    complete: bool  # it had its newline
    last: bool  # the last line of the whole log

    @property
    def where(self) -> str:
        return f"{self.file}:{self.number}"


def _lines(directory: Path, since_day: date | None = None) -> Iterator[_Line]:
    """Every line of every day file (from `since_day` on), streamed, the log's last line marked."""
    directory = Path(directory)
    names, last_file = _day_files_and_last(directory)
    for index, name in enumerate(names):
        if since_day is not None and file_day(name) < since_day:
            continue
        yield from _file_lines(directory / name, is_last_file=index == last_file)


def _day_files_and_last(directory: Path) -> tuple[list[str], int]:
    """The day files, oldest first, and the index of the last one that is not empty (or -1)."""
    names = day_files(directory)
    sizes = [_size(directory / name) for name in names]
    return names, max((i for i, size in enumerate(sizes) if size > 0), default=-1)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as exc:
        raise EventLogError(f"could not read the event log {path}: {exc.strerror}") from exc


_CHUNK = 1 << 20  # bytes read at a time: whole lines are cut out of each chunk at C speed


def _file_lines(path: Path, *, is_last_file: bool) -> Iterator[_Line]:
    """The lines of one day file, in chunks of `_CHUNK` bytes; the file's last line marked."""
    name = path.name
    try:
        with open(path, "rb") as handle:
            held: bytes | None = None  # a complete line, yielded once it is known not to be last
            number = 0
            rest = b""
            while chunk := handle.read(_CHUNK):
                lines = (rest + chunk).split(b"\n")
                rest = lines.pop()
                for raw in lines:
                    if held is not None:
                        yield _Line(name, number, held, True, False)
                    held, number = raw, number + 1
            if rest:
                if held is not None:
                    yield _Line(name, number, held, True, False)
                yield _Line(name, number + 1, rest, False, is_last_file)
            elif held is not None:
                yield _Line(name, number, held, True, is_last_file)
    except OSError as exc:
        raise EventLogError(f"could not read the event log {path}: {exc.strerror}") from exc


def _torn(line: _Line) -> str | None:
    """A description when `line` is the torn tail of the log (see the module docstring)."""
    if not line.last:
        return None
    if not line.complete:
        why = "no newline at its end"
    elif isinstance(parse_object(line.raw), str):
        why = "not valid JSON"
    else:
        return None
    size = len(line.raw) + (1 if line.complete else 0)
    return (
        f"{line.where}: incomplete last line ({size} bytes, {why}), left by an interrupted "
        "write; the next writer removes it"
    )


def _parsed(line: _Line) -> dict[str, Any] | str:
    """The event object on a line, or why there is none."""
    if not line.complete:
        return "the line has no newline at its end"
    obj = parse_object(line.raw)
    if isinstance(obj, str):
        return obj
    return field_problem(obj) or obj


def iter_records(
    directory: Path, *, problems: list[str] | None = None, since_day: date | None = None
) -> Iterator[Record]:
    """Every readable event with its file, line number and raw bytes, streamed.

    Lines that are not events are skipped and described in `problems` (when given); so is a
    torn last line. A missing directory has no events. With `since_day`, day files before
    that UTC day are not read at all.
    """
    if not Path(directory).exists():
        return
    for line in _lines(directory, since_day):
        torn = _torn(line)
        parsed = torn or _parsed(line)
        if not isinstance(parsed, str):
            yield Record(line.file, line.number, line.raw, event_from_object(parsed))
        elif problems is not None:
            problems.append(torn or f"{line.where}: {parsed}; skipped")


def read_events_newest_first(
    directory: Path, *, problems: list[str] | None = None
) -> Iterator[Event]:
    """Every event in the log, newest first: for a reader that needs only the end of a long log.

    One day file is held at a time, so this stays as light as `read_events` whatever the
    log's length; a reader that stops early reads only the newest files. Lines that are not
    events are skipped as in `iter_records` (newest first in `problems` too).
    """
    directory = Path(directory)
    if not directory.exists():
        return
    names, last_file = _day_files_and_last(directory)
    for index in range(len(names) - 1, -1, -1):
        lines = list(_file_lines(directory / names[index], is_last_file=index == last_file))
        for line in reversed(lines):
            torn = _torn(line)
            parsed = torn or _parsed(line)
            if not isinstance(parsed, str):
                yield event_from_object(parsed)
            elif problems is not None:
                problems.append(torn or f"{line.where}: {parsed}; skipped")


def read_events(
    directory: Path, *, problems: list[str] | None = None, since_day: date | None = None
) -> Iterator[Event]:
    """Every event in the log (from `since_day` on), oldest first, streamed line by line."""
    for record in iter_records(directory, problems=problems, since_day=since_day):
        yield record.event


class _Verifier:
    """Checks events one at a time: seq continuity, prev hashes, dates, the vouched start."""

    def __init__(self) -> None:
        self.events = 0
        self.first_seq: int | None = None
        self.last_seq: int | None = None
        self.last_hash = ZERO_HASH
        self.last_line: _Line | None = None
        self.unvouched_start: tuple[str, int, str] | None = None  # where, seq, prev

    def check(self, line: _Line, obj: Mapping[str, Any]) -> str | None:
        seq = obj["seq"]
        if not (self.last_seq is not None and seq == self.last_seq + 1  # the usual line: quick
                and obj["prev"] == self.last_hash and obj["ts"][:10] <= line.file[7:17]):
            problem = self._chain_problem(line, obj) or _date_problem(line, obj)
            if problem is not None:
                return problem
        if self.unvouched_start is not None:
            self._vouch(obj)
        self.events += 1
        self.last_seq = seq
        self.last_hash = line_hash(line.raw)
        self.last_line = line
        return None

    def _chain_problem(self, line: _Line, obj: Mapping[str, Any]) -> str | None:
        seq, prev = obj["seq"], obj["prev"]
        if self.last_seq is None:
            self.first_seq = seq
            if seq == 1 and prev != ZERO_HASH:
                return "the first event's prev must be 64 zeros"
            if seq != 1:
                self.unvouched_start = (line.where, seq, prev)
            return None
        if seq != self.last_seq + 1:
            found = f"seq {self.last_seq + 1} expected, {seq} found"
            if line.number == 1:
                return f"{found} (lines or a whole file before this one are missing)"
            return found
        if prev != self.last_hash:
            before = self.last_line.where if self.last_line is not None else "?"
            return (
                f"prev is not the hash of the line before ({before}): one of the two was "
                "changed, or a line was removed or inserted between them"
            )
        return None

    def _vouch(self, obj: Mapping[str, Any]) -> None:
        if self.unvouched_start is None or obj["type"] != "log.pruned":
            return
        _, seq, prev = self.unvouched_start
        if obj["data"].get("first_seq") == seq and obj["data"].get("anchor") == prev:
            self.unvouched_start = None

    def start_problem(self) -> str | None:
        if self.unvouched_start is None:
            return None
        where, seq, _ = self.unvouched_start
        return (
            f"{where}: the log starts at seq {seq} and no log.pruned event vouches for it: "
            "the beginning of the log is missing"
        )


def _date_problem(line: _Line, obj: Mapping[str, Any]) -> str | None:
    """An event is never in a file of an earlier day (ISO dates compare as strings)."""
    if obj["ts"][:10] > line.file[7:17]:  # "events-YYYY-MM-DD.jsonl"
        return f"ts {obj['ts']} is later than the day of its file"
    return None


def verify(directory: Path) -> VerifyResult:
    """Check the whole log, streamed; stops at the first bad line."""
    directory = Path(directory)
    if not directory.exists():
        raise EventLogError(f"no event log directory at {directory}")
    checker = _Verifier()
    torn: str | None = None
    for line in _lines(directory):
        torn = _torn(line)
        if torn is not None:
            break
        parsed = _parsed(line)
        problem = parsed if isinstance(parsed, str) else checker.check(line, parsed)
        if problem is not None:
            first_bad = checker.start_problem() or f"{line.where}: {problem}"
            return _result(checker, first_bad, None)
    return _result(checker, checker.start_problem(), torn)


def _result(checker: _Verifier, first_bad: str | None, torn: str | None) -> VerifyResult:
    return VerifyResult(
        ok=first_bad is None,
        events=checker.events,
        first_bad=first_bad,
        torn_tail=torn,
        first_seq=checker.first_seq,
        last_seq=checker.last_seq,
    )
