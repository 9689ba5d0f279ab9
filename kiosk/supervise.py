"""`kiosk supervise -- COMMAND ...`: the service's main process, between systemd and the session.

The unit opens a login session (`PAMName=login`) so that the kiosk gets the seat,
a runtime folder and the account's sound server. logind then moves the session's
processes (cage or xinit, and the kiosk under them) out of the unit, so systemd
would no longer accept their READY and WATCHDOG messages. This supervisor stays
the unit's main process: it gives the session a notify socket of its own and
passes each message on to systemd, so a frozen kiosk still stops the watchdog
pings and is restarted.

It also makes sure nothing of the session outlives it. The command runs in a
process group of its own; on SIGTERM, SIGINT, SIGHUP or SIGABRT (what systemd
sends when the watchdog runs out) the group is asked to stop and, after
`grace_seconds`, killed, and a group left behind by a command that ended is killed
too, so a hung kiosk can never hold the screen while a new one starts.

Plain Python: no Qt here.
"""

from __future__ import annotations

import logging
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence

from kiosk.sdnotify import Notifier

__all__ = ["GRACE_SECONDS", "supervise"]

log = logging.getLogger(__name__)

GRACE_SECONDS = 10.0
"""How long the session may take to stop before it is killed."""

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGABRT)
_FORWARDED_PREFIXES = (b"READY=", b"WATCHDOG=", b"STATUS=", b"STOPPING=", b"RELOADING=",
                       b"EXTEND_TIMEOUT_USEC=", b"ERRNO=")


def supervise(command: Sequence[str], environ: Mapping[str, str] = os.environ, *,
              grace_seconds: float = GRACE_SECONDS) -> int:
    """Run `command` until it ends or the supervisor is told to stop; return its exit status."""
    upstream = Notifier(environ)
    folder = tempfile.mkdtemp(prefix="infusion-kiosk-", dir=environ.get("XDG_RUNTIME_DIR") or None)
    path = os.path.join(folder, "notify")
    inbox = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    wake_reader, wake_writer = socket.socketpair()
    received: list[int] = []
    restore_wakeup, old_wakeup = False, -1
    previous = {signum: signal.getsignal(signum) for signum in (*STOP_SIGNALS, signal.SIGCHLD)}
    try:
        inbox.bind(path)
        inbox.setblocking(False)
        for end in (wake_reader, wake_writer):
            end.setblocking(False)
        old_wakeup = signal.set_wakeup_fd(wake_writer.fileno())
        restore_wakeup = True
        for signum in STOP_SIGNALS:
            signal.signal(signum, lambda number, _frame: received.append(number))
        signal.signal(signal.SIGCHLD, lambda _number, _frame: None)  # only to wake the loop
        child_env = dict(environ)
        child_env.pop("WATCHDOG_PID", None)  # the session's pings are passed on as ours
        if upstream.enabled:
            child_env["NOTIFY_SOCKET"] = path
        try:
            # A process group of its own, in the same session: cage and Xorg keep tty1.
            group: dict[str, object] = ({"process_group": 0} if sys.version_info >= (3, 11)
                                        else {"preexec_fn": os.setpgrp})
            child = subprocess.Popen(list(command), env=child_env, **group)  # type: ignore[call-overload]
        except OSError as error:
            log.critical("cannot start %s: %s", command[0], error)
            return 127
        return _run(child, inbox, wake_reader, received, upstream, grace_seconds)
    finally:
        if restore_wakeup:
            signal.set_wakeup_fd(old_wakeup)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for closable in (inbox, wake_reader, wake_writer):
            closable.close()
        upstream.close()
        shutil.rmtree(folder, ignore_errors=True)


def _run(child: subprocess.Popen[bytes], inbox: socket.socket, wake: socket.socket,
         received: list[int], upstream: Notifier, grace_seconds: float) -> int:
    selector = selectors.DefaultSelector()
    selector.register(inbox, selectors.EVENT_READ)
    selector.register(wake, selectors.EVENT_READ)
    kill_at: float | None = None
    try:
        while child.poll() is None:
            timeout = None if kill_at is None else max(kill_at - time.monotonic(), 0.0)
            for key, _ in selector.select(timeout):
                if key.fileobj is inbox:
                    _pass_on(inbox, upstream)
                else:
                    _drain(wake)
            if received and kill_at is None:
                log.info("signal %d: stopping the session", received[0])
                _signal_group(child.pid, signal.SIGTERM)
                kill_at = time.monotonic() + grace_seconds
            elif kill_at is not None and time.monotonic() >= kill_at and child.poll() is None:
                log.warning("the session did not stop within %g s: killing it", grace_seconds)
                _signal_group(child.pid, signal.SIGKILL)
                child.wait()
        _pass_on(inbox, upstream)  # a last STOPPING=1, if any
    finally:
        selector.close()
        _signal_group(child.pid, signal.SIGKILL)  # nothing of the session outlives it
    code = child.returncode
    return code if code >= 0 else 128 - code


def _pass_on(inbox: socket.socket, upstream: Notifier) -> None:
    """Every waiting message, its known lines only (never MAINPID= or FDSTORE=)."""
    while True:
        try:
            data = inbox.recv(4096)
        except (BlockingIOError, InterruptedError):
            return
        lines = [line for line in data.split(b"\n") if line.startswith(_FORWARDED_PREFIXES)]
        if lines:
            upstream.notify(*(line.decode("utf-8", "replace") for line in lines))


def _drain(wake: socket.socket) -> None:
    try:
        while wake.recv(64):
            pass
    except (BlockingIOError, InterruptedError):
        pass


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass
