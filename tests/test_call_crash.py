"""Calls against real crashes and a real full disk, in child processes.

- SIGKILL at 50+ random moments while a kiosk taps Call nurse / Cancel call: every
  call whose Cancel call was on screen is in the log, the log verifies (but for a
  torn last line) and the restarted kiosk shows exactly the open call the log says.
- A log on a full file system (RLIMIT_FSIZE): the call still chimes (is tried) and
  runs the notify command, the patient sees the fallback words, CRITICAL is logged.
"""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kiosk.events import read_events, verify

HELPERS = Path(__file__).parent / "helpers"
KILLS = 52


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PULSE_SERVER"] = "unix:/nonexistent/pulse-socket"
    return env


def open_call_in_log(log_dir: Path) -> tuple[str, str] | None:
    """(call_id, status) of the call the log says is open, read independently of the kiosk."""
    open_call: dict[str, str] | None = None
    for event in read_events(log_dir):
        call_id = str(event.data.get("call_id"))
        if event.type == "nurse_call.requested":
            open_call = {"id": call_id, "status": "requested"}
        elif open_call is None or open_call["id"] != call_id:
            continue
        elif event.type == "nurse_call.acknowledged":
            open_call["status"] = "acknowledged"
        elif event.type in ("nurse_call.cancelled", "nurse_call.resolved"):
            open_call = None
    return None if open_call is None else (open_call["id"], open_call["status"])


class Child:
    def __init__(self, config: Path, seed: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(HELPERS / "call_loop_child.py"), str(config), str(seed)],
            env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.strip())
        self.lines.put("")

    def next_line(self) -> str:
        line = self.lines.get(timeout=60)
        assert line, "the child stopped on its own"
        return line

    def kill(self) -> list[str]:
        """SIGKILL; then every line it printed."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.thread.join(timeout=30)
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        rest = []
        while not self.lines.empty():
            line = self.lines.get()
            if line:
                rest.append(line)
        return rest


@pytest.mark.slow
def test_sigkill_never_loses_a_call_that_showed_cancel(tmp_path: Path) -> None:
    log_dir = tmp_path / "events"
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[log]\ndir = "{log_dir}"\n[staff]\n')
    rng = random.Random(20261121)
    promised: set[str] = set()
    torn_tails = 0
    for round_number in range(KILLS):
        expected = open_call_in_log(log_dir) if log_dir.exists() else None
        child = Child(config, rng.randrange(1 << 30))
        shows = child.next_line().split()
        assert shows[0] == "SHOWS"
        if expected is None:
            assert shows[1:] == ["-", "-", "0"], f"round {round_number}"
        else:
            # exactly the open call of the log, with Cancel call on screen
            assert shows[1:] == [expected[0], expected[1], "1"], f"round {round_number}"
        lines = [child.next_line() for _ in range(rng.randrange(1, 60))]  # a random moment
        lines += child.kill()
        promised |= {line.split()[1] for line in lines if line.startswith("VISIBLE")}

        result = verify(log_dir)
        assert result.ok, result.first_bad
        torn_tails += result.torn_tail is not None
        requested = {str(e.data["call_id"]) for e in read_events(log_dir)
                     if e.type == "nurse_call.requested"}
        assert promised <= requested, promised - requested
    assert len(promised) >= KILLS  # the loop really made calls between the kills
    print(f"{KILLS} kills, {len(promised)} calls shown with Cancel call, "
          f"{torn_tails} torn last lines")


FULL_DISK_CHILD = r"""
import json, logging, resource, signal, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
from kiosk import config as kiosk_config
from kiosk.app import create_window

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
config = kiosk_config.load([Path(sys.argv[1])])
app = QApplication(sys.argv[:1])
window = create_window(config)
window.call_button.click()  # a first call, written normally
window.calls.cancel()
# the disk is now full: no write may grow a file past its current size
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
size = sum(p.stat().st_size for p in config.log.dir.glob("events-*.jsonl"))
_, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
window.call_button.click()
state = window.calls.state
out = {"open": state.is_open, "recorded": state.recorded,
       "status": window.call_screen.status.text(),
       "cancel": window.call_screen.cancel_button.isVisibleTo(window.call_screen),
       "chime_tried": window.call_paths.chime is not None}
notifier = window.call_paths.notifier
done = []

def finished(outcome):
    if outcome["call_id"] == state.call_id:
        done.append(outcome)
        app.quit()

notifier.finished.connect(finished)
app.exec()
out["notify"] = done[0]
window.shutdown()
print(json.dumps(out), flush=True)
"""


def test_a_full_disk_still_calls(tmp_path: Path) -> None:
    log_dir = tmp_path / "events"
    marker = tmp_path / "notified.txt"
    script = tmp_path / "notify.py"
    script.write_text(f"import sys\nopen({str(marker)!r}, 'a').write(' '.join(sys.argv[1:]) + '\\n')\n")
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[log]\ndir = "{log_dir}"\n[nurse_call]\n'
                      f'notify_command = ["{sys.executable}", "{script}", "{{event}}", "{{room}}"]\n')
    proc = subprocess.run([sys.executable, "-c", FULL_DISK_CHILD, str(config)], env=child_env(),
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.splitlines()[-1])
    assert out["open"] and not out["recorded"]
    assert out["status"] == "Calling your nurse — please also use the room's call button."
    assert out["cancel"] and out["chime_tried"]
    assert out["notify"]["ok"] is True and out["notify"]["event"] == "requested"
    # both calls reached the command (commands run side by side: their order may vary)
    assert marker.read_text().splitlines().count("requested Room 1") == 2
    assert "CRITICAL kiosk.nurse_call: could not record nurse_call.requested" in proc.stderr
    assert "File too large" in proc.stderr
    # the log itself is intact: the refused line is simply not there
    result = verify(log_dir)
    assert result.ok and result.torn_tail is None
    types = [e.type for e in read_events(log_dir)]
    assert types.count("nurse_call.requested") == 1
