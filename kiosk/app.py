"""The composition root: config → event log → visit and call models → PIN gate → screens → window.

`create_window()` builds the whole kiosk without showing it (tests use it);
`run()` adds the QApplication, the start and stop events, lock-down and the
event loop. Nothing else in the kiosk constructs these parts. The window hosts
the screens and routes their intents to the core; it holds no rules itself.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Slot
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk import __version__
from kiosk.app_support import SignalWatcher, event_line
from kiosk.breathing import Guide, all_patterns
from kiosk.call_paths import CallPaths
from kiosk.clock import Clock, SystemClock
from kiosk.config import Config
from kiosk.content import Content, load_content
from kiosk.control import ControlServer
from kiosk.events import (
    Event,
    EventLog,
    EventLogError,
    OfflineLog,
    open_log,
    read_events,
)
from kiosk.lockdown import LockdownFilter, crash_handler, keep_screen_awake
from kiosk.media.chime import NO_OUTPUT as CHIME_NO_OUTPUT
from kiosk.media.cue import CueTone
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
from kiosk.screens.base import Screen
from kiosk.screens.breathe import BreatheScreen
from kiosk.screens.call import CallScreen
from kiosk.screens.idle import IdleScreen
from kiosk.screens.music import MusicScreen
from kiosk.screens.staff import StaffScreen
from kiosk.screens.stage import StageScreen
from kiosk.security import PinGate, one_time_pin
from kiosk.session import INFUSION, STAGES, SessionError, SessionModel, VisitState
from kiosk.theme import stylesheet
from kiosk.widgets import (
    BigButton,
    CallKeyFilter,
    CallNurseButton,
    CallStrip,
    LongPressButton,
)

log = logging.getLogger(__name__)

WINDOW_TITLE = "infusion-kiosk"
REFRESH_MS = 15_000  # the infusion minutes on screen; cheap, and a minute is the finest unit shown
RESTORED_TYPES = ("session.", "stage.", "staff.", "nurse_call.")
RETURN_SCREENS = ("music", "breathe", "call")
NO_OUTPUT = "No audio output was found: neither the call chime nor music can sound in the room."  # patient pages that lead back to the stage guide


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
        one_time: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.clock = clock
        self.config = config
        self.events = events
        self.session = session
        self.calls = calls
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
        self.screens: dict[str, Screen] = {
            s.name: s
            for s in (self.idle_screen, self.stage_screen, self.music_screen, self.breathe_screen,
                      self.call_screen, self.staff_screen)
        }
        for screen in self.screens.values():
            # The stack takes the screen's size; no page may push the window past it.
            screen.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
            self._stack.addWidget(screen)
        self._return_to = "stage"
        self._journaled_call: tuple[str | None, str] = (None, "none")

        # the bar along the bottom of every patient screen
        self.bar = QWidget(self)
        self.bar.setObjectName("bar")
        self.staff_button = LongPressButton("Staff", self.bar, accessible_name="Staff")
        self.music_button = BigButton(content.text("music"), self.bar, accessible_name="Music")
        self.breathe_button = BigButton(content.text("breathe"), self.bar, accessible_name="Breathe")
        self.home_button = BigButton(content.text("back"), self.bar, accessible_name="Back")
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
        bar_layout.addWidget(self.call_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._stack, 1)
        layout.addWidget(self.call_strip)
        layout.addWidget(self.bar)

        # timers: all intervals from config
        self._staff_timer = self._single_shot(config.staff.timeout_seconds * 1000, self.close_staff)
        self._idle_timer = self._single_shot(config.display.idle_return_seconds * 1000, self.go_home)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self._on_refresh_timer_timeout)

        # a call reaches staff by every configured path
        self.call_paths = CallPaths(calls, config.nurse_call, kiosk=config.kiosk.id,
                                    room=config.kiosk.room, parent=self)
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
                             calls.subscribe(self._on_call_changed)]
        self._lockdown = LockdownFilter(self._on_activity, self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self._lockdown)
            app.installEventFilter(self.call_keys)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self._apply_content(content)
        self.go_home()

    @property
    def staff_timer(self) -> QTimer:
        """Closes staff mode after `staff.timeout_seconds` untouched."""
        return self._staff_timer

    @property
    def idle_timer(self) -> QTimer:
        """Returns from Music, Breathe or the call page after `display.idle_return_seconds`."""
        return self._idle_timer

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
        visit_open = self.session.is_open
        self.music_button.setVisible(visit_open and name != "music")
        self.breathe_button.setVisible(visit_open and name != "breathe")
        if new.patient:
            self._staff_timer.stop()
        else:
            self._staff_timer.start()
        self._update_idle_timer()

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
        """The patient's home: the stage guide during a visit, the idle screen outside one."""
        self.show_screen("stage" if self.session.is_open else "idle")

    # -- breathing -------------------------------------------------------------------
    @Slot(bool)
    def _on_breathing_running_changed(self, running: bool) -> None:
        self._update_idle_timer()
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
        if command == "ack":
            if not state.is_open:
                return "none no call is open"
            if state.status == ACKNOWLEDGED:
                return f"ok call {state.call_id} was already acknowledged"
            self.calls.acknowledge("shell")
            return f"ok acknowledged call {state.call_id}"
        return f"error unknown command {command!r} (ack or status)"

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
        since = f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
        answered = "acknowledged" if state.status == ACKNOWLEDGED else "not yet acknowledged"
        parts = [f"Call made {since} ago", answered]
        if state.reason:
            parts.append(state.reason)
        if not state.recorded:
            parts.append("not in the event log")
        return " · ".join(parts)

    def faults(self) -> list[str]:
        """What staff must know is not working, in plain sentences."""
        faults = []
        if not self.config.staff.pin_hash:
            faults.append("No staff PIN is configured. Use the one-time PIN printed when the "
                          "kiosk started, and ask IT to set staff.pin_hash.")
        if isinstance(self.events, OfflineLog) and self.events.problem:
            faults.append(f"The event log cannot be used ({self.events.problem}). Calls still "
                          "chime and notify; nothing is recorded until IT fixes it.")
        elif self.calls.log_problem:
            faults.append(f"The event log cannot be written ({self.calls.log_problem}). Calls "
                          "still chime and notify, but are not recorded.")
        sound = self.call_paths.faults()
        if self.music.fault():
            if CHIME_NO_OUTPUT in sound:  # one sentence for one missing speaker
                sound[sound.index(CHIME_NO_OUTPUT)] = NO_OUTPUT
            else:
                sound.append(self.music.fault())
        return faults + sound

    @Slot()
    def _refresh_faults(self) -> None:
        self.staff_screen.set_banner("\n".join(self.faults()))

    # -- staff mode ------------------------------------------------------------------
    @Slot()
    def open_staff(self) -> None:
        log.info("staff PIN pad opened")
        self._refresh_staff_call()
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
            self.go_home()

    @Slot(str)
    def _on_staff_unlock_requested(self, pin: str) -> None:
        try:
            result = self.gate.try_unlock(pin)
        except EventLogError as error:
            self.staff_screen.show_pin_page(f"The event log cannot be written: {error}")
            return
        if result.ok:
            self._show_panel()
        elif result.locked_seconds > 0:
            self.staff_screen.show_pin_page(_locked_message(result.locked_seconds), locked=True)
        else:
            left = result.attempts_left
            self.staff_screen.show_pin_page(
                f"That PIN is not right. {left} {'try' if left == 1 else 'tries'} left."
                if left is not None else "That PIN is not right."
            )

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
        self.staff_screen.show_panel(state, status, self._today_lines())

    def _status_text(self, state: VisitState) -> str:
        if not state.is_open:
            return "No visit open."
        content = self._content()
        index = STAGES.index(state.stage)
        text = f"Stage {index + 1} of {len(STAGES)}: {content.stages[state.stage].title}"
        if state.stage == INFUSION:
            text += f" · {self.session.infusion_elapsed_minutes()} min so far"
        return f"{text} · planned {state.planned_infusion_minutes} min"

    def _today_lines(self) -> list[str]:
        today = self.clock.now().date()
        try:
            events: Iterable[Event] = read_events(self.events.directory, since_day=today)
            return [event_line(e) for e in events if e.room == self.config.kiosk.room][-200:]
        except EventLogError as error:
            return [f"The event log cannot be read: {error}"]

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
        for timer in (self._staff_timer, self._idle_timer, self._refresh_timer):
            timer.stop()
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self.call_paths.shutdown()
        self.breathe_screen.shutdown()
        if self.cue is not None:
            self.cue.close()
        self.music.shutdown()
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        if self._exiting:
            event.accept()
        else:
            log.info("close request refused: only Exit kiosk in staff mode closes the kiosk")
            event.ignore()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
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
        self.call_button.setText(content.text("call_nurse"))
        self.music.set_content(content)
        self.breathe_screen.set_content(content)
        self.call_screen.set_reasons([(r, content.reason(r)) for r in self.calls.reasons],
                                     content.call_text("reason_prompt"))
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
        if self._staff_timer.isActive():
            self._staff_timer.start()
        if self._idle_timer.isActive():
            self._idle_timer.start()

    def _on_session_changed(self, state: VisitState) -> None:
        self._apply_content(self._content())
        if state.stage == INFUSION:
            self._refresh_timer.start()
        else:
            self._refresh_timer.stop()
        if self.current_screen().patient:
            self.go_home()  # the staff panel redraws itself after each action

    @Slot()
    def _on_refresh_timer_timeout(self) -> None:
        if self.current_screen() is self.stage_screen:
            self.stage_screen.refresh()


def _locked_message(seconds: float) -> str:
    minutes, rest = divmod(int(seconds + 0.999), 60)
    span = f"{minutes} min {rest} s" if minutes else f"{rest} s"
    return f"Too many wrong PINs. Staff entry is locked for {span}. Patient controls still work."


def create_window(config: Config, *, clock: Clock | None = None, one_time: str | None = None) -> KioskWindow:
    """Build the kiosk for `config` (open the log, restore the visit and lock-out); show nothing."""
    clock = clock or SystemClock()
    contents = {code: load_content(code) for code in config.kiosk.languages}
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
        window = KioskWindow(config, events, session, calls, gate, contents, clock,
                             one_time=one_time)
        calls.restore(history)  # after the window: an unanswered call chimes again at once
        return window
    except BaseException:
        events.close()
        raise


def _history(directory: Path) -> list[Event]:
    """The events that rebuild the open visit, call and PIN lock-out ([] if unreadable)."""
    try:
        return [e for e in read_events(directory) if e.type.startswith(RESTORED_TYPES)]
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


def run(config: Config, *, windowed: bool = False, clock: Clock | None = None) -> int:
    """Start the kiosk on `config` and run until Exit kiosk or a stop signal."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("infusion-kiosk")
    app.setApplicationVersion(__version__)
    try:
        window = create_window(config, clock=clock)
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
    _record_start(events, config)
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
    status = app.exec()
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


def _record_start(events: EventLog | OfflineLog, config: Config) -> None:
    try:
        removed = events.prune(config.log.retention_days)
    except EventLogError as error:
        log.critical("could not remove old event log files: %s", error)
    else:
        if removed:
            log.info("removed %d event log file(s) older than %d days", len(removed), config.log.retention_days)
    _try_append(events, "kiosk.started", {"version": __version__, "pid": os.getpid()})
    _try_append(events, "config.loaded", {"files": [str(path) for path in config.sources]})
