"""The log's folder and disk: the same sentences for staff (banner) and IT (`kiosk status`)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from pytestqt.qtbot import QtBot

from kiosk import config as kiosk_config
from kiosk.app import create_window
from kiosk.clock import FakeClock
from kiosk.health import disk_space, folder_problem, low_space_problem


def test_disk_space_of_a_folder_not_made_yet_is_its_parents(tmp_path: Path) -> None:
    space = disk_space(tmp_path / "not" / "yet")
    stats = os.statvfs(tmp_path)
    assert space is not None
    assert space.total_mb == stats.f_blocks * stats.f_frsize // (1024 * 1024)
    assert 0 < space.free_mb <= space.total_mb


def test_low_space_is_said_only_under_the_limit(tmp_path: Path) -> None:
    assert low_space_problem(tmp_path, 0) is None
    space = disk_space(tmp_path)
    assert space is not None
    problem = low_space_problem(tmp_path, space.free_mb + 1000)
    assert problem is not None and problem.startswith("Only ")
    assert f"log.min_free_mb asks for {space.free_mb + 1000} MB" in problem


def test_folder_problems(tmp_path: Path) -> None:
    assert folder_problem(tmp_path) is None
    assert "does not exist yet" in str(folder_problem(tmp_path / "missing"))
    file = tmp_path / "file"
    file.write_text("x")
    assert folder_problem(file) == f"{file} is not a folder"


def test_staff_are_warned_when_the_log_disk_runs_low(qtbot: QtBot, tmp_path: Path) -> None:
    base = kiosk_config.defaults()
    config = replace(base, log=replace(base.log, dir=tmp_path / "events", min_free_mb=100_000_000))
    window = create_window(config, clock=FakeClock())
    qtbot.addWidget(window)
    try:
        assert any(fault.startswith("Only ") and "log.min_free_mb" in fault for fault in window.faults())
        window.config = replace(config, log=replace(config.log, min_free_mb=0))
        assert not any(fault.startswith("Only ") for fault in window.faults())
    finally:
        window.shutdown()
        window.events.close()


def test_the_staff_panel_shows_the_disk_as_it_is_now(qtbot: QtBot, tmp_path: Path) -> None:
    from tests.test_app import long_press_staff, make_config

    config = make_config(tmp_path / "events")
    window = create_window(config, clock=FakeClock())
    qtbot.addWidget(window)
    try:
        assert "Only " not in window.staff_screen.banner.text()
        window.config = replace(config, log=replace(config.log, min_free_mb=100_000_000))  # the disk fills
        long_press_staff(window)
        assert "log.min_free_mb asks for 100000000 MB" in window.staff_screen.banner.text()
    finally:
        window.shutdown()
        window.events.close()


def test_many_faults_scroll_and_leave_the_pin_pad_whole(qtbot: QtBot, tmp_path: Path) -> None:
    from kiosk.screens.staff import BANNER_LINES
    from tests.test_app import long_press_staff, make_config

    window = create_window(make_config(tmp_path / "events"), clock=FakeClock())
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    try:
        long_press_staff(window)
        staff = window.staff_screen
        staff.set_banner("\n".join(f"Fault number {n}: something that staff should know." for n in range(8)))
        qtbot.waitUntil(lambda: staff.banner_scroll.verticalScrollBar().maximum() > 0)
        assert staff.banner_scroll.height() <= (BANNER_LINES + 1) * staff.banner.fontMetrics().lineSpacing()
        bar = staff.banner_scroll.verticalScrollBar()  # the kiosk's wide bar says there is more
        qtbot.waitUntil(bar.isVisible)
        assert bar.width() >= 28, bar.width()  # 14 px while the kiosk's style missed it
        pad = staff.pin_pad
        for key in (*pad.keys.values(), pad.cancel_button):
            assert key.height() >= 90, key.accessibleName()
            bottom = key.mapTo(window, key.rect().bottomLeft()).y()
            assert bottom <= window.height(), key.accessibleName()
    finally:
        window.shutdown()
        window.events.close()
