"""Property tests: any bytes in the log folder -> events or a clear EventLogError, never a crash.

Hypothesis writes arbitrary bytes and forged lines into day files, and valid logs written by
the real `EventLog` then damaged (bytes flipped, lines cut, duplicated, swapped or removed,
garbage appended, files split, renamed, copied, emptied or removed, odd things in the folder).
The readers, `verify`, the `kiosk log` commands and a writer opening the folder must each give
an answer: events, a result, an exit status, or an `EventLogError` that says what is wrong.
Whatever it finds becomes an `@example`.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import io
import json
import os
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from kiosk.clock import FakeClock
from kiosk.event_format import FIELDS, ZERO_HASH, is_valid_type
from kiosk.events import (
    Event,
    EventLog,
    EventLogError,
    VerifyResult,
    iter_records,
    read_events,
    verify,
)
from kiosk.logtool import cmd_export, cmd_show, cmd_verify, parse_since

UTC = timezone.utc
#: More examples for a longer hunt: KIOSK_PROPERTY_EXAMPLES=2000 pytest tests/test_properties_*.py
EXAMPLES = int(os.environ.get("KIOSK_PROPERTY_EXAMPLES", "250"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

#: POSIX zone rules (no tz database needed): the far east and the far west of UTC.
ZONES = ["UTC0", "CET-1CEST,M3.5.0,M10.5.0/3", "<+14>-14", "<-12>12", "EST5EDT,M3.2.0,M11.1.0"]

_PROBLEM = re.compile(r"events-[0-9]{4}-[0-9]{2}-[0-9]{2}\.jsonl:[0-9]+: \S")


@contextlib.contextmanager
def local_zone(rule: str) -> Iterator[None]:
    saved = os.environ.get("TZ")
    os.environ["TZ"] = rule
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        time.tzset()


# --------------------------------------------------------------------------- valid logs


@dataclass(frozen=True)
class Log:
    """A log folder's day files (name -> bytes) and every line of it, in order."""

    files: tuple[tuple[str, bytes], ...]
    lines: tuple[bytes, ...]  # without their newlines


SHAPES = ["empty", "one", "day", "days", "pruned", "clock_back", "empty_file"]


def _write(directory: Path, shape: str) -> None:
    clock = FakeClock(datetime(2026, 11, 20, 21, 0, tzinfo=UTC))
    with EventLog(directory, kiosk="kiosk-7", room="Room 2 \u2028 ✓", clock=clock) as log:
        if shape == "one":
            log.append("kiosk.started", {"version": "0.1.0"})
        elif shape == "day":
            for data in ({"n": 1}, {"text": "é\u2028\x00\U0001f600"}, {}, {"x": None, "l": [1.5]},
                         {"nested": {"a": [True, False]}}):
                log.append("stage.changed", data, session="s1")
                clock.advance(60)
        elif shape == "days":
            for n in range(9):
                log.append("stage.changed", {"n": n}, session=None if n % 2 else "abc")
                clock.advance(8 * 3600)
        elif shape == "pruned":
            for n in range(6):
                log.append("kiosk.started", {"n": n})
                clock.advance(24 * 3600)
            log.prune(2)
            log.append("kiosk.started", {"n": 6})
        elif shape == "clock_back":
            for n in range(3):
                log.append("kiosk.started", {"n": n})
                clock.advance(3600)  # past midnight
            clock.set_wall(datetime(2026, 11, 20, 23, 0, tzinfo=UTC))
            log.append("kiosk.started", {"n": 3})
        elif shape == "empty_file":
            log.append("kiosk.started", {"n": 0})
            clock.advance(2 * 24 * 3600)
            log.append("kiosk.started", {"n": 1})
    if shape == "empty_file":
        (directory / "events-2026-11-21.jsonl").touch()


@functools.cache
def valid_log(shape: str) -> Log:
    """The files of a valid log written by the real EventLog (made once per shape)."""
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name) / "log"
        _write(directory, shape)
        result = verify(directory)
        assert result.ok and result.torn_tail is None, result
        files = tuple((p.name, p.read_bytes()) for p in sorted(directory.iterdir()))
    lines = tuple(line for _, data in files for line in data.splitlines())
    return Log(files, lines)


# --------------------------------------------------------------------------- damage

index = st.integers(0, 10**6)
DAY_NAMES = ["events-2026-11-19.jsonl", "events-2026-11-20.jsonl", "events-2026-11-21.jsonl",
             "events-2026-11-22.jsonl", "events-2026-11-23.jsonl", "events-2027-01-01.jsonl",
             "events-2025-12-31.jsonl", "events-0001-01-01.jsonl", "events-9999-12-31.jsonl"]
OTHER_NAMES = ["events-2026-02-30.jsonl", "events-2026-11-20.jsonl.bak", "events-2026-11-2.jsonl",
               "notes.txt", ".events-2026-11-20.jsonl", "events-2026-11-20.JSONL"]
file_names = st.sampled_from(DAY_NAMES + OTHER_NAMES)
GARBAGE = [b"\n", b"garbage", b"garbage\n", b"{}\n", b"{", b"\x00\x00\n", b"\xff\xfe\n",
           b'{"seq":1}\n', b"[" * 5000 + b"\n", b"\n\n\n", b"\r\n", b"null\n"]

mutations = st.one_of(
    st.tuples(st.just("flip"), index, index, st.integers(1, 255)),
    st.tuples(st.just("cut_line"), index, index, st.booleans()),
    st.tuples(st.just("dup_line"), index, index),
    st.tuples(st.just("swap_lines"), index, index),
    st.tuples(st.just("drop_line"), index),
    st.tuples(st.just("garbage"), index, st.sampled_from(GARBAGE) | st.binary(min_size=1,
                                                                              max_size=30)),
    st.tuples(st.just("cut_file"), index, index),
    st.tuples(st.just("split_file"), index, index, file_names),
    st.tuples(st.just("rename_file"), index, file_names),
    st.tuples(st.just("copy_file"), index, file_names),
    st.tuples(st.just("drop_file"), index),
    st.tuples(st.just("empty_file"), index),
    st.tuples(st.just("special"), st.sampled_from(["dir", "fifo", "loop", "dangling", "to_dir",
                                                   "to_null"]), file_names),
)


@dataclass
class Folder:
    """What will be written into the log folder."""

    files: dict[str, bytes]
    specials: dict[str, str]  # name -> kind, for what is not a plain file


def _pick(items: list[Any], at: int) -> Any:
    return items[at % len(items)]


def damage(folder: Folder, mutation: tuple[Any, ...]) -> None:
    kind, *args = mutation
    names = sorted(folder.files)
    if kind == "garbage":
        name = _pick(names, args[0]) if names else DAY_NAMES[1]
        folder.files[name] = folder.files.get(name, b"") + args[1]
        return
    if kind == "special":
        folder.files.pop(args[1], None)
        folder.specials[args[1]] = args[0]
        return
    if not names:
        return
    name = _pick(names, args[0])
    data = folder.files[name]
    if kind == "flip" and data:
        at = args[1] % len(data)
        folder.files[name] = data[:at] + bytes([data[at] ^ args[2]]) + data[at + 1:]
    elif kind == "cut_file":
        folder.files[name] = data[:args[1] % (len(data) + 1)]
    elif kind == "split_file":
        lines = data.splitlines(keepends=True)
        at = args[1] % (len(lines) + 1)
        folder.files[name] = b"".join(lines[:at])
        folder.files[args[2]] = b"".join(lines[at:])
    elif kind == "rename_file":
        folder.files[args[1]] = folder.files.pop(name)
    elif kind == "copy_file":
        folder.files[args[1]] = data
    elif kind == "drop_file":
        del folder.files[name]
    elif kind == "empty_file":
        folder.files[name] = b""
    elif kind in ("cut_line", "dup_line", "swap_lines", "drop_line"):
        _damage_lines(folder, kind, args)


def _damage_lines(folder: Folder, kind: str, args: list[Any]) -> None:
    """Line edits over the whole log, as if its files were one."""
    entries: list[list[Any]] = [[name, line] for name in sorted(folder.files)
                                for line in folder.files[name].splitlines(keepends=True)]
    if not entries:
        return
    at = args[0] % len(entries)
    if kind == "cut_line":
        line = entries[at][1]
        keep = line[:args[1] % max(len(line), 1)]
        entries[at][1] = keep + (b"\n" if args[2] and not keep.endswith(b"\n") else b"")
    elif kind == "dup_line":
        to = args[1] % (len(entries) + 1)
        owner = entries[min(to, len(entries) - 1)][0]
        entries.insert(to, [owner, entries[at][1]])
    elif kind == "swap_lines":
        other = args[1] % len(entries)
        entries[at][1], entries[other][1] = entries[other][1], entries[at][1]
    elif kind == "drop_line":
        del entries[at]
    rebuilt = {name: b"" for name in folder.files}
    for name, line in entries:
        rebuilt[name] += line
    folder.files = rebuilt


def materialize(folder: Folder, directory: Path) -> None:
    directory.mkdir()
    for name, data in folder.files.items():
        (directory / name).write_bytes(data)
    for name, kind in folder.specials.items():
        path = directory / name
        if name in folder.files:  # a later mutation wrote a file there
            continue
        if kind == "dir":
            path.mkdir()
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "loop":
            path.symlink_to(name)
        elif kind == "dangling":
            path.symlink_to("nowhere")
        elif kind == "to_dir":
            path.symlink_to(".")
        elif kind == "to_null":
            path.symlink_to("/dev/null")


# --------------------------------------------------------------------------- forged lines

_text = st.text(max_size=8) | st.sampled_from(
    ["\ud800", "a\udfffb", "\x00", "\x1b[2J", "\u2028", "x" * 300])
TIMES = ["2026-11-20T10:00:00.000Z", "0001-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z",
         "2026-02-30T10:00:00.000Z", "2026-11-20T10:00:00Z", "2026-11-20T24:00:00.000Z",
         "0000-01-01T00:00:00.000Z", "2026-11-20T10:00:00.000+00:00", "2026-11-20 10:00:00.000Z"]
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(
    allow_nan=False) | _text, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    _text, inner, max_size=3), max_leaves=6)



def _mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(good, good, good, good, bad)


forged_objects = st.fixed_dictionaries({
    "seq": _mostly(st.integers(1, 12), st.sampled_from([0, -1, True, 1.0, "1", 10**30, None])),
    "ts": _mostly(st.sampled_from(TIMES[:3]), st.sampled_from(TIMES[3:])),
    "kiosk": _text, "room": _text,
    "session": _mostly(st.none() | _text, st.just(5)),
    "type": _mostly(st.sampled_from(["a.b", "error", "log.pruned"]),
                    st.sampled_from(["A.b", "a", "", "a.b\n", "a..b"])),
    "data": _mostly(st.dictionaries(_text, json_values, max_size=3),
                    st.sampled_from([[], None, "x"])),
    "prev": _mostly(st.sampled_from([ZERO_HASH, "f" * 64]), st.sampled_from(["F" * 64, "0" * 63])),
})


@st.composite
def forged_files(draw: st.DrawFn) -> dict[str, bytes]:
    """Lines that look like events (sometimes a whole valid chain of them) in a day file."""
    objects = draw(st.lists(forged_objects, min_size=1, max_size=6))
    chained, ascii_only = draw(st.booleans()), draw(st.booleans())
    lines: list[bytes] = []
    previous = None
    for number, obj in enumerate(objects, start=1):
        if chained:
            obj = {**obj, "seq": number,
                   "prev": ZERO_HASH if previous is None else hashlib.sha256(previous).hexdigest()}
        ordered = {name: obj[name] for name in FIELDS}
        raw = json.dumps(ordered, separators=(",", ":"), ensure_ascii=ascii_only)
        line = raw.encode("utf-8", "surrogatepass")
        lines.append(line)
        previous = line
    if draw(st.booleans()):  # data nested deeper than the JSON decoder can follow
        lines.append(b'{"seq":1,"ts":"2026-11-20T10:00:00.000Z","kiosk":"k","room":"r",'
                     b'"session":null,"type":"a.b","data":{"x":' + b"[" * 100000
                     + b"]" * 100000 + b'},"prev":"' + ZERO_HASH.encode() + b'"}')
    return {draw(st.sampled_from(DAY_NAMES[-2:] + DAY_NAMES[:2])): b"\n".join(lines) + b"\n"}


raw_folders = st.one_of(
    st.dictionaries(file_names, st.binary(max_size=120), max_size=3),
    st.dictionaries(file_names, st.lists(st.sampled_from(GARBAGE)).map(b"".join), max_size=3),
    forged_files(),
).map(lambda files: Folder(dict(files), {}))


@st.composite
def damaged_logs(draw: st.DrawFn) -> tuple[Log, Folder]:
    log = valid_log(draw(st.sampled_from(SHAPES)))
    folder = Folder(dict(log.files), {})
    for mutation in draw(st.lists(mutations, min_size=1, max_size=3)):
        damage(folder, mutation)
    return log, folder


# --------------------------------------------------------------------------- checks


def check_error(error: EventLogError) -> None:
    message = str(error)
    assert message and "\n" not in message and "Traceback" not in message, repr(message)


def check_event(event: Event) -> None:
    assert isinstance(event, Event)
    assert type(event.seq) is int and event.seq >= 1
    assert isinstance(event.ts, datetime) and event.ts.utcoffset() == timedelta(0)
    assert isinstance(event.kiosk, str) and isinstance(event.room, str)
    assert event.session is None or isinstance(event.session, str)
    assert isinstance(event.type, str) and is_valid_type(event.type)
    assert isinstance(event.data, dict)
    assert re.fullmatch(r"[0-9a-f]{64}", event.prev)


def read_all(directory: Path, since_day: date | None = None) -> list[Any] | EventLogError:
    """The records (checked) and problems (checked), or the EventLogError raised."""
    problems: list[str] = []
    try:
        records = list(iter_records(directory, problems=problems, since_day=since_day))
        events = list(read_events(directory, since_day=since_day))
    except EventLogError as error:
        check_error(error)
        return error
    assert [r.event for r in records] == events
    for record in records:
        check_event(record.event)
        assert _PROBLEM.match(f"{record.file}:{record.line}: x")
    for problem in problems:
        assert _PROBLEM.match(problem) and "\n" not in problem, repr(problem)
    return records


def checked_verify(directory: Path) -> VerifyResult | EventLogError:
    try:
        result = verify(directory)
    except EventLogError as error:
        check_error(error)
        return error
    assert isinstance(result, VerifyResult)
    assert result.ok == (result.first_bad is None)
    for text in (result.first_bad, result.torn_tail):
        assert text is None or (_PROBLEM.match(text) and "\n" not in text), repr(text)
    return result


class Terminal(io.TextIOWrapper):
    """A stream like a real stdout: UTF-8, strict (a lone surrogate cannot be written)."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO(), encoding="utf-8", errors="strict", newline="")

    def text(self) -> str:
        self.flush()
        buffer = self.buffer
        assert isinstance(buffer, io.BytesIO)
        return buffer.getvalue().decode("utf-8")


def run(command: Any, *args: Any, **options: Any) -> tuple[int, str, str]:
    with Terminal() as out, Terminal() as err:
        code = command(*args, out, err, **options)
        assert code in (0, 1, 2)
        shown = out.text(), err.text()
    for line in shown[1].splitlines():
        assert line.startswith(("kiosk log ", "note: ")), repr(line)
    return code, *shown


def check_logtool(directory: Path, records: list[Any] | EventLogError,
                  verified: VerifyResult | EventLogError, since: datetime | None) -> None:
    """`kiosk log verify/show/export` agree with the library and never raise."""
    code, out, err = run(cmd_verify, directory)
    if isinstance(verified, EventLogError):
        assert code == 2 and err.startswith("kiosk log verify: ")
    else:
        assert code == (0 if verified.ok else 1), (code, out, err)
    for options in ({}, {"as_json": True}, {"since": since, "type_prefix": "kiosk",
                                             "session": "abc"}):
        code, out, err = run(cmd_show, directory, **options)
        assert code == (2 if isinstance(records, EventLogError) else 0), err
        assert all(line.isprintable() for line in out.splitlines()), out
    code, out, err = run(cmd_export, directory, fmt="json", since=since)
    if not isinstance(records, EventLogError):
        assert code == 0, err
        exported = json.loads(out)
        wanted = [r for r in records if since is None or r.event.ts >= since]
        assert exported == [json.loads(r.raw) for r in wanted]
    code, out, err = run(cmd_export, directory, fmt="csv")
    if not isinstance(records, EventLogError):
        assert code == 0, err
        rows = list(csv.reader(io.StringIO(out)))
        assert len(rows) == len(records) + 1
        for row, record in zip(rows[1:], records):
            assert row[0] == str(record.event.seq)
            assert row[1] == json.loads(record.raw)["ts"]  # ts exactly as logged


def check_detection(log: Log, records: list[Any] | EventLogError,
                    verified: VerifyResult | EventLogError) -> None:
    """What verify passes is the log as written: only its last line can differ unseen.

    A hash chain cannot see an edit of its very last line, nor whole lines removed from
    the end (the module docstring: an anchor kept elsewhere is what would); a torn tail
    is reported as such. Anything else must fail verify.
    """
    if isinstance(verified, EventLogError) or not verified.ok:
        return
    assert not isinstance(records, EventLogError)
    read = [r.raw for r in records]
    assert verified.events == len(read)
    same = max(len(read) - 1, 0)
    assert read[:same] == list(log.lines[:same]), "verify passed a damaged log"


def check_writer(directory: Path, verified: VerifyResult | EventLogError, now: datetime,
                 *, plain: bool) -> None:
    """A writer opens the folder and continues the chain, or refuses with EventLogError.

    A log that verifies, in a folder of plain files, is always opened and continued.
    """
    clock = FakeClock(now)
    intact = isinstance(verified, VerifyResult) and verified.ok
    try:
        log = EventLog(directory, kiosk="kiosk-7", room="Room 2", clock=clock)
    except EventLogError as error:
        check_error(error)
        assert not (intact and plain), f"a log that verifies was refused: {error}"
        event("writer: refused")
        return
    event("writer: appended")
    with log:
        before = log.last_seq
        try:
            appended = log.append("property.appended", {"n": 1})
        except EventLogError as error:  # e.g. something that is not a file at the day's name
            check_error(error)
            assert not (intact and plain), f"a log that verifies was refused: {error}"
            event("writer: append refused")
            return
        assert appended.seq == before + 1 and log.last_seq == appended.seq
    records = read_all(directory)
    assert not isinstance(records, EventLogError)
    assert records[-1].event == appended
    if intact:
        after = verify(directory)
        assert after.ok and after.torn_tail is None and after.last_seq == appended.seq, after


# --------------------------------------------------------------------------- properties


def test_the_valid_logs_verify() -> None:
    for shape in SHAPES:
        log = valid_log(shape)
        assert len(log.lines) == {"empty": 0, "one": 1, "day": 5, "days": 9, "pruned": 4,
                                  "clock_back": 4, "empty_file": 2}[shape], shape


def _check_folder(log: Log | None, folder: Folder, zone: str, since: datetime | None,
                  now: datetime) -> None:
    with tempfile.TemporaryDirectory() as name, local_zone(zone):
        directory = Path(name) / "log"
        materialize(folder, directory)
        records = read_all(directory)
        read_all(directory, since_day=date(2026, 11, 21))
        verified = checked_verify(directory)
        event("verify: error" if isinstance(verified, EventLogError) else
              f"verify: ok={verified.ok} torn={verified.torn_tail is not None}")
        if log is not None:
            check_detection(log, records, verified)
        check_logtool(directory, records, verified, since)
        check_writer(directory, verified, now, plain=not folder.specials)


zones = st.sampled_from(ZONES)
sinces = st.none() | st.sampled_from([datetime(2026, 11, 21, tzinfo=UTC),
                                      datetime(1, 1, 1, tzinfo=UTC)])
nows = st.sampled_from([datetime(2026, 11, 22, 12, 0, tzinfo=UTC),
                        datetime(2020, 1, 1, tzinfo=UTC), datetime(2027, 6, 1, tzinfo=UTC)])


@SETTINGS
@given(damaged=damaged_logs(), zone=zones, since=sinces, now=nows)
def test_a_damaged_log_is_read_verified_shown_and_reopened(
    damaged: tuple[Log, Folder], zone: str, since: datetime | None, now: datetime
) -> None:
    log, folder = damaged
    _check_folder(log, folder, zone, since, now)


def event_line(seq: int = 1, ts: str = "2026-11-20T10:00:00.000Z", prev: str = ZERO_HASH,
               **fields: Any) -> bytes:
    obj = {"seq": seq, "ts": ts, "kiosk": "k", "room": "r", "session": None, "type": "a.b",
           "data": {}, "prev": prev, **fields}
    return json.dumps(obj, separators=(",", ":")).encode() + b"\n"


YEAR_ONE = event_line(ts="0001-01-01T00:00:00.000Z")
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@SETTINGS
@given(folder=raw_folders, zone=zones, since=sinces, now=nows)
# RecursionError from the JSON decoder, for a line and for the last line
@example(folder=Folder({DAY_NAMES[1]: b"[" * 100000 + b"\n" + b"[" * 100000 + b"\n"}, {}),
         zone="UTC0", since=None, now=NOW)
# a link to itself named like a day file: an OSError inside the listing, a scandir left open
@example(folder=Folder({}, {DAY_NAMES[1]: "loop"}), zone="UTC0", since=None, now=NOW)
# show: OverflowError turning 0001-01-01T00:00Z into local time west of Greenwich
@example(folder=Folder({DAY_NAMES[7]: YEAR_ONE}, {}), zone="<-12>12", since=None, now=NOW)
# export --csv: ts written as "1-01-01T00:00:00.000Z" (strftime's %Y)
@example(folder=Folder({DAY_NAMES[7]: YEAR_ONE}, {}), zone="UTC0", since=None, now=NOW)
# export --csv: a lone surrogate ("\\ud800" in the line) cannot be written to a UTF-8 stdout
@example(folder=Folder({DAY_NAMES[1]: event_line(kiosk="\ud800", data={"x": "a\udfffb"})}, {}),
         zone="UTC0", since=None, now=NOW)
# the writer waited forever to open a named pipe at the day file's name (no reader comes)
@example(folder=Folder({}, {DAY_NAMES[3]: "fifo"}), zone="UTC0", since=None, now=NOW)
# ... and wrote its events into /dev/null through a link
@example(folder=Folder({}, {DAY_NAMES[3]: "to_null"}), zone="UTC0", since=None, now=NOW)
def test_any_bytes_in_the_log_folder_are_events_or_a_clear_error(
    folder: Folder, zone: str, since: datetime | None, now: datetime
) -> None:
    _check_folder(None, folder, zone, since, now)


@SETTINGS
@given(text=st.text(max_size=40) | st.sampled_from(
    ["0001-01-01", "0001-01-01T00:00", "9999-12-31", "9999-12-31T23:59:59", "9999-12-31T23:59Z",
     "2026-11-21T25:00", "2026-11-21T10:00+24:00", "\x00", "2026-11-21\n"]), zone=zones)
@example(text="9999-12-31T23:59:59", zone="<-12>12")  # OverflowError, not a ValueError
def test_since_is_a_utc_time_or_a_value_error(text: str, zone: str) -> None:
    with local_zone(zone):
        try:
            when = parse_since(text)
        except ValueError as error:
            assert str(error) and "\n" not in str(error).replace(repr(text), "")
        else:
            assert when.utcoffset() == timedelta(0)
