"""Check-ins, the comfort plan, the going-home checklist, the language, About and dimming:
the whole window, offscreen, on a real event log in a temporary directory."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from kiosk import config as kiosk_config
from kiosk.app import KioskWindow
from kiosk.care import COMFORT_CHOICES, DISCHARGE_ITEMS
from kiosk.clock import FakeClock
from kiosk.config import Config
from kiosk.content import load_content
from kiosk.events import EventLogError, read_events
from kiosk.screens.staff import comfort_words
from kiosk.security import hash_pin
from kiosk.session import STAGES
from tests import test_app as app_tests

PIN = "428613"
EN = load_content("en")
ES = load_content("es")
ALL_OFF = {"checkins": False, "comfort_plan": False}


# -- helpers (after tests/test_app.py) ------------------------------------------------
@pytest.fixture(scope="module")
def pin_hash() -> str:
    return hash_pin(PIN, n=2**4)


def make_config(
    log_dir: Path,
    pin_hash: str,
    *,
    languages: tuple[str, ...] = ("en", "es"),
    session: dict[str, Any] | None = None,
    display: dict[str, Any] | None = None,
) -> Config:
    base = kiosk_config.defaults()
    return replace(
        base,
        kiosk=replace(base.kiosk, clinic_name="Harbour Street", languages=languages),
        staff=replace(base.staff, pin_hash=pin_hash),
        log=replace(base.log, dir=log_dir),
        session=replace(base.session, **(session or {})),
        display=replace(base.display, **(display or {})),
    )


class Kiosk(app_tests.Kiosk):
    """test_app's Kiosk, with a configuration of its own and the log's events at hand."""

    def __init__(self, qtbot: QtBot, tmp_path: Path, pin_hash: str) -> None:
        super().__init__(qtbot, make_config(tmp_path / "events", pin_hash), FakeClock())
        self.tmp_path, self.pin_hash = tmp_path, pin_hash

    def configure(self, **options: Any) -> None:
        """Use another configuration (before the first start)."""
        self.config = make_config(self.tmp_path / "events", self.pin_hash, **options)

    def events(self, *prefixes: str) -> list[tuple[str, dict[str, object]]]:
        return [(e.type, dict(e.data)) for e in read_events(self.config.log.dir)
                if not prefixes or e.type.startswith(prefixes)]


@pytest.fixture
def kiosk(qtbot: QtBot, tmp_path: Path, pin_hash: str) -> Iterator[Kiosk]:
    k = Kiosk(qtbot, tmp_path, pin_hash)
    yield k
    for window in k.windows:
        k.stop(window)


def unlock(window: KioskWindow, pin: str = PIN) -> None:
    app_tests.unlock(window, pin)
    assert window.staff_screen.unlocked


def start_visit(window: KioskWindow) -> None:
    unlock(window)
    window.staff_screen.start_button.click()
    window.staff_screen.close_button.click()


def next_stage(window: KioskWindow) -> None:
    """The nurse moves the visit on and closes the panel."""
    unlock(window)
    window.staff_screen.next_button.click()
    window.staff_screen.close_button.click()


def advance_to(window: KioskWindow, stage: str) -> None:
    while window.session.stage != stage:
        assert window.current_screen() is window.stage_screen, window.current_screen().name
        next_stage(window)


def centre_in_window(widget: QWidget) -> QPoint:
    return widget.mapTo(widget.window(), widget.rect().center())


def checked_faces(window: KioskWindow) -> list[int]:
    return [value for value, tile in window.checkin_screen.tiles.items() if tile.isChecked()]


def assert_unanswered(window: KioskWindow) -> None:
    screen = window.checkin_screen
    assert checked_faces(window) == []
    assert screen.answer() is None
    assert screen.lead.text() == EN.checkin_text("lead")
    assert screen.leave_button.text() == EN.checkin_text("skip")
    assert screen.leave_button.accessibleName() == "Not now"


# -- 1. check-ins ------------------------------------------------------------------------
def test_a_face_is_recorded_before_the_thanks_and_done_leads_to_the_comfort_plan(
    kiosk: Kiosk, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = kiosk.start()
    start_visit(window)
    screen = window.checkin_screen
    assert window.current_screen() is screen
    assert screen.moment == "before"
    assert screen.question.text() == EN.checkin_text("question")
    assert window.home_button.isVisibleTo(window)  # Back is offered too
    assert not window.music_button.isVisibleTo(window)
    assert_unanswered(window)

    # what the screen showed at the moment the answer was written
    seen: list[tuple[str, str]] = []
    real_append = window.events.append

    def append(type: str, data: dict[str, object], **kwargs: Any) -> object:
        if type == "checkin.recorded":
            seen.append((screen.lead.text(), screen.leave_button.accessibleName()))
        return real_append(type, data, **kwargs)

    monkeypatch.setattr(window.events, "append", append)
    screen.tiles[2].click()
    assert seen == [(EN.checkin_text("lead"), "Not now")]  # no thanks before the write
    assert kiosk.events("checkin.") == [("checkin.recorded", {"moment": "before", "value": 2})]
    assert checked_faces(window) == [2]
    assert screen.answer() == 2
    assert screen.lead.text() == EN.checkin_text("thanks")
    assert screen.leave_button.text() == EN.checkin_text("done")
    assert screen.leave_button.accessibleName() == "Done"
    assert window.care.state.checkins == {"before": 2}
    assert window.current_screen() is screen  # the patient leaves with Done

    screen.leave_button.click()
    assert window.current_screen() is window.comfort_screen
    assert kiosk.events("checkin.") == [("checkin.recorded", {"moment": "before", "value": 2})]


def test_the_latest_face_counts(kiosk: Kiosk) -> None:
    window = kiosk.start()
    start_visit(window)
    window.checkin_screen.tiles[2].click()
    window.checkin_screen.tiles[4].click()
    assert checked_faces(window) == [4]
    assert kiosk.events("checkin.") == [
        ("checkin.recorded", {"moment": "before", "value": 2}),
        ("checkin.recorded", {"moment": "before", "value": 4}),
    ]
    assert window.care.state.checkins == {"before": 4}


def test_the_after_check_in_at_recovery_and_both_for_the_nurse(kiosk: Kiosk) -> None:
    window = kiosk.start()
    start_visit(window)
    window.checkin_screen.tiles[2].click()
    window.checkin_screen.leave_button.click()  # Done
    window.comfort_screen.leave_button.click()  # Not now
    assert window.current_screen() is window.stage_screen
    for stage in STAGES[1:STAGES.index("recovery")]:
        next_stage(window)
        assert window.session.stage == stage
        assert window.current_screen() is window.stage_screen, stage  # nothing asked again

    next_stage(window)
    assert window.session.stage == "recovery"
    screen = window.checkin_screen
    assert window.current_screen() is screen
    assert screen.moment == "after"
    assert_unanswered(window)  # the answer before is not shown as this one
    screen.tiles[5].click()
    assert kiosk.events("checkin.")[-1] == ("checkin.recorded", {"moment": "after", "value": 5})
    assert screen.lead.text() == EN.checkin_text("thanks")
    screen.leave_button.click()
    assert window.current_screen() is window.stage_screen  # no comfort plan after the infusion

    unlock(window)
    window.staff_screen.next_button.click()
    assert window.session.stage == "going_home"
    care = window.staff_screen.care_info
    assert care.isVisibleTo(window)
    assert care.text() == "How they feel: before: not good (2/5) · after: very good (5/5)"


def test_no_check_in_when_turned_off(kiosk: Kiosk) -> None:
    kiosk.configure(session={"checkins": False})
    window = kiosk.start()
    start_visit(window)
    assert window.current_screen() is window.comfort_screen  # the comfort plan still is asked
    window.comfort_screen.leave_button.click()
    assert window.current_screen() is window.stage_screen
    advance_to(window, "recovery")
    assert window.current_screen() is window.stage_screen
    assert [t for t in kiosk.types() if t.startswith(("checkin.", "comfort_plan."))] == []


def test_not_now_records_nothing_and_is_not_asked_again(kiosk: Kiosk) -> None:
    window = kiosk.start()
    start_visit(window)
    assert window.current_screen() is window.checkin_screen
    before = kiosk.types()
    window.checkin_screen.leave_button.click()  # Not now
    assert kiosk.types() == before  # a skip is never logged
    assert window.current_screen() is window.comfort_screen
    window.comfort_screen.leave_button.click()  # Not now
    assert window.current_screen() is window.stage_screen

    unlock(window)  # the panel closed at the same stage asks nothing again
    window.staff_screen.close_button.click()
    assert window.current_screen() is window.stage_screen
    next_stage(window)  # iv_placement would ask "before" too
    assert window.session.stage == "iv_placement"
    assert window.current_screen() is window.stage_screen
    assert [t for t in kiosk.types() if t.startswith(("checkin.", "comfort_plan."))] == []

    advance_to(window, "infusion_complete")
    next_stage(window)  # the check-in after is another question, asked in recovery
    assert window.current_screen() is window.checkin_screen
    assert window.checkin_screen.moment == "after"


def test_back_on_an_unanswered_check_in_declines_it(kiosk: Kiosk) -> None:
    window = kiosk.start()
    start_visit(window)
    assert window.current_screen() is window.checkin_screen
    assert window.home_button.isVisibleTo(window)
    assert window.home_button.accessibleName() == "Back"
    window.home_button.click()
    assert window.current_screen() is window.stage_screen
    assert "checkin:before" in window.care.state.skipped

    unlock(window)
    window.staff_screen.close_button.click()
    assert window.current_screen() is window.comfort_screen  # the comfort plan, not the check-in
    window.comfort_screen.leave_button.click()
    next_stage(window)
    assert window.session.stage == "iv_placement"
    assert window.current_screen() is window.stage_screen
    assert [t for t in kiosk.types() if t.startswith("checkin.")] == []


# -- 2. a failing log ----------------------------------------------------------------
def test_a_face_that_cannot_be_recorded_is_not_shown_as_answered(
    kiosk: Kiosk, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = kiosk.start()
    start_visit(window)
    tries: list[str] = []

    def refuse(type: str, data: dict[str, object], **kwargs: Any) -> object:
        tries.append(type)
        raise EventLogError("the disk is full")

    monkeypatch.setattr(window.events, "append", refuse)
    window.checkin_screen.tiles[2].click()
    assert tries == ["checkin.recorded"]
    assert window.current_screen() is window.checkin_screen
    assert_unanswered(window)
    assert window.care.state.checkins == {}

    monkeypatch.undo()  # the log works again: the same tap now counts
    window.checkin_screen.tiles[2].click()
    assert checked_faces(window) == [2]
    assert kiosk.events("checkin.") == [("checkin.recorded", {"moment": "before", "value": 2})]


# -- 3. the comfort plan -----------------------------------------------------------------
def test_each_tap_records_the_whole_plan_and_staff_see_it_with_a_call(kiosk: Kiosk) -> None:
    kiosk.configure(session={"checkins": False})
    window = kiosk.start()
    start_visit(window)
    screen = window.comfort_screen
    assert window.current_screen() is screen
    assert screen.leave_button.accessibleName() == "Not now"
    assert list(screen.tiles) == list(COMFORT_CHOICES)

    for choice in ("music_off", "sit_with_me", "music_softer", "music_off"):
        screen.tiles[choice].click()
    assert kiosk.events("comfort_plan.") == [
        ("comfort_plan.recorded", {"choices": ["music_off"]}),
        ("comfort_plan.recorded", {"choices": ["music_off", "sit_with_me"]}),
        ("comfort_plan.recorded", {"choices": ["music_softer", "music_off", "sit_with_me"]}),
        ("comfort_plan.recorded", {"choices": ["music_softer", "sit_with_me"]}),
    ]
    assert screen.chosen() == ["music_softer", "sit_with_me"]
    assert screen.lead.text() == EN.comfort_text("thanks")
    assert screen.leave_button.accessibleName() == "Done"
    screen.leave_button.click()
    assert window.current_screen() is window.stage_screen

    window.call_button.click()
    assert window.current_screen() is window.call_screen
    words = comfort_words(["sit_with_me", "music_softer"])
    assert words == "softer music, someone to sit with them"
    app_tests.long_press_staff(window)  # the PIN page shows the call without the PIN
    staff = window.staff_screen
    assert not staff.unlocked
    assert staff.pin_call_info.isVisibleTo(window)
    assert staff.pin_call_info.text().endswith("\nComfort plan: " + words)
    unlock(window)
    assert staff.call_info.isVisibleTo(window)
    assert staff.call_info.text().endswith("\nComfort plan: " + words)


def test_no_comfort_plan_no_plan_with_the_call(kiosk: Kiosk) -> None:
    kiosk.configure(session={"checkins": False})
    window = kiosk.start()
    start_visit(window)
    window.comfort_screen.tiles["lights_lower"].click()
    window.comfort_screen.tiles["lights_lower"].click()  # none of these after all
    assert kiosk.events("comfort_plan.")[-1] == ("comfort_plan.recorded", {"choices": []})
    window.comfort_screen.leave_button.click()
    assert window.current_screen() is window.stage_screen
    window.call_button.click()
    app_tests.long_press_staff(window)
    info = window.staff_screen.pin_call_info
    assert info.isVisibleTo(window)
    assert info.text().startswith("Call made ")
    assert "Comfort plan" not in info.text()
    unlock(window)
    assert window.staff_screen.call_info.text().startswith("Call made ")
    assert "Comfort plan" not in window.staff_screen.call_info.text()
    assert "Comfort plan" not in window.staff_screen.care_info.text()


# -- 4. the going-home checklist --------------------------------------------------------
def test_the_nurse_confirms_the_checklist_and_the_patient_sees_the_ticks(kiosk: Kiosk) -> None:
    kiosk.configure(session=ALL_OFF)
    window = kiosk.start()
    start_visit(window)
    staff = window.staff_screen
    unlock(window)
    assert not staff.discharge_box.isVisibleTo(window)  # not before going home
    assert staff.events.isVisibleTo(window)
    staff.close_button.click()
    advance_to(window, "recovery")
    unlock(window)
    staff.next_button.click()
    assert window.session.stage == "going_home"
    assert staff.discharge_box.isVisibleTo(window)
    assert not staff.events.isVisibleTo(window)
    assert not staff.events_title.isVisibleTo(window)
    assert list(staff.discharge_buttons) == list(DISCHARGE_ITEMS)
    assert not any(b.isChecked() for b in staff.discharge_buttons.values())

    staff.discharge_buttons["no_driving"].click()
    staff.discharge_buttons["water"].click()
    assert kiosk.events("discharge.") == [
        ("discharge.confirmed", {"item": "no_driving"}),
        ("discharge.confirmed", {"item": "water"}),
    ]
    marks = window.stage_screen.checklist.marks
    assert {item: mark.text() for item, mark in marks.items()} == {
        item: "✓" if item in ("no_driving", "water") else "○" for item in DISCHARGE_ITEMS
    }
    staff.discharge_buttons["no_driving"].click()  # a mis-tap, undone
    assert kiosk.events("discharge.")[-1] == ("discharge.withdrawn", {"item": "no_driving"})
    assert len(kiosk.events("discharge.")) == 3
    assert marks["no_driving"].text() == "○"
    assert marks["water"].text() == "✓"
    assert not staff.discharge_buttons["no_driving"].isChecked()
    assert staff.discharge_buttons["water"].isChecked()

    staff.close_button.click()
    assert window.current_screen() is window.stage_screen
    assert window.stage_screen.checklist.isVisibleTo(window)

    kiosk.stop(window)  # a restart keeps the ticks
    window = kiosk.start()
    assert window.session.stage == "going_home"
    assert window.current_screen() is window.stage_screen
    marks = window.stage_screen.checklist.marks
    assert {item: mark.text() for item, mark in marks.items()} == {
        item: "✓" if item == "water" else "○" for item in DISCHARGE_ITEMS
    }
    unlock(window)
    assert [i for i, b in window.staff_screen.discharge_buttons.items() if b.isChecked()] == ["water"]


# -- 5. the patient's language ---------------------------------------------------------
def test_the_patient_switches_language_and_a_restart_keeps_it(kiosk: Kiosk) -> None:
    window = kiosk.start()
    start_visit(window)
    assert window.current_screen() is window.checkin_screen
    assert not window.language_button.isVisibleTo(window)  # only on the stage screen
    window.checkin_screen.tiles[3].click()  # answered, so that a restart asks nothing
    window.checkin_screen.leave_button.click()
    assert window.current_screen() is window.comfort_screen
    assert not window.language_button.isVisibleTo(window)
    window.comfort_screen.tiles["lights_lower"].click()
    window.comfort_screen.leave_button.click()
    assert window.current_screen() is window.stage_screen
    button = window.language_button
    assert button.isVisibleTo(window)
    assert button.text() == "Español"
    assert window.stage_screen.title.text() == EN.stages["settling"].title

    button.click()
    assert kiosk.events("session.language")[-1] == ("session.language_changed", {"language": "es"})
    assert window.current_screen() is window.stage_screen
    assert window.stage_screen.title.text() == ES.stages["settling"].title
    assert button.text() == "English"
    window.music_button.click()
    assert not button.isVisibleTo(window)
    window.home_button.click()

    button.click()
    assert kiosk.events("session.language") == [
        ("session.language_changed", {"language": "es"}),
        ("session.language_changed", {"language": "en"}),
    ]
    assert window.stage_screen.title.text() == EN.stages["settling"].title
    assert button.text() == "Español"

    button.click()
    kiosk.stop(window)
    window = kiosk.start()
    assert window.session.state.language == "es"
    assert window.current_screen() is window.stage_screen
    assert window.stage_screen.title.text() == ES.stages["settling"].title
    assert window.language_button.text() == "English"


def test_one_language_no_language_button(kiosk: Kiosk) -> None:
    kiosk.configure(languages=("en",), session=ALL_OFF)
    window = kiosk.start()
    start_visit(window)
    assert window.current_screen() is window.stage_screen
    assert not window.language_button.isVisibleTo(window)


# -- 6. About your treatment --------------------------------------------------------------
def test_about_your_treatment_before_the_infusion_only(kiosk: Kiosk) -> None:
    kiosk.configure(session=ALL_OFF)
    window = kiosk.start()
    start_visit(window)
    stage = window.stage_screen
    assert window.current_screen() is stage
    assert stage.about_button.isVisibleTo(window)
    stage.about_button.click()
    about = window.about_screen
    assert window.current_screen() is about
    assert len(EN.about_cards) == 4
    for index, card in enumerate(EN.about_cards):
        assert about.title.text() == card.title
        assert about.text.text() == card.text
        assert about.previous_button.isVisibleTo(window) == (index > 0)
        last = index == 3
        assert about.next_button.accessibleName() == ("Done" if last else "Next card")
        assert about.next_button.text() == EN.about_text("done" if last else "next")
        assert window.current_screen() is about
        about.next_button.click()
    assert window.current_screen() is stage

    next_stage(window)
    assert window.session.stage == "iv_placement"
    assert stage.about_button.isVisibleTo(window)
    next_stage(window)
    assert window.session.stage == "infusion"
    assert window.current_screen() is stage
    assert not stage.about_button.isVisibleTo(window)


# -- 7. dimming -----------------------------------------------------------------------
@pytest.fixture
def shown(kiosk: Kiosk) -> KioskWindow:
    """A shown window at the stage screen of an open visit (nothing asked)."""
    kiosk.configure(session=ALL_OFF)
    window = kiosk.start()
    window.show()
    kiosk.qtbot.waitExposed(window)
    start_visit(window)
    assert window.current_screen() is window.stage_screen
    return window


def test_a_dim_screen_wakes_on_a_tap_that_does_nothing_else(kiosk: Kiosk, shown: KioskWindow) -> None:
    window = shown
    assert window.dim_timer.isActive()
    assert window.dim_timer.interval() == 300 * 1000
    assert not window.dimmer.dimmed
    window.dim_timer.timeout.emit()
    assert window.dimmer.dimmed
    assert window.dimmer.isVisible()

    music = centre_in_window(window.music_button)
    assert window.childAt(music) is window.dimmer
    kiosk.qtbot.mouseClick(window.dimmer, Qt.MouseButton.LeftButton, pos=music)
    assert not window.dimmer.dimmed
    assert window.current_screen() is window.stage_screen  # no music screen
    assert "nurse_call.requested" not in kiosk.types()


def test_a_tap_on_call_nurse_wakes_and_calls(kiosk: Kiosk, shown: KioskWindow) -> None:
    window = shown
    window.dim_timer.timeout.emit()
    assert window.dimmer.dimmed
    kiosk.qtbot.mouseClick(window.dimmer, Qt.MouseButton.LeftButton,
                           pos=centre_in_window(window.call_button))
    assert not window.dimmer.dimmed
    assert window.current_screen() is window.call_screen
    assert kiosk.types().count("nurse_call.requested") == 1
    assert window.calls.state.is_open

    # and while the call is open the screen does not dim
    assert not window.dim_timer.isActive()
    window.dim_timer.timeout.emit()
    assert not window.dimmer.dimmed
    window.home_button.click()  # back to the stage screen, the call still open
    assert window.current_screen() is window.stage_screen
    assert window.calls.state.is_open
    assert not window.dim_timer.isActive()
    window.dim_timer.timeout.emit()
    assert not window.dimmer.dimmed


def test_the_screen_dims_again_after_a_wake(kiosk: Kiosk, shown: KioskWindow) -> None:
    window = shown
    window.dim_timer.setInterval(50)  # the real timer, shortened
    window.dim_timer.start()
    kiosk.qtbot.waitUntil(lambda: window.dimmer.dimmed, timeout=3000)
    kiosk.qtbot.mouseClick(window.dimmer, Qt.MouseButton.LeftButton,
                           pos=centre_in_window(window.music_button))
    assert not window.dimmer.dimmed
    assert window.dim_timer.isActive()
    kiosk.qtbot.waitUntil(lambda: window.dimmer.dimmed, timeout=3000)


def test_no_dimming_during_a_breathing_exercise(kiosk: Kiosk, shown: KioskWindow) -> None:
    window = shown
    window.breathe_button.click()
    assert window.current_screen() is window.breathe_screen
    assert window.dim_timer.isActive()  # not yet running
    window.breathe_screen.start_button.click()
    assert window.breathing.active
    assert not window.dim_timer.isActive()
    window.dim_timer.timeout.emit()
    assert not window.dimmer.dimmed


def test_no_dimming_outside_a_visit(kiosk: Kiosk) -> None:
    window = kiosk.start()
    assert window.current_screen() is window.idle_screen
    assert not window.dim_timer.isActive()
    window.dim_timer.timeout.emit()
    assert not window.dimmer.dimmed


def test_dim_after_zero_never_dims(kiosk: Kiosk) -> None:
    kiosk.configure(session=ALL_OFF, display={"dim_after_seconds": 0})
    window = kiosk.start()
    start_visit(window)
    assert window.current_screen() is window.stage_screen
    assert not window.dim_timer.isActive()
    window.music_button.click()
    assert not window.dim_timer.isActive()
    window.home_button.click()
    assert not window.dim_timer.isActive()
    window.dim_timer.timeout.emit()
    assert not window.dimmer.dimmed
