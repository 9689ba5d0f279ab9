"""The log's disk fills in the middle of a visit: the whole app, in real child processes.

A child runs the real kiosk window (offscreen) through a visit to the infusion, then its file
size limit (RLIMIT_FSIZE, SIGXFSZ ignored: writes past it fail with EFBIG, "disk full" without
privileges) is set 20 bytes past the log's end, so the next line is torn partway through and
every line after it is refused. What README.md ("Calling a nurse", "The event log") promises:

* the kiosk goes on: no crash, no traceback; the visit stays where the log says it is;
* the patient is never told a call is recorded when it is not: the call screen shows the
  fall-back words ("... please also use the room's call button");
* staff see the fault: the panel says why Next stage failed, the banner names the log, the PIN
  pad says the log cannot be written;
* when the disk has room again (IT freed space), the visit goes on at once; the lines torn by
  all the refused tries are cut off and recorded as one event, not one per try;
* the torn line never breaks the chain: `kiosk log verify` passes (noting the torn tail) and
  the next start cuts it off and records that;
* after a restart without the limit (`kiosk run`), the visit is restored and the log goes on
  with the next seq.

(`test_events_durability.py` covers the bare EventLog on a full disk, `test_call_crash.py` a
single call; this is the visit in the whole app, across a restart.)
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.events import read_events, verify
from kiosk.security import hash_pin
from tests.kioskproc import RunningKiosk

PIN = "428613"
PIN_HASH = hash_pin(PIN, n=2**4)
ROOM_SPACE = 20  # bytes the disk still takes: a line is torn after this many
RUNNING = re.compile(r"kiosk chair-5 is running in Room 5")
RESTORED = re.compile(r"restored the open visit (\w+): stage (\w+), (\d+) min of infusion")
FALLBACK = "Calling your nurse — please also use the room's call button."

CHILD = r"""
import json, logging, resource, signal, sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from PySide6.QtWidgets import QApplication
from kiosk import config as kiosk_config
from kiosk.app import create_window
from kiosk.clock import FakeClock

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
config = kiosk_config.load([Path(sys.argv[1])])
pin, room_space = sys.argv[2], int(sys.argv[3])
clock = FakeClock(datetime.now(timezone.utc) - timedelta(minutes=40))
app = QApplication(sys.argv[:1])
window = create_window(config, clock=clock)
window.resize(1280, 800)
staff, out = window.staff_screen, {}

def unlock():
    window.staff_button.setDown(True)
    window.staff_button.hold_timer.timeout.emit()  # held for the whole hold time
    staff.pin_pad.type_digits(pin)
    staff.pin_pad.keys["OK"].click()

def call_words():
    return window.call_screen.status.text()

# a visit, to the infusion
unlock()
staff.start_button.click()
clock.advance(300)
staff.next_button.click()
clock.advance(300)
staff.next_button.click()
staff.close_button.click()
clock.advance(600)
# a call while the disk has room: recorded, and the patient is told so
window.call_button.click()
out["recorded_call_words"] = call_words()
window.call_screen.cancel_button.click()
unlock()  # the nurse is at the panel when the disk fills

_, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

def fill_disk():
    # 20 more bytes, then "File too large" for every write
    newest = max(config.log.dir.glob("events-*.jsonl"))
    resource.setrlimit(resource.RLIMIT_FSIZE, (newest.stat().st_size + room_space, hard))
    return window.events.last_seq

out["last_seq"] = fill_disk()
clock.advance(60)
staff.next_button.click()  # the nurse ends the infusion: refused
out["stage_after_next"] = window.session.stage
out["panel_status"] = staff.status.text()
out["faults_after_next"] = window.faults()
staff.close_button.click()
clock.advance(60)
window.call_button.click()  # the patient calls
state = window.calls.state
out["call"] = {"open": state.is_open, "recorded": state.recorded}
out["screen"] = window.current_screen().name
out["unrecorded_call_words"] = call_words()
out["faults_after_call"] = window.faults()
out["health_faults"] = window.health()["faults"]
window.go_home()
out["strip_words"] = window.call_strip.status.text()  # on the stage screen, under the guide
unlock()  # staff try to come in: the right PIN cannot be recorded
out["unlocked"] = staff.unlocked
out["pin_message"] = staff.pin_pad.message.text()
window.close_staff()
window.breathe_button.click()  # the patient's own controls still work
out["breathe_screen"] = window.current_screen().name
window.go_home()
out["last_seq_after"] = window.events.last_seq

# IT makes room: the nurse comes in and ends the infusion
resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
clock.advance(60)
unlock()
out["unlocked_with_room"] = staff.unlocked
staff.next_button.click()
out["stage_with_room"] = window.session.stage
out["faults_with_room"] = window.faults()
out["call_words_with_room"] = call_words()  # the call itself is still not in the log

# the disk fills again, and the kiosk stops with a torn line at the end of its log
out["last_seq_2"] = fill_disk()
clock.advance(60)
staff.next_button.click()  # to recovery: refused
out["stage_after_next_2"] = window.session.stage
window.shutdown()
window.events.close()
print(json.dumps(out), flush=True)
"""


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PULSE_SERVER"] = "unix:/nonexistent/pulse-socket"
    return env


class FullDisk:
    """What happened to one visit whose log disk filled, and the log it left."""

    def __init__(self, tmp: Path) -> None:
        self.dir = tmp / "events"
        self.config = tmp / "kiosk.toml"
        # a notify command that works, so the words depend on the log alone
        self.config.write_text(
            f'[kiosk]\nid = "chair-5"\nroom = "Room 5"\n[staff]\npin_hash = "{PIN_HASH}"\n'
            f'[log]\ndir = "{self.dir}"\n[nurse_call]\n'
            f'notify_command = ["{sys.executable}", "-c", "pass"]\n'
        )
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, str(self.config), PIN, str(ROOM_SPACE)],
            env=child_env(), capture_output=True, text=True, timeout=120, check=False,
        )
        self.returncode, self.stderr = proc.returncode, proc.stderr
        self.out: dict[str, Any] = json.loads(proc.stdout.splitlines()[-1]) if proc.stdout else {}


@pytest.fixture(scope="module")
def full_disk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FullDisk]:
    yield FullDisk(tmp_path_factory.mktemp("full-disk"))


def kiosk_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], env=child_env(),
                          capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.slow
def test_the_disk_fills_mid_visit_then_a_restart_goes_on(full_disk: FullDisk) -> None:
    out = full_disk.out
    # no crash
    assert full_disk.returncode == 0, full_disk.stderr
    assert "Traceback" not in full_disk.stderr
    assert "File too large" in full_disk.stderr
    assert "CRITICAL kiosk.nurse_call: could not record nurse_call.requested" in full_disk.stderr

    # the visit stays where the log says; the nurse sees why
    assert out["stage_after_next"] == "infusion"
    assert "could not write the event log" in out["panel_status"]
    assert "File too large" in out["panel_status"]

    # the patient is told the truth about the call, on the call screen and under the guide
    assert out["recorded_call_words"] != FALLBACK and "recorded" in out["recorded_call_words"]
    assert out["call"] == {"open": True, "recorded": False}
    assert out["screen"] == "call"
    assert out["unrecorded_call_words"] == FALLBACK
    assert out["strip_words"] == FALLBACK
    assert out["breathe_screen"] == "breathe"

    # staff see the fault: the banner, `kiosk status` (health) and the PIN pad
    banner = [f for f in out["faults_after_call"] if "event log cannot be written" in f]
    assert banner and "File too large" in banner[0]
    assert any("event log cannot be written" in f for f in out["health_faults"])
    assert not out["unlocked"]
    assert "event log cannot be written" in out["pin_message"]
    assert out["last_seq_after"] == out["last_seq"]  # nothing was counted that is not there

    # room again: the visit goes on; the call made meanwhile is still not in the log
    assert out["unlocked_with_room"] and out["stage_with_room"] == "infusion_complete"
    assert out["call_words_with_room"] == FALLBACK
    assert out["stage_after_next_2"] == "infusion_complete"  # full again: refused

    log_dir = full_disk.dir
    before = list(read_events(log_dir))
    assert [e.seq for e in before] == list(range(1, out["last_seq_2"] + 1))
    gap = before[out["last_seq"]:]
    # the torn lines of all the refused tries are cut off and recorded once, then the visit
    assert gap[0].type == "error" and gap[0].data["what"] == "torn_tail_removed"
    assert gap[0].data["count"] >= 3 and gap[0].data["bytes"] == ROOM_SPACE * gap[0].data["count"]
    assert [e.type for e in gap[1:]] == ["staff.unlocked", "stage.changed"]
    stages = [(e.data["from"], e.data["to"]) for e in before if e.type == "stage.changed"]
    assert stages == [("settling", "iv_placement"), ("iv_placement", "infusion"),
                      ("infusion", "infusion_complete")]
    assert [e.type for e in before].count("nurse_call.requested") == 1  # the recorded one
    infusion = before[-1].data["infusion_minutes"]

    # the torn line does not break the chain: verify passes and notes it
    result = verify(log_dir)
    assert result.ok, result.first_bad
    assert result.last_seq == out["last_seq_2"]
    assert result.torn_tail is not None and f"({ROOM_SPACE} bytes, " in result.torn_tail
    checked = kiosk_cli("log", "verify", "--dir", str(log_dir))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "chain intact" in checked.stdout and "incomplete last line" in checked.stdout

    # a restart with room: the tail is cut off and recorded, the visit restored, the log goes on
    kiosk = RunningKiosk(full_disk.config)
    try:
        session, stage, minutes = kiosk.wait_for(RESTORED).groups()
        kiosk.wait_for(RUNNING)
        status = kiosk_cli("status", "--config", str(full_disk.config), "--json")
        facts = json.loads(status.stdout)
    finally:
        assert kiosk.stop(signal.SIGTERM) == 0
    assert stage == "infusion_complete" and int(minutes) == int(infusion)
    assert [e.session for e in before if e.type == "session.started"] == [session]
    assert facts["visit"]["stage"] == "infusion_complete"
    assert facts["visit"]["session"] == session
    assert facts["call"] is None  # the call made on the full disk was never in the log
    assert not any("event log" in problem for problem in facts["problems"])

    after = list(read_events(log_dir))
    assert [e.seq for e in after] == list(range(1, len(after) + 1))
    new = after[len(before):]
    assert new[0].seq == out["last_seq_2"] + 1
    assert new[0].type == "error"
    assert new[0].data == {"what": "torn_tail_removed", "file": log_files(log_dir)[-1],
                           "bytes": ROOM_SPACE}
    assert [e.type for e in new[1:3]] == ["kiosk.started", "config.loaded"]
    assert new[-1].type == "kiosk.stopped"
    result = verify(log_dir)
    assert result.ok and result.torn_tail is None, result
    assert kiosk_cli("log", "verify", "--dir", str(log_dir)).returncode == 0


def log_files(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.glob("events-*.jsonl"))


@pytest.mark.slow
def test_staff_see_a_refused_stage_change_in_the_banner(full_disk: FullDisk) -> None:
    assert full_disk.returncode == 0, full_disk.stderr
    assert any("event log" in fault for fault in full_disk.out["faults_after_next"])
