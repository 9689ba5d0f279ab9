"""`kiosk station`: the nurses' desk window over the broker link.

`Station` wires the three parts: the `DeskLink` (its own thread) hands every decoded
message to the GUI thread through a signal, the `StationModel` takes it and says
which resend requests to send, and the `StationWindow` draws the model and asks
for acknowledgements, which go back out through the link.
"""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication

from kiosk import __version__, translations
from kiosk.app_support import SignalWatcher
from kiosk.clock import Clock, SystemClock
from kiosk.config import Config
from kiosk.station.link import DeskLink, Incoming
from kiosk.station.model import StationModel
from kiosk.station.mqtt import BrokerSettings
from kiosk.station.protocol import (
    STATION_USER,
    Ack,
    CallEvent,
    Heartbeat,
    Resend,
    RoomState,
)
from kiosk.station.window import StationWindow

log = logging.getLogger(__name__)

#: how often the desk asks again for call events still missing
RESEND_CHECK_MS = 3000


class Station(QObject):
    """The desk: model, window and link, for one configuration."""

    _heard = Signal(object)
    _connection = Signal(bool, str)

    def __init__(self, config: Config, *, clock: Clock | None = None, alert: bool = True,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        station = config.station
        self.clock = clock or SystemClock()
        self.model = StationModel(self.clock, escalate_seconds=config.nurse_call.escalate_seconds,
                                  silent_after_seconds=station.silent_after_seconds)
        self.window = StationWindow(self.model, self.clock, alert=alert)
        settings = BrokerSettings(host=station.broker, port=station.port, ca_file=station.ca_file,
                                  user=station.user or STATION_USER,
                                  password_file=station.password_file)
        self._heard.connect(self._on_heard)
        self._connection.connect(self._on_connection)
        self.window.acknowledge_requested.connect(self._on_acknowledge_requested)
        self.link = DeskLink(settings, on_message=self._heard.emit,
                             on_connection=self._connection.emit)
        self.model.set_connected(False, f"connecting to {station.broker}:{station.port}")
        self.window.refresh()
        self._resend_timer = QTimer(self)
        self._resend_timer.setInterval(RESEND_CHECK_MS)
        self._resend_timer.timeout.connect(self._on_resend_timer_timeout)

    def start(self) -> None:
        self.link.start()
        self._resend_timer.start()

    def shutdown(self) -> None:
        """Stop the link's thread and the window's timers and sound (idempotent)."""
        self._resend_timer.stop()
        self.link.stop()
        self.window.shutdown()

    @Slot()
    def _on_resend_timer_timeout(self) -> None:
        if self.model.connected:
            for kiosk, request in self.model.resends_due():
                self.link.send(kiosk, request)

    @Slot(object)
    def _on_heard(self, incoming: Incoming) -> None:
        requests: list[tuple[str, Resend]] = []
        if isinstance(incoming, RoomState):
            requests = self.model.on_state(incoming)
        elif isinstance(incoming, CallEvent):
            requests = self.model.on_event(incoming)
        elif isinstance(incoming, Heartbeat):
            self.model.on_heartbeat(incoming)
        else:
            kiosk, online = incoming
            requests = self.model.on_online(kiosk, online)
            if online:  # an acknowledgement it may have missed while away
                for ack in self.model.acks_to_resend(kiosk):
                    self.link.send(kiosk, ack)
        for kiosk, request in requests:
            self.link.send(kiosk, request)
        self.window.refresh()

    @Slot(bool, str)
    def _on_connection(self, connected: bool, problem: str) -> None:
        self.model.set_connected(connected, problem)
        self.window.refresh()

    @Slot(str)
    def _on_acknowledge_requested(self, kiosk: str) -> None:
        ack: Ack | None = self.model.acknowledge(kiosk)
        if ack is not None:
            self.link.send(kiosk, ack)
        self.window.refresh()


def run(config: Config, *, windowed: bool = True) -> int:
    """Show the nurse station until its window is closed or the process is told to stop."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("infusion-kiosk-station")
    app.setApplicationVersion(__version__)
    translations.install(config.kiosk.default_language)  # the desk speaks the clinic's language
    desk = Station(config)
    watcher = SignalWatcher(app, before_quit=desk.shutdown)
    desk.start()
    if windowed:
        desk.window.resize(1280, 800)
        desk.window.show()
    else:
        desk.window.showMaximized()
    log.info("nurse station started, broker %s:%d", config.station.broker, config.station.port)
    status = app.exec()
    desk.shutdown()
    del watcher
    return status

