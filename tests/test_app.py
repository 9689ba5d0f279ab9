"""The composition root builds the whole kiosk from a config and shows nothing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pytestqt.qtbot import QtBot

from kiosk import config as kiosk_config
from kiosk.app import KioskWindow, create_window
from kiosk.clock import FakeClock
from kiosk.config import Config
from kiosk.events import EventLog, read_events


def _config(log_dir: Path) -> Config:
    base = kiosk_config.defaults()
    return replace(
        base,
        kiosk=replace(base.kiosk, clinic_name="Harbour Street", languages=("en", "es")),
        log=replace(base.log, dir=log_dir),
    )


def _window(qtbot: QtBot, cfg: Config, clock: FakeClock) -> KioskWindow:
    window = create_window(cfg, clock=clock)
    qtbot.addWidget(window)
    return window


def test_create_window_builds_and_shows_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    window = _window(qtbot, _config(tmp_path), FakeClock())
    try:
        assert not window.isVisible()
        assert window.windowTitle() == "infusion-kiosk"
        assert window.current_screen() is window.idle_screen
        assert window.idle_screen.message() == "Welcome. Your nurse will start your session."
        assert not window.session.is_open
    finally:
        window.events.close()


def test_the_screen_follows_the_visit(qtbot: QtBot, tmp_path: Path) -> None:
    window = _window(qtbot, _config(tmp_path), FakeClock())
    try:
        window.session.start(40, "es")
        assert window.idle_screen.message() == "Settling in"
        window.session.advance()
        window.session.advance()
        assert window.idle_screen.message() == "Your infusion"
        window.session.end()
        assert window.idle_screen.message() == "Welcome. Your nurse will start your session."
    finally:
        window.events.close()


def test_an_open_visit_is_restored_from_the_log(qtbot: QtBot, tmp_path: Path) -> None:
    clock = FakeClock()
    cfg = _config(tmp_path)
    log = EventLog(tmp_path, kiosk=cfg.kiosk.id, room=cfg.kiosk.room, clock=clock)
    log.append(
        "session.started",
        {"planned_infusion_minutes": 40, "language": "en", "stage": "settling"},
        session="abc123",
    )
    log.append("stage.changed", {"from": "settling", "to": "iv_placement"}, session="abc123")
    log.close()
    window = _window(qtbot, cfg, clock)
    try:
        assert window.session.state.session == "abc123"
        assert window.session.stage == "iv_placement"
        assert window.idle_screen.message() == "Placing your IV"
    finally:
        window.events.close()
    assert [e.type for e in read_events(tmp_path)] == ["session.started", "stage.changed"]
