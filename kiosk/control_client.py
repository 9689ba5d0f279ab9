"""Talking to the running kiosk from a shell: ``kiosk call ack`` and friends.

The kiosk listens on a Unix socket, ``control.sock``, in its event log directory (see
`kiosk.control`). That directory is named by the same configuration a shell user reads, and
its permissions already limit who can reach it; the socket itself is made ``0660``.

The protocol is one line each way: the client sends one command word and a newline, the kiosk
answers one line and closes the connection. What the words mean is the kiosk's business.

This module is plain Python (standard `socket` only, no Qt), so the command line can use it on
a machine with no display. Every expected failure is a `ControlError` with one plain sentence.
"""

from __future__ import annotations

import os
import socket
import stat
import time
from pathlib import Path

SOCKET_NAME = "control.sock"

#: Longest socket path the kernel accepts: ``sun_path`` is 108 bytes, with a closing NUL.
MAX_SOCKET_PATH_BYTES = 107

#: Longest command line the kiosk reads (without its newline).
MAX_COMMAND_BYTES = 200

#: Longest answer line read from the kiosk.
MAX_REPLY_BYTES = 4096


class ControlError(Exception):
    """The kiosk could not be asked; the message is one plain sentence for a person."""


def socket_path(log_dir: Path) -> Path:
    """The control socket of the kiosk whose event log is in `log_dir`: ``<log_dir>/control.sock``.

    Made absolute (without resolving links), as the kiosk and a shell may have different
    working directories. Raises `ControlError` when the path is too long for a Unix socket.
    """
    path = Path(os.path.abspath(Path(log_dir) / SOCKET_NAME))
    size = len(os.fsencode(path))
    if size > MAX_SOCKET_PATH_BYTES:
        raise ControlError(
            f"the control socket path {path} is {size} bytes long, but a Unix socket path may "
            f"have at most {MAX_SOCKET_PATH_BYTES}; use a shorter log.dir"
        )
    return path


def send_command(log_dir: Path, command: str, *, timeout: float = 5.0) -> str:
    """Send one command to the kiosk whose event log is in `log_dir`; return its answer line.

    Waits at most about `timeout` seconds in all. Raises `ControlError` with a plain sentence
    when no kiosk listens there, the socket may not be used, the kiosk does not answer in time,
    or the command is not a single short line.
    """
    _check_command(command)
    path = socket_path(log_dir)
    where = f"the event log at {Path(log_dir)}"
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise ControlError(f"no kiosk is running with {where} (no control socket)") from None
    except PermissionError:
        raise ControlError(_denied(path)) from None
    except OSError as exc:
        raise ControlError(f"cannot reach the kiosk's control socket {path}: "
                           f"{exc.strerror or exc}") from None
    if not stat.S_ISSOCK(mode):
        raise ControlError(f"{path} is not a socket, so no kiosk can be asked through it")

    deadline = time.monotonic() + timeout
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        try:
            sock.settimeout(max(timeout, 0.001))
            sock.connect(os.fspath(path))
            sock.sendall(command.encode("utf-8") + b"\n")
            reply = _read_line(sock, deadline)
        except ConnectionRefusedError:
            raise ControlError(
                f"no kiosk is running with {where} (the control socket is left over from a "
                "kiosk that stopped)"
            ) from None
        except PermissionError:
            raise ControlError(_denied(path)) from None
        except TimeoutError:
            raise ControlError(
                f"the kiosk with {where} did not answer within {timeout:g} s"
            ) from None
        except (BrokenPipeError, ConnectionResetError):
            raise ControlError(
                f"the kiosk with {where} closed the connection without an answer"
            ) from None
        except OSError as exc:
            raise ControlError(
                f"could not talk to the kiosk with {where}: {exc.strerror or exc}"
            ) from None
    finally:
        sock.close()
    if reply is None:
        raise ControlError(f"the kiosk with {where} closed the connection without an answer")
    return reply


def _check_command(command: str) -> None:
    if not command or not command.strip():
        raise ControlError("the command is empty")
    if any(ch in command for ch in "\r\n\0"):
        raise ControlError("a command is one line: it may not contain a line break")
    if len(command.encode("utf-8")) > MAX_COMMAND_BYTES:
        raise ControlError(f"the command is longer than {MAX_COMMAND_BYTES} bytes")


def _denied(path: Path) -> str:
    return (f"you may not use the kiosk's control socket {path} (permission denied); "
            "run this as the kiosk's user or a member of its group")


def _read_line(sock: socket.socket, deadline: float) -> str | None:
    """One line from the kiosk without its newline, or None when it closed without one."""
    data = bytearray()
    while b"\n" not in data:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        sock.settimeout(remaining)
        chunk = sock.recv(1024)
        if not chunk:
            break
        data += chunk
        if len(data) > MAX_REPLY_BYTES and b"\n" not in data:
            break  # a runaway answer: keep what came, a line is at most this long
    if not data:
        return None
    line = bytes(data).split(b"\n", 1)[0][:MAX_REPLY_BYTES]
    return line.decode("utf-8", errors="replace").rstrip("\r")
