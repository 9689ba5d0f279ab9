"""A log of 1,000,000 events: `kiosk log verify` and the visit restore, beside a bare read.

The log is written once per run into /var/tmp (the disk of /var/lib): visits of a
clinic day after day (stage changes, check-ins, music, breathing, calls, staff PIN
entries), chained and hashed exactly as `EventLog` writes them, one day file per UTC
day, the last visit left open. Three children then read it, one after another, each
measured for wall time and peak RSS (`ru_maxrss` of the finished child):

- `kiosk log verify DIR` (the command IT runs);
- restore: what a start does before its window (`kiosk.restore.read_history`, as
  `kiosk.app._history` calls it, then the visit, care, call and PIN gate restored from
  it), without Qt, whose own memory the start-up rows show;
- floor: a bare Python loop reading every line of every day file and parsing its JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from kiosk.event_format import (
    ZERO_HASH,
    encode_line,
    file_name_for,
    format_ts,
    line_hash,
)
from kiosk.session import STAGES

ROOT = Path(__file__).resolve().parents[1]
EVENTS = 1_000_000
GOAL_SECONDS = 5.0
GOAL_MB = 100.0
DISK_FOLDER = "/var/tmp"

RESTORE = r"""
import sys
from pathlib import Path
from kiosk.restore import read_history
from kiosk.care import VisitCare
from kiosk.clock import SystemClock
from kiosk.nurse_call import NurseCall
from kiosk.security import PinGate
from kiosk.session import SessionModel

class Sink:
    def append(self, *args, **kwargs):
        raise RuntimeError("restore must not write")

clock = SystemClock()
history = read_history(Path(sys.argv[1])).events()
session = SessionModel(Sink(), clock, languages=("en", "es"))
session.restore(history)
VisitCare(Sink(), session).restore(history)
calls = NurseCall(Sink(), clock, session=lambda: session.state.session)
calls.restore(history)
gate = PinGate(Sink(), clock, pin_hash="")
gate.restore(history)
if not session.state.is_open:
    sys.exit("the open visit was not restored")
print(session.state.stage, len(history))
"""

FLOOR = r"""
import json, sys
from pathlib import Path
count = 0
for path in sorted(Path(sys.argv[1]).glob("events-*.jsonl")):
    with open(path, "rb") as handle:
        for line in handle:
            json.loads(line)
            count += 1
print(count)
"""


def _visit_events(number: int) -> list[tuple[str, dict[str, Any], bool]]:
    """One visit: (type, data, belongs to the visit)."""
    call = f"call-{number}"
    out: list[tuple[str, dict[str, Any], bool]] = [
        ("session.started", {"planned_infusion_minutes": 45, "language": "en"}, True),
        ("checkin.recorded", {"moment": "before", "value": 3}, True),
        ("comfort_plan.recorded", {"choices": ["music", "blanket"]}, True),
    ]
    for stage in STAGES[1:]:
        out.append(("stage.changed", {"from": "x", "to": stage, "direction": "forward"}, True))
        out += [("music.track", {"playlist": "Calm", "track": f"t{i}.ogg"}, True) for i in range(3)]
    out += [
        ("breathing.started", {"pattern": "calm"}, True),
        ("breathing.stopped", {"pattern": "calm", "seconds": 300}, True),
        ("nurse_call.requested", {"call_id": call, "source": "button"}, True),
        ("nurse_call.acknowledged", {"call_id": call, "by": "staff"}, True),
        ("nurse_call.resolved", {"call_id": call, "by": "staff"}, True),
        ("staff.pin_failed", {}, False),
        ("staff.unlocked", {}, False),
        ("discharge.confirmed", {"item": "ride_home"}, True),
        ("session.ended", {"visit_minutes": 110}, True),
    ]
    return out


def _all_events(events: int) -> Iterator[tuple[str, str, dict[str, Any], bool]]:
    """(session, type, data, belongs to the visit) of `events` events; the last visit open."""
    size = len(_visit_events(0))
    full = (events - (size - 1)) // size
    for number in range(1, full + 1):
        for type_, data, in_visit in _visit_events(number):
            yield f"visit-{number:07d}", type_, data, in_visit
    last = _visit_events(full + 1)[:-1]  # no session.ended: this visit is still open
    extra = events - full * size - len(last)
    last[3:3] = [("music.track", {"playlist": "Calm", "track": "more.ogg"}, True)] * extra
    for type_, data, in_visit in last:
        yield f"visit-{full + 1:07d}", type_, data, in_visit


def write_log(directory: Path, events: int = EVENTS) -> int:
    """Write a log of `events` events (the last visit left open); the number written."""
    directory.mkdir(parents=True, exist_ok=True)
    when = datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)
    prev, seq = ZERO_HASH, 0
    handle = None
    current = ""
    try:
        for session, type_, data, in_visit in _all_events(events):
            seq += 1
            when += timedelta(seconds=90)
            name = file_name_for(when.date())
            if name != current:
                if handle is not None:
                    handle.close()
                handle = open(directory / name, "ab")  # noqa: SIM115 - one per day
                current = name
            line = encode_line({"seq": seq, "ts": format_ts(when), "kiosk": "kiosk-1",
                                "room": "Room 1", "session": session if in_visit else None,
                                "type": type_, "data": data, "prev": prev})
            handle.write(line + b"\n")
            prev = line_hash(line)
    finally:
        if handle is not None:
            handle.close()
    return seq


@dataclass(frozen=True)
class Read:
    seconds: float
    peak_mb: float


@dataclass(frozen=True)
class Results:
    events: int
    write_seconds: float
    verify: Read
    restore: Read
    floor: Read
    folder: str


def _child(args: list[str]) -> Read:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    began = time.monotonic()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    seconds = time.monotonic() - began
    # the finished child's peak RSS: ru_maxrss of the children reaped so far is a running
    # maximum, so each child is read alone, in its own grandchild process
    if proc.returncode != 0:
        raise RuntimeError(f"{args[:4]} failed: {(err or out).decode(errors='replace')[-1500:]}")
    peak = float(out.decode().strip().splitlines()[-1].rsplit(" ", 1)[-1]) / 1024
    return Read(seconds, peak)


def _measured(code_or_module: list[str]) -> list[str]:
    """A command that runs `code_or_module` and prints its peak RSS in KB last."""
    wrapper = (
        "import resource, subprocess, sys; "
        "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
        "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
        "sys.exit(done.returncode)"
    )
    return [sys.executable, "-c", wrapper, *code_or_module]


def measure(events: int = EVENTS) -> Results:
    parent = DISK_FOLDER if os.access(DISK_FOLDER, os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="kiosk-biglog-", dir=parent) as tmp:
        directory = Path(tmp) / "events"
        began = time.monotonic()
        written = write_log(directory, events)
        write_seconds = time.monotonic() - began
        verify = _child(_measured([sys.executable, "-m", "kiosk", "log", "verify", "--dir", str(directory)]))
        restore = _child(_measured([sys.executable, "-c", RESTORE, str(directory)]))
        floor = _child(_measured([sys.executable, "-c", FLOOR, str(directory)]))
    return Results(written, write_seconds, verify, restore, floor, parent or tempfile.gettempdir())


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else EVENTS).__dict__,
                     default=str))
