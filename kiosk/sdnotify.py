"""Messages to systemd: ready, still alive (the watchdog), stopping.

systemd names a datagram socket in $NOTIFY_SOCKET and, with WatchdogSec=, asks
for a ping every $WATCHDOG_USEC microseconds. The kiosk is not the service's
main process when cage or xinit starts it, so a watchdog meant for its parent
counts as its own. Outside systemd every call here does nothing. Plain sockets,
no Qt: the Qt side is WatchdogPinger in app_support.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


class Notifier:
    """Messages to systemd's notify socket ($NOTIFY_SOCKET); does nothing when not under systemd."""

    def __init__(
        self,
        environ: Mapping[str, str] = os.environ,
        *,
        pid: int | None = None,
        ppid: int | None = None,
    ) -> None:
        self._address = environ.get("NOTIFY_SOCKET", "")
        if self._address.startswith("@"):
            self._address = "\0" + self._address[1:]  # the abstract namespace
        self._watchdog_usec = environ.get("WATCHDOG_USEC", "")
        self._watchdog_pid = environ.get("WATCHDOG_PID", "")
        self._pid = os.getpid() if pid is None else pid
        self._ppid = os.getppid() if ppid is None else ppid
        self._socket: socket.socket | None = None
        self._warned = False

    @property
    def enabled(self) -> bool:
        """True when systemd gave a notify socket (a path, or an abstract '@name')."""
        return bool(self._address)

    @property
    def watchdog_interval(self) -> float | None:
        """Seconds between watchdog pings (half of systemd's limit), or None for no watchdog."""
        if not self.enabled:
            return None
        try:
            usec = int(self._watchdog_usec)
        except ValueError:
            return None
        if usec <= 0:
            return None
        if self._watchdog_pid:
            try:
                pid = int(self._watchdog_pid)
            except ValueError:
                return None
            # The watchdog is the main process's: ours, or cage's or xinit's above us.
            if pid not in (self._pid, self._ppid):
                return None
        return usec / 2 / 1_000_000

    def notify(self, *states: str) -> bool:
        """Send `states` as one message; False if not sent. Never raises."""
        if not self.enabled:
            return False
        message = "\n".join(states).encode("utf-8")
        try:
            if self._socket is None:
                self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                self._socket.setblocking(False)
            self._socket.sendto(message, self._address)
        except OSError as error:
            if not self._warned:
                self._warned = True
                log.warning("cannot tell systemd %r through %r: %s", states, self._address, error)
            return False
        return True

    def close(self) -> None:
        """Close the socket; a later message opens a new one."""
        if self._socket is not None:
            self._socket.close()
            self._socket = None
