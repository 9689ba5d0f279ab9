"""The leak guard itself (tests/leaks.py): it names what a test leaves behind, then cleans it up.

Each test leaks on purpose between `snapshot()` and `check()`, the two halves of
the autouse `qt_leak_guard`, and checks that the guard's message names the leak
and that the leak is gone afterwards (so this test's own guard finds nothing).
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import (
    QAbstractAnimation,
    QObject,
    QProcess,
    QPropertyAnimation,
    QSequentialAnimationGroup,
    QThread,
    QTimer,
    QVariantAnimation,
)
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from tests import leaks

TEST = "tests/test_leaks.py::the_leaky_test"


@pytest.fixture(autouse=True)
def app(qapp: QApplication) -> QApplication:
    return qapp


def test_every_test_is_guarded(request: pytest.FixtureRequest) -> None:
    assert "qt_leak_guard" in request.fixturenames


def test_a_shown_window_left_alive_fails_with_its_class_name_title_and_test() -> None:
    before = leaks.snapshot()
    window = QWidget()
    window.setObjectName("leaky")
    window.setWindowTitle("Leaky window")
    window.show()

    message = leaks.check(before, TEST)

    assert message is not None
    assert "widget: QWidget 'leaky' window title 'Leaky window', shown" in message
    assert f"created by {TEST}" in message
    assert not isValid(window)  # deleted by the guard


def test_a_hidden_window_is_a_leak_too_but_not_one_pending_delete_later() -> None:
    before = leaks.snapshot()
    hidden = QWidget()
    going = QWidget()
    going.deleteLater()

    message = leaks.check(before, TEST)

    assert message is not None
    assert "hidden, not deleted" in message
    assert message.count("widget:") == 1
    assert not isValid(hidden) and not isValid(going)


def test_windows_that_were_there_before_are_left_alone() -> None:
    earlier = QWidget()
    before = leaks.snapshot()
    try:
        assert leaks.check(before, TEST) is None
        assert isValid(earlier)
    finally:
        earlier.deleteLater()


def test_an_active_timer_kept_by_python_fails() -> None:
    before = leaks.snapshot()
    timer = QTimer()
    timer.setObjectName("ticker")
    timer.start(60_000)

    message = leaks.check(before, TEST)

    assert message is not None
    assert "timer: QTimer 'ticker' (interval 60000 ms, repeating) (no parent" in message
    assert not timer.isActive()  # stopped by the guard


class Holder(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("holder")
        self.refresh = QTimer(self)
        self.refresh.setSingleShot(True)


def test_a_timer_started_on_an_object_from_before_fails_and_names_its_owner() -> None:
    holder = Holder()
    before = leaks.snapshot()
    holder.refresh.start(5_000)

    message = leaks.check(before, TEST)

    assert message is not None
    assert "timer: QTimer (interval 5000 ms, single shot) child of Holder 'holder' (as .refresh)" in message
    assert not holder.refresh.isActive()


def test_a_timer_running_before_the_test_is_not_the_tests() -> None:
    timer = QTimer()
    timer.start(60_000)
    before = leaks.snapshot()
    try:
        assert leaks.check(before, TEST) is None
    finally:
        timer.stop()


def test_a_running_animation_fails() -> None:
    before = leaks.snapshot()
    fade = QVariantAnimation()
    fade.setObjectName("fade")
    fade.setDuration(60_000)
    fade.setStartValue(0.0)
    fade.setEndValue(1.0)
    fade.start()

    message = leaks.check(before, TEST)

    assert message is not None
    assert "animation: QVariantAnimation 'fade' (60000 ms)" in message
    assert fade.state() == QAbstractAnimation.State.Stopped


def test_a_running_group_is_named_once_with_what_it_animates() -> None:
    target = QObject()
    target.setObjectName("target")
    before = leaks.snapshot()
    group = QSequentialAnimationGroup()
    move = QPropertyAnimation(target, b"objectName", group)
    move.setDuration(60_000)
    group.start()

    message = leaks.check(before, TEST)

    assert message is not None
    assert message.count("animation:") == 1
    assert "animation: QSequentialAnimationGroup" in message
    assert group.state() == QAbstractAnimation.State.Stopped


def test_a_clean_test_passes() -> None:
    before = leaks.snapshot()
    window = QWidget()
    timer = QTimer(window)
    timer.start(1_000)
    window.show()
    window.close()
    window.deleteLater()  # what qtbot.addWidget does after the test

    assert leaks.check(before, TEST) is None


def test_a_running_thread_and_child_process_fail() -> None:
    before = leaks.snapshot()
    thread = QThread()
    thread.setObjectName("worker")
    thread.start()  # runs its event loop until quit()
    process = QProcess()
    process.start(sys.executable, ["-c", "import sys; sys.stdin.read()"])  # waits for input
    assert process.waitForStarted(5000)

    message = leaks.check(before, TEST)

    assert message is not None
    assert "thread: QThread 'worker'" in message
    assert f"process: QProcess (running {sys.executable!r}" in message
    assert not thread.isRunning()
    assert process.state() == QProcess.ProcessState.NotRunning


def test_running_in_names_what_still_runs_inside_a_window(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    timer = QTimer(window)
    timer.setObjectName("blink")
    timer.start(1_000)

    assert leaks.running_in(window) == ["timer: QTimer 'blink' (interval 1000 ms, repeating) child of QWidget"]
    timer.stop()
    assert leaks.running_in(window) == []
