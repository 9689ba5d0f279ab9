"""Faults of the music (issue #9, point 3): the audio output goes mid-track; the music folder goes
mid-playlist.

The output's fault plays real sound: the kiosk window runs in a child process against
a private PulseAudio (its own daemon: the test takes the sink away), records the null
sink's monitor, unloads the sink mid-track and loads it again. Two machines are
played: a bare sound server, where QtMultimedia (6.11) does not notice the sink going
(the music would "play" on for ever without a sound unless the kiosk sees the track
stop moving on), and one with PulseAudio's stand-in sink (`module-always-sink`: its
"Dummy Output" is listed by QtMultimedia and not counted as an output by the kiosk).

The folder's fault runs in this process, offscreen and without a sound server: the
player is told it has an output, and QMediaPlayer decodes the real Ogg files
silently in real time. The files are cut from the kiosk's own music at Ogg page
boundaries: real Ogg Vorbis, a few seconds long, made without an encoder.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from kiosk.clock import FakeClock
from kiosk.config import Config, Playlist
from kiosk.content import load_content
from kiosk.media import player as player_module
from kiosk.media.player import PLAYING, STOPPED
from kiosk.media.playlist import BUNDLED_DIR
from tests.musicfiles import steady_tone
from tests.realsound import pactl, pulse_null_sink
from tests.test_app import Kiosk, make_config, pin_hash  # noqa: F401 - pin_hash is a fixture
from tests.test_music_window import music_events, start_visit

ROOT = Path(__file__).resolve().parents[1]

# -- the audio output goes mid-track -----------------------------------------------------------

CHILD = r'''
"""The kiosk window playing music while its only output goes and comes back: one JSON line out."""
import faulthandler
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from kiosk import config as kiosk_config
from kiosk.app import create_window
from kiosk.config import Playlist
from kiosk.events import read_events
from tests.audio import first_above, rms
from tests.realsound import RATE, Recorder, pactl

faulthandler.dump_traceback_later(50, exit=True)  # a hang shows where it is, then ends
spec = json.loads(Path(sys.argv[1]).read_text())
env = spec["env"]
app = QApplication(sys.argv[:1])


def wait(seconds):
    loop = QEventLoop()
    QTimer.singleShot(round(seconds * 1000), loop.quit)
    loop.exec()


def wait_until(condition, seconds):
    """Run the event loop until condition() holds or `seconds` pass; return how long it took."""
    start = time.monotonic()
    loop = QEventLoop()
    poll = QTimer()
    poll.timeout.connect(lambda: loop.quit() if condition() else None)
    give_up = QTimer()
    give_up.setSingleShot(True)
    give_up.timeout.connect(loop.quit)
    if not condition():
        poll.start(20)
        give_up.start(round(seconds * 1000))
        loop.exec()
    poll.stop()
    return round(time.monotonic() - start, 3) if condition() else None


def level(samples, start, end):
    """RMS from `start` to `end` seconds after the recording's first sound (None: silent)."""
    onset = first_above(samples, 1e-4)
    if onset is None:
        return None
    return round(rms(samples[onset + round(start * RATE): onset + round(end * RATE)]), 5)


base = kiosk_config.defaults()
config = replace(base, log=replace(base.log, dir=Path(spec["log_dir"])), music=replace(
    base.music, bundled=False, **spec["music"], playlists=(Playlist(name="Test", path=Path(spec["folder"])),)))
window = create_window(config)
window.resize(1280, 800)
window.show()  # laid out, so that the line of what is playing has its width
window.session.start(45, "en")
window.music_button.click()
player, screen = window.music.player, window.music_screen
beats = []  # the GUI thread's heartbeat
heart = QTimer()
heart.timeout.connect(lambda: beats.append(time.monotonic()))
heart.start(100)


def seen():
    return {
        "state": player.state, "available": player.available, "faults": window.faults(),
        "health_faults": window.health()["faults"], "now_playing": screen.now_playing.text(),
        "play_enabled": screen.play_button.isEnabled(), "play_says": screen.play_button.accessibleName(),
    }


fade_in = spec["music"]["fade_in_seconds"]
result = {"available_at_start": player.available}
recorder = Recorder(env)
recorder.start()
window.music.start()
wait(spec["play_seconds"])
before = recorder.stop()
result["before_rms"] = level(before, fade_in + 0.2, spec["play_seconds"] - 0.2)

# the sink goes (and with it every output the kiosk counts)
pactl(env, "unload-module", "module-null-sink")
gone_at = time.monotonic()
result["lost_after"] = wait_until(lambda: not player.available, 12)
wait(0.5)  # and it stays calm
result["lost"] = seen()
result["lost_beats"] = len([t for t in beats if t > gone_at])
result["lost_seconds"] = round(time.monotonic() - gone_at, 3)
gaps = [b - a for a, b in zip(beats, beats[1:]) if b > gone_at]
result["lost_longest_beat_gap"] = round(max(gaps, default=99.0), 3)

# a sink again: the music comes back into it, fading in
pactl(env, "load-module", "module-null-sink", "sink_name=" + spec["sink"])
pactl(env, "set-default-sink", spec["sink"])
recorder = Recorder(env)
recorder.start()  # before the kiosk hears of the sink (its event loop waits for this)
result["back_after"] = wait_until(lambda: player.available and player.state == "playing"
                                  and player.live.output.volume() > 0, 10)
wait(spec["back_seconds"])
after = recorder.stop()
result["back"] = seen()
result["back_first"] = level(after, 0.0, 0.3)
result["back_steady"] = level(after, fade_in + 0.2, spec["back_seconds"] - 0.3)
result["sink_inputs"] = pactl(env, "list", "short", "sink-inputs").strip()
result["events"] = [[e.type, e.data] for e in read_events(config.log.dir)
                    if e.type.startswith("music.") or e.type == "error"]
print(json.dumps(result), flush=True)
heart.stop()
window.shutdown()
window.events.close()
'''

MUSIC = {"volume": 0.5, "max_volume": 0.7, "fade_in_seconds": 1.5, "fade_out_seconds": 1.0,
         "crossfade_seconds": 2.0}


def output_goes_and_comes_back(tmp_path: Path, *, fallback: bool) -> dict[str, Any]:
    folder = tmp_path / "music"
    folder.mkdir()
    steady_tone(folder / "01-long-tone.wav", 220.0, 20.0)
    with pulse_null_sink() as env:
        if fallback:  # as a desktop's PulseAudio: the stand-in sink when no real one is left
            pactl(env, "load-module", "module-always-sink")
        spec = {"env": env, "music": MUSIC, "folder": str(folder), "log_dir": str(tmp_path / "events"),
                "sink": "kiosk_test", "play_seconds": 3.0, "back_seconds": 2.5}
        spec_file = tmp_path / "spec.json"
        spec_file.write_text(json.dumps(spec))
        child_env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        child_env.update(env, QT_QPA_PLATFORM="offscreen")
        proc = subprocess.run([sys.executable, "-c", CHILD, str(spec_file)], env=child_env, cwd=ROOT,
                              capture_output=True, text=True, timeout=90, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    print(json.dumps({k: v for k, v in result.items() if k != "events"}, indent=1))
    return result


@pytest.mark.sound
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pulseaudio") is None, reason="pulseaudio is not installed")
@pytest.mark.parametrize("fallback", [False, True], ids=["bare-server", "dummy-output-left"])
def test_the_audio_output_goes_mid_track_and_comes_back(tmp_path: Path, fallback: bool) -> None:
    result = output_goes_and_comes_back(tmp_path, fallback=fallback)
    assert result["available_at_start"] is True
    assert result["before_rms"] and result["before_rms"] > 0.01, "no music reached the sink"

    # the sink gone: the GUI thread kept answering, staff see why, the patient a calm sentence
    assert result["lost_after"] is not None, "the kiosk never noticed that the output went"
    lost = result["lost"]
    assert result["lost_longest_beat_gap"] < 0.5, result
    assert result["lost_beats"] >= 0.7 * result["lost_seconds"] * 10, result
    music_faults = [f for f in lost["faults"] if "music" in f and "audio output" in f]
    assert music_faults, lost["faults"]
    assert any("audio output" in f for f in lost["health_faults"]), lost["health_faults"]
    assert load_content("en").text("music_unavailable") in lost["now_playing"]
    assert lost["state"] == PLAYING  # what the patient asked for holds; the place is kept
    assert lost["play_enabled"] is False and lost["play_says"] == "Play"  # not "Pause": nothing is heard
    errors = [data for kind, data in result["events"] if kind == "error"]  # in the visit's record too
    assert len(errors) == 1 and errors[0]["source"] == "music", errors
    assert "audio output" in str(errors[0]["problem"]) and "music" in str(errors[0]["problem"])

    # a sink again: music into it, fading in from silence to the level it had
    assert result["back_after"] is not None, "the music did not come back"
    back = result["back"]
    assert back["available"] is True and back["state"] == PLAYING and back["play_says"] == "Pause"
    assert not [f for f in back["faults"] if "music" in f], back["faults"]
    assert "Long tone" in back["now_playing"]  # the track's title, as before
    assert result["back_steady"] and result["back_steady"] > 0.01, "no sound reached the new sink"
    assert result["back_first"] < 0.35 * result["back_steady"], "the music came back without a fade-in"
    assert result["back_steady"] == pytest.approx(result["before_rms"], rel=0.25)  # the same level
    # one music.started, no new track: the track resumed where it was
    assert [kind for kind, _ in result["events"] if kind.startswith("music.")] == ["music.started"]


# -- the music folder goes mid-playlist -----------------------------------------------------------

_PAGE = struct.Struct("<4sBBqIIIB")  # capture, version, flags, granule, serial, sequence, CRC, segments


def short_ogg(source: Path, target: Path, seconds: float) -> Path:
    """The first `seconds` (or a little more) of an Ogg Vorbis file, cut at a page's end."""
    data = source.read_bytes()
    offset = 0
    rate = 0
    while offset < len(data):
        capture, _version, _flags, granule, *_rest, segments = _PAGE.unpack_from(data, offset)
        assert capture == b"OggS", f"{source.name}: no Ogg page at byte {offset}"
        body = offset + _PAGE.size + segments
        end = body + sum(data[offset + _PAGE.size: body])
        if not rate:  # the first page holds the Vorbis identification header
            rate = struct.unpack_from("<I", data, body + 12)[0]
        offset = end
        if rate and granule > seconds * rate:
            break
    target.write_bytes(data[:offset])
    return target


@pytest.fixture
def ogg_folder(tmp_path: Path) -> Path:
    """Three real Ogg tracks of about 2 s, from the kiosk's own music."""
    folder = tmp_path / "music" / "evening"
    folder.mkdir(parents=True)
    for source in sorted(BUNDLED_DIR.glob("*.ogg")):
        short_ogg(source, folder / source.name, 2.0)
    return folder


def folder_config(log_dir: Path, pin: str, folder: Path) -> Config:
    config = make_config(log_dir, pin)
    return replace(config, music=replace(
        config.music, playlists=(Playlist(name="Evening", path=folder),), bundled=False,
        fade_in_seconds=0.2, fade_out_seconds=0.2, crossfade_seconds=0.5))


@pytest.fixture
def folder_kiosk(qtbot: QtBot, tmp_path: Path, pin_hash: str, ogg_folder: Path,  # noqa: F811
                 monkeypatch: pytest.MonkeyPatch) -> Iterator[Kiosk]:
    monkeypatch.setattr(player_module, "has_output", lambda: True)  # decodes silently, in real time
    kiosk = Kiosk(qtbot, folder_config(tmp_path / "events", pin_hash, ogg_folder), FakeClock())
    yield kiosk
    for window in kiosk.windows:
        kiosk.stop(window)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["renamed", "deleted"])
def test_the_music_folder_goes_mid_playlist_and_comes_back(
        qtbot: QtBot, folder_kiosk: Kiosk, ogg_folder: Path, tmp_path: Path, how: str) -> None:
    names = sorted(p.name for p in ogg_folder.iterdir())
    window = folder_kiosk.start()
    window.show()  # laid out, so that the line of what is playing has its width
    start_visit(window)
    window.music_button.click()
    screen, player = window.music_screen, window.music.player
    with qtbot.waitSignal(player.track_changed, timeout=5000):
        screen.play_button.click()
    qtbot.waitUntil(lambda: player.live.player.position() > 300, timeout=5000)
    assert player.track is not None and player.track.title == "Evening light"

    # while the first track plays, the folder goes
    kept = tmp_path / "kept"
    shutil.copytree(ogg_folder, kept)
    if how == "renamed":
        ogg_folder.rename(tmp_path / "music" / "evening-moved")
    else:
        shutil.rmtree(ogg_folder)

    # the first track ends; nothing else can be read: the music stops calmly and says so
    nothing = load_content("en").text("nothing_playable")
    qtbot.waitUntil(lambda: nothing in screen.now_playing.text(), timeout=8000)
    assert player.state == STOPPED
    assert screen.play_button.isEnabled() and screen.play_button.accessibleName() == "Play"  # no dead end
    assert all(tile.isEnabled() for tile in screen.tiles)
    events = music_events(folder_kiosk)
    errors = [data for kind, data in events if kind == "error"]
    assert sorted(str(e["file"]) for e in errors) == names
    assert all(e["source"] == "music" and e["problem"] == "file not found" for e in errors)
    assert events[-1] == ("music.stopped", {"playlist": "Evening", "reason": "nothing_playable"})
    assert not window.music.fault()  # the speaker is fine: nothing for staff's banner

    # Play with the folder still gone: the same calm sentence, nothing else
    stopped = [kind for kind, _ in events].count("music.stopped")
    screen.play_button.click()
    qtbot.waitUntil(lambda: [kind for kind, _ in music_events(folder_kiosk)].count("music.stopped") > stopped)
    assert player.state == STOPPED and nothing in screen.now_playing.text()

    # the folder is back: the next Play plays
    if how == "renamed":
        (tmp_path / "music" / "evening-moved").rename(ogg_folder)
    else:
        shutil.copytree(kept, ogg_folder)
    with qtbot.waitSignal(player.track_changed, timeout=5000):
        screen.play_button.click()
    qtbot.waitUntil(lambda: player.live.player.position() > 300, timeout=5000)
    assert player.state == PLAYING and player.track is not None and player.track.title == "Evening light"
    assert nothing not in screen.now_playing.text() and "Evening light" in screen.now_playing.text()
    assert music_events(folder_kiosk)[-1] == (
        "music.started", {"playlist": "Evening", "track": "Evening light", "by": "patient"})
