"""The event log: format, round trips across days and restarts, torn tails, retention."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.events import (
    ZERO_HASH,
    Event,
    EventLog,
    EventLogError,
    VerifyResult,
    read_events,
    verify,
)

UTC = timezone.utc
DAY = 86400.0


def open_log(directory: Path, clock: FakeClock) -> EventLog:
    return EventLog(directory, kiosk="kiosk-7", room="room-2", clock=clock)


def sha(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def all_lines(directory: Path) -> list[bytes]:
    """Every line of every day file, in order, without newlines."""
    lines: list[bytes] = []
    for path in sorted(directory.glob("events-*.jsonl")):
        lines.extend(path.read_bytes().splitlines())
    return lines


def event_line(seq: int, prev: str, ts: str = "2026-11-20T10:00:00.000Z") -> bytes:
    obj = {
        "seq": seq,
        "ts": ts,
        "kiosk": "kiosk-7",
        "room": "room-2",
        "session": None,
        "type": "kiosk.started",
        "data": {},
        "prev": prev,
    }
    return json.dumps(obj, separators=(",", ":")).encode()


# --------------------------------------------------------------------------- format


def test_line_has_exact_fields_order_and_format(tmp_path: Path) -> None:
    clock = FakeClock(datetime(2026, 11, 21, 8, 34, 49, 123987, tzinfo=UTC))
    with open_log(tmp_path / "log", clock) as log:
        event = log.append("nurse_call.requested", {"reason": "button", "n": 2}, session="abc123")

    raw = (tmp_path / "log" / "events-2026-11-21.jsonl").read_bytes()
    assert raw == (
        b'{"seq":1,"ts":"2026-11-21T08:34:49.123Z","kiosk":"kiosk-7","room":"room-2",'
        b'"session":"abc123","type":"nurse_call.requested","data":{"reason":"button","n":2},'
        b'"prev":"' + ZERO_HASH.encode() + b'"}\n'
    )
    assert event == Event(
        seq=1,
        ts=datetime(2026, 11, 21, 8, 34, 49, 123000, tzinfo=UTC),
        kiosk="kiosk-7",
        room="room-2",
        session="abc123",
        type="nurse_call.requested",
        data={"reason": "button", "n": 2},
        prev=ZERO_HASH,
    )


def test_non_ascii_and_unicode_line_separators_stay_on_one_line(tmp_path: Path) -> None:
    clock = FakeClock(datetime(2026, 11, 21, 8, 0, tzinfo=UTC))
    data = {"playlist": "Ruhe – Klänge", "odd": "a\u2028b\u0085c\rd\ne"}
    with open_log(tmp_path, clock) as log:
        log.append("music.playlist_chosen", data)
        log.append("music.stopped")

    raw = (tmp_path / "events-2026-11-21.jsonl").read_bytes()
    assert raw.count(b"\n") == 2
    assert "Ruhe – Klänge".encode() in raw  # UTF-8 as is, not \u escapes
    events = list(read_events(tmp_path))
    assert [e.data for e in events] == [data, {}]
    assert verify(tmp_path).ok


def test_files_are_0640_and_directory_0750_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        with open_log(tmp_path / "a" / "log", FakeClock()) as log:
            log.append("kiosk.started")
    finally:
        os.umask(old)
    assert (tmp_path / "a" / "log").stat().st_mode & 0o777 == 0o750
    (file,) = (tmp_path / "a" / "log").iterdir()
    assert file.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(
    "bad",
    ["session", "Session.started", "session.", ".started", "a..b", "1x.y", "a.b-c", "", "a.b\n"],
)
def test_event_types_must_be_dotted_lowercase(tmp_path: Path, bad: str) -> None:
    with open_log(tmp_path, FakeClock()) as log:
        with pytest.raises(ValueError, match="dotted lowercase"):
            log.append(bad)
        assert log.append("error", {"what": "x"}).seq == 1
        assert log.append("nurse_call.requested").seq == 2


def test_event_data_must_be_a_json_object(tmp_path: Path) -> None:
    with open_log(tmp_path, FakeClock()) as log:
        with pytest.raises(TypeError):
            log.append("music.volume", [1, 2])  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            log.append("music.volume", {1: "a"})  # type: ignore[dict-item]
        with pytest.raises(ValueError, match="JSON"):
            log.append("music.volume", {"level": float("nan")})
        with pytest.raises(ValueError, match="JSON"):
            log.append("music.volume", {"level": {1, 2}})
        with pytest.raises(TypeError):
            log.append("music.volume", session=12)  # type: ignore[arg-type]
        assert log.last_seq == 0
        event = log.append("music.volume", {"levels": (1, 2)})
    assert event.data == {"levels": [1, 2]}  # as it reads back
    assert list(read_events(tmp_path)) == [event]


# --------------------------------------------------------------------------- round trips


def test_round_trip_across_midnight_and_a_restart(tmp_path: Path) -> None:
    directory = tmp_path / "log"
    clock = FakeClock(datetime(2026, 11, 21, 23, 58, 0, 500000, tzinfo=UTC))
    with open_log(directory, clock) as log:
        e1 = log.append("kiosk.started", {"version": "0.1.0"})
        clock.advance(60)
        e2 = log.append("session.started", {"planned_infusion_minutes": 40}, session="abc123")
        clock.advance(60)  # 00:00:00.500 the next day
        e3 = log.append("stage.changed", {"stage": "infusion"}, session="abc123")
        assert log.last_seq == 3

    assert sorted(p.name for p in directory.iterdir()) == [
        "events-2026-11-21.jsonl",
        "events-2026-11-22.jsonl",
    ]
    first = (directory / "events-2026-11-21.jsonl").read_bytes().splitlines()
    second = (directory / "events-2026-11-22.jsonl").read_bytes().splitlines()
    assert len(first) == 2 and len(second) == 1
    assert [e1.prev, e2.prev, e3.prev] == [ZERO_HASH, sha(first[0]), sha(first[1])]
    assert list(read_events(directory)) == [e1, e2, e3]
    assert verify(directory) == VerifyResult(True, 3, None, None, 1, 3)

    with open_log(directory, clock) as again:
        assert again.last_seq == 3
        e4 = again.append("session.ended", session="abc123")
    assert (e4.seq, e4.prev) == (4, sha(second[0]))
    assert verify(directory) == VerifyResult(True, 4, None, None, 1, 4)


def test_a_clock_set_back_over_midnight_keeps_writing_the_newest_file(tmp_path: Path) -> None:
    clock = FakeClock(datetime(2026, 11, 22, 0, 0, 5, tzinfo=UTC))
    with open_log(tmp_path, clock) as log:
        log.append("kiosk.started")
        clock.set_wall(datetime(2026, 11, 21, 23, 59, 50, tzinfo=UTC))
        late = log.append("stage.changed", {"stage": "recovery"})
    assert late.ts.date().isoformat() == "2026-11-21"
    assert [p.name for p in tmp_path.iterdir()] == ["events-2026-11-22.jsonl"]
    assert verify(tmp_path).ok


def test_only_one_writer_at_a_time(tmp_path: Path) -> None:
    first = open_log(tmp_path, FakeClock())
    with pytest.raises(EventLogError, match="already open for writing"):
        open_log(tmp_path, FakeClock())
    first.close()
    first.close()  # idempotent
    with pytest.raises(EventLogError, match="closed"):
        first.append("kiosk.stopped")
    with open_log(tmp_path, FakeClock()) as second:
        assert second.append("kiosk.started").seq == 1


def test_opening_reads_only_the_tail_of_a_huge_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A 1 GiB file (sparse: a hole, then real lines) stands in for a million events.
    path = tmp_path / "events-2026-11-20.jsonl"
    before = event_line(999_999, "a" * 64)
    last = event_line(1_000_000, sha(before))
    with open(path, "wb") as handle:
        handle.truncate(1 << 30)
        handle.seek(0, os.SEEK_END)
        handle.write(b"\n" + before + b"\n" + last + b"\n")
    read = 0
    real_pread = os.pread

    def counting_pread(fd: int, n: int, offset: int) -> bytes:
        nonlocal read
        data = real_pread(fd, n, offset)
        read += len(data)
        return data

    monkeypatch.setattr(os, "pread", counting_pread)
    clock = FakeClock(datetime(2026, 11, 21, 8, 0, tzinfo=UTC))
    with open_log(tmp_path, clock) as log:
        assert log.last_seq == 1_000_000
        event = log.append("kiosk.started")
    assert (event.seq, event.prev) == (1_000_001, sha(last))
    assert read < 256 * 1024


# --------------------------------------------------------------------------- torn tails


def _three_events(directory: Path, clock: FakeClock) -> Path:
    with open_log(directory, clock) as log:
        for n in range(3):
            log.append("breathing.phase", {"phase": "in", "n": n})
            clock.advance(5)
    return directory / "events-2026-11-21.jsonl"


def test_torn_tail_is_skipped_by_readers_and_removed_by_the_next_writer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock(datetime(2026, 11, 21, 8, 0, tzinfo=UTC))
    path = _three_events(tmp_path, clock)
    third = path.read_bytes().splitlines()[2]
    fragment = b'{"seq":4,"ts":"2026-11-21T08:00:1'
    with open(path, "ab") as handle:
        handle.write(fragment)

    problems: list[str] = []
    assert [e.seq for e in read_events(tmp_path, problems=problems)] == [1, 2, 3]
    assert len(problems) == 1
    assert problems[0].startswith("events-2026-11-21.jsonl:4: incomplete last line (33 bytes")
    result = verify(tmp_path)
    assert (result.ok, result.events, result.first_bad) == (True, 3, None)
    assert result.torn_tail is not None
    assert result.torn_tail.startswith("events-2026-11-21.jsonl:4:")

    with caplog.at_level(logging.WARNING, logger="kiosk.events"):
        log = open_log(tmp_path, clock)
    assert "removed an incomplete last line (33 bytes)" in caplog.text
    with log:
        assert log.last_seq == 4
        after = log.append("session.ended")

    events = list(read_events(tmp_path))
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    repair = events[3]
    assert (repair.type, repair.prev) == ("error", sha(third))
    assert repair.data == {"what": "torn_tail_removed", "file": path.name, "bytes": 33}
    assert after.seq == 5
    assert verify(tmp_path) == VerifyResult(True, 5, None, None, 1, 5)


def test_a_last_line_that_is_not_json_counts_as_torn(tmp_path: Path) -> None:
    clock = FakeClock(datetime(2026, 11, 21, 8, 0, tzinfo=UTC))
    path = _three_events(tmp_path, clock)
    with open(path, "ab") as handle:
        handle.write(b"\x00\x00\x00\x00\n")
    problems: list[str] = []
    assert len(list(read_events(tmp_path, problems=problems))) == 3
    assert "not valid JSON" in problems[0]
    assert verify(tmp_path).torn_tail is not None
    with open_log(tmp_path, clock) as log:
        log.append("kiosk.started")
    events = list(read_events(tmp_path))
    assert events[3].data == {"what": "torn_tail_removed", "file": path.name, "bytes": 5}
    assert verify(tmp_path) == VerifyResult(True, 5, None, None, 1, 5)


def test_a_new_day_file_holding_only_a_fragment_chains_to_the_day_before(
    tmp_path: Path,
) -> None:
    clock = FakeClock(datetime(2026, 11, 21, 23, 59, tzinfo=UTC))
    path = _three_events(tmp_path, clock)
    (tmp_path / "events-2026-11-22.jsonl").write_bytes(b'{"seq":4,')
    clock.set_wall(datetime(2026, 11, 22, 0, 5, tzinfo=UTC))
    with open_log(tmp_path, clock) as log:
        event = log.append("kiosk.started")
    assert event.seq == 5
    lines = all_lines(tmp_path)
    assert json.loads(lines[3])["prev"] == sha(path.read_bytes().splitlines()[-1])
    assert verify(tmp_path) == VerifyResult(True, 5, None, None, 1, 5)


def test_a_damaged_line_in_the_middle_is_skipped_by_readers_and_fails_verify(
    tmp_path: Path,
) -> None:
    clock = FakeClock(datetime(2026, 11, 21, 8, 0, tzinfo=UTC))
    path = _three_events(tmp_path, clock)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(lines[0] + b"not json\n" + lines[2])
    problems: list[str] = []
    assert [e.seq for e in read_events(tmp_path, problems=problems)] == [1, 3]
    assert problems == [
        "events-2026-11-21.jsonl:2: not valid JSON (Expecting value: line 1 column 1 (char 0));"
        " skipped"
    ]
    assert verify(tmp_path).first_bad == (
        "events-2026-11-21.jsonl:2: not valid JSON (Expecting value: line 1 column 1 (char 0))"
    )


def test_a_missing_directory_reads_as_empty_but_does_not_verify(tmp_path: Path) -> None:
    assert list(read_events(tmp_path / "nowhere")) == []
    with pytest.raises(EventLogError, match="no event log directory at"):
        verify(tmp_path / "nowhere")
    assert verify(tmp_path) == VerifyResult(True, 0, None, None, None, None)


# --------------------------------------------------------------------------- retention


def _ten_days(directory: Path) -> tuple[EventLog, FakeClock]:
    """Three events a day from 2026-11-01 to 2026-11-10; the clock ends on 2026-11-11."""
    clock = FakeClock(datetime(2026, 11, 1, 12, 0, tzinfo=UTC))
    log = open_log(directory, clock)
    for day in range(10):
        for n in range(3):
            log.append("breathing.phase", {"day": day, "n": n})
        clock.advance(DAY)
    return log, clock


def test_prune_removes_old_files_and_logs_an_anchor(tmp_path: Path) -> None:
    log, clock = _ten_days(tmp_path)
    with log:
        anchor = json.loads((tmp_path / "events-2026-11-08.jsonl").read_bytes().splitlines()[0])
        removed = log.prune(3)  # today 2026-11-11: keep 11-08 and later
        assert [p.name for p in removed] == [f"events-2026-11-0{d}.jsonl" for d in range(1, 8)]
        assert all(not p.exists() for p in removed)
        assert log.prune(3) == []  # nothing more to do: no second event
        assert log.last_seq == 31

    events = list(read_events(tmp_path))
    pruned = events[-1]
    assert pruned.type == "log.pruned"
    assert pruned.data == {
        "files": [p.name for p in removed],
        "first_seq": 22,
        "anchor": anchor["prev"],
    }
    assert verify(tmp_path) == VerifyResult(True, 10, None, None, 22, 31)

    first = tmp_path / "events-2026-11-08.jsonl"
    first.write_bytes(b"".join(first.read_bytes().splitlines(keepends=True)[1:]))
    assert verify(tmp_path).first_bad == (
        "events-2026-11-08.jsonl:1: the log starts at seq 23 and no log.pruned event vouches "
        "for it: the beginning of the log is missing"
    )


def test_prune_never_removes_the_newest_file(tmp_path: Path) -> None:
    log, clock = _ten_days(tmp_path)
    with log:
        clock.advance(100 * DAY)  # every file is older than 30 days
        removed = log.prune(30)
    assert len(removed) == 9
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["events-2026-11-10.jsonl", "events-2027-02-19.jsonl"]
    assert verify(tmp_path).ok


def test_pruning_twice_keeps_the_log_verifiable(tmp_path: Path) -> None:
    log, clock = _ten_days(tmp_path)
    with log:
        log.prune(7)
        clock.advance(2 * DAY)
        log.append("kiosk.started")
        log.prune(7)
    result = verify(tmp_path)
    assert result.ok and result.first_seq == 16, result


def test_prune_with_no_kept_lines_anchors_on_its_own_event(tmp_path: Path) -> None:
    log, clock = _ten_days(tmp_path)
    with log:
        # the newest file exists but is empty: every event would be pruned
        (tmp_path / "events-2026-11-11.jsonl").touch()
        log.prune(0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events-2026-11-11.jsonl"]
    (pruned,) = read_events(tmp_path)
    assert pruned.data["first_seq"] == pruned.seq == 31
    assert pruned.data["anchor"] == pruned.prev
    assert verify(tmp_path).ok


def test_negative_retention_is_refused(tmp_path: Path) -> None:
    with open_log(tmp_path, FakeClock()) as log, pytest.raises(ValueError):
        log.prune(-1)


def test_reading_from_a_day_skips_older_files(tmp_path: Path) -> None:
    from datetime import timedelta

    clock = FakeClock(datetime(2026, 3, 1, 22, 0, tzinfo=timezone.utc))
    with EventLog(tmp_path, kiosk="k", room="r", clock=clock) as log:
        for _ in range(3):
            log.append("kiosk.started")
            clock.advance(24 * 3600)
    since = (clock.now() - timedelta(days=2)).date()
    assert [e.seq for e in read_events(tmp_path, since_day=since)] == [2, 3]
    assert [e.seq for e in read_events(tmp_path)] == [1, 2, 3]
