"""Music in the kiosk window, offscreen: off until asked, stages, the visit's end, the log, faults.

There is no sound server in this process. Where a test needs the player to
think it has a speaker, `with_output` stands in for the machine's list of
outputs; QMediaPlayer then plays the files through, silently, in real time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk import config as kiosk_config
from kiosk.config import Config, Playlist
from kiosk.content import load_content
from kiosk.events import read_events
from kiosk.media import player as player_module
from kiosk.media.mixer import DUCK_GAIN
from kiosk.media.player import PAUSED, PLAYING, STOPPED
from kiosk.music_control import BUNDLED_ID, REENTRY_SECONDS
from tests.musicfiles import broken_files, steady_tone
from tests.test_app import Kiosk, make_config, pin_hash, unlock  # noqa: F401 - pin_hash is a fixture

pytestmark = pytest.mark.qt_log_ignore(
    r"^No audio device detected$", r"^Could not open media", r"FFmpeg error")


@pytest.fixture
def with_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(player_module, "has_output", lambda: True)


@pytest.fixture
def music(tmp_path: Path) -> dict[str, Path]:
    folders = {}
    for name, frequency in (("evening", 330.0), ("infusion", 440.0)):
        folder = tmp_path / "music" / name
        folder.mkdir(parents=True)
        for n in (1, 2):
            steady_tone(folder / f"0{n}-{name}-{n}.wav", frequency * n, 3.0)
        folders[name] = folder
    return folders


def music_config(log_dir: Path, pin: str, folders: dict[str, Path], **music: object) -> Config:
    config = make_config(log_dir, pin)
    playlists = (
        Playlist(name="Evening", path=folders["evening"]),
        Playlist(name="For the infusion", path=folders["infusion"], stages=("infusion",)),
    )
    values: dict[str, object] = {"playlists": playlists, "bundled": False, "fade_in_seconds": 0.2,
                                 "fade_out_seconds": 0.2, "crossfade_seconds": 0.5}
    values.update(music)
    return replace(config, music=replace(config.music, **values))


@pytest.fixture
def kiosk(qtbot: QtBot, tmp_path: Path, pin_hash: str, music: dict[str, Path]) -> Iterator[Kiosk]:  # noqa: F811
    from kiosk.clock import FakeClock

    k = Kiosk(qtbot, music_config(tmp_path / "events", pin_hash, music), FakeClock())
    yield k
    for window in k.windows:
        k.stop(window)


def start_visit(window, stage_steps: int = 0) -> None:  # type: ignore[no-untyped-def]
    unlock(window)
    staff = window.staff_screen
    staff.language_buttons["en"].click()
    staff.start_button.click()
    for _ in range(stage_steps):
        staff.next_button.click()
    staff.close_button.click()


def music_events(kiosk: Kiosk) -> list[tuple[str, dict[str, object]]]:
    return [(e.type, e.data) for e in read_events(kiosk.config.log.dir)
            if e.type.startswith("music.") or e.type == "error"]


def tile_names(window) -> list[str]:  # type: ignore[no-untyped-def]
    return [tile.accessibleName() for tile in window.music_screen.tiles]


def test_music_is_off_until_the_patient_presses_play(qtbot: QtBot, kiosk: Kiosk, with_output: None) -> None:
    window = kiosk.start()
    window.show()  # laid out, so that the line of what is playing has its width
    start_visit(window)
    assert window.music.player.state == STOPPED
    window.music_button.click()
    assert window.current_screen() is window.music_screen
    assert tile_names(window) == ["Evening"]  # the infusion's playlist waits for its stage
    assert music_events(kiosk) == []
    window.music_screen.play_button.click()
    qtbot.waitUntil(lambda: window.music.player.track is not None)
    assert window.music.player.state == PLAYING
    assert window.music_screen.play_button.accessibleName() == "Pause"
    qtbot.waitUntil(lambda: bool(music_events(kiosk)))
    kind, data = music_events(kiosk)[0]
    assert kind == "music.started"
    assert data == {"playlist": "Evening", "track": "Evening 1", "by": "patient"}
    assert "Evening 1" in window.music_screen.now_playing.text()


def test_pause_and_play_are_logged_once_each(qtbot: QtBot, kiosk: Kiosk, with_output: None) -> None:
    window = kiosk.start()
    start_visit(window)
    window.music_button.click()
    window.music_screen.tiles[0].click()
    qtbot.waitUntil(lambda: window.music.player.track is not None)
    window.music_screen.play_button.click()  # now "Pause"
    assert window.music.player.state == PAUSED
    assert window.music_screen.play_button.accessibleName() == "Play"
    window.music_screen.play_button.click()
    assert window.music.player.state == PLAYING
    kinds = [kind for kind, _ in music_events(kiosk)]
    assert kinds == ["music.started", "music.paused", "music.started"]
    assert music_events(kiosk)[2][1]["resumed"] is True


def test_the_next_track_is_logged_once(qtbot: QtBot, kiosk: Kiosk, with_output: None) -> None:
    window = kiosk.start()
    start_visit(window)
    window.music_button.click()
    window.music_screen.play_button.click()
    qtbot.waitUntil(lambda: window.music.player.track is not None)
    window.music_screen.next_button.click()
    qtbot.waitUntil(lambda: len(music_events(kiosk)) == 2)
    assert music_events(kiosk)[1] == ("music.track", {"playlist": "Evening", "track": "Evening 2"})


def test_a_playlist_tied_to_the_stage_is_offered_first(qtbot: QtBot, kiosk: Kiosk) -> None:
    window = kiosk.start()
    start_visit(window, stage_steps=2)  # settling → iv_placement → infusion
    assert window.session.state.stage == "infusion"
    assert tile_names(window) == ["For the infusion", "Evening"]
    unlock(window)
    window.staff_screen.next_button.click()
    assert tile_names(window) == ["Evening"]


def test_autoplay_starts_the_stages_playlist_when_the_nurse_starts_that_stage(
        qtbot: QtBot, tmp_path: Path, pin_hash: str, music: dict[str, Path], with_output: None) -> None:  # noqa: F811
    from kiosk.clock import FakeClock

    config = music_config(tmp_path / "events", pin_hash, music, autoplay_at="infusion")
    kiosk = Kiosk(qtbot, config, FakeClock())
    try:
        window = kiosk.start()
        start_visit(window, stage_steps=1)
        assert window.music.player.state == STOPPED
        unlock(window)
        window.staff_screen.next_button.click()
        assert window.music.player.state == PLAYING
        qtbot.waitUntil(lambda: bool(music_events(kiosk)))
        assert music_events(kiosk)[0] == (
            "music.started", {"playlist": "For the infusion", "track": "Infusion 1", "by": "autoplay"})
    finally:
        for window in kiosk.windows:
            kiosk.stop(window)


def test_the_end_of_the_infusion_lowers_the_music_and_the_end_of_the_visit_stops_it(
        qtbot: QtBot, kiosk: Kiosk, with_output: None) -> None:
    window = kiosk.start()
    start_visit(window, stage_steps=2)
    window.music_button.click()
    window.music_screen.play_button.click()
    player = window.music.player
    qtbot.waitUntil(lambda: player.track is not None)
    player.set_level(0.6)
    unlock(window)
    window.staff_screen.next_button.click()  # infusion_complete
    assert player.level == pytest.approx(kiosk.config.music.reentry_volume)
    assert player.mix.volumes(player._clock() + 1).moving  # gently, not at once
    assert not player.mix.volumes(player._clock() + REENTRY_SECONDS + 0.1).moving
    window.staff_screen.end_button.click()
    window.staff_screen.confirm_yes.click()
    assert player.state == STOPPED
    assert music_events(kiosk)[-1] == ("music.stopped", {"playlist": "For the infusion",
                                                         "reason": "visit_end"})
    qtbot.waitUntil(lambda: all(deck.track is None for deck in player.decks))


def test_a_playlist_with_bad_files_logs_each_and_plays_the_good_ones(
        qtbot: QtBot, kiosk: Kiosk, music: dict[str, Path], with_output: None) -> None:
    bad = broken_files(music["evening"])
    bad["text"].rename(music["evening"] / "01b-notes.mp3")
    bad["empty"].rename(music["evening"] / "01c-empty.ogg")
    window = kiosk.start()
    start_visit(window)
    window.music_button.click()
    window.music_screen.play_button.click()
    qtbot.waitUntil(lambda: len([k for k, _ in music_events(kiosk) if k == "error"]) == 2, timeout=8000)
    errors = sorted(d["file"] for k, d in music_events(kiosk) if k == "error")
    assert errors == ["01b-notes.mp3", "01c-empty.ogg"]
    assert all(d["source"] == "music" and d["problem"] for k, d in music_events(kiosk) if k == "error")
    qtbot.waitUntil(lambda: any(k == "music.track" for k, _ in music_events(kiosk)), timeout=8000)
    assert window.music.player.track.title == "Evening 2"


def test_nothing_playable_says_so_calmly(qtbot: QtBot, kiosk: Kiosk, music: dict[str, Path],
                                         with_output: None) -> None:
    for track in music["evening"].iterdir():
        track.write_bytes(b"")
    window = kiosk.start()
    start_visit(window)
    window.music_button.click()
    window.music_screen.play_button.click()
    message = load_content("en").text("nothing_playable")
    qtbot.waitUntil(lambda: message in window.music_screen.now_playing.text())
    assert window.music.player.state == STOPPED
    assert music_events(kiosk)[-1][0] == "music.stopped"


def test_without_an_audio_output_music_says_it_is_unavailable_and_staff_see_why(
        qtbot: QtBot, kiosk: Kiosk) -> None:
    window = kiosk.start()
    start_visit(window)
    window.music_button.click()
    assert not window.music_screen.play_button.isEnabled()
    unavailable = load_content("en").text("music_unavailable")
    assert unavailable in window.music_screen.now_playing.text()
    window.music_screen.play_requested.emit()  # even if a tap got through
    assert window.music.player.state == STOPPED
    assert any("music" in fault for fault in window.faults())


def test_the_chime_lowers_the_music_while_it_sounds(qtbot: QtBot, kiosk: Kiosk, with_output: None) -> None:
    window = kiosk.start()
    start_visit(window)
    window.music_button.click()
    window.music_screen.play_button.click()
    player = window.music.player
    qtbot.waitUntil(lambda: player.track is not None)
    window.call_paths.chime.sounding_changed.emit(True)
    assert player.mix.ducked
    assert player.mix.volumes(player._clock() + 5).decks[player.live.index] == pytest.approx(
        DUCK_GAIN * player_module.to_linear(player.level), rel=1e-3)
    window.call_paths.chime.sounding_changed.emit(False)
    assert not player.mix.ducked


def test_the_kiosks_own_playlist_is_named_in_the_visits_language(
        qtbot: QtBot, tmp_path: Path, pin_hash: str, music: dict[str, Path]) -> None:  # noqa: F811
    from kiosk.clock import FakeClock

    kiosk = Kiosk(qtbot, music_config(tmp_path / "events", pin_hash, music, bundled=True), FakeClock())
    try:
        window = kiosk.start()
        start_visit(window)
        assert window.music.offered == ["Evening", BUNDLED_ID]
        assert tile_names(window) == ["Evening", load_content("en").text("bundled_playlist")]
        unlock(window)
        window.staff_screen.end_button.click()
        window.staff_screen.confirm_yes.click()
        window.staff_screen.language_buttons["es"].click()
        window.staff_screen.start_button.click()
        assert tile_names(window)[-1] == load_content("es").text("bundled_playlist")
    finally:
        for window in kiosk.windows:
            kiosk.stop(window)


def test_the_default_config_offers_the_bundled_music() -> None:
    config = kiosk_config.defaults()
    assert config.music.bundled and not config.music.playlists


def test_a_second_tap_on_the_playing_tile_changes_nothing_and_on_a_paused_one_resumes(
        qtbot: QtBot, kiosk: Kiosk, with_output: None) -> None:
    window = kiosk.start()
    start_visit(window)
    window.music_button.click()
    window.music_screen.tiles[0].click()
    qtbot.waitUntil(lambda: window.music.player.track is not None)
    playing = window.music.player.track
    window.music_screen.tiles[0].click()
    assert window.music.player.track is playing and window.music.player.state == PLAYING
    window.music_screen.play_button.click()  # Pause
    window.music_screen.tiles[0].click()
    assert window.music.player.state == PLAYING and window.music.player.track is playing
    assert [kind for kind, _ in music_events(kiosk)] == ["music.started", "music.paused", "music.started"]


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_kiosks_own_playlist_name_fits_its_tile_even_when_chosen(
        qtbot: QtBot, tmp_path: Path, pin_hash: str, music: dict[str, Path], language: str,  # noqa: F811
        with_output: None) -> None:
    from kiosk.clock import FakeClock

    kiosk = Kiosk(qtbot, music_config(tmp_path / "events", pin_hash, music, bundled=True), FakeClock())
    try:
        window = kiosk.start()
        window.show()
        unlock(window)
        window.staff_screen.language_buttons[language].click()
        window.staff_screen.start_button.click()
        window.staff_screen.close_button.click()
        window.music_button.click()
        window.music_screen.tiles[-1].click()  # chosen: bold, so wider
        qtbot.waitUntil(lambda: window.music.player.track is not None)
        name = load_content(language).text("bundled_playlist")
        assert window.music_screen.tiles[-1].isChecked()
        assert window.music_screen.tiles[-1].text() == name  # not shortened with "…"
    finally:
        for window in kiosk.windows:
            kiosk.stop(window)
