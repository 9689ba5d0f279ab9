"""A real call makes real sound: the chime reaches a PulseAudio null sink.

The kiosk runs in a child process (QtMultimedia picks its sound server when it
loads) against the private PulseAudio of the `pulse_sink` fixture; the parent
records the sink's monitor, which holds exactly what a speaker would have played.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.events import read_events
from kiosk.media.tones import CHIME_FREQUENCIES, SAMPLE_RATE
from tests.audio import goertzel, rms
from tests.realsound import Recorder

CALL_CHILD = r"""
import json, sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from kiosk import config as kiosk_config
from kiosk.app import create_window

config = kiosk_config.load([Path(sys.argv[1])])
app = QApplication(sys.argv[:1])
window = create_window(config)
chime = window.call_paths.chime
sounding = []
chime.sounding_changed.connect(lambda on: (sounding.append(on), on or app.quit()))
QTimer.singleShot(10_000, app.quit)  # a deadline, should the chime never end
window.call_button.click()
app.exec()
print(json.dumps({"sounding": sounding, "fault": chime.fault,
                  "status": window.call_screen.status.text()}), flush=True)
window.shutdown()
window.events.close()
"""


@pytest.mark.sound
def test_a_call_puts_the_chime_on_the_speaker(pulse_sink: dict[str, str], tmp_path: Path) -> None:
    log_dir = tmp_path / "events"
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[log]\ndir = "{log_dir}"\n')
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(pulse_sink, QT_QPA_PLATFORM="offscreen")
    recorder = Recorder(pulse_sink)
    recorder.start()
    try:
        proc = subprocess.run([sys.executable, "-c", CALL_CHILD, str(config)], env=env,
                              capture_output=True, text=True, timeout=120, check=False)
    finally:
        samples = recorder.stop()
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.splitlines()[-1])
    assert out["fault"] == "" and out["sounding"] == [True, False]
    assert out["status"] == "Your call is recorded. A chime is sounding for the staff."
    level = rms(samples)
    assert level > 0.02, f"the recording is silent (RMS {level:.4f})"
    loud = [abs(s) for s in samples]
    start = next(i for i, s in enumerate(loud) if s > 0.05)
    heard = samples[start:start + int(1.5 * SAMPLE_RATE)]
    half = len(heard) // 2
    for part, frequency in ((heard[:half], CHIME_FREQUENCIES[0]), (heard[half:], CHIME_FREQUENCIES[1])):
        other = CHIME_FREQUENCIES[1] if frequency == CHIME_FREQUENCIES[0] else CHIME_FREQUENCIES[0]
        assert goertzel(part, frequency, SAMPLE_RATE) > goertzel(part, other, SAMPLE_RATE)
    chimed = [e.data for e in read_events(log_dir) if e.type == "nurse_call.chimed"]
    assert chimed and chimed[0]["ok"] is True
    print(f"chime at the sink: RMS {level:.3f} over {len(samples) / SAMPLE_RATE:.1f} s recorded")
