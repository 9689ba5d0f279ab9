"""The paths by which a call reaches staff: the chime in the room and the notify command.

`NurseCall` (plain Python) decides what must happen and tells it as notices;
this object carries them out on the Qt side and reports back what each path did,
which the call model records as `nurse_call.chimed` / `nurse_call.notified`. It
also runs the timer that asks the model for reminders and the escalation.
Nothing here waits: the chime starts asynchronously and the notify command runs
as a background process with a timeout.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from kiosk.config_schema import NurseCallConfig
from kiosk.media.chime import Chime
from kiosk.notify import NotifyRunner
from kiosk.nurse_call import CallState, Notice, NurseCall

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
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._calls = calls
        self._fields = {"kiosk": kiosk, "room": room}
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

    # -- inside ----------------------------------------------------------------------
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
