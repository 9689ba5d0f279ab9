"""The event log: durable, append-only, hash-chained; the kiosk's source of truth.

After a crash or a power cut the kiosk restarts and replays this log to restore the open
session, so an event the caller was told about must survive, and an auditor must be able to
tell whether anything was changed afterwards. Hence:

* One JSON object per line in ``<dir>/events-YYYY-MM-DD.jsonl`` (UTC date), fields in the
  order ``seq ts kiosk room session type data prev``. ``seq`` counts 1, 2, 3... across all
  files; ``prev`` is the SHA-256 of the previous line's bytes (without its newline), 64 zeros
  for the first line ever. Editing, removing, inserting or reordering a line, or removing a
  whole file, breaks the chain, and `verify` says where.
* `EventLog.append` returns only after the whole line is written and ``fsync`` returned (and
  the directory was fsynced when the line created a new file). When writing fails it raises
  `EventLogError` and re-reads the end of the log before the next line, so the chain stays
  whole. A line whose fsync failed may still be in the file (the kernel had it): it is then
  counted, never written twice.
* A crash in the middle of a write leaves a "torn tail": a last line without its newline.
  Readers skip it and say so; the next writer cuts it off, logs a warning and records an
  ``error`` event ``{"what": "torn_tail_removed", "file": ..., "bytes": ...}``. A write that
  fails partway (a full disk) leaves such a tail too; while the disk stays full, the tails
  each try leaves are cut off and counted in one event (``"count": n`` when n > 1).
* One writer at a time: the writer holds an exclusive ``flock`` on the directory, so a second
  kiosk started by mistake fails loudly instead of interleaving two chains. Close an
  `EventLog` (or use it as a context manager) before opening another on the same directory.
* A line goes to the file of its UTC day, except when the wall clock was set back over
  midnight: then it goes to the newest file, so the files' order stays the chain's order.
* If the open day file is deleted (the directory removed or replaced), the writer notices
  before the next line instead of writing it into a file nobody can read any more.

The chain is a check against accidents and casual edits, not a signature: someone who rewrites
a line and every line after it can recompute the hashes. Writing the last ``prev`` somewhere
else (a printout, a central server) is what anchors it.

Privacy: events must never carry patient names or any free text typed by a person. This module
cannot tell a name from an id; the callers (session, nurse call, check-ins...) pass ids, stage
names, numbers and choices from fixed lists only.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import stat
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.clock import Clock
from kiosk.event_format import (
    DIR_MODE,
    FILE_MODE,
    ZERO_HASH,
    Event,
    EventLogError,
    Record,
    VerifyResult,
    day_files,
    encode_line,
    event_from_object,
    field_problem,
    file_day,
    file_name_for,
    format_ts,
    is_valid_type,
    line_hash,
    parse_object,
    parse_ts,
)
from kiosk.event_reader import iter_records, read_events, verify

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self from Python 3.11

__all__ = [
    "Event",
    "EventLog",
    "EventLogBusy",
    "EventLogError",
    "OfflineLog",
    "Record",
    "VerifyResult",
    "file_name_for",
    "format_ts",
    "is_valid_type",
    "iter_records",
    "open_log",
    "parse_ts",
    "read_events",
    "verify",
]

log = logging.getLogger(__name__)
_CHUNK = 64 * 1024


class EventLogBusy(EventLogError):
    """Another writer holds the log directory: a second kiosk must not start on it."""


def _pread_exact(fd: int, size: int, offset: int) -> bytes:
    parts: list[bytes] = []
    while size > 0:
        block = os.pread(fd, size, offset)
        if not block:
            raise OSError(errno.EIO, "the file became shorter while being read")
        parts.append(block)
        size -= len(block)
        offset += len(block)
    return b"".join(parts)


def _rfind_newline(fd: int, end: int) -> int:
    """Offset of the last newline before `end`, or -1; reads backwards, a chunk at a time."""
    pos = end
    while pos > 0:
        start = max(0, pos - _CHUNK)
        index = _pread_exact(fd, pos - start, start).rfind(b"\n")
        if index >= 0:
            return start + index
        pos = start
    return -1


def _last_line(fd: int, end: int) -> tuple[int, bytes] | None:
    """(offset, bytes without newline) of the complete line ending at `end`, None at 0."""
    if end <= 0:
        return None
    start = _rfind_newline(fd, end - 1) + 1
    return start, _pread_exact(fd, end - 1 - start, start)


@dataclass(frozen=True)
class _Tail:
    """The end of one file after repair: its last complete line and what was cut off."""

    last_line: bytes | None
    removed: int


def _repair_tail(path: Path) -> _Tail:
    """Read the end of `path`; cut off a torn last line (no newline, or not JSON)."""
    fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    try:
        size = os.fstat(fd).st_size
        complete_end = _rfind_newline(fd, size) + 1
        cut = complete_end if complete_end < size else None
        last = _last_line(fd, complete_end)
        if cut is None and last is not None and isinstance(parse_object(last[1]), str):
            cut = last[0]
            last = _last_line(fd, cut)
        if cut is not None:
            os.ftruncate(fd, cut)
            os.fsync(fd)
        return _Tail(last[1] if last else None, size - cut if cut is not None else 0)
    finally:
        os.close(fd)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- writer


class EventLog:
    """The single writer of one log directory. Thread-safe; one instance per directory."""

    def __init__(self, directory: Path, *, kiosk: str, room: str, clock: Clock) -> None:
        if not isinstance(kiosk, str) or not kiosk or not isinstance(room, str) or not room:
            raise ValueError("EventLog needs a non-empty kiosk id and room")
        self._dir = Path(directory)
        self._kiosk = kiosk
        self._room = room
        self._clock = clock
        self._mutex = threading.Lock()
        self._fd: int | None = None
        self._fd_name: str | None = None
        self._newest: str | None = None
        self._last_seq = 0
        self._last_hash = ZERO_HASH
        self._stale = True
        self._pending: list[dict[str, Any]] = []
        self.problem = ""
        """Why the last write was refused; "" once one succeeds."""
        self._listeners: list[Callable[[Event], None]] = []
        self._dir_fd: int | None = None
        self._make_directory()
        self._dir_fd = self._lock_directory()
        try:
            self._load_state()
        except BaseException:
            self.close()
            raise
        self._try_flush_pending()

    # -- public

    @property
    def directory(self) -> Path:
        return self._dir

    @property
    def last_seq(self) -> int:
        """The seq of the last line known to be in the log (0 for an empty log)."""
        return self._last_seq

    def append(
        self, type: str, data: Mapping[str, Any] | None = None, *, session: str | None = None
    ) -> Event:
        """Write one event and return it once it is on disk; EventLogError when it is not.

        `problem` keeps the reason of a refused write until a write succeeds again.
        """
        data_obj = _checked_data(type, data, session)
        with self._mutex:
            try:
                self._ready()
                event = self._write_event(type, data_obj, session)
            except EventLogError as error:
                self.problem = str(error)
                raise
            self.problem = ""
            for listener in list(self._listeners):  # under the lock: in seq order
                listener(event)
            return event

    def add_listener(self, listener: Callable[[Event], None]) -> Callable[[], None]:
        """Call `listener(event)` after every line is on disk, in seq order, in the writer's thread.

        For the outbox of a link that sends events on: the listener must only hand the
        event over (a queue) and return, since the writer waits for it, holding the log's
        lock. Returns a function that removes the listener.
        """
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def prune(self, retention_days: int) -> list[Path]:
        """Remove day files older than `retention_days` days (never the newest file).

        The ``log.pruned`` event naming the files, the first kept seq and its ``prev`` (the
        anchor `verify` accepts in place of the removed beginning) is written before the files
        are removed, so a crash in between leaves extra files, never an unexplained gap.
        """
        if retention_days < 0:
            raise ValueError("retention_days must be 0 or more")
        with self._mutex:
            self._ready()
            cutoff = self._clock.now().astimezone(timezone.utc).date() - timedelta(
                days=retention_days
            )
            names = day_files(self._dir)
            doomed = [n for n in names[:-1] if file_day(n) < cutoff]
            if not doomed:
                return []
            first_seq, anchor = self._first_kept(names[len(doomed) :])
            data = {"files": doomed, "first_seq": first_seq, "anchor": anchor}
            self._write_event("log.pruned", data, None)
            return self._remove(doomed)

    def close(self) -> None:
        """Close the files and let another writer open the directory. Idempotent."""
        with self._mutex:
            self._close_file()
            if self._dir_fd is not None:
                os.close(self._dir_fd)  # releases the flock
                self._dir_fd = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_dir_fd", None) is not None:
            self.close()

    # -- opening

    def _make_directory(self) -> None:
        try:
            os.makedirs(self._dir, mode=DIR_MODE)
        except FileExistsError:
            if not self._dir.is_dir():
                raise EventLogError(
                    f"the event log directory {self._dir} is not a directory"
                ) from None
            return
        except OSError as exc:
            raise EventLogError(
                f"could not create the event log directory {self._dir}: {exc.strerror}"
            ) from exc
        try:
            os.chmod(self._dir, DIR_MODE)
            _fsync_directory(self._dir.parent)
        except OSError as exc:
            raise EventLogError(
                f"could not set up the event log directory {self._dir}: {exc.strerror}"
            ) from exc

    def _lock_directory(self) -> int:
        try:
            fd = os.open(self._dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as exc:
            raise EventLogError(
                f"could not open the event log directory {self._dir}: {exc.strerror}"
            ) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise EventLogBusy(
                    f"the event log {self._dir} is already open for writing (another kiosk "
                    "process, or an EventLog in this process that was not closed)"
                ) from exc
            raise EventLogError(
                f"could not lock the event log directory {self._dir}: {exc.strerror}"
            ) from exc
        return fd

    def _load_state(self) -> None:
        """Find the last seq and hash from the end of the newest non-empty file."""
        names = day_files(self._dir)
        self._newest = names[-1] if names else None
        self._last_seq, self._last_hash = 0, ZERO_HASH
        for name in reversed(names):  # empty files (or emptied by a repair) are passed over
            last_line = self._repair(name).last_line
            if last_line is not None:
                self._last_seq = self._seq_of(last_line, name)
                self._last_hash = line_hash(last_line)
                break
        self._stale = False

    def _repair(self, name: str) -> _Tail:
        path = self._dir / name
        try:
            tail = _repair_tail(path)
        except OSError as exc:
            raise EventLogError(
                f"could not open the event log {path} for writing: {exc.strerror}"
            ) from exc
        if tail.removed:
            log.warning(
                "removed an incomplete last line (%d bytes) from %s, left by an interrupted write",
                tail.removed,
                path,
            )
            self._note_removed(name, tail.removed)
        return tail

    def _note_removed(self, name: str, removed: int) -> None:
        """Queue the ``torn_tail_removed`` event for `removed` bytes cut off `name`.

        While the disk refuses every line, each try tears a line and the next try cuts it off
        again: those cuts add up in the one event still waiting for that file (with ``count``,
        the number of cuts), so a long outage neither grows this queue without end nor writes
        a burst of events, one fsync each, once the disk has room again.
        """
        for pending in self._pending:
            if pending.get("what") == "torn_tail_removed" and pending.get("file") == name:
                pending["bytes"] += removed
                pending["count"] = pending.get("count", 1) + 1
                return
        self._pending.append({"what": "torn_tail_removed", "file": name, "bytes": removed})

    def _seq_of(self, line: bytes, name: str) -> int:
        obj = parse_object(line)
        problem = obj if isinstance(obj, str) else field_problem(obj)
        if problem is None and not isinstance(obj, str):
            return int(obj["seq"])
        raise EventLogError(
            f"the last event in {self._dir / name} is damaged ({problem}); "
            "check the log with 'kiosk log verify'"
        )

    # -- writing

    def _ready(self) -> None:
        """Before writing: be open, know the end of the log, record repaired torn tails."""
        if self._dir_fd is None:
            raise EventLogError(f"the event log {self._dir} is closed")
        if self._fd is not None and not self._file_still_linked():
            self._close_file()
            self._stale = True  # the directory was removed or replaced under us
        if self._stale:
            self._load_state()
        while self._pending:
            self._write_event("error", self._pending[0], None)
            self._pending.pop(0)

    def _file_still_linked(self) -> bool:
        """False when the open day file was deleted: lines written to it would be lost."""
        assert self._fd is not None
        try:
            return os.fstat(self._fd).st_nlink > 0
        except OSError:
            return False

    def _try_flush_pending(self) -> None:
        """Record torn tails found on opening; if the disk refuses, retry at the next append."""
        if not self._pending:
            return
        with self._mutex:
            try:
                self._ready()
            except EventLogError as exc:
                log.warning("%s; will retry with the next event", exc)

    def _write_event(self, type_: str, data: dict[str, Any], session: str | None) -> Event:
        now = self._clock.now()
        if now.tzinfo is None:
            raise ValueError("the clock returned a time without a timezone")
        ts = format_ts(now)
        fields = {
            "seq": self._last_seq + 1,
            "ts": ts,
            "kiosk": self._kiosk,
            "room": self._room,
            "session": session,
            "type": type_,
            "data": data,
            "prev": self._last_hash,
        }
        line = encode_line(fields)
        name = self._file_for(parse_ts(ts))
        self._write_line(name, line + b"\n")
        self._last_seq += 1
        self._last_hash = line_hash(line)
        return event_from_object(json.loads(line))

    def _file_for(self, ts: datetime) -> str:
        """The day file of `ts`, but never one older than the newest (a clock set back)."""
        name = file_name_for(ts.date())
        if self._newest is not None and self._newest > name:
            return self._newest
        return name

    def _write_line(self, name: str, payload: bytes) -> None:
        path = self._dir / name
        try:
            fd = self._open_file(name)
            _write_all(fd, payload)
            os.fsync(fd)
        except OSError as exc:
            self._close_file()
            self._stale = True
            raise EventLogError(self._write_failure(path, exc)) from exc

    def _write_failure(self, path: Path, exc: OSError) -> str:
        reason = exc.strerror or str(exc)
        if not self._dir.is_dir():
            return (
                f"could not write the event log {path}: the directory {self._dir} "
                f"is missing or not a directory ({reason})"
            )
        return f"could not write the event log {path}: {reason}"

    def _open_file(self, name: str) -> int:
        if self._fd is not None and self._fd_name == name:
            return self._fd
        self._close_file()
        path = self._dir / name
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC
        try:
            fd = os.open(path, flags | os.O_EXCL, FILE_MODE)
            created = True
        except FileExistsError:
            fd = _open_existing(path, flags)
            created = False
        self._fd, self._fd_name = fd, name
        if created:
            os.fchmod(fd, FILE_MODE)
            _fsync_directory(self._dir)
        if self._newest is None or name > self._newest:
            self._newest = name
        return fd

    def _close_file(self) -> None:
        if self._fd is not None:
            fd, self._fd, self._fd_name = self._fd, None, None
            try:
                os.close(fd)
            except OSError as exc:  # the data is already fsynced or reported as failed
                log.warning("closing the event log file failed: %s", exc)

    # -- pruning

    def _first_kept(self, kept: list[str]) -> tuple[int, str]:
        """seq and prev of the first line that stays (or of the log.pruned event itself)."""
        for name in kept:
            line = self._first_line(name)
            if line is not None:
                obj = parse_object(line)
                if isinstance(obj, str) or field_problem(obj) is not None:
                    raise EventLogError(
                        f"could not prune: the first line of {self._dir / name} is damaged"
                    )
                return obj["seq"], obj["prev"]
        return self._last_seq + 1, self._last_hash

    def _first_line(self, name: str) -> bytes | None:
        path = self._dir / name
        try:
            with open(path, "rb") as handle:
                line = handle.readline()
        except OSError as exc:
            raise EventLogError(f"could not read the event log {path}: {exc.strerror}") from exc
        return line[:-1] if line.endswith(b"\n") else None

    def _remove(self, names: list[str]) -> list[Path]:
        removed: list[Path] = []
        for name in names:
            path = self._dir / name
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise EventLogError(
                    f"could not remove the old event log {path}: {exc.strerror}"
                ) from exc
            removed.append(path)
        try:
            _fsync_directory(self._dir)
        except OSError as exc:
            raise EventLogError(
                f"could not sync the event log directory {self._dir}: {exc.strerror}"
            ) from exc
        return removed


def _open_existing(path: Path, flags: int) -> int:
    """Open a day file that is there; OSError when it is not a regular file.

    Something else under a day file's name (readers pass it over) must fail the write, not
    take the events: a named pipe would block the writer until someone read from it, a
    link to /dev/null would swallow them, a link to nothing would create a file elsewhere
    (which another such link could show twice).
    """
    try:
        fd = os.open(path, (flags & ~os.O_CREAT) | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a named pipe that nobody reads
            raise OSError(errno.ENXIO, "not a regular file") from exc
        if exc.errno == errno.ENOENT:  # a link to nothing (or removed just now)
            raise OSError(errno.ENOENT, "not a regular file (a link to nothing?)") from exc
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        os.set_blocking(fd, True)
    except OSError:
        os.close(fd)
        raise
    return fd


def _write_all(fd: int, payload: bytes) -> None:
    """os.write until every byte is written (a write may be short)."""
    view = memoryview(payload)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.EIO, "the write made no progress")
        view = view[written:]


def _checked_data(
    type_: str, data: Mapping[str, Any] | None, session: str | None
) -> dict[str, Any]:
    """Validate an event's arguments; returns the data as it will read back from the log."""
    if not isinstance(type_, str) or not is_valid_type(type_):
        raise ValueError(f"event type {type_!r} is not dotted lowercase (like 'session.started')")
    if session is not None and not isinstance(session, str):
        raise TypeError("session must be a string or None")
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise TypeError(f"event data for {type_} must be a mapping")
    if not all(isinstance(key, str) for key in data):
        raise TypeError(f"event data keys for {type_} must be strings")
    try:
        text = json.dumps(dict(data), ensure_ascii=False, allow_nan=False)
        text.encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"event data for {type_} cannot be written as JSON: {exc}") from exc
    copy: dict[str, Any] = json.loads(text)
    return copy


# --------------------------------------------------------------------------- readers


class OfflineLog:
    """Stands in for an `EventLog` whose directory could not be opened, so the kiosk still runs.

    A room must not be left without a kiosk (and its Call nurse button) because
    the log disk is full or a directory is wrong. Every append first tries to
    open the real log again, so once IT has fixed the directory events are written
    as usual; until then each append raises `EventLogError` with the reason, which
    callers report (a call still chimes and notifies).
    """

    def __init__(self, directory: Path, *, kiosk: str, room: str, clock: Clock,
                 problem: str) -> None:
        self._dir = Path(directory)
        self._kiosk, self._room, self._clock = kiosk, room, clock
        self._log: EventLog | None = None
        self.problem = problem
        self._listeners: list[Callable[[Event], None]] = []

    @property
    def directory(self) -> Path:
        return self._dir

    @property
    def last_seq(self) -> int:
        return 0 if self._log is None else self._log.last_seq

    def append(
        self, type: str, data: Mapping[str, Any] | None = None, *, session: str | None = None
    ) -> Event:
        written = self._open()
        try:
            event = written.append(type, data, session=session)
        finally:
            self.problem = written.problem
        for listener in list(self._listeners):
            listener(event)
        return event

    def add_listener(self, listener: Callable[[Event], None]) -> Callable[[], None]:
        """As `EventLog.add_listener`: told of every line once the log can be written."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def prune(self, retention_days: int) -> list[Path]:
        return self._open().prune(retention_days)

    def close(self) -> None:
        if self._log is not None:
            self._log.close()

    def _open(self) -> EventLog:
        if self._log is None:
            try:
                self._log = EventLog(self._dir, kiosk=self._kiosk, room=self._room,
                                     clock=self._clock)
            except EventLogError as error:
                self.problem = str(error)
                raise
            self.problem = ""
            log.warning("the event log %s can be written again", self._dir)
        return self._log


def open_log(directory: Path, *, kiosk: str, room: str, clock: Clock) -> EventLog | OfflineLog:
    """The event log, or an `OfflineLog` (logged CRITICAL) when its directory cannot be used.

    Raises `EventLogBusy` when another writer holds the directory.
    """
    try:
        return EventLog(directory, kiosk=kiosk, room=room, clock=clock)
    except EventLogBusy:
        raise
    except EventLogError as error:
        log.critical("the event log cannot be opened: %s; the kiosk runs without it", error)
        return OfflineLog(directory, kiosk=kiosk, room=room, clock=clock, problem=str(error))
