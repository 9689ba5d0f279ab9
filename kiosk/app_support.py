"""Small pieces the application needs around the window: signals and event lines.

Qt's own messages are left to Qt, which writes them to stderr (the journal, under
systemd). A Python message handler would be called from QtMultimedia's threads,
which then need the GIL; while the main thread holds it inside a blocking media
call (QMediaPlayer.stop() waits for those threads), the kiosk would freeze.
"""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier, Qt, QTimer, Slot
from PySide6.QtWidgets import QApplication

from kiosk.events import Event
from kiosk.sdnotify import Notifier


class SignalWatcher:
    """Turns SIGTERM/SIGINT into a clean quit of the Qt event loop.

    Python runs signal handlers only when it gets control; a wake-up socket read
    by a QSocketNotifier gives it control at once, without a polling timer.
    """

    def __init__(self, app: QApplication, before_quit: Callable[[], None]) -> None:
        self._before_quit = before_quit
        self._reader, self._writer = socket.socketpair()
        self._writer.setblocking(False)
        self._reader.setblocking(False)
        signal.set_wakeup_fd(self._writer.fileno())
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, app)
        self._notifier.activated.connect(self._drain)
        self.received: int | None = None
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda number, _frame: self._quit(app, number))

    def _drain(self) -> None:
        try:
            while self._reader.recv(64):
                pass
        except BlockingIOError:
            pass

    def _quit(self, app: QApplication, signum: int) -> None:
        self.received = signum
        self._before_quit()  # Qt 6's quit() is cancelled while a window refuses to close
        # Posted, not called: quit() does nothing if the event loop has not started yet.
        QTimer.singleShot(0, app.quit)


def event_line(event: Event) -> str:
    """One short line for the staff panel's list of today's events, in local time."""
    when = event.ts.astimezone().strftime("%H:%M")
    detail = ""
    if event.type == "stage.changed":
        detail = f"  → {event.data.get('to')}"
    elif event.type == "session.started":
        detail = f"  {event.data.get('planned_infusion_minutes')} min, {event.data.get('language')}"
    return f"{when}  {event.type}{detail}"


class WatchdogPinger(QObject):
    """READY, watchdog pings from the event loop, STOPPING: the kiosk's side of systemd's watchdog.

    The pings come from a plain timer on the GUI thread, so a frozen window stops
    them and systemd restarts the kiosk.
    """

    def __init__(self, notifier: Notifier, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._notifier = notifier
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.CoarseTimer)
        self._timer.timeout.connect(self._ping)

    @property
    def timer(self) -> QTimer:
        return self._timer

    def ready(self, status: str) -> None:
        """Tell systemd the kiosk is up, and start pinging if it keeps a watchdog."""
        self._notifier.notify("READY=1", f"STATUS={status}")
        interval = self._notifier.watchdog_interval
        if interval is not None:
            self._timer.start(max(1, int(interval * 1000)))
            self._ping()

    def stopping(self) -> None:
        """Stop pinging and tell systemd the kiosk is on its way out."""
        self._timer.stop()
        self._notifier.notify("STOPPING=1")

    @Slot()
    def _ping(self) -> None:
        self._notifier.notify("WATCHDOG=1")
