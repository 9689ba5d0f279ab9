"""A child process for the event log's crash tests (run as a script, never imported by pytest).

    event_log_child.py fill DIR LIMIT   append until the file size limit LIMIT (bytes) stops it
    event_log_child.py spam DIR         append as fast as possible, printing each returned seq

`fill` is "disk full" without privileges: RLIMIT_FSIZE makes writes past the limit fail with
EFBIG once SIGXFSZ is ignored. It must end with one clear line on stderr and exit status 1,
never a traceback. `spam` prints a seq only after append() returned, so every printed seq is a
promise the log must keep when the parent kills this process with SIGKILL.
"""

from __future__ import annotations

import errno
import resource
import signal
import sys
from datetime import datetime, timezone
from pathlib import Path

from kiosk.clock import FakeClock
from kiosk.events import EventLog, EventLogError

START = datetime(2026, 11, 21, 8, 0, tzinfo=timezone.utc)


def fill(directory: Path, limit: int) -> int:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    clock = FakeClock(START)
    last = 0
    try:
        with EventLog(directory, kiosk="kiosk-7", room="room-2", clock=clock) as log:
            while True:
                last = log.append("music.track_started", {"track": "t" * 90, "n": last}).seq
                clock.advance(1)
    except EventLogError as exc:
        cause = exc.__cause__
        code = errno.errorcode.get(getattr(cause, "errno", None) or 0, "?")
        print(f"last_seq={last} errno={code}", flush=True)
        print(f"event log error: {exc}", file=sys.stderr, flush=True)
        return 1


def spam(directory: Path) -> int:
    clock = FakeClock(START)
    with EventLog(directory, kiosk="kiosk-7", room="room-2", clock=clock) as log:
        while True:
            event = log.append("breathing.phase", {"phase": "in", "n": log.last_seq})
            print(event.seq, flush=True)
            clock.advance(0.001)


def main(argv: list[str]) -> int:
    mode, directory = argv[1], Path(argv[2])
    if mode == "fill":
        return fill(directory, int(argv[3]))
    if mode == "spam":
        return spam(directory)
    print(f"unknown mode {mode!r}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
