"""The event log under failure: fsync order, failing writes, a full disk, SIGKILL, a lost dir."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.events import EventLog, EventLogError, VerifyResult, read_events, verify

UTC = timezone.utc
HELPER = Path(__file__).parent / "helpers" / "event_log_child.py"
REPO = Path(__file__).resolve().parent.parent
Call = tuple


def open_log(directory: Path, clock: FakeClock | None = None) -> EventLog:
    clock = clock or FakeClock(datetime(2026, 11, 21, 23, 59, 30, tzinfo=UTC))
    return EventLog(directory, kiosk="kiosk-7", room="room-2", clock=clock)


def fd_target(fd: int) -> str:
    return os.readlink(f"/proc/self/fd/{fd}")


def open_fds_to(path: Path) -> list[int]:
    found = []
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}") == str(path):
                found.append(int(name))
        except OSError:
            pass
    return found


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


# --------------------------------------------------------------------------- fsync order


@pytest.fixture
def calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Call]:
    """os.write / os.fsync on files under tmp_path, recorded after they returned."""
    recorded: list[Call] = []
    real_write, real_fsync = os.write, os.fsync
    root = str(tmp_path)

    def write(fd: int, data: bytes) -> int:
        target = fd_target(fd)
        written = real_write(fd, data)
        if target.startswith(root):
            recorded.append(("write", target, bytes(data[:written])))
        return written

    def fsync(fd: int) -> None:
        target, is_dir = fd_target(fd), stat.S_ISDIR(os.fstat(fd).st_mode)
        real_fsync(fd)
        if target.startswith(root):
            recorded.append(("fsync-dir" if is_dir else "fsync", target))

    monkeypatch.setattr(os, "write", write)
    monkeypatch.setattr(os, "fsync", fsync)
    return recorded


def test_append_returns_after_write_then_fsync_and_syncs_the_dir_for_new_files(
    tmp_path: Path, calls: list[Call]
) -> None:
    directory = tmp_path / "log"
    clock = FakeClock(datetime(2026, 11, 21, 23, 59, 30, tzinfo=UTC))
    log = open_log(directory, clock)
    calls.clear()
    day1 = str(directory / "events-2026-11-21.jsonl")
    day2 = str(directory / "events-2026-11-22.jsonl")
    with log:
        calls.append(("returned", log.append("kiosk.started").seq))
        calls.append(("returned", log.append("config.loaded").seq))
        clock.advance(60)
        calls.append(("returned", log.append("session.started", session="s1").seq))

    lines1 = Path(day1).read_bytes().splitlines(keepends=True)
    lines2 = Path(day2).read_bytes().splitlines(keepends=True)
    assert calls == [
        ("fsync-dir", str(directory)),  # the new file's directory entry
        ("write", day1, lines1[0]),
        ("fsync", day1),
        ("returned", 1),
        ("write", day1, lines1[1]),  # same file: no directory sync
        ("fsync", day1),
        ("returned", 2),
        ("fsync-dir", str(directory)),
        ("write", day2, lines2[0]),
        ("fsync", day2),
        ("returned", 3),
    ]


def test_short_writes_are_continued_before_the_fsync(
    tmp_path: Path, calls: list[Call], monkeypatch: pytest.MonkeyPatch
) -> None:
    log = open_log(tmp_path)
    recording_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: recording_write(fd, bytes(data[:7])))
    calls.clear()
    with log:
        log.append("nurse_call.requested", {"reason": "button"}, session="s1")
        calls.append(("returned",))
    line = (tmp_path / "events-2026-11-21.jsonl").read_bytes()
    writes = [c for c in calls if c[0] == "write"]
    assert len(writes) == -(-len(line) // 7)
    assert b"".join(c[2] for c in writes) == line
    assert [c[0] for c in calls] == ["fsync-dir"] + ["write"] * len(writes) + ["fsync", "returned"]


# --------------------------------------------------------------------------- failing writes


def patch_file_calls(
    monkeypatch: pytest.MonkeyPatch, name: str, replacement: Callable[..., object]
) -> None:
    """Replace os.<name> for regular files only (directory fsyncs go through)."""
    real = getattr(os, name)

    def patched(fd: int, *args: object) -> object:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            return replacement(real, fd, *args)
        return real(fd, *args)

    monkeypatch.setattr(os, name, patched)


def raise_oserror(code: int) -> Callable[..., object]:
    def fail(real: object, fd: int, *args: object) -> object:
        raise OSError(code, os.strerror(code))

    return fail


def test_a_failed_fsync_raises_and_the_line_that_reached_the_file_is_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "events-2026-11-21.jsonl"
    log = open_log(tmp_path)
    log.append("kiosk.started")
    with monkeypatch.context() as patch:
        patch_file_calls(patch, "fsync", raise_oserror(errno.EIO))
        with pytest.raises(EventLogError) as info:
            log.append("session.started", session="s1")
    assert str(info.value) == f"could not write the event log {path}: Input/output error"
    assert isinstance(info.value.__cause__, OSError) and info.value.__cause__.errno == errno.EIO
    assert open_fds_to(path) == []  # never fsynced again as if the failed one had worked

    # os.write had put the line in the file: it is there, so it keeps its seq
    with log:
        after = log.append("session.ended", session="s1")
    events = list(read_events(tmp_path))
    assert [(e.seq, e.type) for e in events] == [
        (1, "kiosk.started"),
        (2, "session.started"),
        (3, "session.ended"),
    ]
    assert after.seq == 3
    assert verify(tmp_path).ok


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EIO])
def test_a_write_that_wrote_nothing_leaves_no_gap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    log = open_log(tmp_path)
    log.append("kiosk.started")
    with monkeypatch.context() as patch:
        patch_file_calls(patch, "write", raise_oserror(code))
        with pytest.raises(EventLogError, match=os.strerror(code)):
            log.append("session.started", session="s1")
        assert log.last_seq == 1
    with log:
        assert log.append("session.ended", session="s1").seq == 2
    assert [e.type for e in read_events(tmp_path)] == ["kiosk.started", "session.ended"]
    assert verify(tmp_path).ok


def test_a_half_written_line_is_removed_and_recorded_before_the_next_event(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = open_log(tmp_path)
    log.append("kiosk.started")
    attempts = 0

    def half_then_eio(real: Callable[..., int], fd: int, data: bytes) -> int:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            return real(fd, bytes(data[:10]))
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    with monkeypatch.context() as patch:
        patch_file_calls(patch, "write", half_then_eio)
        with pytest.raises(EventLogError, match="Input/output error"):
            log.append("session.started", session="s1")
    assert verify(tmp_path).torn_tail is not None
    with log:
        after = log.append("session.started", session="s1")
    events = list(read_events(tmp_path))
    assert [(e.seq, e.type) for e in events] == [
        (1, "kiosk.started"),
        (2, "error"),
        (3, "session.started"),
    ]
    assert events[1].data == {
        "what": "torn_tail_removed",
        "file": "events-2026-11-21.jsonl",
        "bytes": 10,
    }
    assert after.seq == 3
    result = verify(tmp_path)
    assert result.ok and result.torn_tail is None


def test_disk_full_in_a_child_process_fails_cleanly_and_the_log_survives(
    tmp_path: Path,
) -> None:
    directory = tmp_path / "log"
    limit = 5000
    child = subprocess.run(
        [sys.executable, str(HELPER), "fill", str(directory), str(limit)],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=60,
        check=False,
    )
    assert child.returncode == 1, child.stderr
    assert "Traceback" not in child.stderr
    path = directory / "events-2026-11-21.jsonl"
    expected = f"event log error: could not write the event log {path}: File too large\n"
    assert child.stderr == expected
    last_seq = int(child.stdout.split()[0].removeprefix("last_seq="))
    assert child.stdout.split()[1] == "errno=EFBIG"
    assert last_seq > 10 and path.stat().st_size <= limit

    result = verify(directory)
    assert result.ok and result.last_seq == last_seq, result
    # the failing line was cut short at the limit (5000 is no multiple of the line length)
    assert result.torn_tail is not None and f":{last_seq + 1}: incomplete" in result.torn_tail
    with open_log(directory) as log:
        log.append("kiosk.started")
    result = verify(directory)
    assert result.ok and result.torn_tail is None
    events = list(read_events(directory))
    assert [e.seq for e in events] == list(range(1, last_seq + 3))
    assert events[-2].data["what"] == "torn_tail_removed"


# --------------------------------------------------------------------------- SIGKILL


def run_and_kill(directory: Path, after: int) -> list[int]:
    """Start a child appending as fast as it can; SIGKILL it once it printed `after` seqs.

    Returns every seq the child printed, i.e. every seq whose append() had returned.
    """
    child = subprocess.Popen(
        [sys.executable, str(HELPER), "spam", str(directory)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    assert child.stdout is not None
    printed: list[int] = []
    while len(printed) < after:
        line = child.stdout.readline()  # blocks until the child prints (or dies)
        if not line:
            break
        printed.append(int(line))
    child.kill()
    rest, errors = child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL, errors
    printed.extend(int(word) for word in rest.split())
    assert len(printed) >= after, errors
    return printed


def test_sigkill_at_any_moment_loses_no_acknowledged_event(tmp_path: Path) -> None:
    directory = tmp_path / "log"
    everything: list[int] = []
    for after in (200, 203, 229, 251, 277):
        printed = run_and_kill(directory, after)
        assert printed == list(range(printed[0], printed[0] + len(printed)))
        everything.extend(printed)

        lines = b"".join(p.read_bytes() for p in sorted(directory.iterdir())).split(b"\n")
        for raw in lines[:-2]:
            json.loads(raw)  # every line parses, except perhaps the torn last one
        result = verify(directory)
        assert result.ok, result.first_bad
        logged = {event.seq for event in read_events(directory)}
        assert set(printed) <= logged  # durable: printed only after append() returned

    with open_log(directory) as log:
        final = log.append("kiosk.started")
    result = verify(directory)
    assert result.ok and result.torn_tail is None and result.last_seq == final.seq
    seqs = [event.seq for event in read_events(directory)]
    assert seqs == list(range(1, final.seq + 1))
    assert set(everything) <= set(seqs)


# --------------------------------------------------------------------------- a lost directory


def test_a_regular_file_where_the_directory_should_be(tmp_path: Path) -> None:
    (tmp_path / "log").write_text("not a directory")
    with pytest.raises(EventLogError) as info:
        open_log(tmp_path / "log")
    assert str(info.value) == f"the event log directory {tmp_path / 'log'} is not a directory"


def test_a_directory_that_cannot_be_created(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(EventLogError) as info:
        open_log(tmp_path / "file" / "log")
    assert str(info.value) == (
        f"could not create the event log directory {tmp_path / 'file' / 'log'}: Not a directory"
    )


def test_the_directory_replaced_by_a_file_while_open(tmp_path: Path) -> None:
    directory = tmp_path / "log"
    log = open_log(directory)
    log.append("kiosk.started")
    shutil.rmtree(directory)
    directory.write_text("oops")
    with log:
        with pytest.raises(EventLogError, match="is not a directory"):
            log.append("session.started")  # not silently into the deleted file
        with pytest.raises(EventLogError, match="is not a directory"):
            log.append("session.started")


# --------------------------------------------------------------------------- more failures


def test_a_full_disk_while_opening_a_torn_log_is_recorded_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_log(tmp_path) as log:
        log.append("kiosk.started")
    path = tmp_path / "events-2026-11-21.jsonl"
    path.write_bytes(path.read_bytes() + b'{"seq":2,"ts')
    with monkeypatch.context() as patch:
        patch_file_calls(patch, "write", raise_oserror(errno.ENOSPC))
        log = open_log(tmp_path)  # opens all the same: the torn tail is cut off
        assert path.read_bytes().endswith(b"}\n")
        with pytest.raises(EventLogError, match="No space left on device"):
            log.append("session.started", session="s1")
    with log:
        log.append("session.started", session="s1")
    events = list(read_events(tmp_path))
    assert [(e.seq, e.type) for e in events] == [
        (1, "kiosk.started"),
        (2, "error"),
        (3, "session.started"),
    ]
    assert events[1].data == {"what": "torn_tail_removed", "file": path.name, "bytes": 12}
    assert verify(tmp_path).ok


def test_a_prune_interrupted_before_removing_files_leaves_a_verifiable_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock(datetime(2026, 11, 1, 12, 0, tzinfo=UTC))
    log = open_log(tmp_path, clock)
    for _ in range(5):
        log.append("kiosk.started")
        clock.advance(86400)

    def refuse(self: Path, missing_ok: bool = False) -> None:
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM), str(self))

    with monkeypatch.context() as patch:
        patch.setattr(Path, "unlink", refuse)
        with pytest.raises(EventLogError, match="could not remove the old event log"):
            log.prune(2)
    assert len(list(tmp_path.iterdir())) == 6  # five days and today's log.pruned
    assert verify(tmp_path).ok
    with log:
        assert len(log.prune(2)) == 3
    types = [e.type for e in read_events(tmp_path)]
    assert types[-2:] == ["log.pruned", "log.pruned"]
    assert verify(tmp_path).ok


def test_appends_from_many_threads_keep_one_chain(tmp_path: Path) -> None:
    with open_log(tmp_path) as log:

        def worker(n: int) -> None:
            for i in range(50):
                log.append("breathing.phase", {"worker": n, "i": i})

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert verify(tmp_path) == VerifyResult(True, 200, None, None, 1, 200)
