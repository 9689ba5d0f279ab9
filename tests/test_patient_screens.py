"""Every patient screen, in English and Spanish, at text_scale 1.0 and 1.6, at 1280×800.

A walk through a whole visit the way a patient and a nurse would go through it:
at each screen the window is laid out for real (offscreen) and every visible text
is measured against its widget (tests/layout.py). No text may be clipped or
reach outside its parent, and every button a patient can touch must be at least
120 px either way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk import config as kiosk_config
from kiosk.app import KioskWindow, create_window
from kiosk.clock import FakeClock
from kiosk.config import Config
from kiosk.security import hash_pin
from tests.layout import clipped_text, overflowing, small_targets

PIN = "428613"
LANGUAGES = ("en", "es")
SCALES = (1.0, 1.6)


@pytest.fixture(scope="module")
def pin_hash() -> str:
    return hash_pin(PIN, n=2**4)


def make_config(log_dir: Path, pin_hash: str, scale: float, theme: str = "dusk") -> Config:
    base = kiosk_config.defaults()
    return replace(
        base,
        kiosk=replace(base.kiosk, languages=LANGUAGES),
        staff=replace(base.staff, pin_hash=pin_hash),
        display=replace(base.display, text_scale=scale, theme=theme),
        log=replace(base.log, dir=log_dir),
    )


def unlock(window: KioskWindow) -> None:
    window.open_staff()
    window.staff_screen.pin_pad.type_digits(PIN)
    window.staff_screen.pin_pad.keys["OK"].click()


def walk(window: KioskWindow, clock: FakeClock, language: str) -> Iterator[str]:
    """Drive a whole visit; yield the name of each patient screen as it is shown."""
    staff = window.staff_screen
    yield "idle"
    unlock(window)
    staff.language_buttons[language].click()
    staff.start_button.click()
    staff.close_button.click()
    assert window.current_screen().name == "checkin"
    yield "check-in before"
    window.checkin_screen.tiles[2].click()
    yield "check-in answered"
    window.checkin_screen.leave_button.click()
    assert window.current_screen().name == "comfort"
    yield "comfort plan"
    for choice in ("music_softer", "sit_with_me", "talk_me_through"):
        window.comfort_screen.tiles[choice].click()
    yield "comfort plan chosen"
    window.comfort_screen.leave_button.click()
    assert window.current_screen().name == "stage"
    yield "stage settling"
    window.stage_screen.about_button.click()
    for number in range(1, window.about_screen.count + 1):
        yield f"about card {number}"
        window.about_screen.next_button.click()
    assert window.current_screen().name == "stage"
    window.music_button.click()
    yield "music"
    window.breathe_button.click()
    yield "breathe choosing"
    window.breathe_screen.start_button.click()
    yield "breathe running"
    window.breathe_screen.dizzy_button.click()
    yield "breathe dizzy"
    window.breathe_screen.better_button.click()
    window.breathe_screen.start_button.click()
    clock.advance(window.breathing.minutes * 60 + 60)
    window.breathe_screen.frame_timer.timeout.emit()
    yield "breathe finished"
    window.go_home()
    unlock(window)
    staff.next_button.click()
    staff.next_button.click()
    staff.close_button.click()
    clock.advance(17 * 60)
    window.stage_screen.refresh()
    yield "stage infusion"
    window.call_button.click()
    yield "call"
    first = next(iter(window.call_screen.reason_buttons.values()))
    first.click()
    yield "call with a reason"
    window.home_button.click()
    yield "stage infusion with the call strip"
    window.call_strip.cancel_button.click()
    unlock(window)
    staff.next_button.click()
    staff.close_button.click()
    yield "stage infusion complete"
    unlock(window)
    staff.next_button.click()
    staff.close_button.click()
    assert window.current_screen().name == "checkin"
    yield "check-in after"
    window.checkin_screen.tiles[4].click()
    window.checkin_screen.leave_button.click()
    yield "stage recovery"
    unlock(window)
    staff.next_button.click()
    for item in ("adult_home", "water"):
        staff.discharge_buttons[item].click()
    staff.close_button.click()
    yield "stage going home"


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_patient_screen_fits(qtbot: QtBot, tmp_path: Path, pin_hash: str,
                                   language: str, scale: float) -> None:
    clock = FakeClock()
    window = create_window(make_config(tmp_path / "events", pin_hash, scale), clock=clock)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    problems: list[str] = []
    seen = []
    try:
        for name in walk(window, clock, language):
            QApplication.processEvents()
            assert window.current_screen().patient, name
            seen.append(name)
            for check in (clipped_text, overflowing, small_targets):
                problems += [f"{name}: {p}" for p in check(window)]
    finally:
        window.shutdown()
    assert len(seen) == 23
    assert not problems, "\n".join(problems)


def test_the_checker_finds_a_clipped_text(qtbot: QtBot, tmp_path: Path, pin_hash: str) -> None:
    """The measuring above can fail: a long word in a narrow label and a squeezed button."""
    window = create_window(make_config(tmp_path / "events", pin_hash, 1.0), clock=FakeClock())
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    try:
        window.idle_screen.title.setText("Supercalifragilisticexpialidocious" * 3)
        window.call_button.setFixedWidth(160)
        QApplication.processEvents()
        problems = clipped_text(window)
        assert any("Supercali" in p for p in problems)
        assert any("'Call nurse': needs" in p for p in problems)
        assert small_targets(window) == []  # 160×120 is still a large target
        window.call_button.setFixedWidth(100)
        QApplication.processEvents()
        assert any("Call nurse" in p for p in small_targets(window))
    finally:
        window.shutdown()

