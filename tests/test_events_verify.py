"""verify(): every kind of edit to the log is caught and pointed at by file and line."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.events import EventLog, VerifyResult, verify

UTC = timezone.utc
DAY1, DAY2, DAY3 = (f"events-2026-11-{d}.jsonl" for d in (20, 21, 22))


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    """Three day files of six events each: seq 1-6, 7-12 and 13-18."""
    clock = FakeClock(datetime(2026, 11, 20, 0, 30, tzinfo=UTC))
    with EventLog(tmp_path, kiosk="kiosk-7", room="room-2", clock=clock) as log:
        for n in range(18):
            log.append("stage.changed", {"stage": "infusion", "n": n}, session="s1")
            clock.advance(4 * 3600)
    assert sorted(p.name for p in tmp_path.iterdir()) == [DAY1, DAY2, DAY3]
    assert verify(tmp_path) == VerifyResult(True, 18, None, None, 1, 18)
    return tmp_path


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def rewrite(path: Path, lines: list[bytes]) -> None:
    path.write_bytes(b"".join(lines))


def forged(seq: int, prev_line: bytes) -> bytes:
    obj = {
        "seq": seq,
        "ts": "2026-11-21T09:00:00.000Z",
        "kiosk": "kiosk-7",
        "room": "room-2",
        "session": "s1",
        "type": "stage.changed",
        "data": {"stage": "recovery"},
        "prev": hashlib.sha256(prev_line.rstrip(b"\n")).hexdigest(),
    }
    return json.dumps(obj, separators=(",", ":")).encode() + b"\n"


def first_bad(directory: Path) -> str:
    result = verify(directory)
    assert not result.ok and result.first_bad is not None
    return result.first_bad


BROKEN_LINK = (
    "prev is not the hash of the line before ({}): one of the two was changed, "
    "or a line was removed or inserted between them"
)


def test_an_edited_character_is_caught_on_the_next_line(log_dir: Path) -> None:
    path = log_dir / DAY2
    lines = lines_of(path)
    lines[2] = lines[2].replace(b'"n":8', b'"n":9')
    rewrite(path, lines)
    assert first_bad(log_dir) == f"{DAY2}:4: " + BROKEN_LINK.format(f"{DAY2}:3")


def test_an_edit_to_the_last_line_of_a_file_is_caught_in_the_next_file(log_dir: Path) -> None:
    path = log_dir / DAY1
    lines = lines_of(path)
    lines[5] = lines[5].replace(b'"infusion"', b'"recovery"')
    rewrite(path, lines)
    assert first_bad(log_dir) == f"{DAY2}:1: " + BROKEN_LINK.format(f"{DAY1}:6")


def test_a_deleted_line(log_dir: Path) -> None:
    path = log_dir / DAY2
    lines = lines_of(path)
    del lines[2]
    rewrite(path, lines)
    result = verify(log_dir)
    assert result.first_bad == f"{DAY2}:3: seq 9 expected, 10 found"
    assert result.events == 8


def test_an_inserted_copy_of_a_line(log_dir: Path) -> None:
    path = log_dir / DAY2
    lines = lines_of(path)
    lines.insert(3, lines[2])
    rewrite(path, lines)
    assert first_bad(log_dir) == f"{DAY2}:4: seq 10 expected, 9 found"


def test_a_forged_line_with_a_recomputed_prev_but_a_wrong_seq(log_dir: Path) -> None:
    path = log_dir / DAY2
    lines = lines_of(path)
    lines.insert(3, forged(99, lines[2]))
    rewrite(path, lines)
    assert first_bad(log_dir) == f"{DAY2}:4: seq 10 expected, 99 found"


def test_a_forged_line_with_the_right_seq_breaks_the_line_after_it(log_dir: Path) -> None:
    path = log_dir / DAY2
    lines = lines_of(path)
    lines.insert(3, forged(10, lines[2]))
    rewrite(path, lines)
    assert first_bad(log_dir) == f"{DAY2}:5: seq 11 expected, 10 found"


def test_two_swapped_lines(log_dir: Path) -> None:
    path = log_dir / DAY2
    lines = lines_of(path)
    lines[2], lines[3] = lines[3], lines[2]
    rewrite(path, lines)
    assert first_bad(log_dir) == f"{DAY2}:3: seq 9 expected, 10 found"


def test_a_deleted_middle_file(log_dir: Path) -> None:
    (log_dir / DAY2).unlink()
    assert first_bad(log_dir) == (
        f"{DAY3}:1: seq 7 expected, 13 found (lines or a whole file before this one are missing)"
    )


def test_a_deleted_first_file_without_a_prune_event(log_dir: Path) -> None:
    (log_dir / DAY1).unlink()
    assert first_bad(log_dir) == (
        f"{DAY2}:1: the log starts at seq 7 and no log.pruned event vouches for it: "
        "the beginning of the log is missing"
    )


def test_a_forged_first_line(log_dir: Path) -> None:
    path = log_dir / DAY1
    lines = lines_of(path)
    lines[0] = lines[0].replace(b'"prev":"0', b'"prev":"1')
    rewrite(path, lines)
    assert first_bad(log_dir) == f"{DAY1}:1: the first event's prev must be 64 zeros"


def test_a_line_moved_into_the_previous_day_file(log_dir: Path) -> None:
    day2, day3 = lines_of(log_dir / DAY2), lines_of(log_dir / DAY3)
    rewrite(log_dir / DAY2, day2 + day3[:1])
    rewrite(log_dir / DAY3, day3[1:])
    assert first_bad(log_dir) == (
        f"{DAY2}:7: ts 2026-11-22T00:30:00.000Z is later than the day of its file"
    )


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        ((b'"room":"room-2",', b""), "field 'room' is missing"),
        ((b'"session":"s1"', b'"session":5'), "field 'session' must be a string or null"),
        ((b'"seq":9', b'"seq":"9"'), "field 'seq' must be a positive integer"),
        ((b'"type":"stage.changed"', b'"type":"Stage"'), "field 'type' must be a dotted"),
        ((b'"data":{', b'"data":[{'), "not valid JSON"),
        ((b'.000Z"', b'Z"'), "field 'ts' must be an RFC 3339 UTC time with milliseconds"),
        ((b'"ts":"2026-11-21', b'"ts":"2026-13-21'), "field 'ts' must be an RFC 3339 UTC"),
    ],
)
def test_damaged_fields(log_dir: Path, edit: tuple[bytes, bytes], problem: str) -> None:
    path = log_dir / DAY2
    lines = lines_of(path)
    assert edit[0] in lines[2]
    lines[2] = lines[2].replace(*edit)
    rewrite(path, lines)
    assert first_bad(log_dir).startswith(f"{DAY2}:3: {problem}")


def test_a_line_without_its_newline_in_the_middle_of_the_log(log_dir: Path) -> None:
    path = log_dir / DAY1
    path.write_bytes(path.read_bytes()[:-1])
    assert first_bad(log_dir) == f"{DAY1}:6: the line has no newline at its end"


def test_a_torn_last_line_is_noted_but_not_a_failure(log_dir: Path) -> None:
    path = log_dir / DAY3
    path.write_bytes(path.read_bytes()[:-40])
    result = verify(log_dir)
    assert (result.ok, result.events, result.first_bad, result.last_seq) == (True, 17, None, 17)
    assert result.torn_tail == (
        f"{DAY3}:6: incomplete last line ({len(lines_of(path)[-1])} bytes, no newline at its end),"
        " left by an interrupted write; the next writer removes it"
    )
