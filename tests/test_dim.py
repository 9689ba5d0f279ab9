"""DimOverlay: a dim screen's first touch only wakes it, except on the Call nurse button."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QPoint, QSize, Qt, Slot
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from kiosk.widgets import DimOverlay
from tests import leaks

LEVEL = 0.65
FADE_MS = 60
WAKE_MS = 300  # long enough that a second tap lands within the fade-out


class Counter(QWidget):
    """Counts a signal's emissions through a bound slot (no lambdas capturing widgets)."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    @Slot()
    def hit(self) -> None:
        self.count += 1


@dataclass
class Room:
    window: QWidget
    call: QPushButton
    other: QPushButton
    overlay: DimOverlay
    call_clicks: Counter
    other_clicks: Counter
    woken: Counter
    passed: Counter


@pytest.fixture
def room(qtbot: QtBot) -> Iterator[Room]:
    window = QWidget()
    window.resize(1280, 800)
    call = QPushButton("Call nurse", window)
    call.setGeometry(960, 660, 300, 120)
    other = QPushButton("Music", window)
    other.setGeometry(40, 660, 260, 120)
    overlay = DimOverlay(window, level=LEVEL, fade_ms=FADE_MS, wake_ms=WAKE_MS)
    overlay.set_pass_through(call)
    counters = [Counter() for _ in range(4)]
    for counter in counters:
        qtbot.addWidget(counter)
    call_clicks, other_clicks, woken, passed = counters
    call.clicked.connect(call_clicks.hit)
    other.clicked.connect(other_clicks.hit)
    overlay.woken.connect(woken.hit)
    overlay.pass_through.connect(passed.hit)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield Room(window, call, other, overlay, call_clicks, other_clicks, woken, passed)


def centre(widget: QWidget) -> QPoint:
    """The centre of `widget` in its window's coordinates."""
    return widget.mapTo(widget.window(), widget.rect().center())


def tap_window(window: QWidget, at: QPoint) -> None:
    """A press and release delivered as the platform would: to whatever widget is at `at`."""
    handle = window.windowHandle()
    assert handle is not None
    QTest.mouseClick(handle, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)


def dim_fully(qtbot: QtBot, room: Room) -> None:
    room.overlay.dim()
    qtbot.waitUntil(lambda: room.overlay.level_now() == pytest.approx(LEVEL), timeout=2000)


def test_starts_hidden_and_awake(room: Room) -> None:
    assert not room.overlay.dimmed
    assert not room.overlay.isVisible()
    assert room.overlay.level_now() == 0.0
    assert room.overlay.accessibleName() == "Wake screen"
    assert room.window.childAt(centre(room.other)) is room.other


def test_dim_covers_the_window_and_fades_to_the_level(qtbot: QtBot, room: Room) -> None:
    spot = centre(room.other)
    before = room.window.grab().toImage().pixelColor(spot)
    room.overlay.dim()
    assert room.overlay.dimmed
    assert room.overlay.isVisible()
    assert room.overlay.geometry() == room.window.rect()
    assert room.overlay.level_now() < LEVEL  # it fades in, not at once
    qtbot.waitUntil(lambda: room.overlay.level_now() == pytest.approx(LEVEL), timeout=2000)
    for widget in (room.call, room.other):
        assert room.window.childAt(centre(widget)) is room.overlay
    after = room.window.grab().toImage().pixelColor(spot)  # black at alpha LEVEL over the button
    for channel in ("red", "green", "blue"):
        expected = getattr(before, channel)() * (1 - LEVEL)
        assert getattr(after, channel)() == pytest.approx(expected, abs=3), channel


def test_a_press_on_a_dim_screen_only_wakes_it(qtbot: QtBot, room: Room) -> None:
    dim_fully(qtbot, room)
    with qtbot.waitSignal(room.overlay.woken, timeout=1000):
        qtbot.mouseClick(room.overlay, Qt.MouseButton.LeftButton, pos=centre(room.other))
    assert not room.overlay.dimmed
    assert (room.woken.count, room.passed.count, room.other_clicks.count) == (1, 0, 0)
    qtbot.waitUntil(lambda: not room.overlay.isVisible(), timeout=2000)
    assert room.overlay.level_now() == 0.0
    assert room.other_clicks.count == 0


def test_a_tap_routed_by_the_window_lands_on_the_overlay_not_the_button(qtbot: QtBot, room: Room) -> None:
    dim_fully(qtbot, room)
    tap_window(room.window, centre(room.other))
    assert (room.woken.count, room.passed.count, room.other_clicks.count) == (1, 0, 0)


def test_a_press_on_the_pass_through_widget_wakes_and_passes_through(qtbot: QtBot, room: Room) -> None:
    dim_fully(qtbot, room)
    with qtbot.waitSignals([room.overlay.woken, room.overlay.pass_through], order="strict", timeout=1000):
        tap_window(room.window, centre(room.call))
    qtbot.waitUntil(lambda: not room.overlay.isVisible(), timeout=2000)
    assert (room.woken.count, room.passed.count) == (1, 1)
    assert room.call_clicks.count == 0  # the window acts on pass_through, not the button


def test_pass_through_at_the_edge_of_the_widget(qtbot: QtBot, room: Room) -> None:
    dim_fully(qtbot, room)
    inside = room.call.mapTo(room.window, QPoint(1, 1))
    qtbot.mouseClick(room.overlay, Qt.MouseButton.LeftButton, pos=inside)
    assert room.passed.count == 1
    dim_fully(qtbot, room)
    outside = room.call.mapTo(room.window, QPoint(-2, -2))
    qtbot.mouseClick(room.overlay, Qt.MouseButton.LeftButton, pos=outside)
    assert (room.woken.count, room.passed.count) == (2, 1)


def test_no_pass_through_when_unset_or_hidden(qtbot: QtBot, room: Room) -> None:
    room.overlay.set_pass_through(None)
    dim_fully(qtbot, room)
    qtbot.mouseClick(room.overlay, Qt.MouseButton.LeftButton, pos=centre(room.call))
    room.overlay.set_pass_through(room.call)
    room.call.hide()
    dim_fully(qtbot, room)
    qtbot.mouseClick(room.overlay, Qt.MouseButton.LeftButton, pos=centre(room.call))
    assert (room.woken.count, room.passed.count, room.call_clicks.count) == (2, 0, 0)


def test_after_waking_a_tap_reaches_the_button(qtbot: QtBot, room: Room) -> None:
    dim_fully(qtbot, room)
    room.overlay.wake()
    qtbot.waitUntil(lambda: not room.overlay.isVisible(), timeout=2000)
    assert room.window.childAt(centre(room.other)) is room.other
    tap_window(room.window, centre(room.other))
    assert room.other_clicks.count == 1
    assert room.woken.count == 1  # from wake(); the tap itself woke nothing


def test_a_double_tap_on_a_dim_screen_acts_once_at_most(qtbot: QtBot, room: Room) -> None:
    dim_fully(qtbot, room)
    tap_window(room.window, centre(room.other))
    assert room.overlay.isVisible()  # still fading out
    tap_window(room.window, centre(room.other))  # so this second tap is swallowed
    qtbot.mouseDClick(room.overlay, Qt.MouseButton.LeftButton, pos=centre(room.other))
    assert (room.woken.count, room.passed.count, room.other_clicks.count) == (1, 0, 0)
    dim_fully(qtbot, room)
    tap_window(room.window, centre(room.call))
    tap_window(room.window, centre(room.call))
    assert (room.woken.count, room.passed.count, room.call_clicks.count) == (2, 1, 0)
    qtbot.waitUntil(lambda: not room.overlay.isVisible(), timeout=2000)
    tap_window(room.window, centre(room.other))
    assert (room.woken.count, room.other_clicks.count) == (2, 1)


def test_the_overlay_follows_the_window_size(qtbot: QtBot, room: Room) -> None:
    room.window.resize(1024, 600)
    qtbot.waitUntil(lambda: room.overlay.size() == QSize(1024, 600), timeout=1000)
    room.overlay.dim()
    room.window.resize(1280, 800)
    qtbot.waitUntil(lambda: room.overlay.geometry() == room.window.rect(), timeout=1000)
    assert room.overlay.size() == QSize(1280, 800)


def test_dim_twice_is_harmless(qtbot: QtBot, room: Room) -> None:
    dim_fully(qtbot, room)
    room.overlay.dim()
    assert room.overlay.dimmed
    assert room.overlay.level_now() == pytest.approx(LEVEL)  # no flash back to clear
    room.overlay.wake()
    assert room.woken.count == 1


def test_wake_when_awake_emits_nothing(qtbot: QtBot, room: Room) -> None:
    room.overlay.wake()
    assert room.woken.count == 0
    dim_fully(qtbot, room)
    room.overlay.wake()
    room.overlay.wake()
    assert room.woken.count == 1


def test_dim_while_waking_fades_back_in(qtbot: QtBot, room: Room) -> None:
    dim_fully(qtbot, room)
    room.overlay.wake()
    room.overlay.dim()
    assert room.overlay.dimmed
    assert room.overlay.isVisible()
    qtbot.waitUntil(lambda: room.overlay.level_now() == pytest.approx(LEVEL), timeout=2000)
    assert room.overlay.isVisible()
    assert room.window.childAt(centre(room.other)) is room.overlay


def test_a_widget_added_while_dim_stays_under_the_veil(qtbot: QtBot, room: Room) -> None:
    dim_fully(qtbot, room)
    late = QPushButton("Late", room.window)
    late.setGeometry(500, 300, 200, 120)
    late.show()
    assert room.window.childAt(centre(late)) is room.overlay


def test_closing_the_window_ends_a_fade_where_it_was_going(qtbot: QtBot, room: Room) -> None:
    room.overlay.dim()
    assert room.overlay.level_now() < LEVEL  # fading in
    room.window.close()  # what KioskWindow.shutdown() does
    assert leaks.running_in(room.window) == []  # no animation runs on for a closed window
    assert room.overlay.dimmed
    assert room.overlay.level_now() == pytest.approx(LEVEL)
    room.window.show()
    dim_fully(qtbot, room)
    room.overlay.wake()  # fading out
    room.window.close()
    assert leaks.running_in(room.window) == []
    assert room.overlay.level_now() == 0.0
    assert room.overlay.isHidden()
    assert room.woken.count == 1
