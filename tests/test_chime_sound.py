"""The call chime really sounds: recorded from a PulseAudio null sink's monitor.

QtMultimedia picks its sound server when it first loads (and this test process
has none, see conftest.py), so the chime plays in a child process pointed at the
fixture's private PulseAudio, while this process records what reached the sink.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import pytest

from kiosk.media.chime import NO_OUTPUT
from kiosk.media.tones import CHIME_FREQUENCIES, SAMPLE_RATE, chime_samples
from tests.audio import first_above, goertzel, rms
from tests.realsound import RATE, Recorder, pulse_null_sink

pytestmark = pytest.mark.sound

REPO = Path(__file__).resolve().parents[1]
CHILD = Path(__file__).parent / "helpers" / "chime_child.py"
DING, DONG = CHIME_FREQUENCIES
CHIME_SECONDS = len(chime_samples()) / SAMPLE_RATE


def run_child(mode: str, pulse: Mapping[str, str]) -> tuple[dict[str, object], float]:
    env = {**os.environ, **pulse, "QT_QPA_PLATFORM": "offscreen"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, str(CHILD), mode],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    took = time.monotonic() - started
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result, took


def test_chime_reaches_the_speaker(pulse_sink: dict[str, str]) -> None:
    recorder = Recorder(pulse_sink)
    recorder.start()
    try:
        result, took = run_child("play", pulse_sink)
    finally:
        samples = recorder.stop()

    assert result["played"] is True, result
    assert result["fault"] == "", result
    assert result["faults"] == [], result
    assert result["ended"] is True, result  # sounding_changed(False) came within the deadline
    assert result["sounding"] == [True, False], result
    assert result["folder_removed"] is True, result

    level = rms(samples)
    onset = first_above(samples, 0.01)
    assert onset is not None, f"silence at the sink (RMS {level:.5f})"
    chime = samples[onset : onset + round(CHIME_SECONDS * RATE)]
    half = len(chime) // 2
    first, second = chime[:half], chime[half:]
    ding = (goertzel(first, DING, RATE), goertzel(first, DONG, RATE))
    dong = (goertzel(second, DONG, RATE), goertzel(second, DING, RATE))
    print(
        f"\nrecorded {len(samples) / RATE:.2f} s, whole RMS {level:.4f}, chime RMS {rms(chime):.4f}, "
        f"peak {max(map(abs, chime)):.3f}; first half {DING} Hz {ding[0]:.4f} vs {DONG} Hz "
        f"{ding[1]:.4f}; second half {DONG} Hz {dong[0]:.4f} vs {DING} Hz {dong[1]:.4f}; "
        f"child {took:.2f} s; {result}"
    )
    # the chime's RMS at volume 0.6 is about 0.6 × 0.15; silence or noise is far below
    assert rms(chime) > 0.03
    assert ding[0] > 0.03 and ding[0] > 4 * ding[1]
    assert dong[0] > 0.03 and dong[0] > 4 * dong[1]
    # after the chime, silence again: it plays once, it does not loop
    assert rms(samples[onset + round((CHIME_SECONDS + 0.1) * RATE) :]) < 0.001


@pytest.mark.slow
def test_chime_follows_outputs_that_come_and_go() -> None:
    """A new default output ("HDMI plugged in"), then none (a fault), then one again."""
    # its own daemon, because this test takes the session's sink away
    with pulse_null_sink() as pulse:
        result, took = run_child("outputs", pulse)
    print(f"\nchild {took:.2f} s; {result}")
    assert result["new_default_seen"] is True, result
    for step in ("new", "back"):
        played = result[step]
        assert isinstance(played, dict), result
        assert played["played"] is True and played["ended"] is True, result
        assert played["rms"] > 0.03, f"{step}: silence at the sink the chime should follow: {result}"
    # with no output left: a fault for staff, and the chime is not left "sounding" for ever
    assert result["gone_fault_seen"] is True, result
    assert result["gone_sounding"] is not True, result
    fault = result["gone_fault"]
    if result["gone_play"] is False:  # QtMultimedia noticed that the outputs went away
        assert fault == NO_OUTPUT, result
    else:  # it did not (6.11): the chime found out when it did not finish
        assert isinstance(fault, str) and fault.startswith("The call chime could not be played ("), result
        assert fault.endswith("stopped taking sound)."), result
    assert result["back_fault_cleared"] is True, result
    assert result["faults"] == [fault, ""], result
