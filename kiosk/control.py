"""The kiosk's control socket: staff or an integration on the same machine talk to the kiosk.

``kiosk call ack`` in a shell has to reach the running kiosk process. The kiosk listens on a
Unix socket, ``<log dir>/control.sock`` (`kiosk.control_client.socket_path`): the event log
directory is named by the configuration both sides read, and its permissions already limit who
can reach it. The socket file is made ``0660`` (the kiosk's user and group).

The protocol is one line each way: the client sends one command word and a newline, the kiosk
calls ``handler(word)`` on the GUI thread and answers its reply and a newline, then closes the
connection. The handler decides what the words mean; this module only carries them.

Defensive limits, since anyone who can reach the socket can connect: a command line is at most
`MAX_COMMAND_BYTES` (longer: an error reply), a client that sends no whole line within
`read_timeout` seconds is dropped (a QTimer, nothing blocks), and at most `MAX_CONNECTIONS`
connections are served at once. Nothing here blocks the event loop except the check, at
`listen`, of whether a socket file left behind still has a kiosk answering on it (a local
connect, at most a second).

A kiosk killed with SIGKILL leaves its socket file behind; the next `listen` removes it when
nobody answers on it. If another live kiosk answers, `listen` leaves it alone and says so.
"""

from __future__ import annotations

import logging
import os
import socket
import stat
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from kiosk.control_client import MAX_COMMAND_BYTES, ControlError, socket_path

log = logging.getLogger(__name__)

#: Mode of the socket file: the kiosk's user and group may connect.
SOCKET_MODE = 0o660
#: Connections served at once; more are closed straight away.
MAX_CONNECTIONS = 8
#: How long `listen` waits when checking whether an existing socket has a kiosk behind it.
PROBE_TIMEOUT_SECONDS = 1.0


class _Connection:
    """One client: what it sent so far and the timer that drops it."""

    def __init__(self, sock: QLocalSocket, timer: QTimer) -> None:
        self.sock = sock
        self.timer = timer
        self.data = bytearray()
        self.answered = False
        self.closed = False


class ControlServer(QObject):
    """Listens on ``<log dir>/control.sock`` and answers one command per connection.

    `listen` returns "" or one plain sentence saying why the kiosk cannot be reached (it never
    raises); `close` stops listening and removes the socket file. The handler runs on the GUI
    thread, gets the command with surrounding white space removed, and returns the answer (one
    line; line breaks in it become spaces). If it raises, the error is logged and the client
    is told ``error: ...``.
    """

    def __init__(
        self,
        log_dir: Path,
        handler: Callable[[str], str],
        parent: QObject | None = None,
        *,
        read_timeout: float = 2.0,
    ) -> None:
        super().__init__(parent)
        self._log_dir = Path(log_dir)
        self._handler = handler
        self._read_timeout_ms = max(1, round(read_timeout * 1000))
        self._server = QLocalServer(self)
        self._server.setMaxPendingConnections(MAX_CONNECTIONS)
        self._server.newConnection.connect(self._on_server_new_connection)
        # Connections are found by sender() in bound-method slots, never through lambdas that
        # capture `self` (a child holding the last reference to its parent crashes PySide).
        self._connections: dict[QObject, _Connection] = {}
        self._path: Path | None = None

    @property
    def path(self) -> Path | None:
        """The socket file while listening, else None."""
        return self._path

    def is_listening(self) -> bool:
        return self._server.isListening()

    def client_count(self) -> int:
        """Connections open now (each waits for its command, or for its answer to be read)."""
        return sum(1 for key in self._connections if isinstance(key, QLocalSocket))

    def listen(self) -> str:
        """Start listening: "" when it works, else one plain sentence saying what is wrong."""
        if self._server.isListening():
            return ""
        try:
            path = socket_path(self._log_dir)
        except ControlError as exc:
            return str(exc)
        if not path.parent.is_dir():
            return (f"the event log directory {path.parent} does not exist, so the control "
                    "socket cannot be made there")
        problem = self._remove_stale_socket(path)
        if problem:
            return problem
        if not self._server.listen(os.fspath(path)):
            return f"could not listen on {path}: {self._server.errorString()}"
        try:
            os.chmod(path, SOCKET_MODE)
        except OSError as exc:
            self._server.close()
            return f"could not set the permissions of {path}: {exc.strerror or exc}"
        self._path = path
        log.info("control socket listening at %s", path)
        return ""

    def close(self) -> None:
        """Stop listening, drop open connections and remove the socket file; idempotent."""
        for conn in list(self._connections.values()):
            self._drop(conn)
        if self._server.isListening():
            # QLocalServer removes the socket file (by name) when it stops listening
            self._server.close()
            log.info("control socket closed: %s", self._path)
        self._path = None

    # -- listening -----------------------------------------------------------------------

    def _remove_stale_socket(self, path: Path) -> str:
        """Remove `path` if it is a socket nobody answers on; a problem sentence otherwise."""
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            return ""
        except OSError as exc:
            return f"cannot check {path}: {exc.strerror or exc}"
        if not stat.S_ISSOCK(info.st_mode):
            return (f"{path} exists and is not a socket; remove it so the kiosk can make its "
                    "control socket there")
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.settimeout(PROBE_TIMEOUT_SECONDS)
            probe.connect(os.fspath(path))
        except ConnectionRefusedError:
            pass  # left behind by a kiosk that was killed: nobody answers
        except TimeoutError:
            return (f"another kiosk seems to be using the control socket {path} (it is busy); "
                    "this kiosk does not take it over")
        except OSError as exc:
            return f"cannot check the existing control socket {path}: {exc.strerror or exc}"
        else:
            return (f"another kiosk is already listening on {path} (with the same event log "
                    "directory); this kiosk does not take over its control socket")
        finally:
            probe.close()
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            return f"cannot remove the old control socket {path}: {exc.strerror or exc}"
        log.info("removed the control socket left behind by a stopped kiosk: %s", path)
        return ""

    @Slot()
    def _on_server_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            sock = self._server.nextPendingConnection()
            if self.client_count() >= MAX_CONNECTIONS:
                log.warning("control socket: too many clients at once, closing one")
                sock.abort()
                sock.deleteLater()
                continue
            sock.setReadBufferSize(MAX_COMMAND_BYTES + 2)
            timer = QTimer(self)
            timer.setSingleShot(True)
            timer.setTimerType(Qt.TimerType.CoarseTimer)
            timer.setInterval(self._read_timeout_ms)
            conn = _Connection(sock, timer)
            self._connections[sock] = conn
            self._connections[timer] = conn
            timer.timeout.connect(self._on_timer_timeout)
            sock.readyRead.connect(self._on_socket_ready_read)
            sock.disconnected.connect(self._on_socket_disconnected)
            timer.start()
            if sock.bytesAvailable() > 0:  # the line may have come with the connection
                self._read(conn)

    # -- one client ----------------------------------------------------------------------

    def _sender_connection(self) -> _Connection | None:
        conn = self._connections.get(self.sender())
        return None if conn is None or conn.closed else conn

    @Slot()
    def _on_socket_ready_read(self) -> None:
        conn = self._sender_connection()
        if conn is not None:
            self._read(conn)

    @Slot()
    def _on_socket_disconnected(self) -> None:
        conn = self._sender_connection()
        if conn is not None:
            self._forget(conn)

    @Slot()
    def _on_timer_timeout(self) -> None:
        conn = self._sender_connection()
        if conn is None:
            return
        if not conn.answered:
            log.info("control socket: dropped a client that sent no command within %d ms",
                     self._read_timeout_ms)
        self._drop(conn)

    def _read(self, conn: _Connection) -> None:
        if conn.answered:
            conn.sock.readAll()  # anything after the command line is ignored
            return
        conn.data += bytes(conn.sock.read(MAX_COMMAND_BYTES + 2 - len(conn.data)).data())
        if b"\n" in conn.data:
            line = bytes(conn.data).split(b"\n", 1)[0].rstrip(b"\r")
            if len(line) > MAX_COMMAND_BYTES:
                self._answer(conn, f"error: a command is at most {MAX_COMMAND_BYTES} bytes")
            else:
                self._answer(conn, self._call_handler(line.decode("utf-8", errors="replace")))
        elif len(conn.data) > MAX_COMMAND_BYTES:
            self._answer(conn, f"error: a command is at most {MAX_COMMAND_BYTES} bytes")

    def _call_handler(self, command: str) -> str:
        command = command.strip()
        try:
            return str(self._handler(command))
        except Exception:
            log.exception("control socket: the handler failed on %r", command[:40])
            return "error: the kiosk could not carry out this command"

    def _answer(self, conn: _Connection, reply: str) -> None:
        conn.answered = True
        one_line = " ".join(reply.splitlines())
        conn.sock.write(one_line.encode("utf-8") + b"\n")
        conn.timer.start()  # a client that does not take its answer is dropped as well
        conn.sock.disconnectFromServer()  # after the answer is written; then `disconnected`

    def _drop(self, conn: _Connection) -> None:
        if conn.closed:
            return
        self._forget(conn)
        conn.sock.abort()

    def _forget(self, conn: _Connection) -> None:
        if conn.closed:
            return
        conn.closed = True
        self._connections.pop(conn.sock, None)
        self._connections.pop(conn.timer, None)
        conn.timer.stop()
        conn.timer.deleteLater()
        conn.sock.deleteLater()
