"""A kiosk killed with SIGKILL during the infusion comes back on the same stage and time."""

from __future__ import annotations

import re
import signal
from datetime import datetime, timedelta, timezone
from pathlib import Path

from kiosk.clock import FakeClock
from kiosk.events import EventLog, read_events, verify
from tests.kioskproc import RunningKiosk

RUNNING = re.compile(r"kiosk chair-2 is running in Room 2")
RESTORED = re.compile(r"restored the open visit (\w+): stage (\w+), (\d+) min of infusion")


def test_sigkill_during_the_infusion_then_restart(tmp_path: Path) -> None:
    events = tmp_path / "events"
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\nid = "chair-2"\nroom = "Room 2"\n[log]\ndir = "{events}"\n')

    # An earlier run opened a visit; the infusion began 15 minutes ago.
    now = datetime.now(timezone.utc)
    clock = FakeClock(now - timedelta(minutes=25))
    with EventLog(events, kiosk="chair-2", room="Room 2", clock=clock) as log:
        log.append("session.started", {"planned_infusion_minutes": 45, "language": "en",
                                       "stage": "settling"}, session="v1")
        clock.advance(5 * 60)
        log.append("stage.changed", {"from": "settling", "to": "iv_placement",
                                     "direction": "forward"}, session="v1")
        clock.advance(5 * 60)
        log.append("stage.changed", {"from": "iv_placement", "to": "infusion",
                                     "direction": "forward"}, session="v1")

    first = RunningKiosk(config)
    session, stage, minutes = first.wait_for(RESTORED).groups()
    assert (session, stage) == ("v1", "infusion")
    assert 15 <= int(minutes) <= 16
    first.wait_for(RUNNING)
    assert first.stop(signal.SIGKILL) == -signal.SIGKILL

    second = RunningKiosk(config)
    session, stage, minutes_after = second.wait_for(RESTORED).groups()
    assert (session, stage) == ("v1", "infusion")
    assert int(minutes) <= int(minutes_after) <= int(minutes) + 1
    second.wait_for(RUNNING)
    assert second.stop(signal.SIGTERM) == 0

    result = verify(events)
    assert result.ok, result.first_bad
    types = [e.type for e in read_events(events)]
    assert types.count("kiosk.started") == 2
    assert types.count("kiosk.stopped") == 1  # the killed one could not say goodbye
    assert types.count("session.started") == 1
