"""The call chime with no sound server (conftest.py points PULSE_SERVER at nothing).

With no audio output the chime must say so to staff instead of failing silently,
never raise, and clean up its temporary file. Real sound: test_chime_sound.py.
"""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtMultimedia import QMediaDevices, QSoundEffect
from pytestqt.qtbot import QtBot

from kiosk.media.chime import NO_OUTPUT, PREFIX, PREPARE_AFTER_MS, Chime
from kiosk.media.tones import chime_samples


@pytest.fixture
def chime(qtbot: QtBot) -> Iterator[Chime]:
    assert QMediaDevices.audioOutputs() == [], "an in-process test found a sound server"
    made = Chime(0.6)
    yield made
    made.close()


def test_no_output_play_returns_false_with_a_fault_for_staff(qtbot: QtBot, chime: Chime) -> None:
    assert chime.fault == ""
    sounding: list[bool] = []
    chime.sounding_changed.connect(sounding.append)
    with qtbot.waitSignal(chime.fault_changed, timeout=1000) as fault_signal:
        assert chime.play() is False
    assert fault_signal.args == [NO_OUTPUT]
    assert chime.fault == NO_OUTPUT
    assert chime.fault.endswith(".") and chime.fault[0].isupper()
    assert sounding == []


def test_fault_is_announced_once_while_it_lasts(qtbot: QtBot, chime: Chime) -> None:
    faults: list[str] = []
    chime.fault_changed.connect(faults.append)
    for _ in range(3):
        assert chime.play() is False
    chime.stop()
    assert faults == [NO_OUTPUT]


def test_the_chime_is_synthesized_after_the_start_not_during_it(qtbot: QtBot) -> None:
    made = Chime(0.3)
    assert list(made.folder.iterdir()) == []  # nothing synthesized before the first frame
    qtbot.waitUntil(lambda: (made.folder / "chime.wav").exists(), timeout=PREPARE_AFTER_MS + 3000)
    made.close()


def test_chime_file_is_private_and_removed_on_close(qtbot: QtBot) -> None:
    made = Chime(0.3)
    made.prepare()
    wavs = list(made.folder.iterdir())
    assert [w.suffix for w in wavs] == [".wav"]
    with wave.open(str(wavs[0]), "rb") as wav:
        assert wav.getnframes() == len(chime_samples())
    assert made.folder.stat().st_mode & 0o077 == 0  # mkdtemp: owner only
    made.close()
    assert not made.folder.exists()
    made.close()  # again: no error
    assert made.play() is False


def test_chime_file_is_removed_when_the_chime_is_destroyed(qtbot: QtBot) -> None:
    made = Chime(0.3)
    folder = made.folder
    assert folder.exists()
    del made
    gc.collect()
    assert not folder.exists()


def test_volume_is_the_configured_one(qtbot: QtBot, chime: Chime) -> None:
    effects = chime.findChildren(QSoundEffect)
    assert len(effects) == 1
    assert effects[0].volume() == pytest.approx(0.6)
    assert effects[0].loopCount() == 1  # once per play(); the caller repeats it


def test_folders_left_by_killed_kiosks_are_removed(qtbot: QtBot) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])  # gone, like a SIGKILLed kiosk
    dead.wait()
    stale = tempfile.mkdtemp(prefix=f"{PREFIX}{dead.pid}-")
    (Path(stale) / "chime.wav").write_bytes(b"RIFF")
    alive = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getppid()}-")  # a running process's
    try:
        made = Chime(0.3)
        assert not Path(stale).exists()
        assert Path(alive).exists()
        assert made.folder.name.startswith(f"{PREFIX}{os.getpid()}-")
        made.close()
    finally:
        shutil.rmtree(stale, ignore_errors=True)
        shutil.rmtree(alive, ignore_errors=True)
