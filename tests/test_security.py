"""Staff PIN: choosing, hashing, checking, and the lock-out kept in the event log.

No Qt and no sleeping: time moves on a FakeClock. Most hashes use a tiny scrypt cost
(N=2**4) so the suite stays fast; one test uses the real defaults.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from kiosk.clock import FakeClock
from kiosk.config_schema import check_pin_hash
from kiosk.events import EventLog, read_events
from kiosk.security import (
    MAX_LOCKOUT_SECONDS,
    MIN_PIN_DIGITS,
    PinGate,
    UnlockResult,
    hash_pin,
    one_time_pin,
    pin_problem,
    verify_pin,
)
from tests.fakes import MemEvent, MemoryLog

UTC = timezone.utc
FAST = 2**4
PIN = "408317"
WRONG = ["951620", "736204", "290458", "615093", "870346", "524791", "183065"]
PIN_HASH = hash_pin(PIN, n=FAST)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 21, 9, 0, tzinfo=UTC))


@pytest.fixture
def log(clock: FakeClock) -> MemoryLog:
    return MemoryLog(clock)


@pytest.fixture
def gate(log: MemoryLog, clock: FakeClock) -> PinGate:
    return PinGate(log, clock, pin_hash=PIN_HASH)


def lock(gate: PinGate, count: int = 5) -> UnlockResult:
    """Enter `count` wrong PINs; the result of the last."""
    result = UnlockResult(ok=False)
    for pin in WRONG[:count]:
        result = gate.try_unlock(pin)
    return result


def assert_no_pin_in(events: list[Any], *pins: str) -> None:
    """No typed PIN, nor any 3 digits of one in a row, appears in any event's data."""
    text = " ".join(json.dumps(dict(event.data), sort_keys=True) for event in events)
    for pin in pins:
        for start in range(len(pin) - 2):
            assert pin[start : start + 3] not in text, f"part of {pin!r} is in the log: {text}"


# --------------------------------------------------------------------------- choosing


@pytest.mark.parametrize(
    "pin",
    [
        "123456",
        "000000",
        "777777",
        "654321",
        "234567",
        "890123",  # a run that wraps past 9
        "0123456789",
        "1234567890",
        "9876543210",
        "121212",
        "123123",
        "12341234",
        "1212121",
        "135791",  # the same step each digit
        "112233",
        "998877",
        "159753",
        "147258",
        "520520",
        "12345",
        "12a456",
        "",
        " 408317",
        "٤٠٨٣١٧",  # Arabic-Indic digits: str.isdigit() would say yes
        "4083170000000",  # longer than a PIN pad takes
    ],
)
def test_weak_or_malformed_pins_are_refused(pin: str) -> None:
    problem = pin_problem(pin)
    assert problem is not None
    assert problem.endswith(".") and problem[0].isupper()  # a plain sentence
    with pytest.raises(ValueError, match=r"PIN"):
        hash_pin(pin, n=FAST)


@pytest.mark.parametrize("pin", [PIN, "862049", "31415926", "90210417"])
def test_strong_pins_are_accepted(pin: str) -> None:
    assert pin_problem(pin) is None


def test_pin_problem_names_the_rule() -> None:
    assert "digits only" in (pin_problem("12a456") or "")
    assert str(MIN_PIN_DIGITS) in (pin_problem("12345") or "")
    assert "repeated" in (pin_problem("000000") or "")
    assert "run" in (pin_problem("654321") or "")
    assert "pattern" in (pin_problem("121212") or "")
    assert "common" in (pin_problem("147258") or "")


def test_one_time_pins_are_six_acceptable_digits() -> None:
    pins = [one_time_pin() for _ in range(200)]
    for pin in pins:
        assert len(pin) == MIN_PIN_DIGITS and pin.isascii() and pin.isdigit()
        assert pin_problem(pin) is None
    assert len(set(pins)) > 150  # random, not a fixed list


# --------------------------------------------------------------------------- hashing


def test_hash_verify_round_trip() -> None:
    line = hash_pin(PIN, n=FAST)
    assert line.startswith(f"scrypt${FAST}$8$1$")
    _, _, _, _, salt, digest = line.split("$")
    assert len(bytes.fromhex(salt)) == 16 and len(bytes.fromhex(digest)) == 32
    assert verify_pin(PIN, line)
    assert not verify_pin("408318", line)
    assert not verify_pin("", line)
    assert not verify_pin(PIN + "0", line)


def test_the_default_cost_round_trip_and_config_accepts_it() -> None:
    line = hash_pin(PIN)
    assert line.startswith("scrypt$16384$8$1$")
    assert check_pin_hash(line) is None
    assert verify_pin(PIN, line)
    assert not verify_pin(WRONG[0], line)


def test_each_hash_has_its_own_salt() -> None:
    first, second = hash_pin(PIN, n=FAST), hash_pin(PIN, n=FAST)
    assert first != second
    assert verify_pin(PIN, first) and verify_pin(PIN, second)


def test_a_given_salt_gives_a_repeatable_hash() -> None:
    salt = bytes(range(16))
    line = hash_pin(PIN, n=FAST, r=2, p=3, salt=salt)
    assert line == hash_pin(PIN, n=FAST, r=2, p=3, salt=salt)
    assert line.startswith(f"scrypt${FAST}$2$3${salt.hex()}$")
    assert check_pin_hash(line) is None
    assert verify_pin(PIN, line)


@pytest.mark.parametrize(
    "kwargs",
    [{"n": 15}, {"n": 1}, {"r": 0}, {"p": 0}, {"n": 2**30}, {"salt": b""}],
)
def test_bad_scrypt_parameters_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        hash_pin(PIN, **{"n": FAST, **kwargs})


def test_upper_case_hex_verifies() -> None:
    line = hash_pin(PIN, n=FAST)
    head, salt, digest = line.rsplit("$", 2)
    assert verify_pin(PIN, f"{head}${salt.upper()}${digest.upper()}")


def _malformed() -> list[Any]:
    good = hash_pin(PIN, n=FAST, salt=bytes(16))
    head, salt, digest = good.rsplit("$", 2)
    return [
        "",
        "scrypt",
        "scrypt$",
        good + "\n",
        " " + good,
        good.replace("scrypt", "bcrypt"),
        good.replace(f"${FAST}$", "$15$", 1),  # N not a power of two
        good.replace(f"${FAST}$", "$0$", 1),
        good.replace(f"${FAST}$8$", f"${FAST}$0$", 1),  # r = 0
        good.replace(f"${FAST}$8$1$", f"${FAST}$8$0$", 1),  # p = 0
        good.replace(f"${FAST}$", "$1099511627776$", 1),  # far too costly: refused, not run
        good.replace(f"${FAST}$", "$١٦$", 1),  # non-ASCII digits
        f"{head}${salt}${digest[:-1]}",  # odd hex
        f"{head}${salt[:-1]}${digest}",
        f"{head}${salt}$",
        f"{head}$${digest}",
        f"{head}${salt}${digest}zz",
        f"{head}${salt}${digest[:8]}",  # a 4-byte hash: too short to mean anything
        f"{head}${salt}${digest}$extra",
        None,
        b"scrypt$16$8$1$00$00",
        42,
    ]


@pytest.mark.parametrize("pin_hash", _malformed())
def test_malformed_hashes_do_not_verify_and_do_not_raise(pin_hash: Any) -> None:
    assert verify_pin(PIN, pin_hash) is False


@pytest.mark.parametrize("pin", [None, 408317, b"408317", "\ud800" * 6])
def test_odd_pins_do_not_verify_and_do_not_raise(pin: Any) -> None:
    assert verify_pin(pin, PIN_HASH) is False


# --------------------------------------------------------------------------- the gate


def test_the_right_pin_unlocks(gate: PinGate, log: MemoryLog) -> None:
    assert gate.configured
    assert gate.try_unlock(PIN) == UnlockResult(ok=True)
    assert log.types() == ["staff.unlocked"]
    assert log.events[0].data == {} and log.events[0].session is None
    assert gate.locked_for() == 0.0


def test_wrong_pins_count_down_then_lock(gate: PinGate, log: MemoryLog) -> None:
    for k in range(1, 5):
        result = gate.try_unlock(WRONG[k - 1])
        assert result == UnlockResult(ok=False, locked_seconds=0.0, attempts_left=5 - k)
        assert gate.locked_for() == 0.0
    result = gate.try_unlock(WRONG[4])
    assert result == UnlockResult(ok=False, locked_seconds=60.0, attempts_left=0)
    assert gate.locked_for() == 60.0
    assert log.types() == ["staff.pin_failed"] * 5 + ["staff.locked_out"]
    assert [dict(e.data) for e in log.events] == [
        {"attempt": k, "of": 5} for k in range(1, 6)
    ] + [{"seconds": 60, "lockout": 1}]
    assert_no_pin_in(log.events, PIN, *WRONG)


def test_while_locked_even_the_right_pin_fails_and_nothing_is_recorded(
    gate: PinGate, log: MemoryLog, clock: FakeClock
) -> None:
    lock(gate)
    recorded = len(log.events)
    clock.advance(20)
    result = gate.try_unlock(PIN)
    assert result.ok is False and result.locked_seconds == 40.0 and result.attempts_left is None
    assert gate.try_unlock(WRONG[0]).locked_seconds == 40.0
    clock.advance(39.5)
    assert gate.try_unlock(PIN).locked_seconds == pytest.approx(0.5)
    assert len(log.events) == recorded


def test_after_the_lock_out_the_right_pin_unlocks_and_resets(
    gate: PinGate, log: MemoryLog, clock: FakeClock
) -> None:
    lock(gate)
    clock.advance(60)
    assert gate.locked_for() == 0.0
    assert gate.try_unlock(PIN).ok
    assert log.types()[-1] == "staff.unlocked"
    assert_no_pin_in(log.events, PIN, *WRONG)
    # Both counts start again: four tries left after one wrong PIN, and 60 s, not 120 s.
    assert gate.try_unlock(WRONG[0]).attempts_left == 4
    assert lock(gate, 4).locked_seconds == 60.0


def test_each_further_lock_out_doubles(gate: PinGate, log: MemoryLog, clock: FakeClock) -> None:
    lengths = []
    for _ in range(3):
        assert gate.try_unlock(WRONG[0]).attempts_left == 4  # a fresh round of tries
        result = lock(gate, 4)
        lengths.append(result.locked_seconds)
        assert gate.locked_for() == result.locked_seconds
        clock.advance(result.locked_seconds - 1)
        assert gate.locked_for() == 1.0
        clock.advance(1)
        assert gate.locked_for() == 0.0
    assert lengths == [60.0, 120.0, 240.0]
    lockouts = [dict(e.data) for e in log.events if e.type == "staff.locked_out"]
    assert lockouts == [
        {"seconds": 60, "lockout": 1},
        {"seconds": 120, "lockout": 2},
        {"seconds": 240, "lockout": 3},
    ]
    assert log.types().count("staff.pin_failed") == 15


def test_a_lock_out_never_lasts_more_than_an_hour(log: MemoryLog, clock: FakeClock) -> None:
    gate = PinGate(log, clock, pin_hash=PIN_HASH, attempts=1, lockout_seconds=600)
    lengths = []
    for _ in range(6):
        lengths.append(gate.try_unlock(WRONG[0]).locked_seconds)
        clock.advance(gate.locked_for())
    assert lengths == [600.0, 1200.0, 2400.0, 3600.0, 3600.0, 3600.0]
    assert MAX_LOCKOUT_SECONDS == 3600


def test_attempts_and_lockout_seconds_come_from_config(log: MemoryLog, clock: FakeClock) -> None:
    gate = PinGate(log, clock, pin_hash=PIN_HASH, attempts=3, lockout_seconds=10)
    assert gate.try_unlock(WRONG[0]).attempts_left == 2
    assert gate.try_unlock(WRONG[1]).attempts_left == 1
    assert gate.try_unlock(WRONG[2]).locked_seconds == 10.0
    assert [dict(e.data) for e in log.events][:3] == [
        {"attempt": 1, "of": 3},
        {"attempt": 2, "of": 3},
        {"attempt": 3, "of": 3},
    ]


def test_an_empty_entry_is_not_an_attempt(gate: PinGate, log: MemoryLog) -> None:
    assert gate.try_unlock("") == UnlockResult(ok=False, attempts_left=5)
    assert log.events == []


def test_a_right_pin_after_some_wrong_ones_resets_the_count(
    gate: PinGate, log: MemoryLog
) -> None:
    lock(gate, 4)
    assert gate.try_unlock(PIN).ok
    assert gate.try_unlock(WRONG[0]).attempts_left == 4


def test_a_wall_clock_set_back_does_not_stretch_a_lock_out(
    gate: PinGate, clock: FakeClock
) -> None:
    lock(gate)
    clock.advance(20)
    clock.set_wall(clock.now() - timedelta(hours=1))
    assert gate.locked_for() == 40.0
    clock.advance(40)
    assert gate.locked_for() == 0.0
    assert gate.try_unlock(PIN).ok


def test_a_wall_clock_set_forward_does_not_shorten_a_lock_out(
    gate: PinGate, clock: FakeClock
) -> None:
    lock(gate)
    clock.set_wall(clock.now() + timedelta(hours=1))
    assert gate.locked_for() == 60.0
    assert gate.try_unlock(PIN).ok is False


def test_with_no_pin_hash_the_one_time_pin_unlocks(log: MemoryLog, clock: FakeClock) -> None:
    one_time = one_time_pin()
    gate = PinGate(log, clock, pin_hash="", one_time=one_time)
    assert gate.configured
    wrong = next(pin for pin in WRONG if pin != one_time)
    assert gate.try_unlock(wrong).attempts_left == 4
    assert gate.try_unlock(one_time).ok
    assert log.types() == ["staff.pin_failed", "staff.unlocked"]
    assert_no_pin_in(log.events, one_time, wrong)


def test_a_configured_pin_hash_wins_over_a_one_time_pin(
    log: MemoryLog, clock: FakeClock
) -> None:
    gate = PinGate(log, clock, pin_hash=PIN_HASH, one_time="862049")
    assert not gate.try_unlock("862049").ok
    assert gate.try_unlock(PIN).ok


@pytest.mark.parametrize("one_time", [None, ""])
def test_with_nothing_configured_nothing_unlocks(
    log: MemoryLog, clock: FakeClock, one_time: str | None
) -> None:
    gate = PinGate(log, clock, pin_hash="", one_time=one_time)
    assert not gate.configured
    for pin in (PIN, "000000", "123456", "0", " "):
        assert not gate.try_unlock(pin).ok
    assert "staff.unlocked" not in log.types()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"pin_hash": "not a hash"},
        {"pin_hash": PIN_HASH.replace(f"${FAST}$", "$15$", 1)},
        {"pin_hash": PIN_HASH, "attempts": 0},
        {"pin_hash": PIN_HASH, "lockout_seconds": 0},
    ],
)
def test_a_gate_that_could_never_work_is_refused(
    log: MemoryLog, clock: FakeClock, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ValueError):
        PinGate(log, clock, **kwargs)


# --------------------------------------------------------------------------- a failing log


def test_a_failing_log_still_counts_wrong_pins_and_locks(
    gate: PinGate, log: MemoryLog
) -> None:
    lock(gate, 3)
    log.fail = True
    with pytest.raises(OSError, match="disk full"):
        gate.try_unlock(WRONG[3])
    with pytest.raises(OSError, match="disk full"):
        gate.try_unlock(WRONG[4])
    assert gate.locked_for() == 60.0  # applied before the error was raised
    assert gate.try_unlock(PIN).ok is False  # locked: not even checked, nothing to write


def test_a_failing_log_does_not_unlock(gate: PinGate, log: MemoryLog) -> None:
    lock(gate, 2)
    log.fail = True
    with pytest.raises(OSError):
        gate.try_unlock(PIN)
    log.fail = False
    # The unlock did not happen, so the two wrong PINs still count.
    assert gate.try_unlock(WRONG[0]).attempts_left == 2
    assert gate.try_unlock(PIN).ok


# --------------------------------------------------------------------------- restart


def open_log(directory: Path, clock: FakeClock) -> EventLog:
    return EventLog(directory, kiosk="kiosk-1", room="room-1", clock=clock)


def test_a_lock_out_survives_a_restart(tmp_path: Path, clock: FakeClock) -> None:
    logdir = tmp_path / "log"
    with open_log(logdir, clock) as event_log:
        before = PinGate(event_log, clock, pin_hash=PIN_HASH)
        assert lock(before).locked_seconds == 60.0
        clock.advance(25)
    events = list(read_events(logdir))
    assert [e.type for e in events] == ["staff.pin_failed"] * 5 + ["staff.locked_out"]
    assert_no_pin_in(events, PIN, *WRONG)

    with open_log(logdir, clock) as event_log:
        after = PinGate(event_log, clock, pin_hash=PIN_HASH)
        after.restore(read_events(logdir))
        assert after.locked_for() == pytest.approx(35.0)
        assert after.try_unlock(PIN).ok is False
        clock.advance(35)
        assert after.locked_for() == 0.0
        # The next round: a fresh five tries, and the next lock-out doubled (no unlock yet).
        assert after.try_unlock(WRONG[0]).attempts_left == 4
        assert lock(after, 4).locked_seconds == 120.0
        clock.advance(120)
        assert after.try_unlock(PIN).ok

    with open_log(logdir, clock) as event_log:
        again = PinGate(event_log, clock, pin_hash=PIN_HASH)
        again.restore(read_events(logdir))
        assert again.locked_for() == 0.0
        assert again.attempts_left == 5
        assert lock(again).locked_seconds == 60.0  # the unlock reset the doubling


def test_wrong_pins_survive_a_restart(log: MemoryLog, clock: FakeClock) -> None:
    lock(PinGate(log, clock, pin_hash=PIN_HASH), 3)
    after = PinGate(log, clock, pin_hash=PIN_HASH)
    after.restore(log.events)
    assert after.attempts_left == 2
    assert after.try_unlock(WRONG[3]).attempts_left == 1
    assert after.try_unlock(WRONG[4]).locked_seconds == 60.0


def test_a_finished_lock_out_is_not_restored(log: MemoryLog, clock: FakeClock) -> None:
    lock(PinGate(log, clock, pin_hash=PIN_HASH))
    clock.advance(61)
    after = PinGate(log, clock, pin_hash=PIN_HASH)
    after.restore(log.events)
    assert after.locked_for() == 0.0
    assert after.try_unlock(PIN).ok


def test_a_wall_clock_set_back_before_a_restart_gives_at_most_the_full_lock_out(
    tmp_path: Path, clock: FakeClock
) -> None:
    logdir = tmp_path / "log"
    with open_log(logdir, clock) as event_log:
        lock(PinGate(event_log, clock, pin_hash=PIN_HASH))
    clock.advance(10)
    clock.set_wall(clock.now() - timedelta(hours=3))
    with open_log(logdir, clock) as event_log:
        after = PinGate(event_log, clock, pin_hash=PIN_HASH)
        after.restore(read_events(logdir))
        assert after.locked_for() == 60.0  # not 3 hours and 60 s
        clock.advance(60)
        assert after.locked_for() == 0.0
        assert after.try_unlock(PIN).ok


def test_restore_replaces_what_the_gate_knew(log: MemoryLog, clock: FakeClock) -> None:
    gate = PinGate(log, clock, pin_hash=PIN_HASH)
    lock(gate)
    gate.restore([])
    assert gate.locked_for() == 0.0 and gate.attempts_left == 5


def test_restore_ignores_other_events_and_trusts_recorded_lengths(
    log: MemoryLog, clock: FakeClock
) -> None:
    now = clock.now()
    events = [
        MemEvent("kiosk.started", None, now, {}),
        MemEvent("staff.pin_failed", None, now, {"attempt": 1, "of": 5}),
        MemEvent("session.started", "s1", now, {"planned_infusion_minutes": 40}),
        MemEvent("staff.locked_out", None, now, {"seconds": 90, "lockout": 1}),
    ]
    gate = PinGate(log, clock, pin_hash=PIN_HASH)
    gate.restore(events)
    assert gate.locked_for() == 90.0
    # An unreadable length falls back to the configured one; a huge one is capped.
    gate.restore([MemEvent("staff.locked_out", None, now, {"seconds": "lots"})])
    assert gate.locked_for() == 60.0
    gate.restore([MemEvent("staff.locked_out", None, now, {"seconds": 10**9})])
    assert gate.locked_for() == MAX_LOCKOUT_SECONDS
