"""Check-ins, the comfort plan and the discharge checklist of a visit (no Qt)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from kiosk.care import (
    CHECKIN_STAGES,
    COMFORT_CHOICES,
    DISCHARGE_ITEMS,
    CareError,
    CareState,
    VisitCare,
)
from kiosk.clock import FakeClock
from kiosk.session import SessionModel
from tests.fakes import MemoryLog


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc))


@pytest.fixture
def log(clock: FakeClock) -> MemoryLog:
    return MemoryLog(clock)


@pytest.fixture
def visits(log: MemoryLog, clock: FakeClock) -> SessionModel:
    return SessionModel(log, clock)


@pytest.fixture
def care(log: MemoryLog, visits: SessionModel) -> VisitCare:
    return VisitCare(log, visits)


@pytest.fixture
def session(visits: SessionModel, care: VisitCare) -> str:
    """An open visit (the care model already listening)."""
    return visits.start(40, "en")


def _restart(log: MemoryLog, clock: FakeClock) -> tuple[SessionModel, VisitCare]:
    """A new process reading the same log: session first, then care."""
    new_clock = FakeClock(clock.now())
    visits = SessionModel(log, new_clock)
    care = VisitCare(log, visits)
    visits.restore(log.events)
    care.restore(log.events)
    return visits, care


def test_the_stage_to_moment_map() -> None:
    assert dict(CHECKIN_STAGES) == {
        "settling": "before",
        "iv_placement": "before",
        "recovery": "after",
    }


# -- each event and its exact data ------------------------------------------------


def test_a_checkin_is_recorded(care: VisitCare, log: MemoryLog, session: str) -> None:
    care.record_checkin("before", 2)
    assert log.events[-1].type == "checkin.recorded"
    assert log.events[-1].session == session
    assert log.events[-1].data == {"moment": "before", "value": 2}
    care.record_checkin("before", 4)  # the latest counts
    care.record_checkin("after", 5)
    assert care.state.checkins == {"before": 4, "after": 5}
    assert log.types()[-3:] == ["checkin.recorded"] * 3


def test_the_comfort_plan_is_recorded_in_offer_order(
    care: VisitCare, log: MemoryLog, session: str
) -> None:
    care.record_comfort(["talk_me_through", "music_off", "music_softer", "music_off"])
    assert log.events[-1].type == "comfort_plan.recorded"
    assert log.events[-1].session == session
    assert log.events[-1].data == {"choices": ["music_softer", "music_off", "talk_me_through"]}
    assert care.state.comfort == ("music_softer", "music_off", "talk_me_through")


def test_none_of_these_is_an_answer(care: VisitCare, log: MemoryLog, session: str) -> None:
    care.record_comfort([])
    assert log.events[-1].data == {"choices": []}
    assert care.state.comfort == ()
    assert care.pending("settling", checkins=False) is None


def test_discharge_confirm_and_withdraw(care: VisitCare, log: MemoryLog, session: str) -> None:
    care.confirm_discharge("no_driving")
    assert log.events[-1].type == "discharge.confirmed"
    assert log.events[-1].session == session
    assert log.events[-1].data == {"item": "no_driving"}
    count = len(log.events)
    care.confirm_discharge("no_driving")  # already confirmed: nothing new
    assert len(log.events) == count

    care.withdraw_discharge("no_driving")
    assert log.events[-1].type == "discharge.withdrawn"
    assert log.events[-1].data == {"item": "no_driving"}
    assert care.state.discharge == frozenset()
    count = len(log.events)
    care.withdraw_discharge("no_driving")  # not confirmed: nothing new
    care.withdraw_discharge("water")
    assert len(log.events) == count


def test_discharge_complete_needs_every_item(care: VisitCare, session: str) -> None:
    assert not care.state.discharge_complete
    for item in DISCHARGE_ITEMS[:-1]:
        care.confirm_discharge(item)
        assert not care.state.discharge_complete
    care.confirm_discharge(DISCHARGE_ITEMS[-1])
    assert care.state.discharge == frozenset(DISCHARGE_ITEMS)
    assert care.state.discharge_complete
    care.withdraw_discharge("water")
    assert not care.state.discharge_complete
    assert CareState(discharge=frozenset(DISCHARGE_ITEMS)).discharge_complete
    assert not CareState().discharge_complete


def test_listeners_hear_each_change_after_it_is_logged(
    care: VisitCare, log: MemoryLog, session: str
) -> None:
    seen: list[tuple[str, CareState]] = []
    unsubscribe = care.subscribe(lambda state: seen.append((log.events[-1].type, state)))
    care.record_checkin("before", 3)
    care.record_comfort(["lights_lower"])
    care.confirm_discharge("rest")
    assert [t for t, _ in seen] == ["checkin.recorded", "comfort_plan.recorded", "discharge.confirmed"]
    assert seen[-1][1] == CareState(
        checkins={"before": 3}, comfort=("lights_lower",), discharge=frozenset({"rest"})
    )
    unsubscribe()
    care.withdraw_discharge("rest")
    assert len(seen) == 3


# -- record before apply -------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    [
        lambda care: care.record_checkin("before", 3),
        lambda care: care.record_comfort(["sit_with_me"]),
        lambda care: care.confirm_discharge("water"),
        lambda care: care.withdraw_discharge("adult_home"),
    ],
)
def test_nothing_changes_when_the_log_cannot_record(
    care: VisitCare, log: MemoryLog, session: str, action: Any
) -> None:
    care.confirm_discharge("adult_home")
    before = care.state
    seen: list[CareState] = []
    care.subscribe(seen.append)
    count = len(log.events)
    log.fail = True
    with pytest.raises(OSError, match="disk full"):
        action(care)
    assert care.state == before
    assert care.state == CareState(discharge=frozenset({"adult_home"}))
    assert seen == []
    assert len(log.events) == count


# -- refusals -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    [
        lambda care: care.record_checkin("before", 3),
        lambda care: care.record_comfort([]),
        lambda care: care.confirm_discharge("water"),
        lambda care: care.withdraw_discharge("water"),
        lambda care: care.skip("comfort"),
    ],
)
def test_nothing_without_an_open_visit(care: VisitCare, log: MemoryLog, action: Any) -> None:
    with pytest.raises(CareError, match="no visit is open"):
        action(care)
    assert log.events == []
    assert care.state == CareState()


@pytest.mark.parametrize(
    ("moment", "value", "message"),
    [
        ("during", 3, "moment 'during'"),
        ("Before", 3, "moment 'Before'"),
        ("before", 0, "1 to 5, not 0"),
        ("before", 6, "1 to 5, not 6"),
        ("after", True, "1 to 5, not True"),
        ("after", 3.0, "1 to 5, not 3.0"),
        ("after", "3", "1 to 5, not '3'"),
        ("after", None, "1 to 5, not None"),
    ],
)
def test_a_checkin_refuses_bad_input(
    care: VisitCare, log: MemoryLog, session: str, moment: Any, value: Any, message: str
) -> None:
    with pytest.raises(CareError, match=message):
        care.record_checkin(moment, value)
    assert log.types() == ["session.started"]
    assert care.state == CareState()


@pytest.mark.parametrize(
    "choices",
    [["music_off", "louder"], ["Music_off"], "music_off", "", [None]],
)
def test_the_comfort_plan_refuses_unknown_choices(
    care: VisitCare, log: MemoryLog, session: str, choices: Any
) -> None:
    with pytest.raises(CareError):
        care.record_comfort(choices)
    assert log.types() == ["session.started"]
    assert care.state.comfort is None


def test_both_music_choices_together_are_fine(care: VisitCare, session: str) -> None:
    care.record_comfort(iter(["music_off", "music_softer"]))
    assert care.state.comfort == ("music_softer", "music_off")


def test_discharge_refuses_unknown_items(care: VisitCare, log: MemoryLog, session: str) -> None:
    with pytest.raises(CareError, match="'drive_home' is not on the going-home checklist"):
        care.confirm_discharge("drive_home")
    with pytest.raises(CareError, match="not on the going-home checklist"):
        care.withdraw_discharge("drive_home")
    assert log.types() == ["session.started"]


def test_skip_refuses_unknown_steps(care: VisitCare, session: str) -> None:
    with pytest.raises(CareError, match="'checkin:during' is not a step"):
        care.skip("checkin:during")
    assert care.state.skipped == frozenset()


# -- what comes next ------------------------------------------------------------------


def test_pending_offers_checkin_then_comfort_then_nothing(care: VisitCare, session: str) -> None:
    assert care.pending("settling", checkins=True) == "checkin:before"
    assert care.pending("iv_placement", checkins=True) == "checkin:before"
    assert care.pending("recovery", checkins=True) == "checkin:after"
    for stage in ("infusion", "infusion_complete", "going_home", "idle", "nowhere"):
        assert care.pending(stage, checkins=True) is None

    care.record_checkin("before", 3)
    assert care.pending("settling", checkins=True) == "comfort"
    assert care.pending("iv_placement", checkins=True) == "comfort"
    assert care.pending("recovery", checkins=True) == "checkin:after"

    care.record_comfort(["sit_with_me"])
    assert care.pending("settling", checkins=True) is None
    assert care.pending("recovery", checkins=True) == "checkin:after"
    care.record_checkin("after", 4)
    assert care.pending("recovery", checkins=True) is None


def test_pending_without_checkins_offers_only_comfort(care: VisitCare, session: str) -> None:
    assert care.pending("settling", checkins=False) == "comfort"
    assert care.pending("iv_placement", checkins=False) == "comfort"
    assert care.pending("recovery", checkins=False) is None  # no comfort plan in recovery
    care.record_comfort([])
    assert care.pending("settling", checkins=False) is None


def test_pending_with_no_visit_is_nothing(care: VisitCare) -> None:
    assert care.pending("settling", checkins=True) is None


def test_a_skipped_step_is_not_offered_again_and_not_logged(
    care: VisitCare, log: MemoryLog, session: str
) -> None:
    seen: list[CareState] = []
    care.subscribe(seen.append)
    care.skip("checkin:before")
    assert care.state.skipped == frozenset({"checkin:before"})
    assert len(seen) == 1
    assert care.pending("settling", checkins=True) == "comfort"
    care.skip("comfort")
    assert care.pending("settling", checkins=True) is None
    assert care.pending("recovery", checkins=True) == "checkin:after"
    care.skip("checkin:after")
    assert care.pending("recovery", checkins=True) is None
    care.skip("comfort")  # again: no change, no notice
    assert len(seen) == 3
    assert care.state.skipped == frozenset({"checkin:before", "checkin:after", "comfort"})
    assert log.types() == ["session.started"]


# -- visits come and go ----------------------------------------------------------------


def test_care_is_cleared_when_a_visit_ends_and_another_starts(
    care: VisitCare, visits: SessionModel, session: str
) -> None:
    seen: list[CareState] = []
    care.subscribe(seen.append)
    care.record_checkin("before", 1)
    care.record_comfort(["music_off"])
    care.confirm_discharge("water")
    care.skip("checkin:after")
    visits.advance()  # same visit: nothing is forgotten
    visits.change_language("en")
    assert care.state.checkins == {"before": 1}

    visits.end()
    assert care.state == CareState()
    assert seen[-1] == CareState()
    with pytest.raises(CareError, match="no visit is open"):
        care.record_checkin("after", 3)

    visits.start(30, "en")
    assert care.state == CareState()
    assert care.pending("settling", checkins=True) == "checkin:before"
    assert len(seen) == 6  # four changes, then the end and the new start


def test_a_visit_open_before_care_was_made_is_used(log: MemoryLog, clock: FakeClock) -> None:
    visits = SessionModel(log, clock)
    session = visits.start(40, "en")
    care = VisitCare(log, visits)
    care.record_checkin("before", 5)
    assert log.events[-1].session == session


# -- after a restart ----------------------------------------------------------------------


def test_restore_after_a_restart(
    care: VisitCare, visits: SessionModel, log: MemoryLog, clock: FakeClock, session: str
) -> None:
    care.record_checkin("before", 2)
    care.record_checkin("before", 3)
    care.record_comfort(["talk_me_through", "lights_lower"])
    care.skip("comfort")
    for _ in range(4):
        visits.advance()
    care.record_checkin("after", 4)
    for item in DISCHARGE_ITEMS:
        care.confirm_discharge(item)
    care.withdraw_discharge("eat_lightly")

    new_visits, new_care = _restart(log, clock)
    assert new_visits.state.session == session
    assert new_care.state == CareState(
        checkins={"before": 3, "after": 4},
        comfort=("lights_lower", "talk_me_through"),
        discharge=frozenset(DISCHARGE_ITEMS) - {"eat_lightly"},
    )
    assert new_care.state.skipped == frozenset()  # skips are not kept
    assert not new_care.state.discharge_complete
    new_care.confirm_discharge("eat_lightly")
    assert new_care.state.discharge_complete
    assert log.events[-1].session == session


def test_restore_notifies(log: MemoryLog, clock: FakeClock, care: VisitCare, session: str) -> None:
    care.record_checkin("after", 1)
    visits = SessionModel(log, FakeClock(clock.now()))
    fresh = VisitCare(log, visits)
    seen: list[CareState] = []
    fresh.subscribe(seen.append)
    visits.restore(log.events)
    fresh.restore(log.events)
    assert seen[-1] == CareState(checkins={"after": 1})


def test_restore_of_an_ended_visit_is_empty(
    care: VisitCare, visits: SessionModel, log: MemoryLog, clock: FakeClock, session: str
) -> None:
    care.record_checkin("before", 2)
    care.confirm_discharge("water")
    visits.end()
    _, new_care = _restart(log, clock)
    assert new_care.state == CareState()
    assert new_care.pending("settling", checkins=True) is None


def test_restore_ignores_other_visits_and_malformed_data(
    log: MemoryLog, clock: FakeClock
) -> None:
    log.append("session.started", {"planned_infusion_minutes": 40, "language": "en"}, session="a")
    log.append("checkin.recorded", {"moment": "before", "value": 1}, session="a")
    log.append("comfort_plan.recorded", {"choices": ["music_off"]}, session="a")
    log.append("discharge.confirmed", {"item": "water"}, session="a")
    log.append("session.ended", {}, session="a")
    log.append("session.started", {"planned_infusion_minutes": 40, "language": "en"}, session="b")
    log.append("checkin.recorded", {"moment": "after", "value": 5}, session="zzz")
    log.append("checkin.recorded", {"moment": "before", "value": 2}, session=None)
    log.append("discharge.confirmed", {"item": "rest"}, session="zzz")
    good = [
        ("checkin.recorded", {"moment": "before", "value": 4}),
        ("comfort_plan.recorded", {"choices": ["sit_with_me", "music_softer"]}),
        ("discharge.confirmed", {"item": "adult_home"}),
    ]
    malformed: list[tuple[str, dict[str, Any]]] = [
        ("checkin.recorded", {}),
        ("checkin.recorded", {"moment": "before"}),
        ("checkin.recorded", {"moment": "before", "value": True}),
        ("checkin.recorded", {"moment": "before", "value": 9}),
        ("checkin.recorded", {"moment": "before", "value": "2"}),
        ("checkin.recorded", {"moment": "before", "value": 2.0}),
        ("checkin.recorded", {"moment": "during", "value": 2}),
        ("checkin.recorded", {"moment": ["before"], "value": 2}),
        ("comfort_plan.recorded", {}),
        ("comfort_plan.recorded", {"choices": None}),
        ("comfort_plan.recorded", {"choices": "music_off"}),
        ("comfort_plan.recorded", {"choices": ["music_off", "dance"]}),
        ("comfort_plan.recorded", {"choices": [["music_off"]]}),
        ("comfort_plan.recorded", {"choices": {"music_off": 1}}),
        ("discharge.confirmed", {}),
        ("discharge.confirmed", {"item": "drive_home"}),
        ("discharge.confirmed", {"item": ["water"]}),
        ("discharge.withdrawn", {"item": {"adult_home": 1}}),
        ("discharge.withdrawn", {"item": None}),
        ("checkin.unknown_kind", {"moment": "after", "value": 1}),
    ]
    for type_, data in good + malformed:
        log.append(type_, data, session="b")

    visits, care = _restart(log, clock)
    assert visits.state.session == "b"
    assert care.state == CareState(
        checkins={"before": 4},
        comfort=("music_softer", "sit_with_me"),
        discharge=frozenset({"adult_home"}),
    )


def test_restore_survives_data_that_is_not_a_mapping(log: MemoryLog, clock: FakeClock) -> None:
    log.append("session.started", {"planned_infusion_minutes": 40, "language": "en"}, session="b")
    log.append("checkin.recorded", {"moment": "after", "value": 2}, session="b")
    bad = log.append("checkin.recorded", {}, session="b")
    object.__setattr__(bad, "data", None)  # as a damaged line might read
    _, care = _restart(log, clock)
    assert care.state == CareState(checkins={"after": 2})


def test_restore_with_no_visit_open_is_empty(log: MemoryLog, clock: FakeClock) -> None:
    log.append("checkin.recorded", {"moment": "after", "value": 2}, session=None)
    visits, care = _restart(log, clock)
    assert not visits.is_open
    assert care.state == CareState()


def test_comfort_choices_are_the_ones_offered() -> None:
    # the model writes ids only; a renamed id would orphan old logs
    assert COMFORT_CHOICES == (
        "music_softer",
        "music_off",
        "lights_lower",
        "sit_with_me",
        "talk_me_through",
    )
