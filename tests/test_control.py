"""The control socket: a shell on the same machine reaches the running kiosk."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.control import ControlServer
from kiosk.control_client import ControlError, send_command, socket_path

MAIN_THREAD = threading.main_thread()


def ask(qtbot: Any, log_dir: Path, command: str, timeout: float = 5.0) -> str | ControlError:
    """send_command from a worker thread while the test thread runs the Qt event loop."""
    result: dict[str, str | ControlError] = {}

    def work() -> None:
        try:
            result["reply"] = send_command(log_dir, command, timeout=timeout)
        except ControlError as exc:
            result["reply"] = exc

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    qtbot.waitUntil(lambda: "reply" in result, timeout=int(timeout * 1000) + 5000)
    worker.join()
    return result["reply"]


class Handler:
    """Records commands and the thread they were handled on."""

    def __init__(self, name: str = "kiosk") -> None:
        self.name = name
        self.commands: list[str] = []
        self.threads: list[threading.Thread] = []

    def __call__(self, command: str) -> str:
        self.commands.append(command)
        self.threads.append(threading.current_thread())
        if command == "ack":
            return f"{self.name}: acknowledged call c-1"
        if command == "status":
            return "open call c-1\nsince 14:02"  # two lines: sent as one
        if command == "boom":
            raise RuntimeError("handler bug")
        return f"unknown command {command!r}"


@pytest.fixture
def make_server() -> Iterator[Any]:
    servers: list[ControlServer] = []

    def make(log_dir: Path, handler: Any, **kwargs: float) -> ControlServer:
        server = ControlServer(log_dir, handler, **kwargs)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


def stale_socket(path: Path) -> None:
    """A socket file like the one a killed kiosk leaves: bound, then closed, never removed."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(os.fspath(path))
    sock.close()


def raw_client(path: Path) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(os.fspath(path))
    sock.setblocking(False)
    return sock


def poll_recv(sock: socket.socket, into: bytearray) -> bool:
    """Read what is there without blocking; True once the server closed the connection."""
    try:
        chunk = sock.recv(4096)
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True
    into += chunk
    return chunk == b""


def test_socket_path_is_in_the_log_dir(tmp_path: Path) -> None:
    assert socket_path(tmp_path) == tmp_path / "control.sock"


def test_socket_path_too_long_is_a_plain_error(tmp_path: Path, make_server: Any) -> None:
    deep = tmp_path / ("d" * 120)
    with pytest.raises(ControlError, match=r"at most 107; use a shorter log\.dir"):
        socket_path(deep)
    with pytest.raises(ControlError, match="at most 107"):
        send_command(deep, "ack")
    assert "at most 107" in make_server(deep, Handler()).listen()


def test_command_reaches_the_handler_on_the_gui_thread_and_the_reply_comes_back(
    qtbot: Any, tmp_path: Path, make_server: Any
) -> None:
    handler = Handler()
    server = make_server(tmp_path, handler)
    assert server.listen() == ""
    path = tmp_path / "control.sock"
    assert server.path == path
    assert stat.S_ISSOCK(path.stat().st_mode)
    assert stat.S_IMODE(path.stat().st_mode) == 0o660

    assert ask(qtbot, tmp_path, "ack") == "kiosk: acknowledged call c-1"
    assert ask(qtbot, tmp_path, "  status ") == "open call c-1 since 14:02"
    assert ask(qtbot, tmp_path, "frobnicate") == "unknown command 'frobnicate'"
    assert handler.commands == ["ack", "status", "frobnicate"]
    assert handler.threads == [MAIN_THREAD] * 3
    qtbot.waitUntil(lambda: server.client_count() == 0, timeout=5000)


def test_client_in_another_process(qtbot: Any, tmp_path: Path, make_server: Any) -> None:
    server = make_server(tmp_path, Handler())
    assert server.listen() == ""
    code = (
        "import sys; from pathlib import Path\n"
        "from kiosk.control_client import send_command\n"
        "print(send_command(Path(sys.argv[1]), 'ack'))\n"
        "print(sorted(m for m in sys.modules if m.startswith('PySide6')))\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=20_000)
    finally:
        if proc.poll() is None:
            proc.kill()
        out, err = proc.communicate()
    assert proc.returncode == 0, err
    assert out.splitlines() == ["kiosk: acknowledged call c-1", "[]"]


def test_handler_error_is_an_answer_not_a_dead_connection(
    qtbot: Any, tmp_path: Path, make_server: Any, caplog: Any
) -> None:
    server = make_server(tmp_path, Handler())
    assert server.listen() == ""
    assert ask(qtbot, tmp_path, "boom") == "error: the kiosk could not carry out this command"
    assert "handler bug" in caplog.text
    assert ask(qtbot, tmp_path, "ack") == "kiosk: acknowledged call c-1"


def test_no_kiosk_is_a_plain_sentence(tmp_path: Path) -> None:
    with pytest.raises(ControlError) as err:
        send_command(tmp_path, "ack")
    assert str(err.value) == (
        f"no kiosk is running with the event log at {tmp_path} (no control socket)"
    )
    with pytest.raises(ControlError, match="no control socket"):
        send_command(tmp_path / "missing", "ack")


def test_stale_socket_is_refused_by_the_client_and_replaced_by_the_server(
    qtbot: Any, tmp_path: Path, make_server: Any, caplog: Any
) -> None:
    path = tmp_path / "control.sock"
    stale_socket(path)
    with pytest.raises(ControlError, match="left over from a kiosk that stopped"):
        send_command(tmp_path, "ack")

    server = make_server(tmp_path, Handler())
    with caplog.at_level("INFO", logger="kiosk.control"):
        assert server.listen() == ""
    assert f"removed the control socket left behind by a stopped kiosk: {path}" in caplog.text
    assert stat.S_IMODE(path.stat().st_mode) == 0o660
    assert ask(qtbot, tmp_path, "ack") == "kiosk: acknowledged call c-1"


def test_second_live_kiosk_does_not_steal_the_socket(
    qtbot: Any, tmp_path: Path, make_server: Any
) -> None:
    first = make_server(tmp_path, Handler("first"))
    assert first.listen() == ""
    inode = (tmp_path / "control.sock").stat().st_ino

    second = make_server(tmp_path, Handler("second"))
    problem = second.listen()
    assert "another kiosk is already listening on" in problem
    assert str(tmp_path / "control.sock") in problem
    assert not second.is_listening()
    assert (tmp_path / "control.sock").stat().st_ino == inode
    second.close()  # must not remove the first one's socket
    assert (tmp_path / "control.sock").stat().st_ino == inode

    assert ask(qtbot, tmp_path, "ack") == "first: acknowledged call c-1"
    qtbot.waitUntil(lambda: first.client_count() == 0, timeout=5000)  # the probe is gone too


def test_something_else_at_the_socket_path_is_left_alone(tmp_path: Path, make_server: Any) -> None:
    path = tmp_path / "control.sock"
    path.write_text("not a socket")
    problem = make_server(tmp_path, Handler()).listen()
    assert problem.endswith("exists and is not a socket; remove it so the kiosk can make its "
                            "control socket there")
    assert path.read_text() == "not a socket"
    with pytest.raises(ControlError, match="is not a socket"):
        send_command(tmp_path, "ack")


def test_missing_log_dir_is_a_problem_sentence(tmp_path: Path, make_server: Any) -> None:
    problem = make_server(tmp_path / "nope", Handler()).listen()
    assert problem == (f"the event log directory {tmp_path / 'nope'} does not exist, so the "
                       "control socket cannot be made there")


def test_close_removes_the_socket_file_and_is_idempotent(
    qtbot: Any, tmp_path: Path, make_server: Any
) -> None:
    server = make_server(tmp_path, Handler())
    assert server.listen() == ""
    assert server.listen() == ""  # already listening
    server.close()
    assert not (tmp_path / "control.sock").exists()
    assert server.path is None
    server.close()
    with pytest.raises(ControlError, match="no control socket"):
        send_command(tmp_path, "ack")
    assert server.listen() == ""  # can listen again
    assert ask(qtbot, tmp_path, "ack") == "kiosk: acknowledged call c-1"


def test_silent_client_is_dropped(qtbot: Any, tmp_path: Path, make_server: Any) -> None:
    handler = Handler()
    server = make_server(tmp_path, handler, read_timeout=0.2)
    assert server.listen() == ""
    sock = raw_client(tmp_path / "control.sock")
    try:
        sock.sendall(b"ac")  # half a command, never finished
        qtbot.waitUntil(lambda: server.client_count() == 1, timeout=5000)
        started = time.monotonic()
        received = bytearray()
        qtbot.waitUntil(lambda: poll_recv(sock, received), timeout=5000)
        dropped_after = time.monotonic() - started
    finally:
        sock.close()
    assert received == b""
    assert dropped_after < 2
    assert handler.commands == []
    assert server.client_count() == 0
    assert ask(qtbot, tmp_path, "ack") == "kiosk: acknowledged call c-1"  # still serving


def test_overlong_command_gets_an_error(qtbot: Any, tmp_path: Path, make_server: Any) -> None:
    handler = Handler()
    server = make_server(tmp_path, handler)
    assert server.listen() == ""
    sock = raw_client(tmp_path / "control.sock")
    received = bytearray()
    try:
        sock.sendall(b"a" * 5000)
        qtbot.waitUntil(lambda: poll_recv(sock, received), timeout=5000)
    finally:
        sock.close()
    assert received == b"error: a command is at most 200 bytes\n"
    assert handler.commands == []


def test_kiosk_that_does_not_answer_times_out(tmp_path: Path) -> None:
    # a socket that accepts connections into its backlog but never reads or answers
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(os.fspath(tmp_path / "control.sock"))
    listener.listen(1)
    try:
        started = time.monotonic()
        with pytest.raises(ControlError) as err:
            send_command(tmp_path, "ack", timeout=0.3)
        assert time.monotonic() - started < 2
    finally:
        listener.close()
    assert str(err.value) == (
        f"the kiosk with the event log at {tmp_path} did not answer within 0.3 s"
    )


@pytest.mark.parametrize("command", ["", "  ", "ack\nack", "a" * 201])
def test_bad_commands_are_refused_before_connecting(tmp_path: Path, command: str) -> None:
    with pytest.raises(ControlError):
        send_command(tmp_path, command)


def test_close_drops_connected_clients(qtbot: Any, tmp_path: Path, make_server: Any) -> None:
    server = make_server(tmp_path, Handler())
    assert server.listen() == ""
    sock = raw_client(tmp_path / "control.sock")
    received = bytearray()
    try:
        qtbot.waitUntil(lambda: server.client_count() == 1, timeout=5000)
        server.close()
        assert server.client_count() == 0
        qtbot.waitUntil(lambda: poll_recv(sock, received), timeout=5000)
    finally:
        sock.close()
    assert received == b""
    assert not (tmp_path / "control.sock").exists()
