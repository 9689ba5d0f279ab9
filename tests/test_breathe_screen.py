"""Breathe in the kiosk window, offscreen: choosing, the pacer, stopping, the log, the rest of the kiosk.

Time is a FakeClock: a test moves it on and then draws one frame by calling the
frame timer's slot (`BreatheScreen._on_frame`), so a minute-long exercise runs
in a moment and no test depends on how fast the machine is. There is no sound
server in this process, so the cue tone cannot sound; it still notes what it
was asked to play.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QRegion
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from kiosk import config as kiosk_config
from kiosk.app import KioskWindow, create_window
from kiosk.breathing import (
    CHOOSING,
    DIZZY,
    FINISHED,
    PAUSED,
    RESUME_SECONDS,
    RUNNING,
    length_seconds,
    moment,
)
from kiosk.clock import FakeClock
from kiosk.content import load_content
from kiosk.event_format import Event
from kiosk.events import read_events
from kiosk.screens.breathe import Pacer
from kiosk.widgets import TOUCH_PX
from tests import leaks

EN = load_content("en")
ES = load_content("es")
WIDTH, HEIGHT = 1280, 800

MakeWindow = Callable[..., KioskWindow]


# -- fixtures -------------------------------------------------------------------------


@pytest.fixture
def make_window(qtbot: QtBot, tmp_path: Path) -> Iterator[MakeWindow]:
    """Builds kiosk windows, each on its own log and FakeClock, shown at 1280×800.

    `reduce_motion` is `display.reduce_motion`; other keyword arguments replace
    fields of the `breathing` section (e.g. `cue_tone=True`, `minutes=1`).
    """
    windows: list[KioskWindow] = []

    def make(*, reduce_motion: bool = False, **breathing: Any) -> KioskWindow:
        base = kiosk_config.defaults()
        config = replace(
            base,
            kiosk=replace(base.kiosk, languages=("en", "es")),
            display=replace(base.display, reduce_motion=reduce_motion),
            breathing=replace(base.breathing, **breathing),
            log=replace(base.log, dir=tmp_path / f"events-{len(windows)}"),
        )
        window = create_window(config, clock=FakeClock(), one_time="123456")
        qtbot.addWidget(window)
        windows.append(window)
        window.resize(WIDTH, HEIGHT)
        window.show()
        return window

    yield make
    running: list[str] = []
    for window in windows:
        window.shutdown()
        running += leaks.running_in(window)  # shut down, it waits for nothing but its deletion
        window.events.close()
    assert not running, f"still running after shutdown(): {running}"


@pytest.fixture
def window(make_window: MakeWindow) -> KioskWindow:
    """A kiosk with the default config, shown."""
    return make_window()


# -- helpers --------------------------------------------------------------------------


def clock(window: KioskWindow) -> FakeClock:
    assert isinstance(window.clock, FakeClock)
    return window.clock


def open_breathe(window: KioskWindow, language: str = "en") -> None:
    """Start a visit and go to Breathe from the bar."""
    window.session.start(45, language)
    window.breathe_button.click()
    QApplication.processEvents()  # laid out
    assert window.current_screen() is window.breathe_screen


def frame_at(window: KioskWindow, seconds: float) -> None:
    """Move time on by `seconds` and draw the frame the timer would draw then."""
    clock(window).advance(seconds)
    window.breathe_screen._on_frame()  # the frame timer's slot


def all_events(window: KioskWindow) -> list[Event]:
    return list(read_events(window.config.log.dir))


def events(window: KioskWindow, type: str) -> list[dict[str, Any]]:
    """The data of every event of `type` in the window's log, oldest first."""
    return [dict(e.data) for e in all_events(window) if e.type == type]


def smallest_radius(pacer: Pacer) -> float:
    return pacer._radius_at(0.0)


def largest_radius(pacer: Pacer) -> float:
    return pacer._radius_at(1.0)


def region_area(region: QRegion) -> int:
    rects = cast(Iterable[QRect], region)  # a QRegion iterates over its rectangles
    return sum(rect.width() * rect.height() for rect in rects)


def on_circle(pacer: Pacer, radius: float, steps: int = 36) -> list[QPoint]:
    """Points on a circle of `radius` round the pacer's centre."""
    cx, cy = pacer.width() / 2, pacer.height() / 2
    return [QPoint(round(cx + radius * math.cos(2 * math.pi * i / steps)),
                   round(cy + radius * math.sin(2 * math.pi * i / steps))) for i in range(steps)]


def rect_in(ancestor: QWidget, widget: QWidget) -> QRect:
    """`widget`'s rectangle in `ancestor`'s coordinates."""
    return widget.rect().translated(widget.mapTo(ancestor, QPoint(0, 0)))


def text_fits(button: QAbstractButton) -> bool:
    """The button's words fit inside its border (a tile's border is at most 4 px wide)."""
    return button.fontMetrics().horizontalAdvance(button.text()) <= button.width() - 2 * 8


def go_to_page(window: KioskWindow, page: str) -> None:
    """From choosing, bring the Breathe screen to `page` the way a patient would."""
    screen = window.breathe_screen
    if page == RUNNING:
        screen.start_button.click()
        frame_at(window, 2)
    elif page == DIZZY:
        screen.start_button.click()
        frame_at(window, 2)
        screen.dizzy_button.click()
    elif page == FINISHED:
        screen.length_tiles[1].click()
        screen.start_button.click()
        frame_at(window, 66.1)
    QApplication.processEvents()
    assert screen.page() == page


# -- starting -------------------------------------------------------------------------


def test_one_tap_on_start_starts_the_default_exercise(window: KioskWindow) -> None:
    open_breathe(window)
    screen = window.breathe_screen
    assert screen.page() == CHOOSING
    assert not screen.frame_timer.isActive()
    assert events(window, "breathing.started") == []
    screen.start_button.click()
    assert window.breathing.state == RUNNING
    assert screen.page() == RUNNING
    assert screen.frame_timer.isActive()
    assert events(window, "breathing.started") == [{"pattern": "resonant", "minutes": 3}]


def test_tapped_tiles_are_chosen_and_the_exercise_uses_them(window: KioskWindow) -> None:
    open_breathe(window)
    screen = window.breathe_screen
    assert screen.pattern_tiles["extended_exhale"].text() == "Long out-breath"
    assert screen.length_tiles[5].text() == "5 min"
    assert screen.pattern_tiles["resonant"].isChecked() and screen.length_tiles[3].isChecked()
    screen.pattern_tiles["extended_exhale"].click()
    screen.length_tiles[5].click()
    checked_patterns = [name for name, tile in screen.pattern_tiles.items() if tile.isChecked()]
    checked_lengths = [minutes for minutes, tile in screen.length_tiles.items() if tile.isChecked()]
    assert checked_patterns == ["extended_exhale"]
    assert checked_lengths == [5]
    screen.start_button.click()
    assert events(window, "breathing.started") == [{"pattern": "extended_exhale", "minutes": 5}]
    assert window.breathing.pattern.name == "extended_exhale"


# -- the pacer ------------------------------------------------------------------------


def test_the_shape_grows_on_the_in_breath_and_shrinks_on_the_out_breath(window: KioskWindow) -> None:
    open_breathe(window)
    screen = window.breathe_screen
    pacer = screen.pacer
    screen.start_button.click()
    r0 = pacer.radius()
    assert r0 == pytest.approx(smallest_radius(pacer))
    assert screen.phase_word.text() == "Breathe in"
    assert screen.phase_hint.text() == EN.breathe_text("inhale_hint")

    frame_at(window, 5.4)  # near the end of the 5.5 s in-breath
    assert pacer.radius() > r0 * 2
    assert pacer.radius() == pytest.approx(largest_radius(pacer), rel=0.01)
    assert screen.phase_word.text() == "Breathe in"

    frame_at(window, 0.2)  # 5.6 s: the out-breath has begun
    assert screen.phase_word.text() == "Breathe out"
    assert screen.phase_hint.text() == EN.breathe_text("exhale_hint")

    frame_at(window, 5.3)  # 10.9 s: near the end of the out-breath
    assert pacer.radius() == pytest.approx(r0, abs=0.01 * largest_radius(pacer))
    assert screen.phase_word.text() == "Breathe out"


def test_with_reduce_motion_the_shape_keeps_its_size_and_brightens_and_dims(
        make_window: MakeWindow) -> None:
    window = make_window(reduce_motion=True)
    open_breathe(window)
    screen = window.breathe_screen
    pacer = screen.pacer
    assert screen.lead.text() == EN.breathe_text("lead_still")
    assert "brightens" in screen.lead.text()
    screen.start_button.click()
    radii, shades = [pacer.radius()], [pacer.shade()]
    frame_at(window, 5.4)  # end of the in-breath
    radii.append(pacer.radius())
    shades.append(pacer.shade())
    frame_at(window, 5.5)  # 10.9 s: end of the out-breath
    radii.append(pacer.radius())
    shades.append(pacer.shade())
    assert radii[0] > 0 and radii == [radii[0]] * 3
    assert shades[1] > shades[0] + 0.3  # brighter at the top of the breath
    assert shades[2] < shades[1] - 0.3  # and dim again at its end
    assert shades[2] == pytest.approx(shades[0], abs=0.01)


def test_slow_and_uneven_frames_show_the_same_pacer_as_one_jump(make_window: MakeWindow) -> None:
    stepped, jumped = make_window(), make_window()
    for w in (stepped, jumped):
        open_breathe(w)
        w.breathe_screen.start_button.click()
    steps = [0.016, 0.05, 0.004, 0.3, 0.015, 0.215] * 50  # 300 uneven frames, 30 s in all
    for step in steps:
        frame_at(stepped, step)
    frame_at(jumped, sum(steps))
    a, b = stepped.breathe_screen, jumped.breathe_screen
    assert a.pacer.size() == b.pacer.size()
    assert stepped.breathing.elapsed() == pytest.approx(30.0)
    expected = moment(stepped.breathing.pattern, stepped.breathing.elapsed(), 3)
    assert expected.kind == "exhale" and 0.1 < expected.size < 0.9  # mid-breath: a real test
    assert a.pacer.radius() == pytest.approx(b.pacer.radius(), abs=Pacer.MIN_STEP_PX)
    assert a.pacer.radius() == pytest.approx(a.pacer._radius_at(expected.size),
                                             abs=Pacer.MIN_STEP_PX)
    assert a.phase_word.text() == b.phase_word.text() == "Breathe out"
    total = length_seconds(stepped.breathing.pattern, 3)
    assert total is not None
    share = 30 / total
    assert a.progress.done() == pytest.approx(b.progress.done()) == pytest.approx(share)


def test_only_the_ring_that_changed_is_repainted(window: KioskWindow) -> None:
    open_breathe(window)
    window.breathe_screen.start_button.click()  # the pacer on screen, laid out
    pacer = window.breathe_screen.pacer
    assert min(pacer.width(), pacer.height()) > 400  # its real size at 1280×800, not its minimum
    old = (smallest_radius(pacer) + largest_radius(pacer)) / 2
    new = old + 3
    region = pacer.changed_region(old, new)
    full = pacer.width() * pacer.height()
    assert 0 < region_area(region) < 0.6 * full
    assert not region.contains(QPoint(pacer.width() // 2, pacer.height() // 2))  # the middle stays
    for radius in (old - Pacer.FEATHER, old, new, (old + new) / 2):  # the soft edge, old and new
        missing = [p for p in on_circle(pacer, radius) if not region.contains(p)]
        assert not missing, (radius, missing[:3])


def test_the_pacer_is_not_repainted_during_a_hold(window: KioskWindow) -> None:
    open_breathe(window)
    screen = window.breathe_screen
    screen.pattern_tiles["box"].click()  # 4 in, 4 hold, 4 out, 4 rest
    screen.start_button.click()
    frame_at(window, 4.5)  # into the hold
    assert screen.phase_word.text() == "Hold"
    QApplication.processEvents()
    painted = screen.pacer.frames
    for _ in range(6):  # 4.5 s → 7.5 s, still holding
        frame_at(window, 0.5)
        QApplication.processEvents()
    assert screen.phase_word.text() == "Hold"
    assert screen.pacer.frames == painted
    frame_at(window, 1.5)  # 9 s: breathing out, the shape moves and is drawn again
    QApplication.processEvents()
    assert screen.phase_word.text() == "Breathe out"
    assert screen.pacer.frames > painted


# -- stopping -------------------------------------------------------------------------


def test_i_feel_dizzy_stops_at_once_and_offers_call_nurse(window: KioskWindow) -> None:
    open_breathe(window)
    screen = window.breathe_screen
    screen.start_button.click()
    frame_at(window, 30)
    screen.dizzy_button.click()
    assert window.breathing.state == DIZZY
    assert screen.page() == DIZZY
    assert not screen.frame_timer.isActive()
    assert screen.safe_title.text() == "Breathe normally. You are safe."
    assert screen.call_button.isVisible()
    assert screen.call_button.accessibleName() == "Call nurse"
    finished = events(window, "breathing.finished")
    assert finished == [{"pattern": "resonant", "minutes": 3, "minutes_done": 0.5, "reason": "stopped"}]
    for event in all_events(window):
        assert "dizz" not in json.dumps(dict(event.data)).lower(), event.type

    screen.call_button.click()
    assert window.calls.state.is_open
    assert len(events(window, "nurse_call.requested")) == 1
    assert window.current_screen() is window.call_screen
    window.call_screen.cancel_button.click()  # back where the patient was: the calming words
    assert window.current_screen() is screen
    assert screen.page() == DIZZY
    screen.better_button.click()
    assert window.breathing.state == CHOOSING
    assert screen.page() == CHOOSING
    assert len(events(window, "breathing.finished")) == 1


def test_stop_goes_back_to_choosing_and_logs_the_minutes_done(window: KioskWindow) -> None:
    open_breathe(window)
    screen = window.breathe_screen
    screen.start_button.click()
    frame_at(window, 40)
    screen.stop_button.click()
    assert window.breathing.state == CHOOSING
    assert screen.page() == CHOOSING
    assert not screen.frame_timer.isActive()
    assert events(window, "breathing.finished") == [
        {"pattern": "resonant", "minutes": 3, "minutes_done": 0.7, "reason": "stopped"}]


def test_an_exercise_ends_by_itself_after_whole_breaths(window: KioskWindow) -> None:
    open_breathe(window)
    screen = window.breathe_screen
    screen.length_tiles[1].click()
    screen.start_button.click()
    assert screen.progress.isVisible()
    frame_at(window, 65)  # a minute is up, but the sixth breath (to 66 s) is not
    assert window.breathing.state == RUNNING
    assert screen.page() == RUNNING
    assert screen.phase_word.text() == "Breathe out"
    assert events(window, "breathing.finished") == []
    frame_at(window, 1.1)  # 66.1 s: six breaths of 11 s
    assert window.breathing.state == FINISHED
    assert screen.page() == FINISHED
    assert not screen.frame_timer.isActive()
    assert screen.end_title.text() == EN.breathe_text("finished")
    assert events(window, "breathing.finished") == [
        {"pattern": "resonant", "minutes": 1, "minutes_done": 1.1, "reason": "completed"}]
    screen.again_button.click()
    assert window.breathing.state == RUNNING
    assert screen.page() == RUNNING
    assert events(window, "breathing.started") == [{"pattern": "resonant", "minutes": 1}] * 2


# -- the rest of the kiosk ------------------------------------------------------------


def test_leaving_pauses_and_coming_back_soon_carries_on_from_the_start_of_the_breath(
        window: KioskWindow) -> None:
    open_breathe(window)
    screen = window.breathe_screen
    screen.start_button.click()
    frame_at(window, 19)  # breath 1 (from 11 s), in its out-breath (from 16.5 s)
    assert screen.phase_word.text() == "Breathe out"
    window.home_button.click()  # Back
    assert window.current_screen() is window.stage_screen
    assert window.breathing.state == PAUSED
    assert not screen.frame_timer.isActive()
    assert events(window, "breathing.finished") == [
        {"pattern": "resonant", "minutes": 3, "minutes_done": 0.3, "reason": "left"}]
    clock(window).advance(30)
    window.breathe_button.click()
    assert window.breathing.state == RUNNING
    assert screen.page() == RUNNING
    assert screen.frame_timer.isActive()
    assert events(window, "breathing.started")[-1] == {"pattern": "resonant", "minutes": 3,
                                                       "resumed": True}
    assert window.breathing.elapsed() == pytest.approx(11.0)  # the start of breath 1
    assert screen.phase_word.text() == "Breathe in"
    assert screen.pacer.radius() == pytest.approx(smallest_radius(screen.pacer))


def test_coming_back_after_a_long_while_starts_afresh(window: KioskWindow) -> None:
    open_breathe(window)
    screen = window.breathe_screen
    screen.start_button.click()
    frame_at(window, 8)
    window.home_button.click()
    clock(window).advance(RESUME_SECONDS + 1)
    window.breathe_button.click()
    assert window.breathing.state == CHOOSING
    assert screen.page() == CHOOSING
    assert not screen.frame_timer.isActive()
    assert len(events(window, "breathing.started")) == 1


def test_the_idle_return_waits_while_an_exercise_runs(window: KioskWindow) -> None:
    assert window.config.display.idle_return_seconds > 0
    open_breathe(window)
    screen = window.breathe_screen
    assert window.idle_timer.isActive()  # choosing: an untouched screen returns home
    assert window.idle_timer.interval() == window.config.display.idle_return_seconds * 1000
    screen.start_button.click()
    assert not window.idle_timer.isActive()
    frame_at(window, 30)
    assert not window.idle_timer.isActive()
    screen.stop_button.click()
    assert window.idle_timer.isActive()


def test_a_call_from_the_bar_pauses_and_cancelling_it_carries_on(window: KioskWindow) -> None:
    open_breathe(window)
    screen = window.breathe_screen
    screen.start_button.click()
    frame_at(window, 20)
    window.call_button.click()
    assert window.calls.state.is_open
    assert window.current_screen() is window.call_screen
    assert window.breathing.state == PAUSED
    assert events(window, "breathing.finished")[-1]["reason"] == "left"
    clock(window).advance(10)
    window.call_screen.cancel_button.click()
    assert not window.calls.state.is_open
    assert window.current_screen() is screen
    assert window.breathing.state == RUNNING
    assert screen.page() == RUNNING
    assert screen.frame_timer.isActive()
    assert events(window, "breathing.started")[-1]["resumed"] is True


def test_ending_the_visit_ends_the_exercise_first_and_forgets_the_choice(window: KioskWindow) -> None:
    open_breathe(window)
    screen = window.breathe_screen
    visit = window.session.state.session
    screen.pattern_tiles["box"].click()
    screen.length_tiles[5].click()
    screen.start_button.click()
    frame_at(window, 30)
    window._end_visit()  # what End session in the staff panel does
    log = all_events(window)
    finished = [e for e in log if e.type == "breathing.finished"]
    ended = [e for e in log if e.type == "session.ended"]
    assert len(finished) == 1 and len(ended) == 1
    assert dict(finished[0].data) == {"pattern": "box", "minutes": 5, "minutes_done": 0.5,
                                      "reason": "visit_end"}
    assert finished[0].session == visit
    assert finished[0].seq < ended[0].seq
    guide = window.breathing
    assert guide.state == CHOOSING
    assert (guide.pattern.name, guide.minutes) == ("resonant", 3)
    assert screen.pattern_tiles["resonant"].isChecked() and screen.length_tiles[3].isChecked()
    assert not screen.frame_timer.isActive()


def test_stopping_the_kiosk_during_an_exercise_logs_its_end(window: KioskWindow) -> None:
    open_breathe(window)
    window.breathe_screen.start_button.click()
    frame_at(window, 12)
    window.shutdown()  # what Exit kiosk and a stop signal do before kiosk.stopped
    finished = events(window, "breathing.finished")
    assert finished == [
        {"pattern": "resonant", "minutes": 3, "minutes_done": 0.2, "reason": "kiosk_stopped"}]
    assert not window.breathe_screen.frame_timer.isActive()
    assert not window.idle_timer.isActive()  # nothing is left to fire on a closed kiosk


def test_the_cue_tone_marks_each_phase_and_the_music_makes_room(make_window: MakeWindow) -> None:
    window = make_window(cue_tone=True)
    assert window.cue is not None
    open_breathe(window)
    screen = window.breathe_screen
    mix = window.music.player.mix
    assert not mix.ducked
    screen.start_button.click()  # the first frame: the in-breath begins
    assert mix.ducked
    frame_at(window, 3)  # same in-breath: no new cue
    frame_at(window, 3)  # 6 s: out-breath
    frame_at(window, 5.1)  # 11.1 s: the next in-breath
    assert window.cue.played == ["inhale", "exhale", "inhale"]
    screen.stop_button.click()
    assert not mix.ducked
    frame_at(window, 6)  # stopped: no more cues
    assert window.cue.played == ["inhale", "exhale", "inhale"]


def test_without_the_cue_tone_there_is_no_cue(window: KioskWindow) -> None:
    assert window.config.breathing.cue_tone is False
    assert window.cue is None
    open_breathe(window)
    window.breathe_screen.start_button.click()
    assert not window.music.player.mix.ducked


def test_the_words_follow_the_visits_language(window: KioskWindow) -> None:
    open_breathe(window, "es")
    screen = window.breathe_screen
    assert screen.pattern_tiles["resonant"].text() == "Lento y parejo"
    assert screen.title.text() == ES.breathe_text("title")
    assert screen.dizzy_button.text() == "Estoy mareado"
    assert screen.dizzy_button.accessibleName() == "I feel dizzy"
    screen.start_button.click()
    assert screen.phase_word.text() == "Tome aire"
    assert screen.phase_hint.text() == ES.breathe_text("inhale_hint")


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("page", [CHOOSING, RUNNING, DIZZY, FINISHED])
def test_every_button_is_named_and_big_and_no_words_are_cut_off(
        window: KioskWindow, language: str, page: str) -> None:
    open_breathe(window, language)
    go_to_page(window, page)
    shown = window.breathe_screen.pages.currentWidget()
    assert shown is not None
    assert window.breathe_screen.width() == WIDTH
    buttons = [b for b in shown.findChildren(QAbstractButton) if b.isVisibleTo(shown)]
    assert buttons
    for button in buttons:
        name = button.accessibleName()
        assert name, button.text()
        assert button.height() >= TOUCH_PX, name
        assert button.width() >= TOUCH_PX, name
        assert text_fits(button), name
        assert shown.rect().contains(rect_in(shown, button)), name
    labels = [label for label in shown.findChildren(QLabel) if label.isVisibleTo(shown) and label.text()]
    assert labels
    for label in labels:
        assert label.wordWrap(), label.text()
        assert label.heightForWidth(label.width()) <= label.height(), label.text()
        assert shown.rect().contains(rect_in(shown, label)), label.text()


@pytest.mark.parametrize("language", ["en", "es"])
def test_each_patterns_name_fits_its_tile_even_when_chosen(window: KioskWindow, language: str) -> None:
    open_breathe(window, language)
    screen = window.breathe_screen
    for name, tile in screen.pattern_tiles.items():
        tile.click()  # chosen: a wider border
        QApplication.processEvents()
        assert tile.isChecked()
        assert tile.text() == load_content(language).pattern(name)
        assert text_fits(tile), tile.text()
