"""The composition root: config → event log → visit model → screens → window.

`create_window()` builds the whole kiosk without showing it (tests use it);
`run()` adds the QApplication, the start and stop events and the event loop.
Nothing else in the kiosk constructs these parts.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys

from PySide6.QtCore import QMessageLogContext, QSocketNotifier, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QStackedWidget, QVBoxLayout, QWidget

from kiosk import __version__
from kiosk.clock import Clock, SystemClock
from kiosk.config import Config
from kiosk.events import EventLog, EventLogError, read_events
from kiosk.screens.idle import IdleScreen
from kiosk.session import SessionModel, VisitState
from kiosk.theme import stylesheet

log = logging.getLogger(__name__)

WINDOW_TITLE = "infusion-kiosk"


class KioskWindow(QWidget):
    """The top-level window: hosts the screens; holds no business logic."""

    def __init__(
        self, config: Config, events: EventLog, session: SessionModel, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.config = config
        self.events = events
        self.session = session
        self.setWindowTitle(WINDOW_TITLE)
        self.setObjectName("kiosk")
        self.setStyleSheet(stylesheet(config.display.theme, config.display.text_scale))
        self._stack = QStackedWidget(self)
        self.idle_screen = IdleScreen(config.kiosk.clinic_name, self._stack)
        self._stack.addWidget(self.idle_screen)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)
        self._unsubscribe = session.subscribe(self._on_session_changed)
        self._on_session_changed(session.state)

    def _on_session_changed(self, state: VisitState) -> None:
        self.idle_screen.show_state(state)

    def current_screen(self) -> QWidget | None:
        return self._stack.currentWidget()


def create_window(config: Config, *, clock: Clock | None = None) -> KioskWindow:
    """Build the kiosk for `config` (open the log, restore any open visit); show nothing."""
    clock = clock or SystemClock()
    events = EventLog(config.log.dir, kiosk=config.kiosk.id, room=config.kiosk.room, clock=clock)
    session = SessionModel(events, clock, languages=config.kiosk.languages)
    session.restore(read_events(config.log.dir))
    return KioskWindow(config, events, session)


def _route_qt_messages() -> None:
    """Send Qt's own warnings through Python logging: one path for diagnostics."""
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        category = context.category or "qt"
        logging.getLogger(f"qt.{category}").log(levels.get(kind, logging.WARNING), message)

    qInstallMessageHandler(handler)


class _SignalWatcher:
    """Turns SIGTERM/SIGINT into a clean quit of the Qt event loop.

    Python runs signal handlers only when it gets control; a wake-up socket read
    by a QSocketNotifier gives it control at once, without a polling timer.
    """

    def __init__(self, app: QApplication) -> None:
        self._reader, writer = socket.socketpair()
        self._writer = writer
        writer.setblocking(False)
        self._reader.setblocking(False)
        signal.set_wakeup_fd(writer.fileno())
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, app)
        self._notifier.activated.connect(self._drain)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda number, _frame: self._quit(app, number))
        self.received: int | None = None

    def _drain(self) -> None:
        try:
            while self._reader.recv(64):
                pass
        except BlockingIOError:
            pass

    def _quit(self, app: QApplication, signum: int) -> None:
        self.received = signum
        app.quit()


def run(config: Config, *, windowed: bool = False, clock: Clock | None = None) -> int:
    """Start the kiosk on `config` and run until it is told to stop."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    _route_qt_messages()
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
    events = window.events
    _record_start(events, config)
    watcher = _SignalWatcher(app)
    if windowed:
        window.resize(1280, 800)
        window.show()
    else:
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            # Without a window manager, showFullScreen() alone leaves a small window.
            window.setGeometry(screen.geometry())
        window.showFullScreen()
    status = app.exec()
    reason = "signal" if watcher.received is not None else "quit"
    _try_append(events, "kiosk.stopped", {"reason": reason})
    events.close()
    return status


def _try_append(events: EventLog, type: str, data: dict[str, object]) -> bool:
    """Record a housekeeping event; a log that cannot be written must not stop the kiosk."""
    try:
        events.append(type, data)
    except EventLogError as error:
        log.critical("could not record %s: %s", type, error)
        return False
    return True


def _record_start(events: EventLog, config: Config) -> None:
    try:
        removed = events.prune(config.log.retention_days)
    except EventLogError as error:
        log.critical("could not remove old event log files: %s", error)
    else:
        if removed:
            log.info(
                "removed %d event log file(s) older than %d days",
                len(removed),
                config.log.retention_days,
            )
    _try_append(events, "kiosk.started", {"version": __version__, "pid": os.getpid()})
    _try_append(events, "config.loaded", {"files": [str(path) for path in config.sources]})
