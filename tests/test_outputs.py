"""PulseAudio's stand-in "Dummy Output" (auto_null) is not a speaker: the kiosk says so."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.realsound import pulse_null_sink

CHILD = """
import json
from PySide6.QtCore import QCoreApplication
from PySide6.QtMultimedia import QMediaDevices
from kiosk.media import outputs
from kiosk.media.chime import Chime
app = QCoreApplication([])
chime = Chime(0.5)
print(json.dumps({
    "listed": [bytes(d.id().data()).decode() for d in QMediaDevices.audioOutputs()],
    "real": outputs.has_output(),
    "name": outputs.default_output_name(),
    "chime_plays": chime.play(),
    "chime_fault": chime.fault,
}))
chime.close()
"""


def outputs_seen_with(sink: str) -> dict[str, object]:
    with pulse_null_sink(sink) as env:
        proc = subprocess.run([sys.executable, "-c", CHILD], env={**os.environ, **env},
                              capture_output=True, text=True, timeout=60, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.sound
@pytest.mark.skipif(shutil.which("pulseaudio") is None, reason="pulseaudio is not installed")
def test_a_dummy_output_is_no_output() -> None:
    seen = outputs_seen_with("auto_null")
    assert seen["listed"] == ["auto_null"]  # Qt lists it...
    assert seen["real"] is False and seen["name"] == ""  # ...the kiosk does not count it
    assert seen["chime_plays"] is False
    assert str(seen["chime_fault"]).startswith("No audio output was found")


@pytest.mark.sound
@pytest.mark.skipif(shutil.which("pulseaudio") is None, reason="pulseaudio is not installed")
def test_a_real_output_counts() -> None:
    seen = outputs_seen_with("kiosk_test")
    assert seen["listed"] == ["kiosk_test"]
    assert seen["real"] is True and seen["name"]
    assert seen["chime_plays"] is True and seen["chime_fault"] == ""
