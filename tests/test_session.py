"""The visit model, driven through whole visits on an injected clock (no sleeping)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from kiosk.clock import FakeClock
from kiosk.session import IDLE, STAGES, SessionError, SessionModel, VisitState
from tests.fakes import MemoryLog


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc))


@pytest.fixture
def log(clock: FakeClock) -> MemoryLog:
    return MemoryLog(clock)


@pytest.fixture
def model(log: MemoryLog, clock: FakeClock) -> SessionModel:
    return SessionModel(log, clock, languages=("en", "es"))


def test_a_whole_visit(model: SessionModel, log: MemoryLog, clock: FakeClock) -> None:
    seen: list[VisitState] = []
    model.subscribe(seen.append)
    assert model.stage == IDLE and not model.is_open

    session = model.start(45, "es")
    assert model.stage == "settling"
    assert model.state.language == "es"
    assert model.state.planned_infusion_minutes == 45
    assert log.events[-1].type == "session.started"
    assert log.events[-1].session == session
    assert log.events[-1].data == {
        "planned_infusion_minutes": 45,
        "language": "es",
        "stage": "settling",
    }

    clock.advance(10 * 60)
    assert model.advance() == "iv_placement"
    clock.advance(5 * 60)
    assert model.advance() == "infusion"
    assert model.infusion_elapsed_minutes() == 0
    assert model.infusion_minutes_left() == 45

    clock.advance(20 * 60)
    assert model.infusion_elapsed_minutes() == 20
    assert model.infusion_minutes_left() == 25
    clock.advance(22 * 60)
    assert model.infusion_minutes_left() == 3  # under 10: to the minute, rounded up

    clock.advance(10 * 60)  # past the plan: the model never ends the infusion itself
    assert model.stage == "infusion"
    assert model.infusion_minutes_left() == 0
    assert model.infusion_elapsed_minutes() == 52

    assert model.advance() == "infusion_complete"
    assert log.events[-1].data["infusion_minutes"] == 52.0
    clock.advance(30 * 60)
    assert model.infusion_elapsed_minutes() == 52  # frozen when the nurse ended it
    assert model.infusion_minutes_left() is None
    assert model.advance() == "recovery"
    assert model.advance() == "going_home"
    with pytest.raises(SessionError, match="last stage"):
        model.advance()

    model.end()
    assert model.state == VisitState()
    assert log.events[-1].type == "session.ended"
    assert log.events[-1].data["stage"] == "going_home"
    assert [e.type for e in log.events] == (
        ["session.started"] + ["stage.changed"] * 5 + ["session.ended"]
    )
    assert all(e.session == session for e in log.events)
    assert [s.stage for s in seen] == ["settling", *STAGES[1:], IDLE]


def test_rounding_of_time_left_never_reads_like_a_countdown(
    model: SessionModel, clock: FakeClock
) -> None:
    model.start(60, "en")
    model.advance()
    model.advance()
    lefts = []
    for _ in range(60):
        lefts.append(model.infusion_minutes_left())
        clock.advance(60)
    over_ten = [n for n in lefts if n is not None and n > 10]
    assert all(n % 5 == 0 for n in over_ten)
    assert lefts == sorted(lefts, reverse=True)  # never goes up


def test_back_undoes_a_mistap_without_restarting_the_infusion(
    model: SessionModel, log: MemoryLog, clock: FakeClock
) -> None:
    model.start(40, "en")
    model.advance()
    model.advance()
    clock.advance(30 * 60)
    model.advance()  # mis-tap: infusion_complete
    clock.advance(60)
    assert model.back() == "infusion"
    assert log.events[-1].data == {"from": "infusion_complete", "to": "infusion", "direction": "back"}
    assert model.infusion_elapsed_minutes() == 31  # kept running from the real start
    with pytest.raises(SessionError, match="first stage"):
        model.back()
        model.back()
        model.back()


@pytest.mark.parametrize(
    ("minutes", "language", "message"),
    [
        (4, "en", "5 to 240"),
        (241, "en", "5 to 240"),
        (True, "en", "whole number"),
        (40.0, "en", "whole number"),
        (40, "fr", "not offered"),
    ],
)
def test_start_rejects_bad_requests(
    model: SessionModel, log: MemoryLog, minutes: Any, language: str, message: str
) -> None:
    with pytest.raises(SessionError, match=message):
        model.start(minutes, language)
    assert log.events == []
    assert not model.is_open


def test_actions_need_the_right_state(model: SessionModel) -> None:
    for action in (model.advance, model.back, model.end):
        with pytest.raises(SessionError, match="no visit is open"):
            action()
    model.start(40, "en")
    with pytest.raises(SessionError, match="already open"):
        model.start(40, "en")


def test_nothing_changes_when_the_log_cannot_record(
    model: SessionModel, log: MemoryLog
) -> None:
    model.start(40, "en")
    before = model.state
    log.fail = True
    with pytest.raises(OSError):
        model.advance()
    with pytest.raises(OSError):
        model.end()
    assert model.state == before


def test_each_visit_has_its_own_id(model: SessionModel) -> None:
    first = model.start(40, "en")
    model.end()
    second = model.start(40, "en")
    assert first != second
    assert len(first) == 12


def _drive_to(model: SessionModel, clock: FakeClock, stage: str) -> None:
    model.start(50, "en")
    while model.stage != stage:
        clock.advance(7 * 60 + 13)
        model.advance()
    clock.advance(11 * 60 + 5)  # some time into the stage when the power goes


@pytest.mark.parametrize("stage", STAGES)
def test_restore_after_a_crash_in_every_stage(
    stage: str, log: MemoryLog, clock: FakeClock
) -> None:
    live = SessionModel(log, clock, languages=("en",))
    _drive_to(live, clock, stage)

    # The process dies; the new one shares the wall time but its monotonic
    # clock has another origin (here it reads 1000 s, far less than before).
    new_clock = FakeClock(clock.now())
    assert new_clock.monotonic() != clock.monotonic()
    restored = SessionModel(log, new_clock, languages=("en",))
    restored.restore(log.events)

    assert restored.state == live.state
    assert restored.infusion_elapsed_seconds() == pytest.approx(
        live.infusion_elapsed_seconds()
    )
    assert restored.infusion_minutes_left() == live.infusion_minutes_left()
    clock.advance(3 * 60)
    new_clock.advance(3 * 60)
    assert restored.infusion_elapsed_seconds() == pytest.approx(
        live.infusion_elapsed_seconds()
    )
    # and the restored visit carries on
    if stage != STAGES[-1]:
        restored.advance()
    restored.end()
    assert not restored.is_open


def test_restore_of_an_ended_visit_is_idle(model: SessionModel, log: MemoryLog) -> None:
    model.start(40, "en")
    model.advance()
    model.end()
    fresh = SessionModel(log, model._clock)
    fresh.restore(log.events)
    assert fresh.state == VisitState()


def test_restore_keeps_a_stepped_back_infusion_running(
    model: SessionModel, log: MemoryLog, clock: FakeClock
) -> None:
    model.start(40, "en")
    model.advance()
    model.advance()
    clock.advance(20 * 60)
    model.advance()
    model.back()
    clock.advance(5 * 60)
    fresh = SessionModel(log, clock)
    fresh.restore(log.events)
    assert fresh.stage == "infusion"
    assert fresh.infusion_elapsed_minutes() == 25


def test_restore_ignores_events_of_other_visits(log: MemoryLog, clock: FakeClock) -> None:
    log.append("session.started", {"planned_infusion_minutes": 40, "language": "en"}, session="a")
    log.append("nurse_call.requested", {}, session="a")
    log.append("stage.changed", {"from": "settling", "to": "iv_placement"}, session="zzz")
    model = SessionModel(log, clock)
    model.restore(log.events)
    assert model.stage == "settling"
    assert model.state.session == "a"


def test_a_wall_clock_jump_does_not_change_elapsed_time(
    model: SessionModel, clock: FakeClock
) -> None:
    model.start(40, "en")
    model.advance()
    model.advance()
    clock.advance(10 * 60)
    clock.set_wall(clock.now() - timedelta(hours=1))
    assert model.infusion_elapsed_minutes() == 10
    clock.set_wall(clock.now() + timedelta(days=1))
    assert model.infusion_elapsed_minutes() == 10


def test_the_patient_changes_the_language(model: SessionModel, log: MemoryLog) -> None:
    session = model.start(40, "en")
    model.advance()
    before = model.state
    seen: list[VisitState] = []

    def listener(state: VisitState) -> None:
        # the event is in the log by the time anyone hears of the change
        assert log.events[-1].type == "session.language_changed"
        seen.append(state)

    model.subscribe(listener)
    model.change_language("es")
    assert log.events[-1].type == "session.language_changed"
    assert log.events[-1].session == session
    assert log.events[-1].data == {"language": "es"}
    assert model.state.language == "es"
    assert model.state == VisitState(
        session=before.session,
        stage="iv_placement",
        language="es",
        planned_infusion_minutes=40,
        started_at=before.started_at,
        stage_started=before.stage_started,
    )
    assert [s.language for s in seen] == ["es"]


def test_the_same_language_again_records_nothing(model: SessionModel, log: MemoryLog) -> None:
    model.start(40, "es")
    seen: list[VisitState] = []
    model.subscribe(seen.append)
    count = len(log.events)
    model.change_language("es")
    assert len(log.events) == count
    assert seen == []
    assert model.state.language == "es"


def test_change_language_refuses_what_it_cannot_do(model: SessionModel, log: MemoryLog) -> None:
    with pytest.raises(SessionError, match="no visit is open"):
        model.change_language("es")
    assert log.events == []
    model.start(40, "en")
    with pytest.raises(SessionError, match="'fr' is not offered here \\(en, es\\)"):
        model.change_language("fr")
    assert log.types() == ["session.started"]
    assert model.state.language == "en"
    model.end()
    with pytest.raises(SessionError, match="no visit is open"):
        model.change_language("es")


def test_change_language_changes_nothing_when_the_log_cannot_record(
    model: SessionModel, log: MemoryLog
) -> None:
    model.start(40, "en")
    before = model.state
    seen: list[VisitState] = []
    model.subscribe(seen.append)
    log.fail = True
    with pytest.raises(OSError, match="disk full"):
        model.change_language("es")
    assert model.state == before
    assert model.state.language == "en"
    assert seen == []


def test_restore_keeps_the_patients_language(log: MemoryLog, clock: FakeClock) -> None:
    live = SessionModel(log, clock, languages=("en", "es"))
    live.start(40, "en")
    live.advance()
    live.change_language("es")
    live.advance()
    restored = SessionModel(log, FakeClock(clock.now()), languages=("en", "es"))
    restored.restore(log.events)
    assert restored.state.language == "es"
    assert restored.state == live.state


def test_restore_takes_only_the_open_visits_language(log: MemoryLog, clock: FakeClock) -> None:
    log.append("session.started", {"planned_infusion_minutes": 40, "language": "en"}, session="a")
    log.append("session.language_changed", {"language": "es"}, session="a")
    log.append("session.ended", {}, session="a")
    log.append("session.started", {"planned_infusion_minutes": 40, "language": "en"}, session="b")
    log.append("session.language_changed", {"language": "es"}, session="zzz")
    log.append("session.language_changed", {"language": None}, session="b")
    log.append("session.language_changed", {}, session="b")
    model = SessionModel(log, clock, languages=("en", "es"))
    model.restore(log.events)
    assert model.state.session == "b"
    assert model.state.language == "en"
