"""`kiosk status` for IT: a kiosk with an open visit and an open call, asked from another process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk import config as kiosk_config
from kiosk.app import create_window
from kiosk.clock import FakeClock
from kiosk.config import load
from kiosk.control import ControlServer
from kiosk.lastgood import choose, keep
from kiosk.status import gather


def config_file(folder: Path, extra: str = "") -> Path:
    path = folder / "kiosk.toml"
    path.write_text(f'[kiosk]\nid = "chair-4"\nroom = "Room 4"\nlanguages = ["en", "es"]\n\n'
                    f'[log]\ndir = "{folder / "events"}"\n{extra}', encoding="utf-8")
    return path


def status(config: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "kiosk", "status", "--config", str(config), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ))


def finish(qtbot: QtBot, proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    """Let the kiosk's event loop answer while the status process runs."""
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=30_000)
    out, err = proc.communicate()
    return proc.returncode, out, err


@pytest.fixture
def clock() -> FakeClock:
    """Twelve minutes behind the wall clock: `kiosk status` runs in another process, on real time."""
    return FakeClock(datetime.now(timezone.utc) - timedelta(minutes=12, seconds=30))


def test_status_of_a_running_kiosk_with_an_open_visit_and_call(qtbot: QtBot, tmp_path: Path,
                                                              clock: FakeClock) -> None:
    path = config_file(tmp_path)
    window = create_window(load([path]), clock=clock)
    qtbot.addWidget(window)
    control = ControlServer(tmp_path / "events", window.control_command, window)
    assert control.listen() == ""
    try:
        session = window.session.start(50, "es")
        window.session.advance()  # iv_placement
        window.session.advance()  # infusion
        clock.advance(12 * 60)
        window.call_button.click()
        window.calls.set_reason("I feel sick")

        code, out, err = finish(qtbot, status(path))
        assert err == ""
        lines = dict(line.split(None, 1) if not line.startswith("Last event") else
                     ("Last event", line[len("Last event"):].strip())
                     for line in out.splitlines() if line and not line.startswith(("  -", "Needs", "Nothing")))
        assert lines["Kiosk"] == "chair-4 in Room 4"
        assert lines["Config"] == f"OK ({path})"
        assert lines["Running"].startswith(f"yes, pid {os.getpid()}, version ")
        assert f"stage infusion, 12 min of infusion (session {session})" in lines["Visit"]
        assert lines["Call"].startswith("OPEN (I feel sick), requested, since ")
        assert lines["Last event"].startswith("#") and "nurse_call.reason" in lines["Last event"]
        assert lines["Log"] == f"{tmp_path / 'events'}: OK"
        assert "MB free of" in lines["Disk"]
        # offscreen tests have no sound server: that needs attention, and says why
        assert lines["Audio"].startswith("NO OUTPUT")
        assert code == 1 and "Needs attention:" in out and "no audio output reaches a speaker" in out

        code, out, err = finish(qtbot, status(path, "--json"))
        report = json.loads(out)
        assert report["visit"]["session"] == session and report["visit"]["stage"] == "infusion"
        assert report["visit"]["infusion_minutes"] == 12
        assert report["visit"]["planned_infusion_minutes"] == 50
        assert report["call"]["status"] == "requested" and report["call"]["reason"] == "I feel sick"
        assert report["running"]["pid"] == os.getpid() and report["running"]["audio_output"] == ""
        assert report["running"]["screen"]
        assert report["config"] == {"mode": "configured", "files": [str(path)]}
        assert report["log"]["problem"] is None and report["log"]["free_mb"] > 0
        assert report["last_event"]["type"] == "nurse_call.reason"

        window.calls.acknowledge("staff")
        code, out, _ = finish(qtbot, status(path))
        assert "Call         OPEN (I feel sick), acknowledged" in out
    finally:
        control.close()
        window.shutdown()
        window.events.close()


def test_status_of_a_stopped_kiosk_still_reads_the_log(tmp_path: Path, clock: FakeClock) -> None:
    path = config_file(tmp_path)
    config = load([path])
    from kiosk.events import open_log
    from kiosk.nurse_call import NurseCall
    from kiosk.session import SessionModel

    events = open_log(config.log.dir, kiosk="chair-4", room="Room 4", clock=clock)
    session = SessionModel(events, clock, languages=("en",))
    visit = session.start(40, "en")
    NurseCall(events, clock, session=lambda: visit).request()
    events.close()
    later = datetime.now(timezone.utc) + timedelta(minutes=7)
    report = gather(config, None, live=None, live_problem="no kiosk is running", now=later)
    text = report.as_text()
    assert "Running      no (no kiosk is running)" in text
    assert "Visit        open since" in text and "stage settling" in text
    assert "Call         OPEN, requested" in text
    assert report.facts["call"]["waited_minutes"] >= 6
    assert "the kiosk is not running or cannot be asked: no kiosk is running" in report.problems


def test_status_names_a_rejected_config(tmp_path: Path) -> None:
    state = tmp_path / "state"
    keep(load([config_file(tmp_path)]), state)
    bad = config_file(tmp_path, "\n[display]\ntext_scale = 9\n")
    config, rejection = choose([bad], state)
    report = gather(config, rejection, live=None, live_problem="x")
    assert "Config       REJECTED, the last good configuration is used: " \
           f"{bad}:10: display.text_scale: out of range" in report.as_text()
    assert any(p.startswith("the configuration is rejected (1 problem(s)); run `kiosk check-config")
               for p in report.problems)
    assert json.loads(report.as_json())["config"]["using"] == "last_good"


def test_status_with_no_log_yet_and_low_disk(tmp_path: Path) -> None:
    base = kiosk_config.defaults()
    from dataclasses import replace

    config = replace(base, log=replace(base.log, dir=tmp_path / "none-yet", min_free_mb=100_000_000))
    report = gather(config, None, live=None, live_problem="x")
    assert "does not exist yet" in report.as_text()
    assert any(p.startswith("Only ") and "log.min_free_mb asks for 100000000 MB" in p
               for p in report.problems)
    assert report.facts["last_event"] is None and report.facts["visit"] is None
