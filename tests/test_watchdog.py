"""systemd's watchdog: pings from the Qt event loop stop while the GUI thread is frozen.

A datagram socket stands in for systemd's notify socket. In-process, the GUI
thread is blocked on purpose from inside the event loop; with a real `kiosk run`,
the whole process is stopped with SIGSTOP.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from kiosk.app_support import WatchdogPinger
from kiosk.sdnotify import Notifier
from tests.kioskproc import RunningKiosk

RUNNING = re.compile(r"kiosk chair-7 is running in Room 7")


class FakeSystemd:
    """A notify socket whose reader thread records (monotonic time, message) for every datagram."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._socket.bind(self.path)
        self._socket.settimeout(0.05)
        self.messages: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                data = self._socket.recv(4096)
            except TimeoutError:
                continue
            self.messages.append((time.monotonic(), data.decode("utf-8")))

    def times(self, message: str) -> list[float]:
        return [when for when, text in list(self.messages) if text == message]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._socket.close()


@pytest.fixture
def systemd(tmp_path: Path) -> Iterator[FakeSystemd]:
    fake = FakeSystemd(tmp_path / "notify")
    yield fake
    fake.close()


def test_pings_stop_while_the_gui_thread_is_frozen(qtbot: QtBot, systemd: FakeSystemd) -> None:
    notifier = Notifier({"NOTIFY_SOCKET": systemd.path, "WATCHDOG_USEC": "40000"})
    assert notifier.watchdog_interval == 0.02
    pinger = WatchdogPinger(notifier)
    try:
        assert not pinger.timer.isActive()
        pinger.ready("kiosk chair-7 running in Room 7")
        assert pinger.timer.isActive()
        assert pinger.timer.interval() == 20
        assert not pinger.timer.isSingleShot()
        qtbot.waitUntil(lambda: len(systemd.messages) >= 1, timeout=2000)
        assert systemd.messages[0][1] == "READY=1\nSTATUS=kiosk chair-7 running in Room 7"
        qtbot.waitUntil(lambda: len(systemd.times("WATCHDOG=1")) >= 3, timeout=2000)

        # A frozen window: the GUI thread blocks inside the event loop for 0.4 s.
        frozen: list[float] = []

        def freeze() -> None:
            frozen.append(time.monotonic())
            threading.Event().wait(0.4)
            frozen.append(time.monotonic())

        QTimer.singleShot(0, freeze)
        qtbot.waitUntil(lambda: len(frozen) == 2, timeout=3000)
        start, end = frozen
        assert end - start >= 0.4
        during = [when for when in systemd.times("WATCHDOG=1") if start + 0.03 < when < end]
        assert during == []
        qtbot.waitUntil(lambda: len([t for t in systemd.times("WATCHDOG=1") if t > end]) >= 3,
                        timeout=2000)

        pinger.stopping()
        assert not pinger.timer.isActive()
        qtbot.waitUntil(lambda: systemd.times("STOPPING=1") != [], timeout=2000)
        stopped = systemd.times("STOPPING=1")[0]
        pings = len(systemd.times("WATCHDOG=1"))
        qtbot.wait(150)  # the event loop runs: a live timer would ping several times
        assert len(systemd.times("WATCHDOG=1")) == pings
        assert not [t for t in systemd.times("WATCHDOG=1") if t > stopped]
    finally:
        pinger.timer.stop()
        notifier.close()


def test_without_a_watchdog_ready_is_sent_and_nothing_else(qtbot: QtBot, systemd: FakeSystemd) -> None:
    notifier = Notifier({"NOTIFY_SOCKET": systemd.path})
    pinger = WatchdogPinger(notifier)
    try:
        pinger.ready("up")
        assert not pinger.timer.isActive()
        qtbot.waitUntil(lambda: len(systemd.messages) == 1, timeout=2000)
        pinger.stopping()
        qtbot.waitUntil(lambda: len(systemd.messages) == 2, timeout=2000)
        assert [text for _, text in systemd.messages] == ["READY=1\nSTATUS=up", "STOPPING=1"]
    finally:
        notifier.close()


def _receive(receiver: socket.socket, timeout: float) -> str | None:
    receiver.settimeout(timeout)
    try:
        return receiver.recv(4096).decode("utf-8")
    except TimeoutError:
        return None


def _wait_for(receiver: socket.socket, wanted: str, timeout: float = 30) -> list[str]:
    """Messages up to and including the first that starts with `wanted`."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = _receive(receiver, max(0.01, deadline - time.monotonic()))
        if message is None:
            break
        seen.append(message)
        if message.startswith(wanted):
            return seen
    raise AssertionError(f"no {wanted!r} from the kiosk; got {seen}")


def test_a_stopped_kiosk_stops_pinging(tmp_path: Path) -> None:
    events = tmp_path / "events"
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\nid = "chair-7"\nroom = "Room 7"\n\n[log]\ndir = "{events}"\n', encoding="utf-8"
    )
    notify_path = tmp_path / "notify"
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind(str(notify_path))
    kiosk = RunningKiosk(config, env={
        "NOTIFY_SOCKET": str(notify_path),
        "WATCHDOG_USEC": "100000",  # a ping every 50 ms
        # The watchdog belongs to the kiosk's parent, as when xinit starts it.
        "WATCHDOG_PID": str(os.getpid()),
        "KIOSK_STATE_DIR": str(tmp_path / "state"),
    })
    try:
        kiosk.wait_for(RUNNING)
        seen = _wait_for(receiver, "READY=1")
        assert seen[-1] == "READY=1\nSTATUS=kiosk chair-7 running in Room 7"
        assert seen[:-1] == []  # nothing before READY
        for _ in range(4):
            assert _receive(receiver, 5) == "WATCHDOG=1"

        kiosk.proc.send_signal(signal.SIGSTOP)
        _pid, status = os.waitpid(kiosk.proc.pid, os.WUNTRACED)  # returns once it has stopped
        assert os.WIFSTOPPED(status)
        while _receive(receiver, 0.01) is not None:  # pings sent before the stop
            pass
        assert _receive(receiver, 0.5) is None

        kiosk.proc.send_signal(signal.SIGCONT)
        for _ in range(3):
            assert _receive(receiver, 5) == "WATCHDOG=1"

        kiosk.proc.send_signal(signal.SIGTERM)
        seen = _wait_for(receiver, "STOPPING=1")
        assert set(seen[:-1]) <= {"WATCHDOG=1"}
        assert kiosk.proc.wait(timeout=30) == 0
        assert _receive(receiver, 0.2) is None
    finally:
        if kiosk.proc.poll() is None:
            kiosk.proc.send_signal(signal.SIGCONT)
            kiosk.proc.kill()
        kiosk.close()
        receiver.close()
