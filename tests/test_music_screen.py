"""The Music screen, offscreen at 1280×650 with the real stylesheet: touches become signals,
and the screen redraws from what the window tells it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, QRect, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractButton, QScroller, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from kiosk.content import load_content
from kiosk.screens.music import LEVEL_BARS, MusicScreen, PlaylistTile
from kiosk.theme import THEMES, stylesheet
from kiosk.widgets import TOUCH_PX

WIDTH, HEIGHT = 1280, 650  # what the window leaves the screen above its bottom bar
NAMES = ["Calm sounds", "Ocean waves", "Soft piano"]
CONTROLS = ("Play", "Next track", "Volume down", "Volume up")
EN = load_content("en")
ES = load_content("es")


def show_music(qtbot: QtBot, theme: str = "dusk") -> tuple[QWidget, MusicScreen]:
    """The screen in a host styled as the kiosk window styles it (app.py: on the window).

    The caller keeps the host: without a reference Python frees it, and the screen with it.
    """
    host = QWidget()
    host.setObjectName("kiosk")
    host.setStyleSheet(stylesheet(theme))
    layout = QVBoxLayout(host)
    layout.setContentsMargins(0, 0, 0, 0)
    screen = MusicScreen(host)
    layout.addWidget(screen)
    screen.set_content(EN)
    qtbot.addWidget(host)
    host.resize(WIDTH, HEIGHT)
    host.show()
    qtbot.waitExposed(host)
    return host, screen


@pytest.fixture
def screen(qtbot: QtBot) -> Iterator[MusicScreen]:
    host, screen = show_music(qtbot)
    screen.set_playlists(NAMES, None)
    screen.show_player(state="stopped", title="", level=0.5, available=True)
    yield screen
    del host


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    assert button.isVisible() and button.isEnabled(), button.accessibleName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def control(screen: MusicScreen, name: str) -> QAbstractButton:
    found = [b for b in screen.findChildren(QAbstractButton)
             if b.accessibleName() == name and b.isVisibleTo(screen)]
    assert len(found) == 1, (name, found)
    return found[0]


def shown_tiles(screen: MusicScreen) -> list[PlaylistTile]:
    return [t for t in screen.findChildren(PlaylistTile) if t.isVisibleTo(screen)]


def flush_deletes() -> None:
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def rect_in(screen: MusicScreen, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(screen, QPoint(0, 0)), widget.size())


# -- touches become signals -------------------------------------------------------


def test_play_pause_next_and_volume_emit_their_signals(qtbot: QtBot, screen: MusicScreen) -> None:
    with qtbot.waitSignal(screen.play_requested, timeout=1000):
        click(qtbot, control(screen, "Play"))
    screen.show_player(state="playing", title="Rain", level=0.5, available=True)
    with qtbot.assertNotEmitted(screen.play_requested), \
            qtbot.waitSignal(screen.pause_requested, timeout=1000):
        click(qtbot, control(screen, "Pause"))
    with qtbot.waitSignal(screen.next_requested, timeout=1000):
        click(qtbot, control(screen, "Next track"))
    with qtbot.waitSignal(screen.volume_step, timeout=1000) as quieter:
        click(qtbot, control(screen, "Volume down"))
    assert quieter.args == [-1]
    with qtbot.waitSignal(screen.volume_step, timeout=1000) as louder:
        click(qtbot, control(screen, "Volume up"))
    assert louder.args == [1]


def test_play_with_nothing_chosen_just_asks_to_play(qtbot: QtBot, screen: MusicScreen) -> None:
    # the window decides what plays; the screen only says Play was tapped
    with qtbot.assertNotEmitted(screen.playlist_chosen), \
            qtbot.waitSignal(screen.play_requested, timeout=1000):
        click(qtbot, control(screen, "Play"))


def test_a_tile_asks_for_its_playlist(qtbot: QtBot, screen: MusicScreen) -> None:
    with qtbot.waitSignal(screen.playlist_chosen, timeout=1000) as chosen:
        click(qtbot, control(screen, "Soft piano"))
    assert chosen.args == [2]


def test_a_tapped_tile_shows_what_the_window_says(qtbot: QtBot, screen: MusicScreen) -> None:
    screen.set_playlists(NAMES, 0)
    tiles = shown_tiles(screen)
    assert [t.isChecked() for t in tiles] == [True, False, False]
    click(qtbot, tiles[2])
    assert [t.isChecked() for t in tiles] == [True, False, False]  # not yet: the window decides
    screen.set_playlists(NAMES, 2)
    assert [t.isChecked() for t in tiles] == [False, False, True]
    with qtbot.waitSignal(screen.playlist_chosen, timeout=1000) as again:
        click(qtbot, tiles[2])  # the chosen one, tapped again, stays chosen
    assert again.args == [2]
    assert tiles[2].isChecked()


def test_play_toggle_says_play_or_pause(screen: MusicScreen) -> None:
    button = screen.play_button
    for state, name in (("stopped", "Play"), ("playing", "Pause"), ("paused", "Play"),
                        ("playing", "Pause"), ("stopped", "Play")):
        screen.show_player(state=state, title="Rain" if state != "stopped" else "", level=0.5,
                           available=True)
        assert button.accessibleName() == name, state
        assert button.text() == name, state
        assert control(screen, name) is button


def test_an_unknown_state_is_a_mistake(screen: MusicScreen) -> None:
    with pytest.raises(ValueError, match="unknown player state 'loud'"):
        screen.show_player(state="loud", title="", level=0.5, available=True)


# -- tiles --------------------------------------------------------------------------


def test_one_checkable_tile_per_playlist_named_after_it(screen: MusicScreen) -> None:
    tiles = shown_tiles(screen)
    assert [t.accessibleName() for t in tiles] == NAMES
    assert [t.text() for t in tiles] == NAMES
    assert all(t.isCheckable() and not t.isChecked() for t in tiles)
    assert not screen.scrolls  # three fit: a tap is only a tap
    screen.set_playlists(NAMES, 1)
    assert [t.isChecked() for t in tiles] == [False, True, False]
    screen.set_playlists(NAMES, 7)  # out of range: none
    assert not any(t.isChecked() for t in tiles)


def test_tiles_are_rebuilt_only_when_the_names_change(screen: MusicScreen) -> None:
    before = shown_tiles(screen)
    screen.set_playlists(NAMES, 1)
    assert shown_tiles(screen) == before
    screen.set_playlists(["Birdsong", "Harp"], 0)
    now = shown_tiles(screen)
    assert [t.accessibleName() for t in now] == ["Birdsong", "Harp"]
    assert not set(now) & set(before)
    assert [t.isChecked() for t in now] == [True, False]
    flush_deletes()
    every_tile = screen.findChildren(PlaylistTile)
    assert sorted(t.accessibleName() for t in every_tile) == ["Birdsong", "Harp"]
    assert screen._grid.count() == 2  # no old tile left in the layout either


def test_tiles_change_while_one_is_being_tapped(qtbot: QtBot, screen: MusicScreen) -> None:
    # The window may answer a tap by giving new names: the tapped tile goes, without a crash.
    def answer(index: int) -> None:
        screen.set_playlists(["Birdsong"], 0)

    screen.playlist_chosen.connect(answer)
    click(qtbot, shown_tiles(screen)[1])
    screen.playlist_chosen.disconnect(answer)
    flush_deletes()
    assert [t.accessibleName() for t in screen.findChildren(PlaylistTile)] == ["Birdsong"]


def test_a_long_playlist_name_is_shortened_on_its_tile(qtbot: QtBot, screen: MusicScreen) -> None:
    long_name = "Gentle music for resting with the eyes closed, part two"
    screen.set_playlists([long_name, "Harp"], None)
    qtbot.waitUntil(lambda: shown_tiles(screen)[0].text() != long_name, timeout=1000)
    tile = shown_tiles(screen)[0]
    assert tile.text().endswith("…")
    assert tile.accessibleName() == long_name
    assert tile.fontMetrics().horizontalAdvance(tile.text()) < tile.width()


def test_no_playlists_no_play(screen: MusicScreen) -> None:
    screen.set_playlists([], None)
    assert shown_tiles(screen) == []
    assert not screen.tile_area.isVisibleTo(screen)
    assert not screen.play_button.isEnabled()  # nothing it could start


# -- what is playing ----------------------------------------------------------------


def test_music_off_when_nothing_plays(screen: MusicScreen) -> None:
    assert screen.now_playing.text() == "Music is off. Choose some music and press Play."
    assert not screen.next_button.isEnabled()  # nothing to skip


def test_now_playing_names_the_track(screen: MusicScreen) -> None:
    screen.set_playlists(NAMES, 1)
    screen.show_player(state="playing", title="Morning rain", level=0.5, available=True)
    assert screen.now_playing.text() == "Now playing: Morning rain"
    screen.show_player(state="paused", title="Morning rain", level=0.5, available=True)
    assert screen.now_playing.text() == "Now playing: Morning rain"
    screen.show_player(state="playing", title="", level=0.5, available=True)
    assert screen.now_playing.text() == "Now playing: Ocean waves"  # the playlist, at least


def test_a_long_title_stays_on_one_line(screen: MusicScreen) -> None:
    title = "A very long track title that goes on and on and on for quite a while, really"
    screen.show_player(state="playing", title=title, level=0.5, available=True)
    text = screen.now_playing.text()
    assert text.startswith("Now playing: A very long") and text.endswith("…")
    assert screen.now_playing.fontMetrics().horizontalAdvance(text) <= screen.now_playing.width()


def test_a_message_is_shown_instead_of_now_playing(screen: MusicScreen) -> None:
    screen.set_playlists(NAMES, 2)
    screen.show_player(state="stopped", title="", level=0.5, available=True,
                       message=EN.text("nothing_playable"))
    assert screen.now_playing.text() == "This music cannot be played just now. Please choose another."
    assert all(t.isEnabled() for t in shown_tiles(screen))  # the patient can choose another


def test_unavailable_says_so_and_disables_the_controls(screen: MusicScreen) -> None:
    screen.set_playlists(NAMES, 0)
    screen.show_player(state="stopped", title="", level=0.5, available=False,
                       message="ignored while music is unavailable")
    assert screen.now_playing.text() == "Music is not available just now. Your nurse knows."
    for name in (*CONTROLS, *NAMES):
        assert not control(screen, name).isEnabled(), name
    assert not screen.volume_level.isEnabled()
    assert not screen.choose.isVisibleTo(screen)  # no "Choose some music" when none can play
    screen.show_player(state="playing", title="Rain", level=0.5, available=True)
    for name in ("Pause", "Next track", "Volume down", "Volume up", *NAMES):
        assert control(screen, name).isEnabled(), name
    assert screen.now_playing.text() == "Now playing: Rain"
    assert screen.choose.isVisibleTo(screen)


# -- volume ---------------------------------------------------------------------------


@pytest.mark.parametrize(("level", "bars", "quieter", "louder"), [
    (0.0, 0, False, True),
    (0.02, 1, True, True),  # not silent: at least one bar
    (0.5, 5, True, True),
    (0.98, LEVEL_BARS - 1, True, True),  # not yet the most allowed
    (1.0, LEVEL_BARS, True, False),
    (1.7, LEVEL_BARS, True, False),
    (-0.3, 0, False, True),
])
def test_the_level_shows_the_volume_and_its_ends(screen: MusicScreen, level: float, bars: int,
                                                 quieter: bool, louder: bool) -> None:
    screen.show_player(state="playing", title="Rain", level=level, available=True)
    indicator = screen.volume_level
    assert indicator.filled() == bars
    assert indicator.level() == min(1.0, max(0.0, level))
    assert indicator.accessibleDescription() == f"{bars} of {LEVEL_BARS}"
    assert screen.quieter_button.isEnabled() is quieter
    assert screen.louder_button.isEnabled() is louder


def test_the_level_is_a_large_picture_not_a_control(screen: MusicScreen) -> None:
    indicator = screen.volume_level
    assert indicator.accessibleName() == "Volume"
    assert not isinstance(indicator, QAbstractButton)
    assert indicator.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    assert indicator.focusPolicy() == Qt.FocusPolicy.NoFocus
    assert indicator.width() >= 200 and indicator.height() >= 70
    assert screen.volume_caption.text() == "Volume"
    # it sits between Quieter and Louder
    quieter, level, louder = (rect_in(screen, w) for w in
                              (screen.quieter_button, indicator, screen.louder_button))
    assert quieter.right() < level.left() < level.right() < louder.left()


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_the_level_takes_its_colours_from_the_theme(qtbot: QtBot, theme: str) -> None:
    _host, screen = show_music(qtbot, theme)
    assert screen.volume_level.fillColor == QColor(THEMES[theme].accent)
    assert screen.volume_level.emptyColor == QColor(THEMES[theme].surface_pressed)


# -- size, names and language -------------------------------------------------------


def test_every_control_is_named_and_big_and_on_screen(screen: MusicScreen) -> None:
    screen.set_playlists([*NAMES, "Birdsong", "Harp", "Rain"], 0)
    buttons = [b for b in screen.findChildren(QAbstractButton) if b.isVisibleTo(screen)]
    assert sorted(b.accessibleName() for b in buttons) == sorted(
        [*CONTROLS, *NAMES, "Birdsong", "Harp", "Rain"])
    whole = screen.rect()
    for button in buttons:
        assert button.height() >= TOUCH_PX, button.accessibleName()
        assert button.width() >= TOUCH_PX, button.accessibleName()
        assert whole.contains(rect_in(screen, button)), button.accessibleName()
    assert screen.height() == HEIGHT and screen.width() == WIDTH


def test_the_parts_do_not_overlap(screen: MusicScreen) -> None:
    for count in (3, 6, 10):
        screen.set_playlists([f"List {i}" for i in range(count)], None)
        for message in ("", ES.text("nothing_playable")):
            screen.show_player(state="stopped", title="", level=0.5, available=True,
                               message=message)
            QCoreApplication.processEvents()
            title = rect_in(screen, screen.title)
            tiles = rect_in(screen, screen.tile_area)
            words = rect_in(screen, screen.now_playing)
            play = rect_in(screen, screen.play_button)
            assert title.bottom() < tiles.top(), count
            assert tiles.bottom() < words.top(), count
            assert words.bottom() < play.top(), count
            assert play.bottom() < HEIGHT, count
            assert screen.now_playing.heightForWidth(words.width()) <= words.height()


def test_words_follow_the_visits_language(screen: MusicScreen) -> None:
    screen.set_content(ES)
    assert screen.title.text() == "Música"
    assert screen.choose.text() == ES.text("choose_music")
    assert screen.play_button.text() == ES.text("play")
    assert screen.next_button.text() == ES.text("next_track")
    assert screen.quieter_button.text() == ES.text("quieter")
    assert screen.louder_button.text() == ES.text("louder")
    assert screen.volume_caption.text() == ES.text("volume")
    assert screen.now_playing.text() == ES.text("music_off") + "."
    screen.show_player(state="playing", title="Lluvia", level=0.5, available=True)
    assert screen.play_button.text() == "Pausa"
    assert screen.now_playing.text() == "Está sonando: Lluvia"
    # the accessible names are the project's fixed English names
    assert [screen.play_button.accessibleName(), screen.next_button.accessibleName(),
            screen.quieter_button.accessibleName(), screen.louder_button.accessibleName(),
            screen.volume_level.accessibleName()] == ["Pause", *CONTROLS[1:], "Volume"]
    screen.show_player(state="stopped", title="", level=0.5, available=False)
    assert screen.now_playing.text() == ES.text("music_unavailable") + "."
    for button in (screen.play_button, screen.next_button, screen.quieter_button,
                   screen.louder_button):
        fits = button.fontMetrics().horizontalAdvance(button.text()) < button.width()
        assert fits, button.text()  # Spanish words are longer, and still whole


def test_ten_playlists_fit_and_scroll(qtbot: QtBot, screen: MusicScreen) -> None:
    names = [f"Playlist {i + 1}" for i in range(10)]
    screen.set_playlists(names, None)
    QCoreApplication.processEvents()
    tiles = shown_tiles(screen)
    assert [t.accessibleName() for t in tiles] == names
    area = screen.tile_area
    assert screen.scrolls  # a finger drags the tiles
    assert QScroller.hasScroller(area.viewport())
    bar = area.verticalScrollBar()
    assert bar.isVisibleTo(screen) and bar.maximum() > 0
    view = area.viewport().rect()

    def in_view(tile: PlaylistTile) -> bool:
        return view.contains(QRect(tile.mapTo(area.viewport(), QPoint(0, 0)), tile.size()))

    assert all(in_view(t) for t in tiles[:6])
    assert not in_view(tiles[9])
    bar.setValue(bar.maximum())
    assert in_view(tiles[9])
    with qtbot.waitSignal(screen.playlist_chosen, timeout=2000) as chosen:
        qtbot.mouseClick(tiles[9], Qt.MouseButton.LeftButton)
        qtbot.wait(400)  # the scroller holds a press back a moment, to tell a tap from a drag
    assert chosen.args == [9]
    # the rest of the screen is still all there
    for button in (screen.play_button, screen.next_button, screen.louder_button):
        assert screen.rect().contains(rect_in(screen, button))
        assert button.height() >= TOUCH_PX
    # back to a few: no scrolling, and the chosen tile shows when the screen opens again
    screen.set_playlists(names, 9)
    bar.setValue(0)
    screen.on_enter()
    assert in_view(tiles[9])
    screen.set_playlists(NAMES, None)
    assert not screen.scrolls
    assert not area.verticalScrollBar().isVisibleTo(screen)


def test_the_screen_has_the_kiosk_background(screen: MusicScreen) -> None:
    screen.set_playlists([f"Playlist {i + 1}" for i in range(10)], None)
    QCoreApplication.processEvents()
    image = screen.grab().toImage()
    assert (image.width(), image.height()) == (WIDTH, HEIGHT)
    background = QColor(THEMES["dusk"].background)
    assert image.pixelColor(WIDTH // 2, 4) == background
    # between two tiles: the scroll area paints no light box of its own
    first, second = shown_tiles(screen)[:2]
    left, right = rect_in(screen, first), rect_in(screen, second)
    between = QPoint((left.right() + right.left()) // 2, left.center().y())
    assert image.pixelColor(between) == background
