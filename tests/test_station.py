"""Kiosks and the nurse station through a real Mosquitto on loopback, with TLS.

The broker runs the shipped configuration and ACL (tests/broker.py makes the
certificates and passwords). Kiosks are real windows (offscreen) on their own logs,
or a real `kiosk run` child; the station is the real desk window with its link.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from kiosk import config as config_module
from kiosk.app import KioskWindow, create_window
from kiosk.config import Config
from kiosk.content import load_content
from kiosk.events import read_events
from kiosk.station.app import Station
from kiosk.station.model import CallRecord
from kiosk.station_link import CURSOR_FILE
from tests import leaks
from tests.broker import Broker, missing_tools
from tests.kioskproc import RunningKiosk
from tests.test_app import make_config

pytestmark = pytest.mark.skipif(missing_tools() is not None, reason=str(missing_tools()))

ROOMS = {"kiosk-a": "Room A", "kiosk-b": "Room B", "kiosk-c": "Room C"}


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    running = Broker(tmp_path / "broker", list(ROOMS))
    running.start()
    yield running
    running.stop()


def with_station(config: Config, broker: Broker, login: str, **station: object) -> Config:
    return replace(config, station=replace(
        config.station, broker="localhost", port=broker.port, ca_file=broker.ca_file,
        password_file=broker.password_file(login), **station))


def kiosk_config(tmp_path: Path, broker: Broker, kiosk: str, *, user: str | None = None) -> Config:
    base = make_config(tmp_path / kiosk / "events")
    base = replace(base, kiosk=replace(base.kiosk, id=kiosk, room=ROOMS[kiosk]))
    return with_station(base, broker, user or kiosk, user=user or "")


class Desk:
    """The station and the kiosks of one test, all shut down at its end."""

    def __init__(self, qtbot: QtBot, tmp_path: Path, broker: Broker) -> None:
        self.qtbot, self.tmp_path, self.broker = qtbot, tmp_path, broker
        self.station = Station(with_station(kiosk_config_defaults(), broker, "station"), alert=False)
        qtbot.addWidget(self.station.window)
        self.station.window.resize(1280, 800)
        self.station.start()
        self.kiosks: list[KioskWindow] = []

    def kiosk(self, kiosk: str, *, user: str | None = None) -> KioskWindow:
        window = create_window(kiosk_config(self.tmp_path, self.broker, kiosk, user=user))
        self.qtbot.addWidget(window)
        window.resize(1280, 800)
        self.kiosks.append(window)
        return window

    def stop_kiosk(self, window: KioskWindow) -> None:
        if window in self.kiosks:
            self.kiosks.remove(window)
            window.shutdown()
            running = leaks.running_in(window)
            window.events.close()
            assert not running, f"still running after shutdown(): {running}"

    def close(self) -> None:
        for window in list(self.kiosks):
            self.stop_kiosk(window)
        self.station.shutdown()

    # what the desk shows
    def room_call(self, kiosk: str) -> CallRecord | None:
        for room in self.station.model.rooms():
            if room.kiosk == kiosk:
                return room.call
        return None

    def heard(self, kiosk: str) -> bool:
        return any(room.kiosk == kiosk and not room.silent for room in self.station.model.rooms())

    def silent(self, kiosk: str) -> bool:
        return any(room.kiosk == kiosk and room.silent for room in self.station.model.rooms())

    def ack_button(self, room: str) -> QPushButton | None:
        window = self.station.window
        for tile in window.findChildren(QWidget):
            if tile.accessibleName() != f"Room {room}":
                continue
            for button in tile.findChildren(QPushButton):
                if (button.accessibleName() == "Acknowledge call" and button.isVisibleTo(window)
                        and button.isEnabled()):
                    return button
        return None


def kiosk_config_defaults() -> Config:
    return config_module.defaults()


@pytest.fixture
def desk(qtbot: QtBot, tmp_path: Path, broker: Broker) -> Iterator[Desk]:
    opened = Desk(qtbot, tmp_path, broker)
    yield opened
    opened.close()


def call_events(window: KioskWindow) -> list[int]:
    return [e.seq for e in read_events(window.config.log.dir) if e.type.startswith("nurse_call.")]


def requested(window: KioskWindow) -> list[str]:
    return [str(e.data["call_id"]) for e in read_events(window.config.log.dir)
            if e.type == "nurse_call.requested"]


def test_a_call_reaches_the_desk_within_a_second_and_the_desk_acknowledges_it(
        qtbot: QtBot, desk: Desk) -> None:
    room_a, room_b = desk.kiosk("kiosk-a"), desk.kiosk("kiosk-b")
    qtbot.waitUntil(lambda: desk.heard("kiosk-a") and desk.heard("kiosk-b"), timeout=10_000)

    qtbot.mouseClick(room_a.call_button, Qt.MouseButton.LeftButton)
    call_id = room_a.calls.state.call_id
    assert call_id is not None
    def at_the_desk() -> bool:
        call = desk.room_call("kiosk-a")
        return call is not None and call.call_id == call_id

    qtbot.waitUntil(at_the_desk, timeout=1000)
    assert desk.room_call("kiosk-b") is None

    button = desk.ack_button("Room A")
    assert button is not None and desk.ack_button("Room B") is None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: room_a.calls.state.status == "acknowledged", timeout=5000)
    assert room_a.calls.state.acknowledged_by == "station"
    seen = load_content("en").call_text("acknowledged")
    assert seen == "A nurse has seen your call and is coming."
    assert room_a.call_screen.status.text() == seen
    acknowledged = [e for e in read_events(room_a.config.log.dir) if e.type == "nurse_call.acknowledged"]
    assert [e.data["by"] for e in acknowledged] == ["station"]
    # the desk hears the kiosk confirm it, with the response time
    qtbot.waitUntil(lambda: any(c.acknowledged_by == "station" for c in desk.station.model.calls_today()),
                    timeout=5000)
    record = desk.station.model.calls_today()[0]
    assert record.room == "Room A" and record.response_seconds is not None
    assert requested(room_b) == []


def test_a_kiosk_with_another_rooms_credentials_is_refused_and_its_staff_are_told(
        qtbot: QtBot, desk: Desk) -> None:
    # kiosk-a's configuration with kiosk-b's user and password: the ACL refuses its messages
    impostor = desk.kiosk("kiosk-a", user="kiosk-b")
    qtbot.waitUntil(lambda: any("refused" in fault for fault in impostor.faults()), timeout=10_000)
    impostor.request_call()
    honest = desk.kiosk("kiosk-c")  # proves the desk is listening
    honest.request_call()
    qtbot.waitUntil(lambda: desk.room_call("kiosk-c") is not None, timeout=5000)
    assert desk.room_call("kiosk-a") is None
    assert desk.station.model.events_of("kiosk-a") == []


def test_a_burst_of_calls_across_a_broker_kill_reaches_the_desk_exactly_once_in_order(
        qtbot: QtBot, desk: Desk, broker: Broker) -> None:
    rooms = [desk.kiosk("kiosk-a"), desk.kiosk("kiosk-b")]
    qtbot.waitUntil(lambda: desk.heard("kiosk-a") and desk.heard("kiosk-b"), timeout=10_000)
    for number in range(60):
        if number == 20:
            broker.kill()
        if number == 40:
            broker.start()
        room = rooms[number % 2]
        room.request_call()
        if number % 3 == 0:
            room.calls.set_reason(room.calls.reasons[0])
        room.calls.cancel()
        qtbot.wait(0)  # let the links' signals in, as a busy kiosk would

    def delivered() -> bool:
        return all([e.seq for e in desk.station.model.events_of(r.config.kiosk.id)] == call_events(r)
                   for r in rooms)

    try:
        qtbot.waitUntil(delivered, timeout=30_000)
    except Exception:
        for r in rooms:
            held = [e.seq for e in desk.station.model.events_of(r.config.kiosk.id)]
            logged = call_events(r)
            print(r.config.kiosk.id, "missing", sorted(set(logged) - set(held)), "extra",
                  sorted(set(held) - set(logged)), "order ok", held == sorted(held))
        raise
    for room in rooms:
        kiosk = room.config.kiosk.id
        logged = requested(room)
        assert len(logged) == 30
        shown = [c.call_id for c in desk.station.model.calls_today() if c.kiosk == kiosk]
        assert shown == logged  # each once, in the order they were made
        assert all(c.closed_how == "cancelled" for c in desk.station.model.calls_today())


def test_a_call_made_while_the_broker_is_down_reaches_the_desk_after_a_kiosk_restart(
        qtbot: QtBot, desk: Desk, broker: Broker) -> None:
    room = desk.kiosk("kiosk-a")
    qtbot.waitUntil(lambda: desk.heard("kiosk-a"), timeout=10_000)
    broker.stop()
    room.request_call()
    call_id = room.calls.state.call_id
    desk.stop_kiosk(room)  # the kiosk restarts before the broker is back
    cursor = room.config.log.dir / CURSOR_FILE
    assert not cursor.exists()  # the broker never took the call
    broker.start()
    again = desk.kiosk("kiosk-a")
    qtbot.waitUntil(lambda: desk.room_call("kiosk-a") is not None, timeout=20_000)
    call = desk.room_call("kiosk-a")
    assert call is not None and call.call_id == call_id
    assert again.calls.state.call_id == call_id  # restored from the log
    qtbot.waitUntil(cursor.exists, timeout=5000)  # and now it has


def test_a_kiosk_killed_with_sigkill_shows_as_silent_within_30_seconds(
        qtbot: QtBot, desk: Desk, broker: Broker, tmp_path: Path) -> None:
    config = kiosk_config(tmp_path, broker, "kiosk-c")
    path = tmp_path / "kiosk-c.toml"
    path.write_text(config_module.to_toml(config), encoding="utf-8")
    child = RunningKiosk(path, env={"KIOSK_STATE_DIR": str(tmp_path / "state")})
    try:
        child.wait_for(re.compile("is running in Room C"), timeout=60)
        qtbot.waitUntil(lambda: desk.heard("kiosk-c"), timeout=15_000)
        os.kill(child.proc.pid, signal.SIGKILL)
        child.proc.wait(timeout=10)
        qtbot.waitUntil(lambda: desk.silent("kiosk-c"), timeout=30_000)
        desk.station.window.refresh()
        tile = [w for w in desk.station.window.findChildren(QWidget) if w.accessibleName() == "Room Room C"]
        assert tile, "no tile for Room C"
    finally:
        if child.proc.poll() is None:
            child.proc.kill()
        child.close()


def test_kiosk_station_refuses_a_config_without_a_broker(tmp_path: Path) -> None:
    path = tmp_path / "station.toml"
    path.write_text("[kiosk]\nid = \"desk\"\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "kiosk", "station", "--config", str(path)],
                          capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 2
    assert "no broker is set in [station]" in proc.stderr
    assert "Traceback" not in proc.stderr
