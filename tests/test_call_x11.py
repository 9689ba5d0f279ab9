"""Call nurse end to end on a real X display: a call key, then `kiosk call ack` from a shell.

The kiosk runs as `kiosk run` on Xvfb with openbox; `xdotool key F12` is what a
bedside push-button that sends a key does. `kiosk call status` and `kiosk call ack`
reach the running kiosk through its control socket, as an integration would.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.events import read_events
from tests.kioskproc import RunningKiosk

pytestmark = pytest.mark.xvfb


def kiosk_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True,
                          timeout=60, check=False)


def test_a_call_key_and_an_acknowledgement_from_the_shell(tmp_path: Path, x_display: str) -> None:
    events = tmp_path / "events"
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\nroom = "Room 2"\n[nurse_call]\nkeys = ["F12"]\n'
                      f'[log]\ndir = "{events}"\n', encoding="utf-8")
    nobody = kiosk_cli("call", "ack", "--config", str(config))
    assert nobody.returncode == 2
    assert "no kiosk is running with the event log at" in nobody.stderr

    kiosk = RunningKiosk(config, env={"DISPLAY": x_display,
                                      "PULSE_SERVER": "unix:/nonexistent/pulse-socket"})
    try:
        kiosk.wait_for(re.compile("is running in Room 2"))
        env = dict(os.environ, DISPLAY=x_display)
        window = subprocess.run(
            ["xdotool", "search", "--sync", "--onlyvisible", "--name", "^infusion-kiosk$"],
            env=env, capture_output=True, text=True, timeout=60, check=True).stdout.split()[0]
        subprocess.run(["xdotool", "windowactivate", "--sync", window], env=env, timeout=60,
                       check=True)
        none = kiosk_cli("call", "status", "--config", str(config))
        assert (none.returncode, none.stdout.strip()) == (0, "no call is open")

        subprocess.run(["xdotool", "key", "F12"], env=env, timeout=60, check=True)
        call_id = kiosk.wait_for(re.compile(r"nurse call (\w+) is requested"), timeout=30).group(1)
        status = kiosk_cli("call", "status", "--config", str(config))
        assert status.returncode == 0 and f"call {call_id}: Call made" in status.stdout

        ack = kiosk_cli("call", "ack", "--config", str(config))
        assert (ack.returncode, ack.stdout.strip()) == (0, f"acknowledged call {call_id}")
        kiosk.wait_for(re.compile(f"nurse call {call_id} is acknowledged"), timeout=30)
        again = kiosk_cli("call", "ack", "--dir", str(events))
        assert again.returncode == 0 and "already acknowledged" in again.stdout
        assert kiosk.stop(signal.SIGTERM) == 0
    finally:
        if kiosk.proc.poll() is None:
            kiosk.proc.kill()
            kiosk.close()
    calls = [(e.type, dict(e.data)) for e in read_events(events) if e.type.startswith("nurse_call.")]
    assert calls[0] == ("nurse_call.requested", {"call_id": call_id, "source": "key"})
    acknowledged = [d for t, d in calls if t == "nurse_call.acknowledged"]
    assert len(acknowledged) == 1 and acknowledged[0]["by"] == "shell"
    assert not (events / "control.sock").exists()  # removed at a clean stop
    gone = kiosk_cli("call", "ack", "--config", str(config))
    assert gone.returncode == 2
