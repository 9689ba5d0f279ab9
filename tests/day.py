"""A day at the kiosk: visits back to back on an accelerated clock, driven as a nurse and a patient would.

`Day(window, clock, wait).run(visits=6)` drives a kiosk built by
`kiosk.app.create_window(config, clock=FakeClock(...))` through whole visits, by
the same intents a nurse's and a patient's taps send: buttons clicked, never the
models called. `wait(ms)` lets Qt run for that long: `qtbot.wait` in a test,
`QTest.qWait` in a plain child process (`benchmarks/day.py`).

Each visit, back to back:

- a nurse holds Staff, types the PIN and starts the visit: planned infusion 40 to
  60 minutes (`PLANNED`), in English and Spanish by turns when the kiosk offers
  Spanish, then Done;
- the patient answers the check-in before (a face, Done) and chooses a comfort
  plan (two tiles, Done);
- the nurse moves the visit through every stage of `kiosk.session.STAGES`; the
  kiosk clock jumps the stage's minutes (`STAGE_MINUTES`; the infusion its planned
  minutes), about 75 minutes a visit, so six visits and the turnovers between
  them (`TURNOVER_MINUTES`) make an 8-hour day;
- during the infusion the patient opens Music, picks the playlist, taps Next
  track a few times, Louder, Quieter, Pause and Play, over `music_seconds` of real
  time (the music then plays on until the visit ends); later calls a nurse from
  the stage guide and cancels after a while; does a breathing exercise for
  `breathing_seconds` of real time, then Stop; and calls again from Music, picks a
  reason, a nurse acknowledges at the kiosk (no PIN needed) and later resolves the
  call in the staff panel;
- in recovery the patient answers the check-in after; at going home the nurse
  confirms every item of the checklist and ends the visit (End session, Yes).

While real time passes (music, breathing, waiting for a track) the kiosk clock
moves with it, so the breathing pacer really moves; the stage minutes are added on
top. After each visit, once the music has faded out and Qt has carried out the
deletions it was asked for, `on_visit_end(VisitReport)` is called with the
process's memory (/proc/self/status) and the number of QObjects under the window.

A step that does not end where a patient would see it end (a screen not shown, a
call not closed, music that never starts when it could) raises `DayError`.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject

from kiosk.app import KioskWindow
from kiosk.breathing import CHOOSING
from kiosk.clock import FakeClock
from kiosk.media.player import PAUSED, PLAYING, STOPPED
from kiosk.nurse_call import ACKNOWLEDGED

PLANNED = (45, 50, 55, 40, 60, 50)
"""The planned infusion minutes of the day's visits, in turn (a multiple of 5 from the default)."""
STAGE_MINUTES = {"settling": 6, "iv_placement": 4, "infusion_complete": 3, "recovery": 10, "going_home": 2}
"""Kiosk-clock minutes of each stage but the infusion, which runs its planned minutes."""
TURNOVER_MINUTES = 5
"""Kiosk-clock minutes between one visit's end and the next one's start."""
NEXT_TAPS = 3
"""Next track taps in the music span."""
FEELINGS = ((2, 4), (3, 4), (3, 5), (1, 3), (4, 5), (2, 3))
"""(before, after) check-in faces of the day's visits."""
COMFORT_PLANS = (("music_softer", "lights_lower"), ("talk_me_through",), ("lights_lower", "sit_with_me"))
STEP_MS = 20
"""How often a real-time wait lets Qt run and moves the kiosk clock on."""


class DayError(RuntimeError):
    """The kiosk did not do what a patient or a nurse would have seen it do."""


@dataclass(frozen=True)
class VisitReport:
    """The process and the window after one visit (after its music faded and deletions ran)."""

    visit: int  # 1-based
    session: str
    language: str
    planned_minutes: int
    rss_kb: int  # VmRSS
    hwm_kb: int  # VmHWM: the peak so far
    qobjects: int  # QObjects under the window
    wrappers: int  # live Shiboken wrappers (Qt objects Python reaches), after gc.collect()
    tracks: int  # music tracks begun during the visit
    kiosk_time: datetime  # the kiosk clock's wall time at the visit's end
    real_seconds: float


def memory_kb() -> tuple[int, int]:
    """(VmRSS, VmHWM) of this process in kB, from /proc/self/status."""
    values: dict[str, int] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values["VmRSS"], values["VmHWM"]


def live_wrappers() -> int:
    """How many Qt objects Python holds a wrapper for (after a collection)."""
    from shiboken6 import getAllValidWrappers

    gc.collect()
    return len(getAllValidWrappers())


class Day:
    """Drives `window` through visits; see the module's docstring.

    `pin` is the staff PIN (the window's one-time PIN when None). `timeout_seconds`
    bounds each wait for something to happen (a track to begin, the music to fade out).
    """

    def __init__(
        self,
        window: KioskWindow,
        clock: FakeClock,
        wait: Callable[[int], object],
        *,
        pin: str | None = None,
        music_seconds: float = 2.0,
        breathing_seconds: float = 1.0,
        on_visit_end: Callable[[VisitReport], object] | None = None,
        timeout_seconds: float = 20.0,
    ) -> None:
        self.window = window
        self.clock = clock
        self._wait = wait
        pin = pin or window.one_time_pin
        if not pin:
            raise DayError("no staff PIN: give one, or build the window without staff.pin_hash")
        self.pin = pin
        self.music_seconds = music_seconds
        self.breathing_seconds = breathing_seconds
        self.on_visit_end = on_visit_end
        self.timeout_seconds = timeout_seconds
        offered = window.config.kiosk.languages
        self.languages = ("en", "es") if {"en", "es"} <= set(offered) else (window.config.kiosk.default_language,)
        self.reports: list[VisitReport] = []
        self._tracks = 0

    # -- the day -----------------------------------------------------------------------
    def run(self, visits: int = 6) -> list[VisitReport]:
        """Run `visits` visits back to back; returns their reports (also given to `on_visit_end`)."""
        player = self.window.music.player
        player.track_changed.connect(self._on_track_changed)
        try:
            for number in range(1, visits + 1):
                report = self.visit(number)
                self.reports.append(report)
                if self.on_visit_end is not None:
                    self.on_visit_end(report)
                self._advance(TURNOVER_MINUTES * 60)
        finally:
            player.track_changed.disconnect(self._on_track_changed)
        return self.reports

    def visit(self, number: int) -> VisitReport:
        """One whole visit, from the nurse's Start session to End session."""
        w = self.window
        began = time.monotonic()
        self._tracks = 0
        language = self.languages[(number - 1) % len(self.languages)]
        planned = PLANNED[(number - 1) % len(PLANNED)]
        before, after = FEELINGS[(number - 1) % len(FEELINGS)]
        self._start_visit(planned, language)
        session = w.session.state.session
        assert session is not None

        # settling: the patient is asked first
        self._expect(w.current_screen() is w.checkin_screen and w.checkin_screen.moment == "before",
                     "the check-in before is asked when the visit starts")
        self._answer_checkin(before)
        self._expect(w.current_screen() is w.comfort_screen, "the comfort plan is offered after the check-in")
        for choice in COMFORT_PLANS[(number - 1) % len(COMFORT_PLANS)]:
            w.comfort_screen.tiles[choice].click()
        self._expect(w.care.state.comfort is not None, "the comfort plan is recorded")
        w.comfort_screen.leave_button.click()  # Done
        self._expect_home("after the comfort plan")
        self._advance(STAGE_MINUTES["settling"] * 60)

        self._next_stage("iv_placement")
        self._expect_home("at iv_placement (nothing more to ask before the infusion)")
        self._advance(STAGE_MINUTES["iv_placement"] * 60)

        # the infusion
        self._next_stage("infusion")
        self._advance(5 * 60)
        self._music()
        w.home_button.click()
        self._advance(8 * 60)
        self._cancelled_call()
        self._advance(7 * 60)
        self._breathing()
        self._advance(6 * 60)
        self._answered_call(number)
        elapsed = w.session.infusion_elapsed_seconds() or 0.0
        self._advance(max(0.0, planned * 60 - elapsed))

        self._next_stage("infusion_complete")
        self._advance(STAGE_MINUTES["infusion_complete"] * 60)
        self._next_stage("recovery")
        self._expect(w.current_screen() is w.checkin_screen and w.checkin_screen.moment == "after",
                     "the check-in after is asked in recovery")
        self._answer_checkin(after)
        self._expect_home("after the check-in after")
        self._advance(STAGE_MINUTES["recovery"] * 60)

        self._next_stage("going_home", close=False)
        for button in w.staff_screen.discharge_buttons.values():
            button.click()
        self._expect(w.care.state.discharge_complete, "every going-home item is confirmed")
        w.staff_screen.close_button.click()
        self._advance(STAGE_MINUTES["going_home"] * 60)
        self._end_visit()
        self._settle()
        rss, hwm = memory_kb()
        return VisitReport(
            visit=number, session=session, language=language, planned_minutes=planned,
            rss_kb=rss, hwm_kb=hwm, qobjects=len(w.findChildren(QObject)), wrappers=live_wrappers(),
            tracks=self._tracks, kiosk_time=self.clock.now(), real_seconds=time.monotonic() - began,
        )

    # -- the nurse -----------------------------------------------------------------------
    def _hold_staff(self) -> None:
        """Staff held down for its whole hold time: the PIN pad (or the call to acknowledge)."""
        button = self.window.staff_button
        button.setDown(True)
        button.hold_timer.timeout.emit()
        self._expect(self.window.current_screen() is self.window.staff_screen, "Staff held opens staff mode")

    def _unlock(self) -> None:
        self._hold_staff()
        pad = self.window.staff_screen.pin_pad
        pad.type_digits(self.pin)
        pad.keys["OK"].click()
        self._expect(self.window.staff_screen.unlocked, "the staff PIN opens the panel")

    def _start_visit(self, planned: int, language: str) -> None:
        w, staff = self.window, self.window.staff_screen
        self._unlock()
        steps, rest = divmod(planned - w.config.session.infusion_minutes, 5)
        if rest:
            raise DayError(f"{planned} planned minutes are not 5-minute steps from the default")
        for _ in range(abs(steps)):
            (staff.more if steps > 0 else staff.fewer).click()
        staff.language_buttons[language].click()
        staff.start_button.click()
        state = w.session.state
        self._expect(state.is_open and state.planned_infusion_minutes == planned and state.language == language,
                     f"Start session opens a visit of {planned} min in {language}")
        staff.close_button.click()

    def _next_stage(self, stage: str, *, close: bool = True) -> None:
        self._unlock()
        self.window.staff_screen.next_button.click()
        self._expect(self.window.session.stage == stage, f"Next stage moves the visit to {stage}")
        if close:
            self.window.staff_screen.close_button.click()

    def _end_visit(self) -> None:
        w, staff = self.window, self.window.staff_screen
        self._unlock()
        staff.end_button.click()
        staff.confirm_yes.click()
        self._expect(not w.session.is_open, "End session, Yes ends the visit")
        staff.close_button.click()
        self._expect(w.current_screen() is w.idle_screen, "the idle screen after the visit")

    # -- the patient -----------------------------------------------------------------------
    def _answer_checkin(self, value: int) -> None:
        screen = self.window.checkin_screen
        moment = screen.moment
        screen.tiles[value].click()
        self._expect(self.window.care.state.checkins.get(moment) == value, f"the check-in {moment} is recorded")
        screen.leave_button.click()  # Done

    def _music(self) -> None:
        """Music over `music_seconds` of real time: a playlist, Next, Louder, Quieter, Pause, Play."""
        w = self.window
        screen, player = w.music_screen, w.music.player
        w.music_button.click()
        self._expect(w.current_screen() is screen and bool(screen.tiles), "Music offers a playlist")
        began = time.monotonic()
        step = self.music_seconds / (NEXT_TAPS + 4)
        screen.tiles[0].click()
        if not player.available:  # no audio output: the tiles and Play are disabled, as the patient sees
            self._pass(self.music_seconds)
            return
        self._until(lambda: self._tracks >= 1, "the first track begins")
        for _ in range(NEXT_TAPS):
            self._pass(step)
            heard = self._tracks
            screen.next_button.click()
            self._until(lambda: self._tracks > heard, "Next track begins another track")  # noqa: B023
        self._pass(step)
        screen.louder_button.click()
        screen.louder_button.click()
        screen.quieter_button.click()
        self._pass(step)
        screen.play_button.click()  # Pause
        self._expect(player.state == PAUSED, "Pause pauses the music")
        self._pass(step)
        screen.play_button.click()  # Play
        self._expect(player.state == PLAYING, "Play resumes the music")
        self._pass(self.music_seconds - (time.monotonic() - began))

    def _breathing(self) -> None:
        """A breathing exercise from the stage guide, over `breathing_seconds` of real time, then Stop."""
        w = self.window
        screen = w.breathe_screen
        w.breathe_button.click()
        self._expect(w.current_screen() is screen and screen.page() == CHOOSING, "Breathe shows the choices")
        screen.start_button.click()
        self._expect(w.breathing.active and screen.frame_timer.isActive(), "Start runs the exercise")
        self._pass(self.breathing_seconds)  # the kiosk clock moves with real time: so does the pacer
        screen.stop_button.click()
        self._expect(not w.breathing.active and screen.page() == CHOOSING, "Stop ends the exercise")
        w.home_button.click()
        self._expect_home("Back from Breathe")

    def _cancelled_call(self) -> None:
        """Call nurse from the stage guide; after a while the patient cancels it."""
        w = self.window
        w.call_button.click()
        self._expect(w.calls.state.is_open and w.current_screen() is w.call_screen, "Call nurse shows the call")
        self._advance(20)
        w.call_screen.cancel_button.click()
        self._expect(not w.calls.state.is_open, "Cancel call closes the call")
        self._expect_home("after the cancelled call")

    def _answered_call(self, number: int) -> None:
        """Call nurse from Music with a reason; acknowledged at the kiosk, resolved in the panel."""
        w = self.window
        w.music_button.click()
        w.call_button.click()
        self._expect(w.calls.state.is_open and w.current_screen() is w.call_screen, "Call nurse shows the call")
        reasons = list(w.call_screen.reason_buttons)
        reason = reasons[(number - 1) % len(reasons)]
        w.call_screen.reason_buttons[reason].click()
        self._expect(w.calls.state.reason == reason, "the reason chosen is on the call")
        self._advance(50)  # the chime is heard at the station; a nurse comes
        self._hold_staff()
        w.staff_screen.pin_ack_button.click()  # needs no PIN
        self._expect(w.calls.state.status == ACKNOWLEDGED and w.current_screen().patient,
                     "Acknowledge call (no PIN) acknowledges and gives the screen back")
        self._advance(120)
        self._unlock()
        w.staff_screen.resolve_button.click()
        self._expect(not w.calls.state.is_open, "Resolve call closes the call")
        w.staff_screen.close_button.click()
        self._expect_home("after the resolved call")

    # -- time --------------------------------------------------------------------------------
    def _advance(self, seconds: float) -> None:
        """Kiosk-clock time passes at once (accelerated); Qt then runs for a moment."""
        self.clock.advance(seconds)
        self._wait(1)

    def _pass(self, seconds: float) -> None:
        """Real time passes; the kiosk clock moves with it."""
        end = time.monotonic() + seconds
        self._until(lambda: time.monotonic() >= end, "", timeout=seconds + 1.0)

    def _until(self, done: Callable[[], bool], what: str, *, timeout: float | None = None) -> None:
        """Let Qt run (and the kiosk clock move with real time) until `done()`; DayError after a timeout."""
        limit = self.timeout_seconds if timeout is None else timeout
        began = last = time.monotonic()
        while not done():
            if last - began > limit:
                raise DayError(f"{what}: not within {limit:.0f} s")
            self._wait(STEP_MS)
            now = time.monotonic()
            self.clock.advance(now - last)
            last = now

    def _settle(self) -> None:
        """The visit's music has faded out and let go of its tracks; deletions asked for are done."""
        player = self.window.music.player
        self._until(lambda: player.state == STOPPED and all(d.track is None for d in player.decks),
                    "the music stops at the visit's end")
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    # -- checks ----------------------------------------------------------------------------
    def _expect_home(self, when: str) -> None:
        w = self.window
        self._expect(w.current_screen() is w.stage_screen, f"the stage guide {when}")

    def _expect(self, condition: bool, what: str) -> None:
        if not condition:
            w = self.window
            raise DayError(f"expected: {what}; the kiosk shows {w.current_screen().name!r}, "
                           f"visit stage {w.session.stage!r}, call {w.calls.state.status!r}")

    def _on_track_changed(self, _track: object) -> None:
        self._tracks += 1

