"""The paths by which a call reaches staff: the chime, the notify command, the nurse station.

`NurseCall` (plain Python) decides what must happen and tells it as notices;
this object carries them out on the Qt side and reports back what each path did,
which the call model records as `nurse_call.chimed` / `nurse_call.notified`. It
also runs the timer that asks the model for reminders and the escalation.
Nothing here waits: the chime starts asynchronously, the notify command runs
as a background process with a timeout, and the nurse station's link has its own
thread, fed from the event log (see `kiosk.station_link`).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot

from kiosk.clock import Clock
from kiosk.config_schema import NurseCallConfig, StationConfig
from kiosk.event_format import Event
from kiosk.media.chime import Chime
from kiosk.notify import NotifyRunner
from kiosk.nurse_call import REQUESTED, CallState, Notice, NurseCall
from kiosk.station.mqtt import BrokerSettings
from kiosk.station.protocol import Ack, RoomState
from kiosk.station_link import StationLink

log = logging.getLogger(__name__)


class CallPaths(QObject):
    """Chime and notify command for the calls of one kiosk.

    Signals: `faults_changed` when what staff should be told about these paths changes.
    """

    faults_changed = Signal()

    def __init__(
        self,
        calls: NurseCall,
        config: NurseCallConfig,
        *,
        kiosk: str,
        room: str,
        station: StationPath | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._calls = calls
        self._fields = {"kiosk": kiosk, "room": room}
        self.station = station
        if station is not None:
            station.setParent(self)
            station.acknowledged.connect(self._on_station_acknowledged)
            station.problem_changed.connect(self.faults_changed)
        self.chime: Chime | None = None
        if config.chime:
            self.chime = Chime(config.chime_volume, self)
            self.chime.fault_changed.connect(self._on_chime_fault_changed)
            self.chime.probe()  # staff learn of a missing output before the first call
        self.notifier: NotifyRunner | None = None
        if config.notify_command:
            self.notifier = NotifyRunner(config.notify_command, config.notify_timeout_seconds, self)
            self.notifier.finished.connect(self._on_notify_finished)
        self._notify_fault = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._unsubscribe = [calls.on_notice(self._on_notice), calls.subscribe(self._on_state)]

    @property
    def timer(self) -> QTimer:
        """Fires when the call model next has a reminder or the escalation due."""
        return self._timer

    @property
    def chime_enabled(self) -> bool:
        return self.chime is not None

    @property
    def notify_enabled(self) -> bool:
        return self.notifier is not None

    def faults(self) -> list[str]:
        """Plain sentences for staff about paths that do not work right now."""
        faults = []
        if self.chime is not None and self.chime.fault:
            faults.append(self.chime.fault)
        if self._notify_fault:
            faults.append(self._notify_fault)
        if self.station is not None and self.station.problem:
            faults.append(QCoreApplication.translate(
                "CallPaths", "The nurse station cannot be reached ({problem}). Calls still chime in "
                "the room and are logged; they reach the desk when it is back.").format(
                    problem=self.station.problem))
        return faults

    def shutdown(self) -> None:
        """Stop the chime, the timer and any notify command still running (idempotent)."""
        self._timer.stop()
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        if self.chime is not None:
            self.chime.close()
        if self.notifier is not None:
            self.notifier.shutdown()
        if self.station is not None:
            self.station.shutdown()

    # -- inside ----------------------------------------------------------------------
    @Slot(str)
    def _on_station_acknowledged(self, call_id: str) -> None:
        state = self._calls.state
        if state.call_id == call_id and state.status == REQUESTED:
            self._calls.acknowledge("station")
        else:
            log.info("the nurse station acknowledged call %s, which is not open here", call_id)

    def _on_notice(self, notice: Notice) -> None:
        if notice.stop_chime and self.chime is not None:
            self.chime.stop()
        if notice.notify and self.notifier is not None:
            self.notifier.run({
                **self._fields,
                "event": notice.event,
                "reason": notice.reason or "",
                "call_id": notice.call_id,
            })
        if notice.chime and self.chime is not None:
            played = self.chime.play()
            self._calls.chime_result(notice, "" if played else self.chime.fault)

    def _on_state(self, state: CallState) -> None:
        due = self._calls.seconds_until_due()
        if due is None:
            self._timer.stop()
        else:
            self._timer.start(max(1, round(due * 1000)))

    @Slot()
    def _on_timer_timeout(self) -> None:
        self._calls.tick()
        self._on_state(self._calls.state)

    @Slot(dict)
    def _on_notify_finished(self, outcome: dict[str, Any]) -> None:
        # the runner has logged a failure already; here it becomes an event and a staff fault
        fault = "" if outcome.get("ok") else (
            f"The notify command failed ({outcome.get('event')}): {outcome.get('error')}")
        self._calls.notify_result(outcome)
        if fault != self._notify_fault:
            self._notify_fault = fault
            self.faults_changed.emit()

    @Slot(str)
    def _on_chime_fault_changed(self, fault: str) -> None:
        if fault:
            log.error("%s", fault)
        self.faults_changed.emit()


class StationPath(QObject):
    """The nurse station, reached through the broker by a `StationLink` in its own thread.

    The link is fed by the event log (a listener) and by `publish_state`; what it hears
    comes back here as signals, which Qt delivers in this object's (the GUI) thread.

    Signals: `acknowledged(call_id)` when the desk acknowledged a call; `problem_changed`
    when the link's fault for staff changes.
    """

    acknowledged = Signal(str)
    problem_changed = Signal()
    _problem_reported = Signal(str)

    def __init__(self, config: StationConfig, *, kiosk: str, log_dir: Path, clock: Clock,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        settings = BrokerSettings(host=config.broker, port=config.port, ca_file=config.ca_file,
                                  user=config.user or kiosk, password_file=config.password_file)
        self.problem = ""
        self._last_state: RoomState | None = None
        self._problem_reported.connect(self._on_problem_reported)
        self.link = StationLink(settings, kiosk=kiosk, log_dir=log_dir, clock=clock,
                                heartbeat_seconds=config.heartbeat_seconds,
                                on_ack=self._ack_heard, on_problem=self._problem_reported.emit)
        self.link.start()

    def event_logged(self, event: Event) -> None:
        """For `EventLog.add_listener`: in the writer's thread, a queue put only."""
        self.link.event_logged(event)

    def publish_state(self, state: RoomState) -> None:
        """The room's state; sent only when it differs from the last one (the time aside)."""
        if self._last_state is not None and replace(self._last_state, ts=_EPOCH) == replace(state, ts=_EPOCH):
            return
        self._last_state = state
        self.link.set_state(state)

    def shutdown(self) -> None:
        """Say "offline" to the station and end the link's thread (idempotent)."""
        self.link.stop()

    def _ack_heard(self, ack: Ack) -> None:  # the link's thread
        self.acknowledged.emit(ack.call_id)

    @Slot(str)
    def _on_problem_reported(self, problem: str) -> None:
        self.problem = problem
        self.problem_changed.emit()


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
