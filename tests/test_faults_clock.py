"""The wall clock jumps during a visit: back an hour, forward a day (an NTP step, a wrong setting).

Set-up: a visit whose infusion is running, an open nurse call and a staff PIN lock-out, on a
real event log, with a FakeClock whose wall time jumps while the monotonic reading goes on.

What must hold:

* every event keeps its place: `seq` goes up by one from line to line, across the UTC day
  files too (a jump forward starts a newer day file; after a jump back over midnight lines
  go on in the newest file, never into an older one), and `read_events` gives seq order;
* the live durations follow the monotonic clock: the infusion minutes, the call's wait and
  the lock-out are never negative and never a day longer, and the lock-out ends neither
  early nor late;
* a restore (the state rebuilt from the log, as after a restart) has only the log's wall
  stamps. What it gives, documented here: after a jump back past a stage's start, that
  duration counts from 0 (never negative) and a lock-out starts over in full (never longer
  than its length); after a jump forward of a day, a running infusion and an open call read
  a day longer (the call is escalated at the next tick), and a lock-out has been served. An
  infusion that has ended keeps the minutes measured on the monotonic clock.
* the real window's stage screen shows sane minutes through the jumps.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from kiosk import config as kiosk_config
from kiosk.app import KioskWindow, create_window
from kiosk.clock import FakeClock
from kiosk.config import Config
from kiosk.events import Event, EventLog, iter_records, read_events, verify
from kiosk.nurse_call import NurseCall
from kiosk.security import PinGate, hash_pin
from kiosk.session import SessionModel

UTC = timezone.utc
MIN = 60.0
HOUR = 3600.0
DAY = 86400.0
PIN = "428613"
WRONG = "999111"
PIN_HASH = hash_pin(PIN, n=2**4)
START = datetime(2026, 11, 21, 23, 0, tzinfo=UTC)  # an hour before midnight


class RestoreOnly:
    def append(self, type: str, data: Mapping[str, Any] | None = None, *,
               session: str | None = None) -> Event:
        raise AssertionError(f"a restore tried to record {type}")


class Room:
    """The models of one kiosk on a real log, and what a restart would rebuild from it."""

    def __init__(self, directory: Path, clock: FakeClock) -> None:
        self.dir, self.clock = directory, clock
        self.log = EventLog(directory, kiosk="chair-2", room="Room 2", clock=clock)
        self.session = SessionModel(self.log, clock)
        self.calls = NurseCall(self.log, clock, session=lambda: self.session.state.session)
        self.gate = PinGate(self.log, clock, pin_hash=PIN_HASH, lockout_seconds=3600)
        self.t0 = clock.monotonic()

    def t(self) -> float:
        """Minutes on the monotonic clock since the room was set up."""
        return (self.clock.monotonic() - self.t0) / MIN

    def restored(self) -> tuple[SessionModel, NurseCall, PinGate]:
        events = list(read_events(self.dir))
        session = SessionModel(RestoreOnly(), self.clock)
        session.restore(events)
        calls = NurseCall(RestoreOnly(), self.clock)
        calls.restore(events)
        gate = PinGate(RestoreOnly(), self.clock, pin_hash=PIN_HASH, lockout_seconds=3600)
        gate.restore(events)
        return session, calls, gate

    def check_live(self, infusion: float, waited: float, locked: float) -> None:
        """The live durations, in minutes, are what the monotonic clock says."""
        assert self.session.infusion_elapsed_seconds() == pytest.approx(infusion * MIN)
        assert self.calls.waited_seconds() == pytest.approx(waited * MIN)
        assert self.gate.locked_for() == pytest.approx(locked * MIN)


@pytest.fixture
def room(tmp_path: Path) -> Iterator[Room]:
    room = Room(tmp_path / "events", FakeClock(START))
    yield room
    room.log.close()


def day_files(directory: Path) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for record in iter_records(directory):
        found.setdefault(record.file, []).append(record.event.seq)
    return found


def test_jumps_back_and_forward_during_an_infusion_a_call_and_a_lock_out(room: Room) -> None:
    clock = room.clock
    room.session.start(90, "en")  # 23:00
    clock.advance(5 * MIN)
    room.session.advance()
    clock.advance(5 * MIN)
    room.session.advance()  # 23:10: the infusion begins
    clock.advance(5 * MIN)
    room.calls.request()  # 23:15: a call...
    for _ in range(5):
        room.gate.try_unlock(WRONG)  # ...and staff entry locked for an hour
    clock.advance(5 * MIN)  # 23:20
    room.check_live(infusion=10, waited=5, locked=55)

    # forward a day: 23:20 the next day, a new day file
    clock.set_wall(clock.now() + timedelta(days=1))
    room.calls.tick()  # the call's escalation was due: written at once
    room.check_live(infusion=10, waited=5, locked=55)  # the lock-out does not end early
    assert room.calls.state.escalated
    assert room.session.infusion_minutes_left() == 80
    session, calls, gate = room.restored()
    # a restore has only wall stamps: the running infusion and the call read a day longer,
    # the lock-out has been served (never longer than its length, never negative)
    assert session.infusion_elapsed_seconds() == pytest.approx(DAY + 10 * MIN)
    assert session.infusion_minutes_left() == 0
    assert calls.waited_seconds() == pytest.approx(DAY + 5 * MIN)
    assert calls.state.escalated
    assert gate.locked_for() == 0

    clock.advance(45 * MIN)  # 00:05 two days on: another new day file
    room.calls.tick()  # an escalated reminder
    room.check_live(infusion=55, waited=50, locked=10)

    # back an hour: 23:05 of the day before, an older day
    clock.set_wall(clock.now() - timedelta(hours=1))
    room.calls.request()  # a tap after the guard: recorded in the newest file all the same
    room.check_live(infusion=55, waited=50, locked=10)  # the lock-out does not last longer
    session, calls, gate = room.restored()
    # 23:05 on the 22nd, stamps of 23:10 and 23:15 on the 21st: a day less 5 and 10 minutes
    assert session.infusion_elapsed_seconds() == pytest.approx(DAY - 5 * MIN)
    assert calls.waited_seconds() == pytest.approx(DAY - 10 * MIN)
    assert gate.locked_for() == 0
    assert session.infusion_elapsed_seconds() >= 0 and calls.waited_seconds() >= 0

    clock.advance(10 * MIN - 1)
    assert 0 < room.gate.locked_for() <= 1  # ends on time, by the monotonic clock
    clock.advance(2)
    assert room.gate.locked_for() == 0
    assert room.gate.try_unlock(PIN).ok

    clock.advance(5 * MIN - 1)
    assert room.t() == pytest.approx(80)
    room.session.advance()  # the nurse ends the infusion after 70 minutes
    ended = list(read_events(room.dir))[-1]
    assert ended.data["infusion_minutes"] == 70.0
    room.calls.resolve("kiosk")
    session, _, _ = room.restored()
    # not the wall stamps' 24 h 10 min: the length measured on the monotonic clock
    assert session.infusion_elapsed_seconds() == pytest.approx(70 * MIN)
    room.session.end()
    assert list(read_events(room.dir))[-1].data["visit_minutes"] == 80

    # the order of events: by seq, across the day files, and the files' order is the chain's
    events = list(read_events(room.dir))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    files = day_files(room.dir)
    assert list(files) == ["events-2026-11-21.jsonl", "events-2026-11-22.jsonl",
                           "events-2026-11-23.jsonl"]
    seqs = [seq for name in files for seq in files[name]]
    assert seqs == list(range(1, len(events) + 1))
    # after the jump back, lines stamped the 22nd went on in the file of the 23rd
    late = [e for e in read_events(room.dir, since_day=datetime(2026, 11, 23).date())]
    assert any(e.ts.date().isoformat() == "2026-11-22" for e in late)
    result = verify(room.dir)
    assert result.ok and result.torn_tail is None, result


def test_a_restore_after_a_jump_back_counts_from_now_never_negative(room: Room) -> None:
    clock = room.clock
    room.session.start(45, "en")
    room.session.advance()
    room.session.advance()  # the infusion begins at 23:00
    room.calls.request()
    for _ in range(5):
        room.gate.try_unlock(WRONG)
    clock.advance(20 * MIN)
    clock.set_wall(clock.now() - timedelta(hours=1))  # 22:20, before everything in the log
    room.calls.tick()  # written to the newest file (there is only one)
    room.check_live(infusion=20, waited=20, locked=40)
    session, calls, gate = room.restored()
    assert session.infusion_elapsed_seconds() == 0
    assert session.infusion_minutes_left() == 45
    assert calls.waited_seconds() == 0
    assert gate.locked_for() == 3600  # the whole lock-out again: never more than its length
    clock.advance(10 * MIN)
    assert session.infusion_elapsed_seconds() == pytest.approx(10 * MIN)  # and counts on
    assert [e.seq for e in read_events(room.dir)] == list(range(1, room.log.last_seq + 1))


# --------------------------------------------------------------------------- the real window


def make_config(log_dir: Path) -> Config:
    base = kiosk_config.defaults()
    return replace(base, staff=replace(base.staff, pin_hash=PIN_HASH, lockout_seconds=3600),
                   log=replace(base.log, dir=log_dir))


def unlock(window: KioskWindow, pin: str = PIN) -> None:
    window.staff_button.setDown(True)
    window.staff_button.hold_timer.timeout.emit()  # held for the whole hold time
    window.staff_screen.pin_pad.type_digits(pin)
    window.staff_screen.pin_pad.keys["OK"].click()


def timing(window: KioskWindow) -> str:
    window.go_home()  # Back: the stage guide redraws as it is shown
    assert window.current_screen() is window.stage_screen
    return window.stage_screen.timing.text()


def test_the_stage_screen_keeps_sane_minutes_through_the_jumps(
    qtbot: QtBot, tmp_path: Path
) -> None:
    clock = FakeClock(START)
    config = make_config(tmp_path / "events")
    window = create_window(config, clock=clock)
    qtbot.addWidget(window)
    windows = [window]
    try:
        unlock(window)
        staff = window.staff_screen
        staff.more.click()  # 45 minutes
        staff.start_button.click()
        staff.next_button.click()
        staff.next_button.click()
        assert window.session.stage == "infusion"
        staff.close_button.click()
        window.call_button.click()
        assert window.calls.state.is_open
        for _ in range(5):
            unlock(window, WRONG)
        assert window.gate.locked_for() == 3600
        window.close_staff()
        clock.advance(20 * MIN)
        assert timing(window) == "Minutes so far: 20. Minutes to go: about 25."

        clock.set_wall(clock.now() - timedelta(hours=1))
        clock.advance(MIN)
        assert timing(window) == "Minutes so far: 21. Minutes to go: about 25."
        clock.set_wall(clock.now() + timedelta(days=1))
        clock.advance(MIN)
        assert timing(window) == "Minutes so far: 22. Minutes to go: about 25."
        window.calls.tick()  # events after the jumps go on in one chain
        assert "Call made 22 min 0 s ago" in staff.call_info.text()
        window.staff_button.setDown(True)
        window.staff_button.hold_timer.timeout.emit()
        assert "locked for 38 min 0 s" in staff.pin_pad.message.text()
        window.close_staff()

        # a restart now: the log's wall stamps are all a restore has (documented above)
        window.shutdown()
        window.events.close()
        window = create_window(config, clock=clock)
        qtbot.addWidget(window)
        windows.append(window)
        text = timing(window)
        assert text.startswith("Minutes so far: ")
        minutes = int(text.removeprefix("Minutes so far: ").split(".")[0])
        assert minutes == 24 * 60 - 60 + 22  # set back an hour, then forward a day
        assert window.gate.locked_for() == 0  # served by the wall clock
    finally:
        for open_window in windows:
            open_window.shutdown()
            open_window.events.close()
    events = list(read_events(config.log.dir))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert verify(config.log.dir).ok


def test_kiosk_status_never_says_a_call_waited_a_negative_time(tmp_path: Path) -> None:
    from kiosk.status import gather

    clock = FakeClock(datetime.now(UTC))
    with EventLog(tmp_path / "events", kiosk="chair-2", room="Room 2", clock=clock) as log:
        NurseCall(log, clock).request()
    config = make_config(tmp_path / "events")
    set_back = clock.now() - timedelta(hours=1)  # the wall clock as `kiosk status` now reads it
    report = gather(config, None, live=None, live_problem="not running", now=set_back)
    assert report.facts["call"]["waited_minutes"] >= 0
