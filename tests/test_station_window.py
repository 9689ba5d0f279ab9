"""The nurse station's desk window, offscreen: tiles, Acknowledge, emphasis, silence, the list, the alert.

The window only draws the model; the tests feed the model as the link would, call
`refresh()` as the link's owner does, and move the FakeClock instead of waiting.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from kiosk.clock import FakeClock
from kiosk.station.alert import DeskAlert
from kiosk.station.model import StationModel
from kiosk.station.protocol import Heartbeat, RoomState
from kiosk.station.window import RoomTile, StationWindow
from tests import leaks
from tests.test_station_model import START, ZONE, event

ROOMS = {"kiosk-a": "Willow", "kiosk-b": "Cedar", "kiosk-c": "Birch"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def model(clock: FakeClock) -> StationModel:
    m = StationModel(clock, zone=ZONE)
    m.set_connected(True)
    return m


@pytest.fixture
def window(qtbot: QtBot, model: StationModel, clock: FakeClock) -> Iterator[StationWindow]:
    w = StationWindow(model, clock, alert=False)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    yield w
    w.shutdown()


def three_rooms(model: StationModel, clock: FakeClock) -> None:
    """Birch (no visit), Cedar (infusion, calling "I feel sick") and Willow (recovery)."""
    model.on_state(RoomState("kiosk-a", ROOMS["kiosk-a"], clock.now(), visit_open=True, stage="recovery"))
    model.on_state(RoomState("kiosk-b", ROOMS["kiosk-b"], clock.now(), visit_open=True, stage="infusion",
                             infusion_minutes=23, planned_minutes=40, comfort=("softer music",)))
    model.on_state(RoomState("kiosk-c", ROOMS["kiosk-c"], clock.now(), visit_open=False))
    model.on_event(event(1, None, "requested", "c1", kiosk="kiosk-b", room="Cedar", at=clock.now()))
    model.on_event(event(2, 1, "reason", "c1", kiosk="kiosk-b", room="Cedar", at=clock.now(),
                         reason="I feel sick"))


def heartbeats(model: StationModel, clock: FakeClock, *kiosks: str) -> None:
    for kiosk in kiosks or tuple(ROOMS):
        model.on_heartbeat(Heartbeat(kiosk, clock.now()))


def test_three_rooms_one_calling(window: StationWindow, model: StationModel, clock: FakeClock) -> None:
    three_rooms(model, clock)
    clock.advance(130)
    heartbeats(model, clock)
    window.refresh()
    assert window.windowTitle() == "Nurse station — infusion-kiosk"
    assert list(window.tiles) == ["kiosk-c", "kiosk-b", "kiosk-a"]  # Birch, Cedar, Willow
    cedar = window.tile("kiosk-b")
    assert cedar.objectName() == "Room Cedar" and cedar.accessibleName() == "Room Cedar"
    assert cedar.room_label.text() == "Cedar"
    assert cedar.stage_label.text() == "Infusion · 23 of 40 min"
    assert cedar.call_box.isVisible()
    assert cedar.call_title.text() == "CALLING"
    assert cedar.call_reason.text() == "I feel sick"
    assert cedar.call_wait.text() == "waiting 2\u00a0min\u00a010\u00a0s"
    assert cedar.comfort_label.text() == "Comfort plan: softer music"
    assert cedar.ack_button.isVisible() and cedar.ack_button.isEnabled()
    assert cedar.ack_button.accessibleName() == "Acknowledge call"
    assert window.tile("kiosk-a").stage_label.text() == "Recovery"
    assert not window.tile("kiosk-a").call_box.isVisible()
    assert window.tile("kiosk-c").stage_label.text() == "No visit"
    assert not any(t.silent_label.isVisible() for t in window.tiles.values())


def test_three_tiles_side_by_side_at_1280(window: StationWindow, model: StationModel, clock: FakeClock,
                                          qtbot: QtBot) -> None:
    three_rooms(model, clock)
    window.refresh()
    tiles = list(window.tiles.values())
    qtbot.waitUntil(lambda: all(t.width() > 300 for t in tiles))
    assert len({t.y() for t in tiles}) == 1
    assert tiles[0].x() < tiles[1].x() < tiles[2].x()


def test_words_are_big_enough_to_read_from_the_desk(window: StationWindow, model: StationModel,
                                                    clock: FakeClock) -> None:
    three_rooms(model, clock)
    window.refresh()
    for tile in window.tiles.values():
        for label in tile.findChildren(QLabel):
            label.ensurePolished()
            assert label.font().pixelSize() >= 20, label.objectName()
        assert tile.room_label.font().pixelSize() >= 32
        for button in tile.findChildren(QPushButton):
            assert button.minimumHeight() >= 56
    cedar = window.tile("kiosk-b")
    assert cedar.ack_button.height() >= 56


def test_acknowledge_asks_the_owner_and_shows_the_answer(
    window: StationWindow, model: StationModel, clock: FakeClock, qtbot: QtBot
) -> None:
    three_rooms(model, clock)
    window.refresh()
    cedar = window.tile("kiosk-b")
    with qtbot.waitSignal(window.acknowledge_requested, timeout=1000) as asked:
        cedar.ack_button.click()
    assert asked.args == ["kiosk-b"]
    assert model.calls_today()[0].ack_sent is False  # the window sends nothing itself
    ack = model.acknowledge("kiosk-b")  # what the owner does
    assert ack is not None and ack.call_id == "c1"
    window.refresh()
    assert cedar.call_status.text() == "Acknowledgement sent, waiting for the kiosk…"
    assert not cedar.ack_button.isEnabled()
    clock.advance(45)
    model.on_event(event(3, 2, "acknowledged", "c1", kiosk="kiosk-b", room="Cedar", at=clock.now(),
                         by="station", waited_seconds=45))
    window.refresh()
    assert cedar.call_title.text() == "ACKNOWLEDGED"
    assert cedar.call_status.text() == "Acknowledged (by station) after 45 s"
    assert not cedar.ack_button.isVisible()
    assert cedar.property("emphasis") == 0


def test_emphasis_grows_while_the_call_waits(window: StationWindow, model: StationModel,
                                             clock: FakeClock) -> None:
    three_rooms(model, clock)
    window.refresh()
    cedar = window.tile("kiosk-b")
    assert cedar.property("emphasis") == 1 and cedar.call_box.property("emphasis") == 1
    assert not cedar.escalated_label.isVisible()
    assert [t.property("emphasis") for t in window.tiles.values()] == [0, 1, 0]
    clock.advance(120)
    window.refresh()
    assert cedar.property("emphasis") == 2 and cedar.escalated_label.isVisible()
    assert cedar.escalated_label.text() == "ESCALATED"
    assert cedar.call_wait.font().bold()
    clock.advance(120)
    window.refresh()
    assert cedar.property("emphasis") == 3 and cedar.call_box.property("emphasis") == 3


def test_a_silent_kiosk_greys_its_tile(window: StationWindow, model: StationModel, clock: FakeClock) -> None:
    three_rooms(model, clock)
    clock.advance(20)
    heartbeats(model, clock, "kiosk-a", "kiosk-b")
    last_word = model.local(clock.now() - timedelta(seconds=20)).strftime("%H:%M")
    clock.advance(15)
    window.refresh()
    birch = window.tile("kiosk-c")
    assert birch.property("silent") is True
    assert birch.silent_label.isVisible()
    assert birch.silent_label.text() == f"No word from this kiosk since {last_word} — check the room"
    assert window.tile("kiosk-b").property("silent") is False
    heartbeats(model, clock, "kiosk-c")
    window.refresh()
    assert birch.property("silent") is False and not birch.silent_label.isVisible()


def test_the_banner_says_when_the_station_is_not_connected(window: StationWindow, model: StationModel) -> None:
    assert not window.banner.isVisible()
    model.set_connected(False, "Connection refused")
    window.refresh()
    assert window.banner.isVisible()
    assert window.banner.text() == ("Not connected to the broker: Connection refused. "
                                    "Calls still chime in each room.")
    model.set_connected(True)
    window.refresh()
    assert not window.banner.isVisible()


def test_todays_calls_list(window: StationWindow, model: StationModel, clock: FakeClock) -> None:
    three_rooms(model, clock)  # Cedar's call at 09:00 UTC, 10:00 at the station
    clock.advance(45)
    model.on_event(event(3, 2, "acknowledged", "c1", kiosk="kiosk-b", room="Cedar", at=clock.now(),
                         by="station"))
    model.on_event(event(4, 3, "resolved", "c1", kiosk="kiosk-b", room="Cedar", at=clock.now(), by="nurse"))
    clock.advance(60)
    model.on_event(event(1, None, "requested", "w1", kiosk="kiosk-a", room="Willow", at=clock.now()))
    clock.advance(130)
    model.on_event(event(2, 1, "acknowledged", "w1", kiosk="kiosk-a", room="Willow", at=clock.now(),
                         by="nurse"))
    clock.advance(10)
    model.on_event(event(1, None, "requested", "b1", kiosk="kiosk-c", room="Birch", at=clock.now()))
    model.on_event(event(2, 1, "cancelled", "b1", kiosk="kiosk-c", room="Birch", at=clock.now()))
    clock.advance(5)
    model.on_event(event(3, 2, "requested", "b2", kiosk="kiosk-c", room="Birch", at=clock.now()))
    window.refresh()
    table = window.calls_table
    assert table.accessibleName() == "Today's calls"
    rows = [[cell.text() if (cell := table.item(r, c)) is not None else "" for c in range(table.columnCount())]
            for r in range(table.rowCount())]
    assert rows == [
        ["10:00:00", "Cedar", "I feel sick", "45 s", "Acknowledged at desk, resolved"],
        ["10:01:45", "Willow", "No reason given", "2 min 10 s", "Acknowledged in room"],
        ["10:04:05", "Birch", "No reason given", "—", "Cancelled"],
        ["10:04:10", "Birch", "No reason given", "—", "Open"],
    ]


def test_the_alert_sounds_when_a_call_comes_and_again_later(
    window: StationWindow, model: StationModel, clock: FakeClock
) -> None:
    sounds: list[str] = []
    window.alert_sounded.connect(sounds.append)
    three_rooms(model, clock)
    window.refresh()
    assert sounds == ["new"] and window.alerts_played == 1
    assert window.alert_timer.isActive()
    assert window.alert_timer.interval() == 20_000  # the next repeat
    clock.advance(10)
    window.check_alert()
    assert sounds == ["new"]
    clock.advance(10)
    window.check_alert()  # what the alert timer does when it fires
    assert sounds == ["new", "new"]
    clock.advance(100)  # 120 s: escalated
    window.check_alert()
    assert sounds == ["new", "new", "escalated"]
    assert model.acknowledge("kiosk-b") is not None
    clock.advance(60)
    window.refresh()
    assert sounds == ["new", "new", "escalated"] and not window.alert_timer.isActive()


def test_shutdown_leaves_nothing_running(qtbot: QtBot, model: StationModel, clock: FakeClock) -> None:
    alert = DeskAlert()
    window = StationWindow(model, clock, alert=alert)
    qtbot.addWidget(window)
    three_rooms(model, clock)
    played: list[str] = []
    alert.played.connect(played.append)
    window.refresh()
    assert played == ["new"]
    assert window.refresh_timer.isActive() and window.alert_timer.isActive()
    window.shutdown()
    assert leaks.running_in(window) == []
    assert leaks.running_in(alert) == []
    window.refresh()  # a late call from the owner does nothing
    assert played == ["new"]


def test_the_desk_alert_chimes_twice_for_an_escalated_call(qtbot: QtBot) -> None:
    alert = DeskAlert()
    try:
        alert.play("new")
        assert not alert.again_timer.isActive()
        alert.play("escalated")
        assert alert.again_timer.isActive()
        alert.again_timer.timeout.emit()  # the second chime, now
        assert alert.fault  # no sound server in these tests: said, not raised
    finally:
        alert.close()
    assert not alert.again_timer.isActive()
    alert.play("escalated")  # closed: nothing
    assert not alert.again_timer.isActive()


def test_a_kiosk_heard_only_by_heartbeat_gets_a_tile(window: StationWindow, model: StationModel,
                                                    clock: FakeClock) -> None:
    model.on_heartbeat(Heartbeat("kiosk-q", clock.now()))
    window.refresh()
    tile = window.tile("kiosk-q")
    assert isinstance(tile, RoomTile)
    assert tile.room_label.text() == "kiosk-q" and not tile.call_box.isVisible()
    assert not window.no_rooms.isVisible()
