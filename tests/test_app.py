"""The kiosk window, offscreen: a whole visit through the staff panel, PIN lock-out, lock-down."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from kiosk import config as kiosk_config
from kiosk.app import KioskWindow, create_window, install_crash_handler
from kiosk.clock import FakeClock
from kiosk.config import Config
from kiosk.content import load_content
from kiosk.events import read_events
from kiosk.security import hash_pin
from kiosk.session import STAGES
from tests import leaks

PIN = "428613"
FIXED_NAMES = {"Call nurse", "Staff", "Music", "Breathe", "Start session", "Next stage", "End session"}


@pytest.fixture(scope="module")
def pin_hash() -> str:
    return hash_pin(PIN, n=2**4)


def make_config(log_dir: Path, pin_hash: str = "", **staff: object) -> Config:
    base = kiosk_config.defaults()
    return replace(
        base,
        kiosk=replace(base.kiosk, clinic_name="Harbour Street", languages=("en", "es")),
        staff=replace(base.staff, pin_hash=pin_hash, **staff),
        log=replace(base.log, dir=log_dir),
    )


class Kiosk:
    """Builds windows on one log directory, as successive starts of the kiosk would."""

    def __init__(self, qtbot: QtBot, config: Config, clock: FakeClock) -> None:
        self.qtbot, self.config, self.clock = qtbot, config, clock
        self.windows: list[KioskWindow] = []

    def start(self) -> KioskWindow:
        window = create_window(self.config, clock=self.clock)
        self.qtbot.addWidget(window)
        window.resize(1280, 800)
        self.windows.append(window)
        return window

    def stop(self, window: KioskWindow) -> None:
        window.shutdown()
        running = leaks.running_in(window)  # shut down, it waits for nothing but its deletion
        window.events.close()
        assert not running, f"still running after shutdown(): {running}"

    def types(self) -> list[str]:
        return [e.type for e in read_events(self.config.log.dir)]


@pytest.fixture
def kiosk(qtbot: QtBot, tmp_path: Path, pin_hash: str) -> Iterator[Kiosk]:
    k = Kiosk(qtbot, make_config(tmp_path / "events", pin_hash), FakeClock())
    yield k
    for window in k.windows:
        k.stop(window)


def long_press_staff(window: KioskWindow) -> None:
    window.staff_button.setDown(True)  # held...
    window.staff_button.hold_timer.timeout.emit()  # ...for the whole hold time


def unlock(window: KioskWindow, pin: str = PIN) -> None:
    long_press_staff(window)
    window.staff_screen.pin_pad.type_digits(pin)
    window.staff_screen.pin_pad.keys["OK"].click()


def visible_texts(widget: QWidget) -> list[str]:
    return [label.text() for label in widget.findChildren(QLabel) if label.isVisibleTo(widget) and label.text()]


def test_create_window_builds_and_shows_nothing(kiosk: Kiosk) -> None:
    window = kiosk.start()
    assert not window.isVisible()
    assert window.windowTitle() == "infusion-kiosk"
    assert window.current_screen() is window.idle_screen
    assert window.idle_screen.title.text() == load_content("en").idle_title
    assert window.call_button.isVisibleTo(window)
    assert not window.music_button.isVisibleTo(window)  # nothing to do on idle but call a nurse


def test_a_whole_visit_through_the_staff_panel(kiosk: Kiosk) -> None:
    window = kiosk.start()
    staff = window.staff_screen
    english = load_content("en")

    unlock(window)
    assert staff.unlocked
    assert kiosk.types()[-1] == "staff.unlocked"
    staff.more.click()  # 45 minutes
    staff.language_buttons["en"].click()
    staff.start_button.click()
    assert window.session.state.planned_infusion_minutes == 45
    assert kiosk.types()[-1] == "session.started"

    for index, stage in enumerate(STAGES):
        if index:
            staff.next_button.click()
            assert kiosk.types()[-1] == "stage.changed"
            assert list(read_events(kiosk.config.log.dir))[-1].data["to"] == stage
        staff.close_button.click()
        # the patient is asked first (check-ins before and after, the comfort plan before)
        asked = {"settling": ["checkin", "comfort"], "recovery": ["checkin"]}.get(stage, [])
        for name in asked:
            assert window.current_screen().name == name
            window.screens[name].leave_button.click()  # "Not now"
        assert window.current_screen() is window.stage_screen
        texts = visible_texts(window.stage_screen)
        for field in ("title", "now", "feel", "helps"):
            assert getattr(english.stages[stage], field) in texts
        assert window.stage_screen.strip.accessibleDescription() == english.text(
            "stage_of", number=index + 1, count=6
        )
        if stage == "infusion":
            kiosk.clock.advance(20 * 60)
            window.stage_screen.refresh()
            assert "Minutes so far: 20. Minutes to go: about 25." in visible_texts(window.stage_screen)
        unlock(window)

    assert not staff.next_button.isEnabled()  # going_home is the last stage
    staff.end_button.click()
    assert window.session.is_open  # not without confirming
    staff.confirm_yes.click()
    assert not window.session.is_open
    assert kiosk.types()[-1] == "session.ended"
    staff.close_button.click()
    assert window.current_screen() is window.idle_screen
    every_stage_text = {
        getattr(english.stages[s], f) for s in STAGES for f in ("title", "now", "feel", "helps")
    }
    for screen in window.screens.values():
        assert not every_stage_text & set(visible_texts(screen)), screen.name
    assert not window.music_button.isVisibleTo(window)


def test_a_visit_in_spanish(kiosk: Kiosk) -> None:
    window = kiosk.start()
    unlock(window)
    window.staff_screen.language_buttons["es"].click()
    window.staff_screen.start_button.click()
    window.staff_screen.close_button.click()
    spanish = load_content("es")
    assert spanish.stages["settling"].title in visible_texts(window.stage_screen)
    assert window.call_button.text() == "Llamar a enfermería"
    assert window.call_button.accessibleName() == "Call nurse"


def test_step_back_after_a_mistap(kiosk: Kiosk) -> None:
    window = kiosk.start()
    unlock(window)
    staff = window.staff_screen
    staff.start_button.click()
    assert not staff.step_back_button.isEnabled()
    staff.next_button.click()
    staff.step_back_button.click()
    assert window.session.stage == "settling"
    assert list(read_events(kiosk.config.log.dir))[-1].data["direction"] == "back"


def test_a_short_tap_on_staff_does_nothing(kiosk: Kiosk, qtbot: QtBot) -> None:
    window = kiosk.start()
    with qtbot.assertNotEmitted(window.staff_button.long_pressed):
        qtbot.mouseClick(window.staff_button, Qt.MouseButton.LeftButton)
        window.staff_button.hold_timer.timeout.emit()  # even if the timer fired late
    assert window.current_screen() is window.idle_screen


def test_a_long_press_on_staff_opens_the_pin_pad(kiosk: Kiosk, qtbot: QtBot) -> None:
    window = kiosk.start()
    window.staff_button.hold_timer.setInterval(50)  # the real timer, shortened
    with qtbot.waitSignal(window.staff_button.long_pressed, timeout=2000):
        qtbot.mousePress(window.staff_button, Qt.MouseButton.LeftButton)
    qtbot.mouseRelease(window.staff_button, Qt.MouseButton.LeftButton)
    assert window.current_screen() is window.staff_screen
    assert not window.staff_screen.unlocked


def test_five_wrong_pins_lock_staff_entry_across_a_restart(kiosk: Kiosk) -> None:
    window = kiosk.start()
    for attempt in range(1, 5):
        unlock(window, "999111")
        assert f"{5 - attempt} tr" in window.staff_screen.pin_pad.message.text()
    unlock(window, "999111")
    assert "locked for 1 min 0 s" in window.staff_screen.pin_pad.message.text()
    assert kiosk.types()[-6:] == ["staff.pin_failed"] * 5 + ["staff.locked_out"]

    # patient controls still work while staff entry is locked
    window.staff_screen.close_button.click() if window.staff_screen.unlocked else window.close_staff()
    assert window.current_screen().patient
    assert window.call_button.isEnabled()
    with kiosk.qtbot.waitSignal(window.call_button.call_requested, timeout=1000):
        window.call_button.click()

    # the right PIN does nothing while locked, and a restart keeps the lock
    unlock(window)
    assert not window.staff_screen.unlocked
    kiosk.stop(window)
    kiosk.clock.advance(20)
    window = kiosk.start()
    assert window.gate.locked_for() == pytest.approx(40)
    long_press_staff(window)
    assert "locked for 40 s" in window.staff_screen.pin_pad.message.text()
    assert not window.staff_screen.pin_pad.keys["1"].isEnabled()
    kiosk.clock.advance(41)
    unlock(window)
    assert window.staff_screen.unlocked


def test_staff_mode_closes_by_itself(kiosk: Kiosk, qtbot: QtBot) -> None:
    window = kiosk.start()
    unlock(window)
    assert window.staff_timer.isActive()
    assert window.staff_timer.interval() == kiosk.config.staff.timeout_seconds * 1000
    window.staff_timer.setInterval(100)  # the real timer, shortened
    window.staff_timer.start()
    qtbot.waitUntil(lambda: window.current_screen().patient, timeout=3000)
    assert not window.staff_screen.unlocked  # next time the PIN is asked again
    assert not window.staff_timer.isActive()


def test_music_and_breathe_return_to_the_stage_screen(kiosk: Kiosk, qtbot: QtBot) -> None:
    window = kiosk.start()
    unlock(window)
    window.staff_screen.start_button.click()
    window.staff_screen.close_button.click()
    window.music_button.click()
    assert window.current_screen() is window.music_screen
    assert window.home_button.isVisibleTo(window)
    window.home_button.click()
    assert window.current_screen() is window.stage_screen
    window.breathe_button.click()
    window.idle_timer.setInterval(100)
    window.idle_timer.start()
    qtbot.waitUntil(lambda: window.current_screen() is window.stage_screen, timeout=3000)


def test_close_requests_and_exit_keys_are_refused(kiosk: Kiosk) -> None:
    window = kiosk.start()
    event = QCloseEvent()
    window.closeEvent(event)
    assert not event.isAccepted()
    app = QApplication.instance()
    assert app is not None
    for key, modifiers in [
        (Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier),
        (Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier),
        (Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier),
    ]:
        press = QKeyEvent(QEvent.Type.KeyPress, key, modifiers)
        assert window._lockdown.eventFilter(window, press)  # noqa: SLF001 - swallowed
    ordinary = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_5, Qt.KeyboardModifier.NoModifier)
    assert not window._lockdown.eventFilter(window, ordinary)  # noqa: SLF001


def test_exit_kiosk_needs_the_pin_and_a_confirmation(kiosk: Kiosk) -> None:
    window = kiosk.start()
    unlock(window)
    window.staff_screen.exit_button.click()
    assert window.exit_reason is None
    window.staff_screen.confirm_yes.click()
    assert window.exit_reason == "staff"
    event = QCloseEvent()
    window.closeEvent(event)
    assert event.isAccepted()


def test_the_crash_handler_records_and_returns_to_the_patient(
    kiosk: Kiosk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    window = kiosk.start()
    unlock(window)
    window.staff_screen.start_button.click()
    install_crash_handler(window)
    try:
        raise RuntimeError("a bug in a slot, with a secret message")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    assert window.current_screen() is window.stage_screen
    last = list(read_events(kiosk.config.log.dir))[-1]
    assert last.type == "error"
    assert last.data["type"] == "RuntimeError"
    assert "secret" not in str(last.data)
    assert last.session == window.session.state.session


def test_every_control_has_an_accessible_name(kiosk: Kiosk) -> None:
    window = kiosk.start()
    unlock(window)
    window.staff_screen.start_button.click()
    buttons = window.findChildren(QAbstractButton)
    unnamed = [b.text() for b in buttons if not b.accessibleName()]
    assert not unnamed
    names = {b.accessibleName() for b in buttons}
    assert FIXED_NAMES <= names


def test_patient_touch_targets_are_large(kiosk: Kiosk) -> None:
    window = kiosk.start()
    unlock(window)
    window.staff_screen.start_button.click()
    window.staff_screen.close_button.click()
    window.show()
    for button in (window.call_button, window.music_button, window.breathe_button, window.staff_button):
        assert button.height() >= 120 and button.width() >= 120, button.accessibleName()
    window.hide()
