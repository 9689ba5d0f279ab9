"""kiosk log verify|show|export: exit codes, output lines, local time, filters, exports."""

from __future__ import annotations

import csv
import io
import json
import os
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.events import EventLog
from kiosk.logtool import cmd_export, cmd_show, cmd_verify, parse_since

UTC = timezone.utc
# Central European time as a POSIX rule: no tz database needed.
CET = "CET-1CEST,M3.5.0,M10.5.0/3"


@pytest.fixture
def local_tz() -> Iterator[None]:
    """Run the test in CET; restore the process's zone afterwards."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = CET
    time.tzset()
    yield
    if saved is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = saved
    time.tzset()


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    """A morning visit on 2026-11-21 and the start of another on the 22nd (UTC times)."""
    clock = FakeClock(datetime(2026, 11, 21, 8, 30, 0, 250000, tzinfo=UTC))
    with EventLog(tmp_path, kiosk="kiosk-7", room="room-2", clock=clock) as log:
        log.append("kiosk.started", {"version": "0.1.0"})
        clock.advance(289)  # 08:34:49.250
        log.append(
            "session.started", {"planned_infusion_minutes": 40, "language": "en"}, session="abc123"
        )
        clock.advance(600)
        log.append("nurse_call.requested", session="abc123")
        clock.advance(30)
        log.append("nurse_call.acknowledged", {"by": "staff"}, session="abc123")
        clock.advance(3600)
        log.append("session.ended", {"note": "two words", "ok": True, "x": None}, session="abc123")
        clock.set_wall(datetime(2026, 11, 22, 7, 0, tzinfo=UTC))
        log.append("session.started", {"language": "de"}, session="def456")
    return tmp_path


def run(command, *args, **kwargs) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    out, err = io.StringIO(), io.StringIO()
    code = command(*args, out, err, **kwargs)
    return code, out.getvalue(), err.getvalue()


# --------------------------------------------------------------------------- verify


def test_verify_ok(log_dir: Path) -> None:
    assert run(cmd_verify, log_dir) == (0, "OK: 6 events, seq 1..6, chain intact\n", "")


def test_verify_empty(tmp_path: Path) -> None:
    assert run(cmd_verify, tmp_path) == (0, "OK: 0 events, the log is empty\n", "")


def test_verify_notes_a_torn_tail_and_changes_nothing(log_dir: Path) -> None:
    path = log_dir / "events-2026-11-22.jsonl"
    path.write_bytes(path.read_bytes() + b'{"seq":7')
    before = path.read_bytes()
    code, out, err = run(cmd_verify, log_dir)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "OK: 6 events, seq 1..6, chain intact",
        "note: events-2026-11-22.jsonl:2: incomplete last line (8 bytes, no newline at its end),"
        " left by an interrupted write; the next writer removes it",
    ]
    assert path.read_bytes() == before  # a reader never repairs


def test_verify_fail(log_dir: Path) -> None:
    path = log_dir / "events-2026-11-21.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    del lines[1]
    path.write_bytes(b"".join(lines))
    assert run(cmd_verify, log_dir) == (
        1,
        "FAIL: events-2026-11-21.jsonl:2: seq 2 expected, 3 found\n",
        "",
    )


def test_verify_without_a_directory(tmp_path: Path) -> None:
    assert run(cmd_verify, tmp_path / "nope") == (
        2,
        "",
        f"kiosk log verify: no event log directory at {tmp_path / 'nope'}\n",
    )
    (tmp_path / "file").write_text("")
    assert run(cmd_verify, tmp_path / "file") == (
        2,
        "",
        f"kiosk log verify: {tmp_path / 'file'} is not a directory\n",
    )


# --------------------------------------------------------------------------- show


def test_show_in_local_time(log_dir: Path, local_tz: None) -> None:
    code, out, err = run(cmd_show, log_dir)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "2026-11-21 09:30:00  #1  kiosk.started  version=0.1.0",
        "2026-11-21 09:34:49  #2  session.started  session=abc123  "
        "planned_infusion_minutes=40 language=en",
        "2026-11-21 09:44:49  #3  nurse_call.requested  session=abc123",
        "2026-11-21 09:45:19  #4  nurse_call.acknowledged  session=abc123  by=staff",
        '2026-11-21 10:45:19  #5  session.ended  session=abc123  note="two words" ok=true x=null',
        "2026-11-22 08:00:00  #6  session.started  session=def456  language=de",
    ]


def test_show_filters(log_dir: Path, local_tz: None) -> None:
    def seqs(**filters: object) -> list[str]:
        code, out, err = run(cmd_show, log_dir, **filters)
        assert (code, err) == (0, "")
        return [line.split()[2] for line in out.splitlines()]

    assert seqs(session="def456") == ["#6"]
    assert seqs(type_prefix="nurse_call") == ["#3", "#4"]
    assert seqs(type_prefix="nurse_call.*") == ["#3", "#4"]
    assert seqs(type_prefix="nurse_call.acknowledged") == ["#4"]
    assert seqs(type_prefix="nurse") == []
    assert seqs(type_prefix="session", session="abc123") == ["#2", "#5"]
    assert seqs(since=parse_since("2026-11-22")) == ["#6"]
    assert seqs(since=parse_since("2026-11-21T09:45:19")) == ["#4", "#5", "#6"]


def test_show_json_prints_the_lines_as_logged(log_dir: Path) -> None:
    code, out, err = run(cmd_show, log_dir, as_json=True, session="abc123")
    assert (code, err) == (0, "")
    logged = (log_dir / "events-2026-11-21.jsonl").read_text(encoding="utf-8").splitlines()
    assert out.splitlines() == logged[1:]


def test_show_escapes_control_characters(tmp_path: Path) -> None:
    with EventLog(tmp_path, kiosk="k", room="r", clock=FakeClock()) as log:
        log.append("music.track_started", {"title": "a\x1b[2Jb\u2028c"})
    code, out, _ = run(cmd_show, tmp_path)
    assert code == 0 and "\x1b" not in out and "\u2028" not in out
    assert out.rstrip("\n").endswith('title="a\\u001b[2Jb\\u2028c"')
    code, out, _ = run(cmd_show, tmp_path, as_json=True)
    assert json.loads(out)["data"]["title"] == "a\x1b[2Jb\u2028c"


def test_show_notes_skipped_lines_on_err(log_dir: Path) -> None:
    path = log_dir / "events-2026-11-22.jsonl"
    path.write_bytes(path.read_bytes() + b"{")
    code, out, err = run(cmd_show, log_dir)
    assert code == 0 and len(out.splitlines()) == 6
    assert err.startswith("note: events-2026-11-22.jsonl:2: incomplete last line")


def test_show_without_a_directory(tmp_path: Path) -> None:
    code, out, err = run(cmd_show, tmp_path / "nope")
    assert (code, out) == (2, "")
    assert err == f"kiosk log show: no event log directory at {tmp_path / 'nope'}\n"


def test_a_closed_pipe_is_no_traceback(log_dir: Path) -> None:
    class ClosedPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    err = io.StringIO()
    assert cmd_show(log_dir, ClosedPipe(), err) == 2
    assert err.getvalue() == ""


# --------------------------------------------------------------------------- export


def test_export_csv_parses_back(log_dir: Path) -> None:
    code, out, err = run(cmd_export, log_dir, fmt="csv")
    assert (code, err) == (0, "")
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert list(rows[0]) == ["seq", "ts", "kiosk", "room", "session", "type", "data"]
    assert [row["seq"] for row in rows] == ["1", "2", "3", "4", "5", "6"]
    assert rows[0]["session"] == "" and rows[1]["session"] == "abc123"
    assert rows[1]["ts"] == "2026-11-21T08:34:49.250Z"
    assert json.loads(rows[1]["data"]) == {"planned_infusion_minutes": 40, "language": "en"}
    assert rows[4]["data"] == '{"note":"two words","ok":true,"x":null}'


def test_export_json_parses_back(log_dir: Path) -> None:
    code, out, err = run(cmd_export, log_dir, fmt="json")
    assert (code, err) == (0, "")
    exported = json.loads(out)
    logged = [
        json.loads(line)
        for path in sorted(log_dir.iterdir())
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    assert exported == logged


def test_export_since(log_dir: Path) -> None:
    since = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    code, out, _ = run(cmd_export, log_dir, fmt="json", since=since)
    assert [e["seq"] for e in json.loads(out)] == [5, 6]
    code, out, _ = run(cmd_export, log_dir, fmt="csv", since=since)
    assert len(list(csv.reader(io.StringIO(out, newline="")))) == 3
    code, out, _ = run(cmd_export, log_dir, fmt="json", since=datetime(2030, 1, 1, tzinfo=UTC))
    assert (code, out, json.loads(out)) == (0, "[]\n", [])


def test_export_errors(log_dir: Path, tmp_path: Path) -> None:
    assert run(cmd_export, log_dir, fmt="xml") == (
        2,
        "",
        "kiosk log export: unknown export format 'xml' (expected csv or json)\n",
    )
    code, out, err = run(cmd_export, tmp_path / "nope", fmt="csv")
    assert (code, out) == (2, "")
    assert err.startswith("kiosk log export: no event log directory at")


# --------------------------------------------------------------------------- parse_since


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-21", datetime(2026, 11, 20, 23, 0, tzinfo=UTC)),  # local midnight, CET
        ("2026-07-01", datetime(2026, 6, 30, 22, 0, tzinfo=UTC)),  # CEST
        ("2026-11-21T10:00", datetime(2026, 11, 21, 9, 0, tzinfo=UTC)),
        (" 2026-11-21 10:00:30 ", datetime(2026, 11, 21, 9, 0, 30, tzinfo=UTC)),
        ("2026-11-21T10:00:00+00:00", datetime(2026, 11, 21, 10, 0, tzinfo=UTC)),
        ("2026-11-21T10:00Z", datetime(2026, 11, 21, 10, 0, tzinfo=UTC)),
        ("2026-11-21T10:00:00.5+02:00", datetime(2026, 11, 21, 8, 0, 0, 500000, tzinfo=UTC)),
    ],
)
def test_parse_since(local_tz: None, text: str, expected: datetime) -> None:
    result = parse_since(text)
    assert result == expected and result.tzinfo == UTC


@pytest.mark.parametrize("text", ["", "yesterday", "2026-13-01", "21.11.2026", "2026-11-21T25:00"])
def test_parse_since_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="is not a date or time"):
        parse_since(text)
