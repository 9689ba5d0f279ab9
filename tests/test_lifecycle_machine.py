"""The visit and the nurse call as one state machine, against a real event log (hypothesis).

Random sequences of a nurse's, a patient's and the clock's actions run on the live models
(SessionModel, NurseCall, VisitCare, PinGate) writing a real `EventLog` in a temp folder, on
a FakeClock whose wall time also jumps back and forward (an NTP step, a wrong manual setting).
After every step, fresh models restored from `read_events()` of that log, as after a restart,
must hold the same state as the live ones:

* the state dataclasses are equal field by field, except what is by design not in the log
  (`CareState.skipped`; a call's `chime_ok` / `notify_ok`, which no rule here reports);
* durations (infusion seconds, the call's wait and next due time, the lock-out left) agree
  within 1 s while the wall clock has not jumped since they began. Restore has only the wall
  stamps of the log, so after a jump a restored running duration is the wall clock's
  difference, never negative (documented, checked); a finished infusion is restored from the
  minutes measured on the monotonic clock and recorded when it ended (0.1 min = 6 s steps);
* the log's `seq` goes up by exactly 1 from line to line, across day files, and it verifies.

An action the model must refuse raises its own error type and changes nothing (no line).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from kiosk.care import (
    COMFORT_CHOICES,
    DISCHARGE_ITEMS,
    MOMENTS,
    SKIPPABLE,
    CareError,
    CareState,
    VisitCare,
)
from kiosk.clock import FakeClock
from kiosk.events import Event, EventLog, read_events, verify
from kiosk.nurse_call import ACKNOWLEDGED, REQUESTED, CallError, CallState, NurseCall
from kiosk.security import PinGate, hash_pin
from kiosk.session import (
    INFUSION,
    MAX_PLANNED_MINUTES,
    MIN_PLANNED_MINUTES,
    STAGES,
    SessionError,
    SessionModel,
    VisitState,
)

UTC = timezone.utc
LANGUAGES = ("en", "es", "fr")
REASONS = ("pain", "sick", "bathroom")
PIN = "408317"
WRONG_PIN = "951620"
PIN_HASH = hash_pin(PIN, n=2**4)
START = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)  # half an hour before a new day file
TOLERANCE = 1.0
FROZEN_TOLERANCE = 3.01  # a finished infusion is recorded to 0.1 min


class RestoreOnly:
    """The event sink of a restored model: restoring must never write."""

    def append(self, type: str, data: Mapping[str, Any] | None = None, *,
               session: str | None = None) -> Event:
        raise AssertionError(f"a restore tried to record {type}")


def close(a: float | None, b: float | None, tolerance: float = TOLERANCE) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= tolerance


class Lifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._tmp = tempfile.TemporaryDirectory(prefix="kiosk-lifecycle-")
        self.dir = Path(self._tmp.name) / "events"
        self.clock = FakeClock(START)
        self.log = EventLog(self.dir, kiosk="chair-1", room="Room 1", clock=self.clock)
        self.session = SessionModel(self.log, self.clock, languages=LANGUAGES)
        self.calls = NurseCall(self.log, self.clock, reasons=REASONS,
                               session=lambda: self.session.state.session)
        self.care = VisitCare(self.log, self.session)
        self.gate = PinGate(self.log, self.clock, pin_hash=PIN_HASH)
        # the machine's own idea of what the models must allow, and of wall jumps
        self.stage: int | None = None  # index in STAGES of the open visit's stage
        self.language: str | None = None
        self.call: str = "none"
        self.jumps = 0  # wall clock jumps so far
        self.call_epoch = self.lock_epoch = self.infusion_epoch = -1  # jumps when each began
        self.visit_mono = 0.0

    def teardown(self) -> None:
        self.log.close()
        self._tmp.cleanup()

    # -- helpers ------------------------------------------------------------------
    def refused(self, error: type[Exception], action: Callable[[], object]) -> None:
        """`action` raises `error` and leaves every model and the log as they were."""
        before = (self.session.state, self.calls.state, self.care.state, self.log.last_seq,
                  self.gate.attempts_left)
        with pytest.raises(error):
            action()
        after = (self.session.state, self.calls.state, self.care.state, self.log.last_seq,
                 self.gate.attempts_left)
        assert after == before

    def last_event(self) -> Event:
        return list(read_events(self.dir))[-1]

    # -- the nurse: the visit ------------------------------------------------------------
    @rule(minutes=st.integers(MIN_PLANNED_MINUTES - 3, MAX_PLANNED_MINUTES + 3),
          language=st.sampled_from((*LANGUAGES, "de")))
    def start(self, minutes: int, language: str) -> None:
        valid = (self.stage is None and MIN_PLANNED_MINUTES <= minutes <= MAX_PLANNED_MINUTES
                 and language in LANGUAGES)
        if not valid:
            self.refused(SessionError, lambda: self.session.start(minutes, language))
            return
        session = self.session.start(minutes, language)
        assert self.last_event().type == "session.started" and self.last_event().session == session
        self.stage, self.language = 0, language
        self.visit_mono = self.clock.monotonic()

    @rule()
    def advance(self) -> None:
        if self.stage is None or self.stage == len(STAGES) - 1:
            self.refused(SessionError, self.session.advance)
            return
        assert self.session.advance() == STAGES[self.stage + 1]
        self.stage += 1
        if STAGES[self.stage] == INFUSION:
            self.infusion_epoch = self.jumps

    @rule()
    def back(self) -> None:
        if self.stage is None or self.stage == 0:
            self.refused(SessionError, self.session.back)
            return
        assert self.session.back() == STAGES[self.stage - 1]
        self.stage -= 1

    @rule()
    def end(self) -> None:
        if self.stage is None:
            self.refused(SessionError, self.session.end)
            return
        visit_seconds = self.clock.monotonic() - self.visit_mono
        self.session.end()
        event = self.last_event()
        assert event.type == "session.ended"
        # how long the visit lasted, measured like every duration: on the monotonic clock
        assert event.data["visit_minutes"] == round(visit_seconds / 60)
        self.stage = self.language = None

    @rule(language=st.sampled_from((*LANGUAGES, "de")))
    def change_language(self, language: str) -> None:
        if self.stage is None or language not in LANGUAGES:
            self.refused(SessionError, lambda: self.session.change_language(language))
            return
        before = self.log.last_seq
        self.session.change_language(language)
        assert self.log.last_seq == before + (language != self.language)
        self.language = language

    # -- the patient and staff: the call ------------------------------------------------
    @rule(source=st.sampled_from(("button", "key")))
    def request_call(self, source: Any) -> None:
        before = self.calls.state
        state = self.calls.request(source)
        assert state.is_open and state.recorded
        if self.call == "none":
            assert self.last_event().type == "nurse_call.requested"
            self.call, self.call_epoch = REQUESTED, self.jumps
        else:
            assert self.last_event().type == "nurse_call.repeated"
            assert state.call_id == before.call_id and state.repeats == before.repeats + 1

    @rule(reason=st.sampled_from((*REASONS, "chatting")))
    def set_reason(self, reason: str) -> None:
        if self.call == "none" or reason not in REASONS:
            self.refused(CallError, lambda: self.calls.set_reason(reason))
            return
        self.calls.set_reason(reason)
        assert self.calls.state.reason == reason

    @rule()
    def cancel(self) -> None:
        if self.call == "none":
            self.refused(CallError, self.calls.cancel)
            return
        self.calls.cancel()
        self.call = "none"
        assert self.last_event().data["waited_seconds"] >= 0

    @rule(by=st.sampled_from(("kiosk", "shell")))
    def acknowledge(self, by: str) -> None:
        if self.call != REQUESTED:
            self.refused(CallError, lambda: self.calls.acknowledge(by))
            return
        self.calls.acknowledge(by)
        self.call = ACKNOWLEDGED

    @rule(by=st.sampled_from(("kiosk", "visit_end")))
    def resolve(self, by: str) -> None:
        if self.call == "none":
            self.refused(CallError, lambda: self.calls.resolve(by))
            return
        self.calls.resolve(by)
        self.call = "none"

    @rule()
    def tick(self) -> None:
        before = self.calls.state
        due = self.calls.seconds_until_due()
        self.calls.tick()
        after = self.calls.state
        if due == 0:
            assert (after.reminders, after.escalated) != (before.reminders, before.escalated)
        else:
            assert after == before

    # -- the patient: what they tell us, the nurse: the checklist ------------------------
    @rule(moment=st.sampled_from(MOMENTS), value=st.integers(0, 6))
    def checkin(self, moment: str, value: int) -> None:
        if self.stage is None or not 1 <= value <= 5:
            self.refused(CareError, lambda: self.care.record_checkin(moment, value))
            return
        self.care.record_checkin(moment, value)

    @rule(choices=st.lists(st.sampled_from(COMFORT_CHOICES), max_size=3))
    def comfort(self, choices: list[str]) -> None:
        if self.stage is None:
            self.refused(CareError, lambda: self.care.record_comfort(choices))
            return
        self.care.record_comfort(choices)

    @rule(step=st.sampled_from(SKIPPABLE))
    def skip(self, step: str) -> None:
        if self.stage is None:
            self.refused(CareError, lambda: self.care.skip(step))
            return
        self.care.skip(step)

    @rule(item=st.sampled_from(DISCHARGE_ITEMS), confirmed=st.booleans())
    def discharge(self, item: str, confirmed: bool) -> None:
        action = self.care.confirm_discharge if confirmed else self.care.withdraw_discharge
        if self.stage is None:
            self.refused(CareError, lambda: action(item))
            return
        action(item)

    # -- staff entry ----------------------------------------------------------------------
    @rule(right=st.booleans(), tries=st.integers(1, 5))
    def enter_pin(self, right: bool, tries: int) -> None:
        for _ in range(1 if right else tries):
            locked = self.gate.locked_for() > 0
            result = self.gate.try_unlock(PIN if right else WRONG_PIN)
            assert result.ok == (right and not locked)
            if result.locked_seconds > 0 and not locked:
                self.lock_epoch = self.jumps

    # -- time -----------------------------------------------------------------------------
    @rule(seconds=st.one_of(st.floats(0, 120), st.sampled_from((30.0, 600.0, 3600.0))))
    def wait(self, seconds: float) -> None:
        self.clock.advance(seconds)

    @rule(seconds=st.one_of(st.sampled_from((-86400.0, -3600.0, 3600.0, 86400.0)),
                            st.floats(-7200, 7200)))
    def jump_wall_clock(self, seconds: float) -> None:
        mono = self.clock.monotonic()
        self.clock.set_wall(self.clock.now() + timedelta(seconds=seconds))
        assert self.clock.monotonic() == mono
        self.jumps += 1

    # -- after every step -------------------------------------------------------------------
    @invariant()
    def the_log_is_one_chain(self) -> None:
        seqs = [event.seq for event in read_events(self.dir)]
        assert seqs == list(range(1, len(seqs) + 1))
        assert self.log.last_seq == len(seqs)
        result = verify(self.dir)
        assert result.ok and result.torn_tail is None, result

    @invariant()
    def a_restart_restores_the_same_state(self) -> None:
        events = list(read_events(self.dir))
        sink = RestoreOnly()
        session = SessionModel(sink, self.clock, languages=LANGUAGES)
        session.restore(events)
        calls = NurseCall(sink, self.clock, reasons=REASONS)
        calls.restore(events)
        care = VisitCare(sink, session)
        care.restore(events)
        gate = PinGate(sink, self.clock, pin_hash=PIN_HASH)
        gate.restore(events)

        # the state dataclasses, field by field
        live_visit, back_visit = self.session.state, session.state
        for name in VisitState.__dataclass_fields__:
            assert getattr(back_visit, name) == getattr(live_visit, name), name
        assert live_visit.stage == (STAGES[self.stage] if self.stage is not None else "idle")
        live_call, back_call = self.calls.state, calls.state
        for name in CallState.__dataclass_fields__:
            if name not in ("chime_ok", "notify_ok"):  # what the paths reported: not restored
                assert getattr(back_call, name) == getattr(live_call, name), name
        assert live_call.status == self.call
        for name in CareState.__dataclass_fields__:
            if name != "skipped":  # a skip is never logged, by design
                assert getattr(care.state, name) == getattr(self.care.state, name), name
        assert gate.attempts_left == self.gate.attempts_left

        self.check_durations(session, calls, gate)

    def check_durations(self, session: SessionModel, calls: NurseCall, gate: PinGate) -> None:
        now = self.clock.now()

        def wall_since(when: datetime | None) -> float:
            assert when is not None
            return max(0.0, (now - when).total_seconds())

        live, back = self.session.infusion_elapsed_seconds(), session.infusion_elapsed_seconds()
        assert (live is None) == (back is None)
        if live is not None and back is not None:
            assert live >= 0 and back >= 0
            assert live <= self.clock.monotonic() - self.visit_mono + 1e-6
            running = self.session.stage == INFUSION
            if not running:
                assert close(back, live, FROZEN_TOLERANCE)
            elif self.infusion_epoch == self.jumps:
                assert close(back, live)
            else:  # documented: a restore after a jump has only the wall clock
                assert close(back, wall_since(session.state.stage_started[INFUSION]))

        assert (calls.waited_seconds() is None) == (self.calls.waited_seconds() is None)
        if self.calls.state.is_open:
            live_wait, back_wait = self.calls.waited_seconds(), calls.waited_seconds()
            assert live_wait is not None and live_wait >= 0
            if self.call_epoch == self.jumps:
                assert close(back_wait, live_wait)
                assert close(calls.seconds_until_due(), self.calls.seconds_until_due())
            else:
                assert close(back_wait, wall_since(calls.state.requested_at))
        else:
            assert calls.seconds_until_due() is None

        live_lock, back_lock = self.gate.locked_for(), gate.locked_for()
        assert 0 <= back_lock <= 3600 and 0 <= live_lock <= 3600
        if self.lock_epoch == self.jumps or live_lock == 0 == back_lock:
            assert close(back_lock, live_lock)


Lifecycle.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLifecycle = Lifecycle.TestCase


# -- the cases the machine found, kept as plain tests ----------------------------------------


def test_wrong_pins_after_an_expired_lock_out_still_count_after_a_restart(tmp_path: Path) -> None:
    clock = FakeClock(START)
    with EventLog(tmp_path, kiosk="chair-1", room="Room 1", clock=clock) as log:
        gate = PinGate(log, clock, pin_hash=PIN_HASH)
        for _ in range(5):
            gate.try_unlock(WRONG_PIN)
        clock.advance(600)  # the lock-out is long over
        assert gate.try_unlock(WRONG_PIN).attempts_left == 4
    restarted = PinGate(RestoreOnly(), clock, pin_hash=PIN_HASH)
    restarted.restore(read_events(tmp_path))
    assert restarted.locked_for() == 0
    assert restarted.attempts_left == 4  # a restart gives no fresh tries


def test_a_finished_infusion_keeps_its_measured_length_across_a_wall_jump(tmp_path: Path) -> None:
    clock = FakeClock(START)
    with EventLog(tmp_path, kiosk="chair-1", room="Room 1", clock=clock) as log:
        session = SessionModel(log, clock)
        session.start(45, "en")
        session.advance()
        session.advance()  # the infusion begins
        clock.advance(20 * 60)
        clock.set_wall(clock.now() + timedelta(days=1))
        session.advance()  # ...and ends after 20 minutes, a day later by the wall clock
        assert session.infusion_elapsed_seconds() == 20 * 60
    restored = SessionModel(RestoreOnly(), clock)
    restored.restore(read_events(tmp_path))
    assert restored.infusion_elapsed_seconds() == 20 * 60  # not 24 h 20 min


def test_the_visit_length_at_its_end_follows_the_monotonic_clock(tmp_path: Path) -> None:
    clock = FakeClock(START)
    with EventLog(tmp_path, kiosk="chair-1", room="Room 1", clock=clock) as log:
        session = SessionModel(log, clock)
        session.start(45, "en")
        clock.advance(30 * 60)
        clock.set_wall(clock.now() - timedelta(hours=1))
        session.end()
    assert list(read_events(tmp_path))[-1].data["visit_minutes"] == 30  # not -30
