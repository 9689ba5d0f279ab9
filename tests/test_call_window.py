"""Call nurse in the window, offscreen: recorded first, honest words, cancel, acknowledge, faults.

Offscreen tests have no sound server (see conftest), so the chime cannot sound
here: that is the "no audio device" case. Real sound is in test_call_sound.py.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.app import KioskWindow
from kiosk.clock import FakeClock
from kiosk.config import Config
from kiosk.config_schema import CALL_KEYS
from kiosk.content import load_content
from kiosk.events import read_events
from kiosk.security import hash_pin
from kiosk.widgets import key_code
from tests.test_app import PIN, Kiosk, long_press_staff, make_config, unlock

EN = load_content("en")


@pytest.fixture(scope="module")
def pin_hash() -> str:
    return hash_pin(PIN, n=2**4)


def notify_script(tmp_path: Path, body: str = "") -> list[str]:
    """A notify command that appends its arguments, as JSON, to `notified.jsonl`."""
    script = tmp_path / "notify.py"
    script.write_text(
        "import json, sys, time\n"
        f"open({str(tmp_path / 'notified.jsonl')!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
        + body
    )
    return [sys.executable, str(script), "{event}", "{room}", "{kiosk}", "{call_id}", "{reason}"]


def notified(tmp_path: Path) -> list[list[str]]:
    path = tmp_path / "notified.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def call_config(tmp_path: Path, pin_hash: str, **nurse_call: object) -> Config:
    config = make_config(tmp_path / "events", pin_hash)
    return replace(config, nurse_call=replace(config.nurse_call, **nurse_call))


@pytest.fixture
def kiosk(qtbot: QtBot, tmp_path: Path, pin_hash: str) -> Iterator[Kiosk]:
    k = Kiosk(qtbot, call_config(tmp_path, pin_hash), FakeClock())
    yield k
    for window in k.windows:
        k.stop(window)


def events_of(kiosk: Kiosk, prefix: str = "nurse_call.") -> list[tuple[str, dict[str, object]]]:
    return [(e.type, dict(e.data)) for e in read_events(kiosk.config.log.dir)
            if e.type.startswith(prefix)]


def start_visit(window: KioskWindow) -> None:
    unlock(window)
    window.staff_screen.start_button.click()
    window.staff_screen.close_button.click()


class ShowSpy(QObject):
    """Notes, in a shared list, the moment a widget is shown."""

    def __init__(self, order: list[str], name: str) -> None:
        super().__init__()
        self.order, self.name = order, name

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Show:
            self.order.append(self.name)
        return False


def test_the_call_is_fsynced_before_cancel_call_is_shown(
    kiosk: Kiosk, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = kiosk.start()
    window.show()
    start_visit(window)
    order: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        real_fsync(fd)
        try:
            last = Path(f"/proc/self/fd/{fd}").read_bytes().splitlines()[-1]
        except (IsADirectoryError, IndexError):
            return
        if b'"nurse_call.requested"' in last:
            visible = [b.isVisible() for b in (window.call_screen.cancel_button,
                                               window.call_strip.cancel_button)]
            order.append(f"fsync requested (cancel visible: {any(visible)})")

    monkeypatch.setattr(os, "fsync", fsync)
    spies = [ShowSpy(order, "call screen's Cancel call shown"),
             ShowSpy(order, "strip's Cancel call shown")]
    window.call_screen.cancel_button.installEventFilter(spies[0])
    window.call_strip.cancel_button.installEventFilter(spies[1])

    window.call_button.click()

    assert order[0] == "fsync requested (cancel visible: False)"
    assert "call screen's Cancel call shown" in order[1:]
    assert window.current_screen() is window.call_screen
    assert window.call_screen.cancel_button.isVisible()
    assert window.call_screen.cancel_button.accessibleName() == "Cancel call"


def test_one_tap_calls_and_the_patient_is_told_the_truth(kiosk: Kiosk) -> None:
    window = kiosk.start()
    start_visit(window)
    window.call_button.click()
    state = window.calls.state
    assert state.is_open and state.recorded
    # No sound server offscreen and no notify command: nobody is known to be reached.
    assert window.call_screen.status.text() == EN.call["fallback"]
    assert ("nurse_call.chimed", {"call_id": state.call_id, "event": "requested", "ok": False,
                                  "error": window.call_paths.chime.fault}) in events_of(kiosk)
    assert window.call_paths.chime is not None and window.call_paths.chime.fault
    assert events_of(kiosk)[0] == ("nurse_call.requested",
                                   {"call_id": state.call_id, "source": "button"})
    session = [e.session for e in read_events(kiosk.config.log.dir)
               if e.type == "nurse_call.requested"]
    assert session == [window.session.state.session]


def test_no_audio_output_is_a_fault_shown_to_staff_before_any_call(kiosk: Kiosk) -> None:
    window = kiosk.start()
    long_press_staff(window)
    assert "No audio output was found" in window.staff_screen.banner.text()
    assert window.staff_screen.banner.isVisibleTo(window.staff_screen)


def test_the_chime_fault_is_shown_to_staff(kiosk: Kiosk) -> None:
    window = kiosk.start()
    window.call_button.click()
    long_press_staff(window)
    assert window.staff_screen.banner.isVisibleTo(window.staff_screen)
    assert window.call_paths.chime.fault.startswith("No audio output was found")
    # with no output at all, the chime's and the music's faults are one sentence
    assert window.staff_screen.banner.text().count("No audio output was found") == 1
    assert "call chime" in window.staff_screen.banner.text()


def test_a_reason_updates_the_open_call(kiosk: Kiosk) -> None:
    window = kiosk.start()
    window.call_button.click()
    buttons = window.call_screen.reason_buttons
    assert list(buttons) == list(kiosk.config.nurse_call.reasons)
    buttons["I feel dizzy or unwell"].click()
    assert window.calls.state.reason == "I feel dizzy or unwell"
    assert events_of(kiosk)[-1][0] == "nurse_call.reason"
    assert window.call_screen.prompt.text() == "You told us: I feel dizzy or unwell."
    assert buttons["I feel dizzy or unwell"].isChecked()


def test_reasons_in_the_visit_language(kiosk: Kiosk) -> None:
    window = kiosk.start()
    unlock(window)
    window.staff_screen.language_buttons["es"].click()
    window.staff_screen.start_button.click()
    window.staff_screen.close_button.click()
    window.call_button.click()
    button = window.call_screen.reason_buttons["I feel sick"]
    assert button.text() == "Tengo náuseas"
    button.click()
    assert window.calls.state.reason == "I feel sick"  # staff read the configured words
    assert window.call_screen.prompt.text() == "Nos ha dicho: Tengo náuseas."
    assert window.call_strip.cancel_button.text() == "Cancelar llamada"


def test_back_keeps_the_call_in_a_strip_with_cancel(kiosk: Kiosk) -> None:
    window = kiosk.start()
    window.show()
    start_visit(window)
    window.music_button.click()
    window.call_button.click()
    assert window.home_button.isVisible()
    window.home_button.click()
    assert window.current_screen() is window.stage_screen
    assert window.call_strip.isVisible()
    assert window.call_strip.status.text() == window.call_screen.status.text()
    window.call_strip.cancel_button.click()
    assert not window.calls.state.is_open
    assert not window.call_strip.isVisible()
    assert events_of(kiosk)[-1][0] == "nurse_call.cancelled"


def test_cancel_on_the_call_screen_returns_to_where_the_patient_was(kiosk: Kiosk) -> None:
    window = kiosk.start()
    start_visit(window)
    window.music_button.click()
    window.call_button.click()
    window.call_screen.cancel_button.click()
    assert window.current_screen() is window.music_screen
    assert not window.call_strip.isVisibleTo(window)


def test_taps_within_the_guard_add_to_the_open_call(kiosk: Kiosk) -> None:
    window = kiosk.start()
    window.call_button.click()
    first = window.calls.state.call_id
    kiosk.clock.advance(3)
    window.call_button.click()
    assert window.calls.state.call_id == first
    assert [t for t, _ in events_of(kiosk) if t != "nurse_call.chimed"] == [
        "nurse_call.requested", "nurse_call.repeated"]


def test_a_call_key_calls_and_held_keys_do_not_repeat(kiosk: Kiosk, qtbot: QtBot) -> None:
    window = kiosk.start()
    window.show()
    qtbot.keyClick(window, Qt.Key.Key_F12, Qt.KeyboardModifier.ControlModifier)
    assert not window.calls.state.is_open  # not with Ctrl
    qtbot.keyPress(window, Qt.Key.Key_F12)
    qtbot.keyRelease(window, Qt.Key.Key_F12)
    assert window.calls.state.is_open
    assert events_of(kiosk)[0][1]["source"] == "key"
    assert window.current_screen() is window.call_screen


def test_staff_acknowledge_without_the_pin(kiosk: Kiosk) -> None:
    window = kiosk.start()
    start_visit(window)
    window.call_button.click()
    kiosk.clock.advance(75)
    long_press_staff(window)
    staff = window.staff_screen
    assert not staff.unlocked
    assert staff.pin_ack_button.isVisibleTo(staff)
    assert staff.pin_ack_button.accessibleName() == "Acknowledge call"
    assert staff.pin_call_info.text() == "Call made 1 min 15 s ago · not yet acknowledged"
    staff.pin_ack_button.click()
    assert window.calls.state.status == "acknowledged"
    assert events_of(kiosk)[-1] == ("nurse_call.acknowledged", {
        "call_id": window.calls.state.call_id, "by": "kiosk", "waited_seconds": 75})
    # straight back to the patient, who reads that a nurse is coming
    assert window.current_screen().patient
    assert window.call_strip.status.text() == "A nurse has seen your call and is coming."
    long_press_staff(window)
    assert not staff.pin_ack_button.isVisibleTo(staff)


def test_staff_resolve_closes_the_call(kiosk: Kiosk) -> None:
    window = kiosk.start()
    window.call_button.click()
    unlock(window)
    staff = window.staff_screen
    assert staff.call_box.isVisibleTo(staff)
    staff.resolve_button.click()
    assert not window.calls.state.is_open
    assert events_of(kiosk)[-1][0] == "nurse_call.resolved"
    assert not staff.call_box.isVisibleTo(staff)
    staff.close_button.click()
    assert not window.call_strip.isVisibleTo(window)


def test_ending_the_visit_resolves_its_open_call(kiosk: Kiosk) -> None:
    window = kiosk.start()
    start_visit(window)
    window.call_button.click()
    unlock(window)
    window.staff_screen.end_button.click()
    window.staff_screen.confirm_yes.click()
    assert not window.calls.state.is_open
    assert events_of(kiosk)[-1] == ("nurse_call.resolved", {
        "call_id": events_of(kiosk)[0][1]["call_id"], "by": "visit_end", "waited_seconds": 0})


def test_the_shell_can_acknowledge(kiosk: Kiosk) -> None:
    window = kiosk.start()
    assert window.control_command("ack") == "none no call is open"
    window.call_button.click()
    call_id = window.calls.state.call_id
    assert window.control_command("status") == f"ok call {call_id}: Call made 0 s ago · not yet acknowledged"
    assert window.control_command("ack") == f"ok acknowledged call {call_id}"
    assert window.control_command("ack") == f"ok call {call_id} was already acknowledged"
    assert events_of(kiosk)[-1][1]["by"] == "shell"
    assert window.control_command("reboot").startswith("error unknown command")


def test_reminders_come_from_the_timer(kiosk: Kiosk) -> None:
    window = kiosk.start()
    window.call_button.click()
    timer = window.call_paths.timer
    assert timer.isActive() and timer.interval() == 30_000
    kiosk.clock.advance(30)
    timer.timeout.emit()
    assert [t for t, _ in events_of(kiosk)][-2:] == ["nurse_call.reminded", "nurse_call.chimed"]
    assert timer.interval() == 30_000
    window.calls.acknowledge("kiosk")
    assert not timer.isActive()


def test_the_open_call_survives_a_restart(kiosk: Kiosk) -> None:
    window = kiosk.start()
    start_visit(window)
    window.call_button.click()
    window.call_screen.reason_buttons["I feel anxious"].click()
    call_id = window.calls.state.call_id
    kiosk.stop(window)
    kiosk.clock.advance(40)

    again = kiosk.start()
    again.show()
    assert again.calls.state.call_id == call_id
    assert again.calls.state.reason == "I feel anxious"
    assert again.current_screen() is again.stage_screen
    assert again.call_strip.isVisible()
    assert again.call_strip.cancel_button.isVisible()
    # still unanswered: it chimes again at once (the chime fault is recorded here)
    assert events_of(kiosk)[-1][1]["event"] == "reminder"


def test_a_notify_command_gets_every_step(qtbot: QtBot, tmp_path: Path, pin_hash: str) -> None:
    config = call_config(tmp_path, pin_hash, notify_command=tuple(notify_script(tmp_path)))
    kiosk = Kiosk(qtbot, config, FakeClock())
    window = kiosk.start()
    try:
        window.call_button.click()
        call_id = window.calls.state.call_id
        assert window.call_screen.status.text() == EN.call["sending"]
        qtbot.waitUntil(lambda: window.calls.state.notify_ok is True, timeout=5000)
        assert window.call_screen.status.text() == EN.call["recorded_message"]
        window.call_screen.reason_buttons["I feel sick"].click()
        window.calls.acknowledge("kiosk")
        window.calls.resolve("kiosk")
        qtbot.waitUntil(lambda: len(notified(tmp_path)) == 4, timeout=5000)
        # the runs go in parallel, so they may finish in any order
        assert sorted(notified(tmp_path)) == sorted([
            ["requested", "Room 1", "kiosk-1", call_id, ""],
            ["reason", "Room 1", "kiosk-1", call_id, "I feel sick"],
            ["acknowledged", "Room 1", "kiosk-1", call_id, "I feel sick"],
            ["resolved", "Room 1", "kiosk-1", call_id, "I feel sick"],
        ])
        qtbot.waitUntil(lambda: sum(t == "nurse_call.notified" for t, _ in events_of(kiosk)) == 4)
    finally:
        kiosk.stop(window)


def test_a_hanging_notify_command_never_holds_up_the_window(
    qtbot: QtBot, tmp_path: Path, pin_hash: str, caplog: pytest.LogCaptureFixture
) -> None:
    command = notify_script(tmp_path, "time.sleep(60)\n")
    config = call_config(tmp_path, pin_hash, notify_command=tuple(command),
                         notify_timeout_seconds=1)
    kiosk = Kiosk(qtbot, config, FakeClock())
    window = kiosk.start()
    ticks: list[int] = []
    ticker = QTimer()
    ticker.timeout.connect(lambda: ticks.append(1))
    ticker.start(20)
    try:
        window.call_button.click()
        qtbot.waitUntil(lambda: len(notified(tmp_path)) == 1, timeout=5000)
        # while the command hangs, the window answers taps
        window.call_screen.reason_buttons["Something else"].click()
        assert window.calls.state.reason == "Something else"
        window.call_screen.cancel_button.click()
        assert not window.calls.state.is_open
        qtbot.waitUntil(lambda: any(d.get("timed_out") for t, d in events_of(kiosk)
                                    if t == "nurse_call.notified"), timeout=5000)
        assert len(ticks) >= 25  # the event loop kept running (20 ms ticks over ~1 s)
        outcome = next(d for t, d in events_of(kiosk) if t == "nurse_call.notified")
        assert outcome["ok"] is False and "did not finish within 1 s" in str(outcome["error"])
        long_press_staff(window)
        assert "notify command failed" in window.staff_screen.banner.text()
    finally:
        ticker.stop()
        kiosk.stop(window)


def test_an_unusable_log_directory_still_calls(
    qtbot: QtBot, tmp_path: Path, pin_hash: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The log directory replaced by a file: the kiosk starts, and a call still goes out."""
    config = call_config(tmp_path, pin_hash, notify_command=tuple(notify_script(tmp_path)))
    config.log.dir.write_text("not a directory")
    kiosk = Kiosk(qtbot, config, FakeClock())
    with caplog.at_level(logging.CRITICAL):
        window = kiosk.start()
        try:
            window.call_button.click()
            state = window.calls.state
            assert state.is_open and not state.recorded
            assert window.call_screen.status.text() == (
                "Calling your nurse — please also use the room's call button.")
            assert window.call_screen.cancel_button.isVisibleTo(window.call_screen)
            qtbot.waitUntil(lambda: len(notified(tmp_path)) == 1, timeout=5000)
            assert notified(tmp_path)[0][0] == "requested"
            assert any(r.levelno == logging.CRITICAL and "nurse_call.requested" in r.getMessage()
                       for r in caplog.records)
            long_press_staff(window)
            assert "The event log cannot be used" in window.staff_screen.banner.text()
            # the chime was tried (and here, with no sound server, it cannot sound either)
            assert window.call_paths.chime.fault
        finally:
            kiosk.stop(window)


def test_call_paths_stop_at_shutdown(qtbot: QtBot, tmp_path: Path, pin_hash: str) -> None:
    command = notify_script(tmp_path, "time.sleep(60)\n")
    config = call_config(tmp_path, pin_hash, notify_command=tuple(command))
    kiosk = Kiosk(qtbot, config, FakeClock())
    window = kiosk.start()
    window.call_button.click()
    qtbot.waitUntil(lambda: len(notified(tmp_path)) == 1, timeout=5000)
    kiosk.stop(window)
    assert window.call_paths.notifier is not None and window.call_paths.notifier.running == 0
    assert not window.call_paths.timer.isActive()
    QApplication.processEvents()


def test_every_key_name_check_config_allows_is_a_key_qt_knows() -> None:
    codes = [key_code(name) for name in CALL_KEYS]  # raises ValueError for a name Qt lacks
    assert len(set(codes)) == len(CALL_KEYS)
    assert key_code("F12") == Qt.Key.Key_F12.value and key_code("PgUp") == Qt.Key.Key_PageUp.value
