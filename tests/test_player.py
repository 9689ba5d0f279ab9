"""The music player in this process, without a sound server (PULSE_SERVER points at nothing).

QMediaPlayer still runs through a file in real time with no output, so the
player's decisions (which track, when to cross-fade, what to skip, what to tell)
are tested here; what reaches a speaker is tested in test_music_sound.py.
Volumes are judged on an injected clock: the test moves it and calls `tick()`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from kiosk.media.mixer import DUCK_GAIN
from kiosk.media.player import (
    NO_OUTPUT,
    PAUSED,
    PLAYING,
    STOPPED,
    AudioPlayer,
    to_linear,
)
from kiosk.media.playlist import Queue, Track
from tests.musicfiles import broken_files, steady_tone

# with no sound server QMediaPlayer plays through files silently, and says so
pytestmark = pytest.mark.qt_log_ignore(r"^No audio device detected$")
# QtMultimedia's FFmpeg back end warns about files it cannot open; those files are the point here
BROKEN_FILE_WARNINGS = pytest.mark.qt_log_ignore(
    r"^No audio device detected$", r"^Could not open media", r"FFmpeg error")


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def track(path: Path) -> Track:
    return Track(path, path.stem)


class Outputs:
    """Whether the machine has an audio output: the test flips it."""

    def __init__(self, present: bool) -> None:
        self.present = present

    def __call__(self) -> bool:
        return self.present


def make_player(clock: Callable[[], float] = time.monotonic, *, outputs: Outputs | bool = True,
                fade_in: float = 3.0, fade_out: float = 2.0, crossfade: float = 4.0,
                level: float = 0.4, max_level: float = 0.7) -> AudioPlayer:
    return AudioPlayer(
        level=level, max_level=max_level, fade_in_seconds=fade_in, fade_out_seconds=fade_out,
        crossfade_seconds=crossfade, clock=clock,
        outputs=outputs if isinstance(outputs, Outputs) else Outputs(outputs),
    )


@pytest.fixture
def tones(tmp_path: Path) -> list[Path]:
    return [steady_tone(tmp_path / f"{n}-tone.wav", f, 2.0) for n, f in ((1, 330.0), (2, 440.0), (3, 550.0))]


@pytest.fixture
def players(qtbot: QtBot):  # type: ignore[no-untyped-def]
    """Make players; each is shut down (silenced, files let go) after the test."""
    made: list[AudioPlayer] = []

    def factory(**kwargs: object) -> AudioPlayer:
        player = make_player(**kwargs)  # type: ignore[arg-type]
        made.append(player)
        return player

    yield factory
    for player in made:
        player.shutdown()


def volumes(player: AudioPlayer) -> tuple[float, ...]:
    return tuple(deck.output.volume() for deck in player.decks)


def test_play_fades_in_from_silence_to_the_patients_level(qtbot: QtBot, players, tones) -> None:
    clock = Clock()
    player = players(clock=clock)
    started: list[Track] = []
    player.track_changed.connect(started.append)
    assert player.play(Queue([track(p) for p in tones]), "Tones")
    assert player.state == PLAYING and player.playlist == "Tones"
    qtbot.waitUntil(lambda: len(started) == 1)
    assert started[0].path == tones[0] and player.track == started[0]
    live = player.live
    assert live.output.volume() == 0.0
    seen = []
    for _ in range(31):
        clock.now += 0.1
        player.tick()
        seen.append(live.output.volume())
    assert seen == sorted(seen) and seen[2] < seen[20]
    assert seen[-1] == pytest.approx(to_linear(0.4))
    assert not player.mix.volumes(clock.now).moving


def test_tracks_cross_fade_and_the_playlist_repeats(qtbot: QtBot, players, tones) -> None:
    player = players(fade_in=0.2, crossfade=0.6)  # real clock: the fades run as they would
    started: list[Path] = []
    both_heard: list[bool] = []
    player.track_changed.connect(lambda t: started.append(t.path))
    look = QTimer()
    look.timeout.connect(lambda: both_heard.append(min(volumes(player)) > 0.01))
    look.start(10)
    player.play(Queue([track(p) for p in tones[:2]]), "Two")
    qtbot.waitUntil(lambda: len(started) >= 3, timeout=10_000)
    assert started[:3] == [tones[0], tones[1], tones[0]]
    look.stop()
    assert any(both_heard), "the two tracks never sounded together"
    assert player.state == PLAYING


@BROKEN_FILE_WARNINGS
def test_bad_files_are_skipped_and_reported_and_the_good_ones_play(
        qtbot: QtBot, players, tones, tmp_path: Path) -> None:
    bad = broken_files(tmp_path / "bad")
    order = [tones[0], bad["empty"], bad["text"], bad["missing"], tones[1]]
    player = players(fade_in=0.1, crossfade=0.3)
    started: list[Path] = []
    failed: list[tuple[str, str]] = []
    player.track_changed.connect(lambda t: started.append(t.path))
    player.track_failed.connect(lambda t, why: failed.append((t.path.name, why)))
    player.play(Queue([track(p) for p in order]), "Mixed")
    qtbot.waitUntil(lambda: len(started) >= 3, timeout=10_000)
    assert started[:3] == [tones[0], tones[1], tones[0]]
    assert sorted(name for name, _ in failed) == ["empty.ogg", "gone.ogg", "notes.mp3"]
    assert dict(failed)["gone.ogg"] == "file not found"
    assert all(why for _, why in failed)


@BROKEN_FILE_WARNINGS
def test_a_playlist_with_nothing_playable_stops_and_says_so(qtbot: QtBot, players, tmp_path: Path) -> None:
    bad = broken_files(tmp_path / "bad")
    player = players()
    failed: list[str] = []
    player.track_failed.connect(lambda t, why: failed.append(t.path.name))
    with qtbot.waitSignal(player.nothing_playable, timeout=5000):
        player.play(Queue([track(p) for p in bad.values()]), "Broken")
    assert player.state == STOPPED
    assert sorted(failed) == ["empty.ogg", "gone.ogg", "notes.mp3"]


def test_pause_fades_out_then_holds_the_place_and_play_resumes_there(
        qtbot: QtBot, players, tmp_path: Path) -> None:
    clock = Clock()
    long_tone = steady_tone(tmp_path / "long.wav", 440.0, 6.0)
    player = players(clock=clock, fade_in=1.0, fade_out=2.0)
    player.play(Queue([track(long_tone)]), "Long")
    qtbot.waitUntil(lambda: player.track is not None and player.live.player.position() > 300)
    deck = player.live
    clock.now += 1.0
    player.tick()
    full = deck.output.volume()
    player.pause()
    assert player.state == PAUSED
    clock.now += 1.0
    player.tick()
    assert 0 < deck.output.volume() < full
    assert deck.player.playbackState() == deck.player.PlaybackState.PlayingState
    clock.now += 1.0
    player.tick()
    assert deck.output.volume() == 0.0
    assert deck.player.playbackState() == deck.player.PlaybackState.PausedState
    held = deck.player.position()
    player.play()
    assert player.state == PLAYING and deck.player.playbackState() == deck.player.PlaybackState.PlayingState
    qtbot.waitUntil(lambda: deck.player.position() > held + 200)
    assert deck.player.position() < held + 2000  # resumed at the place, not from the start


def test_stop_fades_out_and_lets_go_of_the_file(qtbot: QtBot, players, tones) -> None:
    clock = Clock()
    player = players(clock=clock, fade_in=0.5, fade_out=1.5)
    player.play(Queue([track(p) for p in tones]), "Tones")
    qtbot.waitUntil(lambda: player.track is not None and player.live.ready)
    clock.now += 0.5
    player.tick()
    states: list[str] = []
    player.state_changed.connect(states.append)
    player.stop()
    assert states == [STOPPED]
    clock.now += 0.75
    player.tick()
    assert player.live.track is not None and player.live.output.volume() > 0
    clock.now += 0.75
    player.tick()
    assert all(d.track is None for d in player.decks) and volumes(player) == (0.0, 0.0)


def test_the_level_is_capped_and_steps_stay_within_it(qtbot: QtBot, players) -> None:
    player = players(level=0.4, max_level=0.6)
    for _ in range(20):
        player.step_level(+1)
    assert player.level == pytest.approx(0.6) and player.level_fraction == pytest.approx(1.0)
    player.set_level(1.0)
    assert player.level == pytest.approx(0.6)
    for _ in range(3):
        player.step_level(-1)
    assert player.level_fraction == pytest.approx(5 / 8)
    for _ in range(20):
        player.step_level(-1)
    assert player.level == 0.0


def test_lower_to_brings_the_music_down_and_never_up(qtbot: QtBot, players) -> None:
    clock = Clock()
    player = players(clock=clock, level=0.5, max_level=0.7)
    levels: list[float] = []
    player.level_changed.connect(levels.append)
    player.lower_to(0.2, 8.0)
    assert player.level == 0.2 and levels == [0.2]
    player.lower_to(0.3, 8.0)
    assert player.level == 0.2 and levels == [0.2]


def test_ducking_lowers_the_music_while_the_chime_sounds(qtbot: QtBot, players, tmp_path: Path) -> None:
    clock = Clock()
    long_tone = steady_tone(tmp_path / "long.wav", 440.0, 6.0)
    player = players(clock=clock, fade_in=0.0)
    player.play(Queue([track(long_tone)]), "Long")
    qtbot.waitUntil(lambda: player.live.output.volume() > 0)
    full = player.live.output.volume()
    player.duck("chime", True)
    clock.now += 1.0
    player.tick()
    assert player.live.output.volume() == pytest.approx(full * DUCK_GAIN)
    player.duck("chime", False)
    clock.now += 0.5
    player.tick()
    assert full * DUCK_GAIN < player.live.output.volume() < full
    clock.now += 3.0
    player.tick()
    assert player.live.output.volume() == pytest.approx(full)


def test_choosing_another_playlist_cross_fades_into_it(qtbot: QtBot, players, tones) -> None:
    player = players(fade_in=0.1, crossfade=0.5)
    started: list[Path] = []
    player.track_changed.connect(lambda t: started.append(t.path))
    player.play(Queue([track(tones[0])]), "First")
    qtbot.waitUntil(lambda: player.live.output.volume() > 0)
    player.play(Queue([track(tones[2])]), "Second")
    qtbot.waitUntil(lambda: len(started) == 2)
    assert started == [tones[0], tones[2]] and player.playlist == "Second"


def test_next_track_moves_on_and_a_second_tap_during_the_change_is_not_lost_in_a_jump(
        qtbot: QtBot, players, tones) -> None:
    player = players(fade_in=0.1, crossfade=1.0)
    started: list[Path] = []
    player.track_changed.connect(lambda t: started.append(t.path))
    player.play(Queue([track(p) for p in tones]), "Tones")
    qtbot.waitUntil(lambda: len(started) == 1)
    player.next_track()
    qtbot.waitUntil(lambda: len(started) == 2)
    player.next_track()  # the first is still fading out: it clears quickly, then the next fades in
    qtbot.waitUntil(lambda: len(started) == 3, timeout=5000)
    assert started == tones


def test_without_an_audio_output_play_refuses_and_the_fault_says_why(qtbot: QtBot, players, tones) -> None:
    player = players(outputs=False)
    assert not player.available and player.fault == NO_OUTPUT
    assert not player.play(Queue([track(tones[0])]), "Tones")
    assert player.state == STOPPED and all(d.track is None for d in player.decks)


def test_an_output_that_appears_later_is_used(qtbot: QtBot, players, tones) -> None:
    outputs = Outputs(False)
    player = players(outputs=outputs)
    seen: list[bool] = []
    player.available_changed.connect(seen.append)
    outputs.present = True
    player._on_outputs_changed()  # what QMediaDevices.audioOutputsChanged calls
    assert seen == [True] and player.available and player.fault == ""
    assert player.play(Queue([track(tones[0])]), "Tones")
