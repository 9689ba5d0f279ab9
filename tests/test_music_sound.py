"""Real music into a PulseAudio null sink: fade-in, crossfade, pause, the cap, ducking under the
chime and under the breathing cue.

The player runs in a child process (`tests/helpers/music_child.py`) against the
private PulseAudio of the `pulse_sink` fixture; the parent records the sink's
monitor, which holds exactly what a speaker would have played. Tracks are
steady sines, so a level at any moment is easy to judge. Times inside the
recording are measured from the first sound (the onset of the fade-in): the
child reports when each later step ran, in seconds after Play.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kiosk.events import read_events
from kiosk.media.mixer import DUCK_GAIN
from kiosk.media.tones import CUE_FREQUENCIES
from tests.audio import first_above, goertzel, rms
from tests.musicfiles import steady_tone
from tests.realsound import RATE, Recorder

CHILD = Path(__file__).parent / "helpers" / "music_child.py"
AMPLITUDE = 0.5
MUSIC = {"volume": 0.4, "max_volume": 0.7, "fade_in_seconds": 3.0, "fade_out_seconds": 2.0,
         "crossfade_seconds": 4.0}

pytestmark = [pytest.mark.sound, pytest.mark.slow]


def qt_linear(level: float) -> float:
    """QtAudio.convertVolume(LogarithmicVolumeScale → LinearVolumeScale)."""
    return 1.0 if level > 0.99 else -math.log(1.0 - level) / math.log(100.0)


def play(env: dict[str, str], tmp_path: Path, mode: str, tones: list[tuple[float, float]],
         steps: list[list[Any]], spec_extra: dict[str, Any] | None = None,
         **music: float) -> tuple[list[float], dict[str, Any]]:
    """Run the child on `tones` ((Hz, seconds) each, in order); return the recording and its times."""
    folder = tmp_path / "music"
    folder.mkdir()
    for n, (frequency, seconds) in enumerate(tones, start=1):
        steady_tone(folder / f"{n:02d}-tone.wav", frequency, seconds, AMPLITUDE)
    spec = {"music": {**MUSIC, **music}, "folder": str(folder), "steps": steps,
            "log_dir": str(tmp_path / "events"), **(spec_extra or {})}
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(spec))
    child_env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    child_env.update(env, QT_QPA_PLATFORM="offscreen")
    recorder = Recorder(env)
    recorder.start()
    try:
        proc = subprocess.run([sys.executable, str(CHILD), mode, str(spec_file)], env=child_env,
                              capture_output=True, text=True, timeout=120, check=False)
    finally:
        samples = recorder.stop()
    assert proc.returncode == 0, proc.stderr[-3000:]
    times = json.loads(proc.stdout.splitlines()[-1])
    assert times["available"], "the player found no audio output"
    return samples, times


def step_time(times: dict[str, Any], name: str) -> float:
    return next(t for step, t in times["steps"] if step == name)


class Take:
    """A recording, read in seconds from the first sound."""

    def __init__(self, samples: list[float]) -> None:
        onset = first_above(samples, 1e-4)
        assert onset is not None, "the recording is silent"
        self.samples, self.onset = samples, onset

    def part(self, start: float, end: float) -> list[float]:
        a = self.onset + round(start * RATE)
        return self.samples[max(0, a): self.onset + round(end * RATE)]

    def rms(self, start: float, end: float) -> float:
        return rms(self.part(start, end))

    def tone(self, frequency: float, start: float, end: float) -> float:
        return goertzel(self.part(start, end), frequency, RATE)


def test_play_gives_sound_that_fades_in(pulse_sink: dict[str, str], tmp_path: Path) -> None:
    samples, _ = play(pulse_sink, tmp_path, "player", [(220.0, 8.0)], [["play"], ["wait", 3.5]])
    take = Take(samples)
    first, steady = take.rms(0.0, 0.3), take.rms(2.0, 3.0)
    print(f"fade-in: first 300 ms RMS {first:.4f}, seconds 2-3 RMS {steady:.4f}")
    assert steady > 0.01, "no sound at the sink"
    assert first < 0.35 * steady


def test_a_crossfade_leaves_no_gap(pulse_sink: dict[str, str], tmp_path: Path) -> None:
    samples, _ = play(pulse_sink, tmp_path, "player", [(220.0, 5.0), (330.0, 5.0)],
                      [["play"], ["wait", 8.5]], fade_in_seconds=0.5, crossfade_seconds=2.0)
    take = Take(samples)
    steady = take.rms(1.0, 3.0)
    windows = [take.rms(1.0 + i * 0.1, 1.1 + i * 0.1) for i in range(70)]  # 1.0 s to 8.0 s
    lowest = min(windows)
    print(f"crossfade: steady RMS {steady:.4f}, lowest 100 ms window {lowest:.4f} "
          f"({lowest / steady:.0%}), highest {max(windows) / steady:.0%}")
    assert lowest >= 0.25 * steady
    assert max(windows) <= 1.25 * steady  # and no bump either
    assert take.tone(330.0, 5.5, 6.5) > 10 * take.tone(220.0, 5.5, 6.5)  # the second track took over


def test_pause_fades_to_silence_within_the_fade_out(pulse_sink: dict[str, str], tmp_path: Path) -> None:
    fade_out = 1.5
    samples, times = play(pulse_sink, tmp_path, "player", [(220.0, 10.0)],
                          [["play"], ["wait", 2.5], ["pause"], ["wait", 3.0]],
                          fade_in_seconds=0.5, fade_out_seconds=fade_out)
    take = Take(samples)
    paused = step_time(times, "pause")
    steady = take.rms(paused - 1.0, paused)
    fading = take.rms(paused + 0.4, paused + 0.6)
    after = take.rms(paused + fade_out + 0.2, paused + fade_out + 1.2)
    print(f"pause: steady {steady:.4f}, 0.5 s after pause {fading:.4f}, after the fade {after:.6f}")
    assert steady > 0.01
    assert 0.2 * steady < fading < steady  # fading, not cut
    assert after < 0.01 * steady  # silence within the fade-out time


def test_the_cap_holds_when_the_patient_pushes_the_volume_to_the_top(
        pulse_sink: dict[str, str], tmp_path: Path) -> None:
    samples, times = play(pulse_sink, tmp_path, "player", [(220.0, 8.0)],
                          [["play"], ["wait", 1.5], ["louder", 20], ["wait", 2.0]],
                          volume=0.25, max_volume=0.5, fade_in_seconds=0.3)
    take = Take(samples)
    louder = step_time(times, "louder")
    before, top = take.rms(0.8, louder), take.rms(louder + 1.0, louder + 1.9)
    print(f"cap: before {before:.4f}, at the top {top:.4f} ({top / before:.2f}×)")
    assert top / before == pytest.approx(qt_linear(0.5) / qt_linear(0.25), rel=0.1)
    steps = [take.rms(louder + i * 0.05, louder + (i + 1) * 0.05) for i in range(20)]
    assert max(b - a for a, b in itertools.pairwise(steps)) < 0.25 * top  # ramped


def test_the_call_chime_ducks_the_music_and_it_comes_back(pulse_sink: dict[str, str], tmp_path: Path) -> None:
    music_hz = 220.0  # far from the chime's notes and their overtones
    samples, times = play(pulse_sink, tmp_path, "window", [(music_hz, 20.0)],
                          [["play"], ["wait", 2.5], ["call"], ["wait", 6.0]],
                          fade_in_seconds=0.5, fade_out_seconds=1.0, crossfade_seconds=2.0)
    take = Take(samples)
    on, off = step_time(times, "chime_on"), step_time(times, "chime_off")
    steady = take.tone(music_hz, 1.5, 2.4)
    ducked = take.tone(music_hz, on + 0.6, off)
    back = take.tone(music_hz, off + 2.5, off + 3.5)
    print(f"duck: music {steady:.4f} before the call, {ducked:.4f} under the chime "
          f"({ducked / steady:.0%}), {back:.4f} after")
    assert ducked == pytest.approx(steady * DUCK_GAIN, rel=0.25)
    assert back == pytest.approx(steady, rel=0.1)
    rising = [take.tone(music_hz, off + i * 0.1, off + (i + 1) * 0.1) for i in range(22)]
    assert max(b - a for a, b in itertools.pairwise(rising)) < 0.2 * steady  # smoothly


def test_the_breathing_cue_sounds_at_each_phase_and_the_music_makes_room(
        pulse_sink: dict[str, str], tmp_path: Path) -> None:
    music_hz = 220.0
    samples, times = play(pulse_sink, tmp_path, "window", [(music_hz, 30.0)],
                          [["play"], ["wait", 2.5], ["breathe"], ["wait", 12.0], ["stop_breathing"],
                           ["wait", 4.0]],
                          fade_in_seconds=0.5, fade_out_seconds=1.0, crossfade_seconds=2.0,
                          spec_extra={"breathing": {"cue_tone": True}})
    take = Take(samples)
    inhale, exhale = step_time(times, "phase_inhale"), step_time(times, "phase_exhale")
    stop = step_time(times, "stop_breathing")
    assert exhale - inhale == pytest.approx(5.5, abs=0.1)  # resonant: 5.5 s in
    in_hz, out_hz = CUE_FREQUENCIES["inhale"], CUE_FREQUENCIES["exhale"]
    quiet_in, cue_in = take.tone(in_hz, 1.0, 2.0), take.tone(in_hz, inhale, inhale + 1.0)
    quiet_out, cue_out = take.tone(out_hz, inhale + 2.0, inhale + 3.0), take.tone(out_hz, exhale, exhale + 1.0)
    steady = take.tone(music_hz, 1.5, 2.4)
    ducked = take.tone(music_hz, inhale + 1.5, exhale)
    back = take.tone(music_hz, stop + 2.5, stop + 3.5)
    print(f"cue: in-breath {cue_in:.4f} (before {quiet_in:.6f}), out-breath {cue_out:.4f} "
          f"(before {quiet_out:.6f}); music {steady:.4f}, {ducked:.4f} during the exercise "
          f"({ducked / steady:.0%}), {back:.4f} after")
    assert cue_in > 10 * quiet_in and cue_out > 10 * quiet_out
    assert ducked == pytest.approx(steady * DUCK_GAIN, rel=0.3)
    assert back == pytest.approx(steady, rel=0.1)
    first = take.part(inhale, inhale + 0.02)  # the cue swells in: no click as it starts
    assert max(map(abs, first)) < 2 * max(map(abs, take.part(inhale - 0.5, inhale - 0.1)))


def test_the_default_config_plays_the_kiosks_own_music(pulse_sink: dict[str, str], tmp_path: Path) -> None:
    samples, _ = play(pulse_sink, tmp_path, "default", [], [["play"], ["wait", 5.0]])
    take = Take(samples)
    level = take.rms(3.5, 4.5)  # past the 3 s fade-in
    print(f"the kiosk's own music at the sink: RMS {level:.4f}")
    assert level > 0.003
    started = [e.data for e in read_events(tmp_path / "events") if e.type == "music.started"]
    assert started == [{"playlist": "bundled", "track": "Evening light", "by": "patient"}]
