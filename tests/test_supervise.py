"""`kiosk supervise`: the session's READY and watchdog messages reach systemd, and nothing outlives it.

systemd is played by a datagram socket bound in the test (the fake NOTIFY_SOCKET);
the session by small Python children, and once by a real `kiosk run`.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

SEND = textwrap.dedent("""
    import os, signal, socket, sys
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    def say(text): sock.sendto(text.encode(), os.environ["NOTIFY_SOCKET"])
""")


@pytest.fixture
def systemd(tmp_path: Path) -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "systemd-notify"))
    sock.settimeout(20)
    yield sock
    sock.close()


def supervise(tmp_path: Path, code: str, *extra: str, **env: str) -> subprocess.Popen[str]:
    child = tmp_path / "session.py"
    child.write_text(SEND + textwrap.dedent(code))
    environ = {**os.environ, "NOTIFY_SOCKET": str(tmp_path / "systemd-notify"),
               "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1", **env}
    return subprocess.Popen([sys.executable, "-m", "kiosk", "supervise", *extra, "--",
                             sys.executable, str(child)],
                            env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen[str]) -> tuple[int, str]:
    _, err = proc.communicate(timeout=30)
    return proc.returncode, err


def receive(sock: socket.socket) -> str:
    return sock.recv(4096).decode()


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie waiting to be reaped has stopped running)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def test_messages_are_passed_on_and_the_exit_status_kept(tmp_path: Path, systemd: socket.socket) -> None:
    proc = supervise(tmp_path, """
        assert os.environ["NOTIFY_SOCKET"] != sys.argv[0]
        assert "WATCHDOG_PID" not in os.environ and os.environ["WATCHDOG_USEC"] == "30000000"
        say("READY=1\\nSTATUS=on screen")
        say("WATCHDOG=1")
        say("MAINPID=1")  # not the session's to say
        say("WATCHDOG=1")
        sys.exit(3)
    """)
    assert receive(systemd) == "READY=1\nSTATUS=on screen"
    assert receive(systemd) == "WATCHDOG=1"
    assert receive(systemd) == "WATCHDOG=1"
    code, err = finish(proc)
    assert code == 3 and "Traceback" not in err


def test_a_stop_signal_stops_the_session_and_leaves_nothing(tmp_path: Path, systemd: socket.socket) -> None:
    pid_file = tmp_path / "pids"
    proc = supervise(tmp_path, f"""
        import signal, subprocess
        helper = subprocess.Popen([sys.executable, "-c", "import signal; signal.pause()"])
        open({str(pid_file)!r}, "w").write(f"{{os.getpid()}} {{helper.pid}}")
        def stop(*_):
            say("STOPPING=1")
            sys.exit(0)
        signal.signal(signal.SIGTERM, stop)
        say("READY=1")
        while True:
            signal.pause()  # the session idles until a signal
    """)
    assert receive(systemd) == "READY=1"
    session_pid, helper_pid = (int(n) for n in pid_file.read_text().split())
    proc.send_signal(signal.SIGTERM)
    assert receive(systemd) == "STOPPING=1"
    assert finish(proc)[0] == 0
    assert not alive(session_pid)
    assert not alive(helper_pid)  # killed with the group, though it ignored nothing


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGABRT])
def test_a_session_that_will_not_stop_is_killed(tmp_path: Path, systemd: socket.socket,
                                                signum: int) -> None:
    pid_file = tmp_path / "pid"
    proc = supervise(tmp_path, f"""
        import signal
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a frozen kiosk does not stop
        open({str(pid_file)!r}, "w").write(str(os.getpid()))
        say("READY=1")
        while True:
            signal.pause()  # the session idles until a signal
    """, "--grace", "0.5")
    assert receive(systemd) == "READY=1"
    session_pid = int(pid_file.read_text())
    proc.send_signal(signum)  # SIGABRT: what systemd sends when the watchdog runs out
    code, err = finish(proc)
    assert code == 128 + signal.SIGKILL
    assert not alive(session_pid)
    assert "the session did not stop within 0.5 s: killing it" in err


def test_without_systemd_the_session_just_runs(tmp_path: Path) -> None:
    child = tmp_path / "plain.py"
    child.write_text("import os, sys; sys.exit(0 if 'NOTIFY_SOCKET' not in os.environ else 9)")
    environ = {k: v for k, v in os.environ.items() if k != "NOTIFY_SOCKET"}
    done = subprocess.run([sys.executable, "-m", "kiosk", "supervise", "--", sys.executable, str(child)],
                          env=environ, capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr


def test_no_command_is_a_usage_error() -> None:
    done = subprocess.run([sys.executable, "-m", "kiosk", "supervise"], capture_output=True,
                          text=True, timeout=30, check=False)
    assert done.returncode == 2 and "name the session to run after --" in done.stderr


@pytest.mark.slow
def test_a_real_kiosk_under_the_supervisor(tmp_path: Path, systemd: socket.socket) -> None:
    """READY and pings reach systemd through the supervisor; a stopped kiosk stops them."""
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[log]\ndir = "{tmp_path / "events"}"\n', encoding="utf-8")
    environ = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    environ.update(QT_QPA_PLATFORM="offscreen", NOTIFY_SOCKET=str(tmp_path / "systemd-notify"),
                   WATCHDOG_USEC="200000", WATCHDOG_PID="1")
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "supervise", "--",
                             sys.executable, "-m", "kiosk", "run", "--config", str(config)],
                            env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert receive(systemd).startswith("READY=1\nSTATUS=kiosk kiosk-1 running in Room 1")
        assert [receive(systemd) for _ in range(3)] == ["WATCHDOG=1"] * 3
        kiosk_pid = int(subprocess.run(["pgrep", "-f", "-P", str(proc.pid), "kiosk run"],
                                       capture_output=True, text=True, check=True).stdout.split()[0])
        os.kill(kiosk_pid, signal.SIGSTOP)  # frozen
        while True:  # what was sent before the stop
            systemd.settimeout(0.3)
            try:
                receive(systemd)
            except TimeoutError:
                break
        systemd.settimeout(1.0)
        with pytest.raises(TimeoutError):
            receive(systemd)  # no ping for a second: systemd's watchdog would run out
        os.kill(kiosk_pid, signal.SIGCONT)
        systemd.settimeout(20)
        assert receive(systemd) == "WATCHDOG=1"
        proc.send_signal(signal.SIGTERM)
        messages = []
        while "STOPPING=1" not in messages:
            messages.append(receive(systemd))
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
