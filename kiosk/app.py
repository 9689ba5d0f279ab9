"""The composition root: config → event log → visit and call models → PIN gate → screens → window.

`create_window()` builds the whole kiosk without showing it (tests use it);
`run()` adds the QApplication, the start and stop events, lock-down and the
event loop. Nothing else in the kiosk constructs these parts. The window hosts
the screens and routes their intents to the core; it holds no rules itself.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer, Slot
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk import __version__, translations
from kiosk.app_support import SignalWatcher, WatchdogPinger, event_line
from kiosk.breathing import Guide, all_patterns
from kiosk.call_paths import CallPaths, StationPath
from kiosk.care import CareError, CareState, VisitCare
from kiosk.clock import Clock, SystemClock
from kiosk.config import Config
from kiosk.content import Content, load_contents
from kiosk.control import ControlServer
from kiosk.events import (
    Event,
    EventLog,
    EventLogError,
    OfflineLog,
    open_log,
    read_events,
)
from kiosk.health import low_space_problem
from kiosk.lastgood import Rejection, keep, state_dir
from kiosk.lockdown import LockdownFilter, crash_handler, keep_screen_awake
from kiosk.media.chime import NO_OUTPUT as CHIME_NO_OUTPUT
from kiosk.media.cue import CueTone
from kiosk.media.outputs import default_output_name
from kiosk.media.player import to_linear
from kiosk.music_control import MusicControl
from kiosk.nurse_call import (
    ACKNOWLEDGED,
    REQUESTED,
    CallState,
    NurseCall,
    Source,
    status_key,
)
from kiosk.restore import read_history
from kiosk.screens.about import AboutScreen
from kiosk.screens.base import Screen
from kiosk.screens.breathe import BreatheScreen
from kiosk.screens.call import CallScreen
from kiosk.screens.checkin import CheckinScreen
from kiosk.screens.comfort import ComfortScreen
from kiosk.screens.idle import IdleScreen
from kiosk.screens.music import MusicScreen
from kiosk.screens.staff import StaffScreen, comfort_words
from kiosk.screens.stage import StageScreen
from kiosk.sdnotify import Notifier
from kiosk.security import PinGate, one_time_pin
from kiosk.session import INFUSION, STAGES, SessionError, SessionModel, VisitState
from kiosk.station.protocol import OpenCall, RoomState
from kiosk.theme import stylesheet
from kiosk.widgets import (
    BigButton,
    CallKeyFilter,
    CallNurseButton,
    CallStrip,
    DimOverlay,
    LongPressButton,
)

log = logging.getLogger(__name__)

WINDOW_TITLE = "infusion-kiosk"
REFRESH_MS = 15_000  # the infusion minutes on screen; cheap, and a minute is the finest unit shown
MAX_FAULTS = 8
MAX_FAULT_CHARS = 400
"""The health answer stays well inside one control-socket reply (4096 bytes)."""
RETURN_SCREENS = ("music", "breathe", "call", "checkin", "comfort", "about")
CALL_WIDEST_PX = 470
"""Call nurse on one line up to this width; a longer label (large text, Spanish) takes two."""
"""Patient pages with a Back button to the stage guide (and an idle return to it)."""


class KioskWindow(QWidget):
    """The top-level window: the screens, the Call nurse bar, staff mode and lock-down."""

    def __init__(
        self,
        config: Config,
        events: EventLog | OfflineLog,
        session: SessionModel,
        calls: NurseCall,
        gate: PinGate,
        contents: dict[str, Content],
        clock: Clock,
        *,
        care: VisitCare | None = None,
        content_problems: Iterable[str] = (),
        one_time: str | None = None,
        rejection: Rejection | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.clock = clock
        self.config = config
        self.events = events
        self.session = session
        self.calls = calls
        self.care = care or VisitCare(events, session)
        self.content_problems = tuple(content_problems)
        self.rejection = rejection  # the configuration this start could not use, if any
        self._started_at = clock.now()
        self.gate = gate
        self.contents = contents
        self.one_time_pin = one_time
        self._exiting = False
        self.exit_reason: str | None = None
        self.setWindowTitle(WINDOW_TITLE)
        self.setObjectName("kiosk")
        self.setStyleSheet(stylesheet(config.display.theme, config.display.text_scale))
        content = self._content()

        # screens, all listed here
        self._stack = QStackedWidget(self)
        self.idle_screen = IdleScreen(config.kiosk.clinic_name, content, self._stack)
        self.stage_screen = StageScreen(session, content, self._stack)
        self.music_screen = MusicScreen(self._stack)
        breathing = config.breathing
        self.breathing = Guide(all_patterns(breathing.patterns), breathing.default_pattern,
                               breathing.minutes, self._record, clock.monotonic)
        self.breathe_screen = BreatheScreen(self.breathing, content,
                                            reduce_motion=config.display.reduce_motion,
                                            parent=self._stack)
        languages = [(code, contents[code].name) for code in config.kiosk.languages]
        self.staff_screen = StaffScreen(
            config.kiosk.room, languages, config.kiosk.default_language,
            config.session.infusion_minutes, self._stack,
        )
        self.call_screen = CallScreen(self._stack)
        self.checkin_screen = CheckinScreen(content, self._stack)
        self.comfort_screen = ComfortScreen(content, self._stack)
        self.about_screen = AboutScreen(content, self._stack)
        self.screens: dict[str, Screen] = {
            s.name: s
            for s in (self.idle_screen, self.stage_screen, self.music_screen, self.breathe_screen,
                      self.call_screen, self.checkin_screen, self.comfort_screen,
                      self.about_screen, self.staff_screen)
        }
        for screen in self.screens.values():
            # The stack takes the screen's size; no page may push the window past it.
            screen.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
            self._stack.addWidget(screen)
        self._return_to = "stage"
        self._visit = session.state.session
        self._stage_shown = session.state.stage
        self._journaled_call: tuple[str | None, str] = (None, "none")

        # the bar along the bottom of every patient screen
        self.bar = QWidget(self)
        self.bar.setObjectName("bar")
        self.staff_button = LongPressButton(self.tr("Staff"), self.bar, accessible_name="Staff")
        self.music_button = BigButton(content.text("music"), self.bar, accessible_name="Music")
        self.breathe_button = BigButton(content.text("breathe"), self.bar, accessible_name="Breathe")
        self.home_button = BigButton(content.text("back"), self.bar, accessible_name="Back")
        # the patient's own language, on the stage screen: the next one the kiosk offers
        self.language_button = BigButton("", self.bar, accessible_name="Language")
        self.call_button = CallNurseButton(content.text("call_nurse"), self.bar)
        self.call_strip = CallStrip(self)
        self.call_strip.hide()
        bar_layout = QHBoxLayout(self.bar)
        bar_layout.setContentsMargins(24, 12, 24, 20)
        bar_layout.setSpacing(20)
        bar_layout.addWidget(self.staff_button)
        bar_layout.addSpacing(24)
        for button in (self.home_button, self.music_button, self.breathe_button):
            button.setMaximumWidth(260)
            bar_layout.addWidget(button)
        bar_layout.addStretch(1)
        self.language_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        bar_layout.addWidget(self.language_button)
        bar_layout.addWidget(self.call_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._stack, 1)
        layout.addWidget(self.call_strip)
        layout.addWidget(self.bar)

        # the screen dims when left alone during a visit; the first touch only wakes it
        self.dimmer = DimOverlay(self)
        self.dimmer.set_pass_through(self.call_button)

        # timers: all intervals from config
        self._staff_timer = self._single_shot(config.staff.timeout_seconds * 1000, self.close_staff)
        self._idle_timer = self._single_shot(config.display.idle_return_seconds * 1000, self.go_home)
        self._dim_timer = self._single_shot(config.display.dim_after_seconds * 1000,
                                            self._on_dim_timer_timeout)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self._on_refresh_timer_timeout)

        # a call reaches staff by every configured path
        station = None
        self._stop_outbox: Callable[[], None] = lambda: None
        if config.station.broker:  # the nurse station, fed from the event log
            station = StationPath(config.station, kiosk=config.kiosk.id, log_dir=events.directory,
                                  clock=clock)
            self._stop_outbox = events.add_listener(station.event_logged)
        self.call_paths = CallPaths(calls, config.nurse_call, kiosk=config.kiosk.id,
                                    room=config.kiosk.room, station=station, parent=self)
        self.call_keys = CallKeyFilter(config.nurse_call.keys, self)
        self.music = MusicControl(config.music, session, self.music_screen, self._record, content,
                                  parent=self)
        if self.call_paths.chime is not None:
            self.call_paths.chime.sounding_changed.connect(self.music.duck_for_chime)
        # a soft tone at each change of breath, if the clinic wants one; at the patient's
        # starting music volume, and the music makes room for it during the exercise
        self.cue = CueTone(to_linear(config.music.volume), self) if breathing.cue_tone else None

        # wiring: touches become calls on the core
        self.call_button.call_requested.connect(self.request_call)
        self.call_keys.pressed.connect(self._on_call_key_pressed)
        self.call_screen.reason_chosen.connect(self._on_reason_chosen)
        self.call_screen.cancel_requested.connect(self._on_cancel_call_requested)
        self.breathe_screen.call_requested.connect(self.request_call)
        self.breathe_screen.running_changed.connect(self._on_breathing_running_changed)
        self.breathe_screen.phase_started.connect(self._on_breathing_phase_started)
        self.call_strip.cancel_requested.connect(self._on_cancel_call_requested)
        self.checkin_screen.answered.connect(self._on_checkin_answered)
        self.checkin_screen.skipped.connect(self._on_checkin_skipped)
        self.checkin_screen.finished.connect(self._offer_next)
        self.comfort_screen.changed.connect(self._on_comfort_changed)
        self.comfort_screen.skipped.connect(self._on_comfort_skipped)
        self.comfort_screen.finished.connect(self._offer_next)
        self.stage_screen.about_requested.connect(self._on_about_requested)
        self.about_screen.finished.connect(self.go_home)
        self.language_button.clicked.connect(self._on_language_clicked)
        self.staff_screen.discharge_toggled.connect(self._on_discharge_toggled)
        self.dimmer.pass_through.connect(self.request_call)
        self.dimmer.woken.connect(self._update_dim_timer)  # left alone again, it dims again
        self.staff_screen.acknowledge_requested.connect(self._on_acknowledge_requested)
        self.staff_screen.resolve_requested.connect(self._on_resolve_requested)
        self.call_paths.faults_changed.connect(self._refresh_faults)
        self.music.fault_changed.connect(self._refresh_faults)
        self.staff_button.long_pressed.connect(self.open_staff)
        self.music_button.clicked.connect(lambda: self.show_screen("music"))
        self.breathe_button.clicked.connect(lambda: self.show_screen("breathe"))
        self.home_button.clicked.connect(self.go_home)
        self.staff_screen.unlock_requested.connect(self._on_staff_unlock_requested)
        self.staff_screen.start_requested.connect(self._on_staff_start_requested)
        self.staff_screen.next_requested.connect(lambda: self._visit_action(self.session.advance))
        self.staff_screen.back_requested.connect(lambda: self._visit_action(self.session.back))
        self.staff_screen.end_requested.connect(lambda: self._visit_action(self._end_visit))
        self.staff_screen.exit_requested.connect(self.exit_kiosk)
        self.staff_screen.close_requested.connect(self.close_staff)
        self._unsubscribe = [session.subscribe(self._on_session_changed),
                             calls.subscribe(self._on_call_changed),
                             self.care.subscribe(self._on_care_changed)]
        self._lockdown = LockdownFilter(self._on_activity, self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self._lockdown)
            app.installEventFilter(self.call_keys)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self._apply_content(content)
        self._on_care_changed(self.care.state)
        self._offer_next()

    @property
    def staff_timer(self) -> QTimer:
        """Closes staff mode after `staff.timeout_seconds` untouched."""
        return self._staff_timer

    @property
    def idle_timer(self) -> QTimer:
        """Returns from Music, Breathe or the call page after `display.idle_return_seconds`."""
        return self._idle_timer

    @property
    def dim_timer(self) -> QTimer:
        """Dims the screen after `display.dim_after_seconds` untouched during a visit."""
        return self._dim_timer

    # -- navigation ----------------------------------------------------------------
    def current_screen(self) -> Screen:
        screen = self._stack.currentWidget()
        assert isinstance(screen, Screen)
        return screen

    def show_screen(self, name: str) -> None:
        old, new = self._stack.currentWidget(), self.screens[name]
        if isinstance(old, Screen) and old is not new:
            old.on_leave()
        self._stack.setCurrentWidget(new)
        new.on_enter()
        self.bar.setVisible(new.patient)
        self._show_call_strip(new)
        self.home_button.setVisible(name in RETURN_SCREENS)
        # Music and Breathe from the stage guide and from each other; a question, a card or
        # a call has only Back, so that the patient has one thing to do at a time.
        offered = self.session.is_open and name in ("stage", "music", "breathe")
        self.music_button.setVisible(offered and name != "music")
        self.breathe_button.setVisible(offered and name != "breathe")
        self.language_button.setVisible(name == "stage" and len(self.config.kiosk.languages) > 1)
        if new.patient:
            self._staff_timer.stop()
        else:
            self._staff_timer.start()
            self.dimmer.wake()
        self._update_idle_timer()
        self._update_dim_timer()

    def _update_idle_timer(self) -> None:
        # A breathing exercise is never cut short for want of a touch.
        name = self.current_screen().name
        if (name in RETURN_SCREENS and self.config.display.idle_return_seconds
                and not (name == "breathe" and self.breathing.active)):
            self._idle_timer.start()
        else:
            self._idle_timer.stop()

    @Slot()
    def go_home(self) -> None:
        """The patient's home: the stage guide during a visit, the idle screen outside one.

        Leaving an unanswered check-in or comfort plan this way (Back, or left
        alone) declines it for the visit: it is not offered again.
        """
        current = self._stack.currentWidget()
        if self.session.is_open:
            try:
                if current is self.checkin_screen and self.checkin_screen.answer() is None:
                    self.care.skip(f"checkin:{self.checkin_screen.moment}")
                elif current is self.comfort_screen and self.care.state.comfort is None:
                    self.care.skip("comfort")
            except CareError as error:
                log.warning("could not note a skipped question: %s", error)
        self.show_screen("stage" if self.session.is_open else "idle")

    @Slot()
    def _offer_next(self) -> None:
        """Home, or first what the visit asks of the patient now (a check-in, the comfort plan)."""
        step = None if self.calls.state.is_open else self.care.pending(  # a call comes first
            self.session.stage, checkins=self.config.session.checkins,
            comfort=self.config.session.comfort_plan)
        if step is not None and step.startswith("checkin:"):
            moment = step.split(":", 1)[1]
            self.checkin_screen.ask(moment, self.care.state.checkins.get(moment))
            self.show_screen("checkin")
        elif step == "comfort":
            self.comfort_screen.show_plan(self.care.state.comfort)
            self.show_screen("comfort")
        else:
            self.show_screen("stage" if self.session.is_open else "idle")

    # -- what the patient tells us, what the nurse confirms -----------------------------
    @Slot(str, int)
    def _on_checkin_answered(self, moment: str, value: int) -> None:
        try:
            self.care.record_checkin(moment, value)
        except (CareError, EventLogError) as error:
            log.critical("could not record a check-in: %s", error)
        # shown as recorded: a failed write leaves the face unticked
        self.checkin_screen.ask(moment, self.care.state.checkins.get(moment))

    @Slot(str)
    def _on_checkin_skipped(self, moment: str) -> None:
        self._skip(f"checkin:{moment}")

    @Slot(list)
    def _on_comfort_changed(self, choices: list[str]) -> None:
        try:
            self.care.record_comfort(choices)
        except (CareError, EventLogError) as error:
            log.critical("could not record the comfort plan: %s", error)
        self.comfort_screen.show_plan(self.care.state.comfort)

    @Slot()
    def _on_comfort_skipped(self) -> None:
        self._skip("comfort")

    def _skip(self, step: str) -> None:
        try:
            self.care.skip(step)
        except CareError as error:
            log.warning("could not note a skipped question: %s", error)
        self._offer_next()

    @Slot()
    def _on_about_requested(self) -> None:
        self.show_screen("about")

    @Slot(str, bool)
    def _on_discharge_toggled(self, item: str, confirmed: bool) -> None:
        try:
            if confirmed:
                self.care.confirm_discharge(item)
            else:
                self.care.withdraw_discharge(item)
        except (CareError, EventLogError) as error:
            self._show_panel(problem=str(error))
            return
        self._show_panel()

    def _on_care_changed(self, care: CareState) -> None:
        self.stage_screen.set_discharge(care.discharge)
        self.staff_screen.set_discharge(care.discharge)
        self._refresh_staff_call()
        self._publish_room_state()  # the comfort plan, for the nurse station

    def _next_language(self) -> str:
        """The language after the visit's own, among those the kiosk offers."""
        languages = self.config.kiosk.languages
        current = self.session.state.language or self.config.kiosk.default_language
        index = languages.index(current) if current in languages else -1
        return languages[(index + 1) % len(languages)]

    @Slot()
    def _on_language_clicked(self) -> None:
        try:
            self.session.change_language(self._next_language())
        except (SessionError, EventLogError) as error:
            log.critical("could not change the language: %s", error)

    def _language_label(self) -> str:
        """The bar's language button: the next language, in its own name."""
        if len(self.config.kiosk.languages) < 2:
            return ""
        return self.contents[self._next_language()].name

    # -- dimming ---------------------------------------------------------------------
    def _may_dim(self) -> bool:
        """Dim only a patient screen during a visit, never during an exercise or an open call."""
        return (bool(self.config.display.dim_after_seconds) and self.session.is_open
                and self.current_screen().patient and not self.breathing.active
                and not self.calls.state.is_open and not self._exiting)

    @Slot()
    def _update_dim_timer(self) -> None:
        if self._may_dim():
            if not self.dimmer.dimmed and not self._dim_timer.isActive():
                self._dim_timer.start()
        else:
            self._dim_timer.stop()
            self.dimmer.wake()

    @Slot()
    def _on_dim_timer_timeout(self) -> None:
        if self._may_dim():
            self.dimmer.dim()

    # -- breathing -------------------------------------------------------------------
    @Slot(bool)
    def _on_breathing_running_changed(self, running: bool) -> None:
        self._update_idle_timer()
        self._update_dim_timer()
        if self.cue is not None:
            self.music.player.duck("breathing", running)
            if not running:
                self.cue.stop()

    @Slot(str)
    def _on_breathing_phase_started(self, kind: str) -> None:
        if self.cue is not None:
            self.cue.play(kind)

    # -- calling a nurse -------------------------------------------------------------
    @Slot()
    def request_call(self, source: Source = "button") -> None:
        """A tap of Call nurse or a call key: recorded first, then chime and notify, then shown."""
        self.calls.request(source)
        current = self.current_screen()
        if current.patient and current is not self.call_screen:
            self._return_to = current.name if current.name in RETURN_SCREENS else "stage"
            self.show_screen("call")
        elif not current.patient and self.staff_screen.unlocked:
            self._show_panel()

    @Slot()
    def _on_call_key_pressed(self) -> None:
        self.request_call("key")

    @Slot(str)
    def _on_reason_chosen(self, reason: str) -> None:
        if self.calls.state.is_open:
            self.calls.set_reason(reason)

    @Slot()
    def _on_cancel_call_requested(self) -> None:
        if self.calls.state.is_open:
            self.calls.cancel()

    @Slot()
    def _on_acknowledge_requested(self) -> None:
        if self.calls.state.status == REQUESTED:
            self.calls.acknowledge("kiosk")
        if self.staff_screen.unlocked:
            self._show_panel()
        else:
            self.close_staff()  # the patient sees at once that a nurse is coming

    @Slot()
    def _on_resolve_requested(self) -> None:
        if self.calls.state.is_open:
            self.calls.resolve("kiosk")
        self._show_panel()

    def control_command(self, command: str) -> str:
        """Answer one line from `kiosk call ...` in a shell on this machine."""
        state = self.calls.state
        if command == "status":
            if not state.is_open:
                return "ok no call is open"
            return f"ok call {state.call_id}: {self._call_summary(state)}"
        if command == "health":  # for `kiosk status`
            return "ok " + json.dumps(self.health(), ensure_ascii=False)
        if command == "ack":
            if not state.is_open:
                return "none no call is open"
            if state.status == ACKNOWLEDGED:
                return f"ok call {state.call_id} was already acknowledged"
            self.calls.acknowledge("shell")
            return f"ok acknowledged call {state.call_id}"
        return f"error unknown command {command!r} (ack, status or health)"

    def health(self) -> dict[str, object]:
        """What only the running kiosk knows, for `kiosk status` (which reads the log itself)."""
        said_apart = _rejection_message(self.rejection) if self.rejection is not None else None
        faults = [fault for fault in self.faults() if fault != said_apart]
        return {
            "pid": os.getpid(),
            "version": __version__,
            "started": self._started_at.isoformat(timespec="seconds"),
            "screen": self.current_screen().objectName(),
            "staff_mode": self.staff_screen.unlocked,
            "audio_output": default_output_name(),
            "faults": [fault[:MAX_FAULT_CHARS] for fault in faults[:MAX_FAULTS]],
        }

    def _on_call_changed(self, state: CallState) -> None:
        journal = (state.call_id, state.status)
        if journal != self._journaled_call:
            if state.is_open:
                log.info("nurse call %s is %s", state.call_id, state.status)
            elif self._journaled_call[0] is not None:
                log.info("nurse call %s is closed", self._journaled_call[0])
            self._journaled_call = journal
        content = self._content()
        key = status_key(state, chime_enabled=self.call_paths.chime_enabled,
                         notify_enabled=self.call_paths.notify_enabled)
        if state.is_open:
            status = content.call_text(key)
            told = (content.call_text("reason_recorded", reason=content.reason(state.reason))
                    if state.reason else "")
            self.call_screen.show_call(status, state.reason, told)
            self.call_strip.show_status(status, content.text("cancel_call"))
        current = self._stack.currentWidget()
        if isinstance(current, Screen) and current.patient:
            if current is self.call_screen and not state.is_open:
                self._return_from_call()
            else:
                self._show_call_strip(current)
        self._refresh_staff_call()
        self._refresh_faults()
        self._update_dim_timer()

    def _show_call_strip(self, screen: Screen) -> None:
        shown = screen.patient and screen is not self.call_screen and self.calls.state.is_open
        self.call_strip.setVisible(shown)
        self.stage_screen.set_compact(shown)  # the strip takes the room of two paragraphs

    def _refresh_staff_call(self) -> None:
        state = self.calls.state
        self.staff_screen.set_call(self._call_summary(state),
                                   can_acknowledge=state.status == REQUESTED)

    def _return_from_call(self) -> None:
        if self._return_to != "stage" and self.session.is_open:
            self.show_screen(self._return_to)
        else:
            self.go_home()

    def _call_summary(self, state: CallState) -> str:
        if not state.is_open:
            return ""
        waited = int(self.calls.waited_seconds() or 0)
        minutes, seconds = divmod(waited, 60)
        since = (self.tr("{minutes} min {seconds} s").format(minutes=minutes, seconds=seconds) if minutes
                 else self.tr("{seconds} s").format(seconds=seconds))
        answered = self.tr("acknowledged") if state.status == ACKNOWLEDGED else self.tr("not yet acknowledged")
        parts = [self.tr("Call made {since} ago").format(since=since), answered]
        if state.reason:
            parts.append(state.reason)
        if not state.recorded:
            parts.append(self.tr("not in the event log"))
        summary = " · ".join(parts)
        if self.care.state.comfort:  # what the patient said would help, for whoever answers
            summary += "\n" + self.tr("Comfort plan: {plan}").format(plan=comfort_words(self.care.state.comfort))
        return summary

    def faults(self) -> list[str]:
        """What staff must know is not working, in plain sentences."""
        faults = []
        if self.rejection is not None:
            faults.append(_rejection_message(self.rejection))
        if self.content_problems:
            faults.append(self.tr("The clinic's patient texts have mistakes, so the kiosk's own words are "
                                  "shown for that language; `kiosk check-config` lists them: {problem}")
                          .format(problem=self.content_problems[0]))
        if not self.config.staff.pin_hash:
            faults.append(self.tr("No staff PIN is configured. Use the one-time PIN printed when the "
                                  "kiosk started, and ask IT to set staff.pin_hash."))
        if isinstance(self.events, OfflineLog) and self.events.problem:
            faults.append(self.tr("The event log cannot be used ({problem}). Calls still "
                                  "chime and notify; nothing is recorded until IT fixes it.")
                          .format(problem=self.events.problem))
        elif self.events.problem or self.calls.log_problem:  # any refused write, a call's or not
            faults.append(self.tr("The event log cannot be written ({problem}). Calls "
                                  "still chime and notify, but are not recorded.")
                          .format(problem=self.events.problem or self.calls.log_problem))
        low_space = low_space_problem(self.config.log.dir, self.config.log.min_free_mb)
        if low_space is not None:
            faults.append(low_space)
        sound = self.call_paths.faults()
        if self.music.fault():
            if CHIME_NO_OUTPUT in sound:  # one sentence for one missing speaker
                sound[sound.index(CHIME_NO_OUTPUT)] = self.tr(
                    "No audio output was found: neither the call chime nor music can sound in the room.")
            else:
                sound.append(self.music.fault())
        return faults + sound

    @Slot()
    def _refresh_faults(self) -> None:
        faults = self.faults()
        self.staff_screen.set_banner("\n".join(faults))
        self._publish_room_state(faults)

    def room_state(self, faults: list[str] | None = None) -> RoomState:
        """What the nurse station's tile shows of this room."""
        visit, call = self.session.state, self.calls.state
        open_call = None
        if call.is_open and call.call_id is not None:
            open_call = OpenCall(call_id=call.call_id, status=call.status, requested_at=call.requested_at,
                                 reason=call.reason, escalated=call.escalated,
                                 acknowledged_by=call.acknowledged_by)
        return RoomState(
            kiosk=self.config.kiosk.id, room=self.config.kiosk.room, ts=self.clock.now(),
            visit_open=visit.is_open, stage=visit.stage if visit.is_open else None,
            infusion_minutes=self.session.infusion_elapsed_minutes() if visit.stage == INFUSION else None,
            planned_minutes=visit.planned_infusion_minutes, call=open_call,
            comfort=tuple(comfort_words([choice]) for choice in self.care.state.comfort or ()),
            faults=tuple(self.faults() if faults is None else faults),
        )

    def _publish_room_state(self, faults: list[str] | None = None) -> None:
        station = self.call_paths.station
        if station is not None and not self._exiting:
            station.publish_state(self.room_state(faults))

    # -- staff mode ------------------------------------------------------------------
    @Slot()
    def open_staff(self) -> None:
        log.info("staff PIN pad opened")
        self._refresh_staff_call()
        self._refresh_faults()  # the disk may have filled since the kiosk started
        locked = self.gate.locked_for()
        if locked > 0:
            self.staff_screen.show_pin_page(_locked_message(locked), locked=True)
        else:
            self.staff_screen.show_pin_page()
        self.show_screen("staff")

    @Slot()
    def close_staff(self) -> None:
        self.staff_screen.show_pin_page()  # the next visit to staff mode asks for the PIN again
        if not self.current_screen().patient:
            log.info("staff mode closed")
            self._offer_next()  # a visit just started or moved on may ask the patient first

    @Slot(str)
    def _on_staff_unlock_requested(self, pin: str) -> None:
        try:
            result = self.gate.try_unlock(pin)
        except EventLogError as error:
            self.staff_screen.show_pin_page(self.tr("The event log cannot be written: {error}").format(error=error))
            return
        if result.ok:
            self._show_panel()
        elif result.locked_seconds > 0:
            self.staff_screen.show_pin_page(_locked_message(result.locked_seconds), locked=True)
        else:
            left = result.attempts_left
            if left is None:
                message = self.tr("That PIN is not right.")
            elif left == 1:
                message = self.tr("That PIN is not right. {left} try left.").format(left=left)
            else:
                message = self.tr("That PIN is not right. {left} tries left.").format(left=left)
            self.staff_screen.show_pin_page(message)

    @Slot(int, str)
    def _on_staff_start_requested(self, minutes: int, language: str) -> None:
        self._visit_action(lambda: self.session.start(minutes, language))

    def _end_visit(self) -> None:
        # The nurse ending the visit is at the chair: a call still open is dealt with.
        if self.calls.state.is_open:
            self.calls.resolve("visit_end")
        self.breathing.end("visit_end")
        self.session.end()

    def _visit_action(self, action: Callable[[], object]) -> None:
        try:
            action()
        except (SessionError, EventLogError) as error:
            self._show_panel(problem=str(error))
            return
        self._show_panel()

    def _show_panel(self, problem: str = "") -> None:
        self._refresh_staff_call()
        state = self.session.state
        status = problem or self._status_text(state)
        self.staff_screen.show_panel(state, status, self._today_lines(), self.care.state)

    def _status_text(self, state: VisitState) -> str:
        if not state.is_open:
            return self.tr("No visit open.")
        content = self._content()
        index = STAGES.index(state.stage)
        text = self.tr("Stage {number} of {count}: {title}").format(
            number=index + 1, count=len(STAGES), title=content.stages[state.stage].title)
        if state.stage == INFUSION:
            text += " · " + self.tr("{minutes} min so far").format(
                minutes=self.session.infusion_elapsed_minutes())
        if state.planned_infusion_minutes is None:  # unreadable in the log after a restart
            return text
        planned = self.tr("planned {minutes} min").format(minutes=state.planned_infusion_minutes)
        return f"{text} · {planned}"

    def _today_lines(self) -> list[str]:
        today = self.clock.now().date()
        try:
            events: Iterable[Event] = read_events(self.events.directory, since_day=today)
            return [event_line(e) for e in events if e.room == self.config.kiosk.room][-200:]
        except EventLogError as error:
            return [self.tr("The event log cannot be read: {error}").format(error=error)]

    # -- leaving -----------------------------------------------------------------------
    @Slot()
    def exit_kiosk(self) -> None:
        """The only way out: from the staff panel, behind the PIN."""
        self.exit_reason = "staff"
        self.shutdown()
        app = QApplication.instance()
        if app is not None:
            app.quit()

    def shutdown(self) -> None:
        """Allow the window to close and stop listening to the application (idempotent)."""
        if self._exiting:
            return
        self.breathing.end("kiosk_stopped")  # before kiosk.stopped: every exercise has its end
        self._exiting = True
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self._lockdown)
            app.removeEventFilter(self.call_keys)
        for timer in (self._staff_timer, self._idle_timer, self._refresh_timer, self._dim_timer):
            timer.stop()
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._stop_outbox()
        self.call_paths.shutdown()
        self.breathe_screen.shutdown()
        if self.cue is not None:
            self.cue.close()
        self.music.shutdown()
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._exiting:
            event.accept()
        else:
            log.info("close request refused: only Exit kiosk in staff mode closes the kiosk")
            event.ignore()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if (
            event.type() == QEvent.Type.WindowStateChange
            and self.windowState() & Qt.WindowState.WindowMinimized
            and not self._exiting
        ):
            QTimer.singleShot(0, self._restore_window)

    def _restore_window(self) -> None:
        state = self.windowState() & ~Qt.WindowState.WindowMinimized
        self.setWindowState(state | Qt.WindowState.WindowActive)
        self.show()
        self.raise_()
        self.activateWindow()

    # -- inside ------------------------------------------------------------------------
    def _content(self) -> Content:
        language = self.session.state.language or self.config.kiosk.default_language
        return self.contents.get(language) or self.contents[self.config.kiosk.default_language]

    def _apply_content(self, content: Content) -> None:
        """Show the patient's words in the visit's language (accessible names stay fixed)."""
        self.idle_screen.set_content(content)
        self.stage_screen.set_content(content)
        self.music_button.setText(content.text("music"))
        self.breathe_button.setText(content.text("breathe"))
        self.home_button.setText(content.text("back"))
        self.call_button.fit_label(content.text("call_nurse"), CALL_WIDEST_PX)
        self.music.set_content(content)
        self.breathe_screen.set_content(content)
        self.call_screen.set_reasons([(r, content.reason(r)) for r in self.calls.reasons],
                                     content.call_text("reason_prompt"))
        self.call_screen.cancel_button.setText(content.text("cancel_call"))
        self.checkin_screen.set_content(content)
        self.comfort_screen.set_content(content)
        self.about_screen.set_content(content)
        self.language_button.setText(self._language_label())
        self._on_call_changed(self.calls.state)

    def _record(self, type: str, data: dict[str, object]) -> None:
        """Record an event of the visit that nothing waits on (music): a failure is only journaled."""
        try:
            self.events.append(type, data, session=self.session.state.session)
        except EventLogError as error:
            log.critical("could not record %s: %s", type, error)

    def _single_shot(self, interval_ms: int, slot: Callable[[], None]) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(max(1, interval_ms))
        timer.timeout.connect(slot)
        return timer

    def _on_activity(self) -> None:
        for timer in (self._staff_timer, self._idle_timer, self._dim_timer):
            if timer.isActive():
                timer.start()

    def _on_session_changed(self, state: VisitState) -> None:
        if state.session != self._visit:
            self._visit = state.session
            self.about_screen.restart()
        self._apply_content(self._content())
        if state.stage == INFUSION:
            self._refresh_timer.start()
        else:
            self._refresh_timer.stop()
        self.dimmer.wake()
        if self.current_screen().patient:
            if self._stage_shown != state.stage:
                self._offer_next()  # the staff panel redraws itself after each action
            else:
                self.go_home()
        self._stage_shown = state.stage
        self._update_dim_timer()

    @Slot()
    def _on_refresh_timer_timeout(self) -> None:
        if self.current_screen() is self.stage_screen:
            self.stage_screen.refresh()
        self._publish_room_state()  # the minutes into the infusion, for the nurse station


def _locked_message(seconds: float) -> str:
    minutes, rest = divmod(int(seconds + 0.999), 60)
    if minutes:
        span = QCoreApplication.translate("KioskWindow", "{minutes} min {seconds} s").format(
            minutes=minutes, seconds=rest)
    else:
        span = QCoreApplication.translate("KioskWindow", "{seconds} s").format(seconds=rest)
    return QCoreApplication.translate(
        "KioskWindow", "Too many wrong PINs. Staff entry is locked for {span}. Patient controls still work."
    ).format(span=span)


def _rejection_message(rejection: Rejection) -> str:
    """The staff banner's words when this start's configuration was rejected."""
    translate = QCoreApplication.translate
    if rejection.fallback == "last_good":
        when = "" if rejection.kept_at is None else rejection.kept_at.astimezone().strftime("%Y-%m-%d %H:%M")
        using = translate("KioskWindow", "The kiosk runs on the last one that worked ({when}).").format(when=when)
    else:
        using = translate("KioskWindow", "SAFE MODE on built-in settings (none that worked is kept): "
                          "Call nurse chimes in the room only.")
    count = len(rejection.problems)
    return translate(
        "KioskWindow", "{using} Configuration rejected ({count} problem(s)): {problem} IT: `kiosk status`."
    ).format(count=count, problem=rejection.problems[0] if count else "", using=using)


def create_window(config: Config, *, clock: Clock | None = None, one_time: str | None = None,
                  rejection: Rejection | None = None) -> KioskWindow:
    """Build the kiosk for `config` (open the log, restore the visit and lock-out); show nothing.

    `rejection` is the configuration this start could not use (see `kiosk.lastgood`):
    staff see it in the banner.
    """
    clock = clock or SystemClock()
    translations.install(config.kiosk.default_language)  # the staff screens speak the clinic's language
    contents, content_problems = load_contents(config.kiosk.languages, config.kiosk.content_dir)
    for problem in content_problems:
        log.critical("patient texts: %s", problem)
    events = open_log(config.log.dir, kiosk=config.kiosk.id, room=config.kiosk.room, clock=clock)
    try:
        history = _history(config.log.dir)
        session = SessionModel(events, clock, languages=config.kiosk.languages)
        session.restore(history)
        call = config.nurse_call
        calls = NurseCall(
            events, clock, repeat_guard_seconds=call.repeat_guard_seconds,
            remind_seconds=call.remind_seconds, escalate_seconds=call.escalate_seconds,
            reasons=call.reasons, session=lambda: session.state.session,
        )
        if not config.staff.pin_hash and one_time is None:
            one_time = one_time_pin()
        gate = PinGate(
            events, clock, pin_hash=config.staff.pin_hash, one_time=one_time,
            attempts=config.staff.lockout_attempts, lockout_seconds=config.staff.lockout_seconds,
        )
        gate.restore(history)
        care = VisitCare(events, session)
        care.restore(history)
        window = KioskWindow(config, events, session, calls, gate, contents, clock, care=care,
                             content_problems=content_problems, one_time=one_time,
                             rejection=rejection)
        calls.restore(history)  # after the window: an unanswered call chimes again at once
        if calls.state.is_open:
            window._offer_next()  # an open call comes before any question
        return window
    except BaseException:
        events.close()
        raise


def _history(directory: Path) -> list[Event]:
    """The events that rebuild the open visit, call and PIN lock-out ([] if unreadable).

    The log is streamed once; only what restore needs is kept (see `kiosk.restore`).
    """
    try:
        return read_history(directory).events()
    except EventLogError as error:
        log.critical("the event log cannot be read, so nothing is restored: %s", error)
        return []


def install_crash_handler(window: KioskWindow) -> None:
    """Route unexpected exceptions to the event log and back to the patient's screen."""

    def record(data: dict[str, str]) -> None:
        window.events.append("error", data, session=window.session.state.session)

    def recover() -> None:
        window.close_staff()
        window.go_home()

    sys.excepthook = crash_handler(record, recover)


def run(config: Config, *, windowed: bool = False, clock: Clock | None = None,
        rejection: Rejection | None = None) -> int:
    """Start the kiosk on `config` and run until Exit kiosk or a stop signal.

    `rejection` says which configuration was given and could not be used; then
    `config` is the last good one or the safe defaults (`kiosk.lastgood.choose`).
    A start on the given configuration keeps it as the last good one.
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("infusion-kiosk")
    app.setApplicationVersion(__version__)
    try:
        window = create_window(config, clock=clock, rejection=rejection)
    except EventLogError as error:
        log.critical("%s", error)
        print(f"kiosk: {error}", file=sys.stderr)
        return 2
    watcher = SignalWatcher(app, before_quit=window.shutdown)
    _log_restored(window.session)
    if window.one_time_pin:
        message = (
            f"No staff PIN is configured (staff.pin_hash). One-time staff PIN for this start: "
            f"{window.one_time_pin}"
        )
        print(message, file=sys.stderr, flush=True)
        log.warning("%s", message)
    events = window.events
    _record_start(events, config, rejection)
    if rejection is None:
        _keep_last_good(config)
    install_crash_handler(window)
    control = ControlServer(config.log.dir, window.control_command, window)
    problem = control.listen()
    if problem:
        log.warning("kiosk call ack will not reach this kiosk: %s", problem)
    if config.display.hide_cursor and not windowed:
        app.setOverrideCursor(Qt.CursorShape.BlankCursor)
    if windowed:
        window.resize(1280, 800)
        window.show()
    else:
        keep_screen_awake()
        window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            # Without a window manager, showFullScreen() alone leaves a small window.
            window.setGeometry(screen.geometry())
        window.showFullScreen()
    log.info("kiosk %s is running in %s", config.kiosk.id, config.kiosk.room)
    watchdog = WatchdogPinger(Notifier(), app)
    for name in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"):  # read: the notify
        os.environ.pop(name, None)  # commands the kiosk starts must not speak for it
    watchdog.ready(f"kiosk {config.kiosk.id} running in {config.kiosk.room}")
    status = app.exec()
    watchdog.stopping()
    reason = window.exit_reason or ("signal" if watcher.received is not None else "quit")
    _try_append(events, "kiosk.stopped", {"reason": reason})
    control.close()
    window.shutdown()
    events.close()
    return status


def _log_restored(session: SessionModel) -> None:
    """Say in the journal which visit a restart picked up, for IT and for tests."""
    state = session.state
    if not state.is_open:
        log.info("no open visit to restore")
        return
    minutes = session.infusion_elapsed_minutes()
    infusion = "" if minutes is None else f", {minutes} min of infusion"
    log.info("restored the open visit %s: stage %s%s", state.session, state.stage, infusion)


def _try_append(events: EventLog | OfflineLog, type: str, data: dict[str, object]) -> bool:
    """Record a housekeeping event; a log that cannot be written must not stop the kiosk."""
    try:
        events.append(type, data)
    except EventLogError as error:
        log.critical("could not record %s: %s", type, error)
        return False
    return True


def _keep_last_good(config: Config) -> None:
    """Keep the configuration of this good start for a start whose configuration is rejected."""
    state = state_dir()
    try:
        if keep(config, state):
            log.info("kept this configuration as the last good one in %s", state)
    except OSError as error:
        log.warning("could not keep the last good configuration in %s: %s", state, error)


def _record_start(events: EventLog | OfflineLog, config: Config, rejection: Rejection | None = None) -> None:
    try:
        removed = events.prune(config.log.retention_days)
    except EventLogError as error:
        log.critical("could not remove old event log files: %s", error)
    else:
        if removed:
            log.info("removed %d event log file(s) older than %d days", len(removed), config.log.retention_days)
    _try_append(events, "kiosk.started", {"version": __version__, "pid": os.getpid()})
    if rejection is not None:
        _try_append(events, "config.rejected", rejection.event_data())
    _try_append(events, "config.loaded", {"files": [str(path) for path in config.sources],
                                          "mode": "configured" if rejection is None else rejection.fallback})
    low_space = low_space_problem(config.log.dir, config.log.min_free_mb)
    if low_space is not None:
        log.warning("%s", low_space)
