"""The visit model over the real event log: what is on disk is enough to restore it."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.events import EventLog, read_events, verify
from kiosk.session import STAGES, SessionModel


@pytest.mark.parametrize("stage", STAGES)
def test_restore_from_disk_after_a_crash_in_every_stage(stage: str, tmp_path: Path) -> None:
    clock = FakeClock(datetime(2026, 11, 21, 23, 30, tzinfo=timezone.utc))  # crosses midnight
    log = EventLog(tmp_path, kiosk="chair-3", room="Room 3", clock=clock)
    live = SessionModel(log, clock, languages=("en", "es"))
    live.start(55, "es")
    while live.stage != stage:
        clock.advance(9 * 60)
        live.advance()
    clock.advance(4 * 60 + 30)
    expected_state = live.state
    expected_elapsed = live.infusion_elapsed_seconds()
    log.close()  # the process dies here; only the disk remains

    after_boot = FakeClock(clock.now())  # same wall time, a new monotonic origin
    reopened = EventLog(tmp_path, kiosk="chair-3", room="Room 3", clock=after_boot)
    restored = SessionModel(reopened, after_boot, languages=("en", "es"))
    restored.restore(read_events(tmp_path))
    assert restored.state == expected_state
    assert restored.infusion_elapsed_seconds() == pytest.approx(expected_elapsed)

    after_boot.advance(40 * 60)  # the restored visit carries on past midnight
    if stage != STAGES[-1]:
        restored.advance()
    restored.end()
    reopened.close()
    result = verify(tmp_path)
    assert result.ok, result.first_bad
    types = [event.type for event in read_events(tmp_path)]
    assert types.count("session.started") == 1
    assert types.count("session.ended") == 1
    assert len(list(tmp_path.glob("events-*.jsonl"))) == 2  # the visit crossed midnight
