"""Messages to systemd's notify socket, received by a socket standing in for systemd."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.sdnotify import Notifier


@pytest.fixture
def systemd(tmp_path: Path) -> Iterator[tuple[str, socket.socket]]:
    """A fake notify socket: its path, and the socket to read messages from."""
    path = str(tmp_path / "notify")
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind(path)
    receiver.settimeout(5)
    yield path, receiver
    receiver.close()


def test_messages_arrive_as_sent(systemd: tuple[str, socket.socket]) -> None:
    path, receiver = systemd
    notifier = Notifier({"NOTIFY_SOCKET": path})
    try:
        assert notifier.enabled
        assert notifier.notify("READY=1", "STATUS=kiosk chair-3 running in Room 3")
        assert notifier.notify("WATCHDOG=1")
        assert notifier.notify("STOPPING=1")
        assert receiver.recv(4096) == b"READY=1\nSTATUS=kiosk chair-3 running in Room 3"
        assert receiver.recv(4096) == b"WATCHDOG=1"
        assert receiver.recv(4096) == b"STOPPING=1"
    finally:
        notifier.close()


def test_an_abstract_socket_name_starts_with_at() -> None:
    name = f"kiosk-test-{uuid.uuid4().hex}"
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind("\0" + name)
    receiver.settimeout(5)
    notifier = Notifier({"NOTIFY_SOCKET": "@" + name})
    try:
        assert notifier.enabled
        assert notifier.notify("READY=1")
        assert receiver.recv(4096) == b"READY=1"
    finally:
        notifier.close()
        receiver.close()


def test_without_notify_socket_nothing_is_sent() -> None:
    notifier = Notifier({"WATCHDOG_USEC": "30000000"})
    assert not notifier.enabled
    assert notifier.notify("READY=1") is False
    assert notifier.watchdog_interval is None
    notifier.close()
    assert not Notifier({"NOTIFY_SOCKET": ""}).enabled


@pytest.mark.parametrize(
    ("extra", "interval"),
    [
        ({"WATCHDOG_USEC": "30000000"}, 15.0),  # no WATCHDOG_PID: ours
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1000"}, 15.0),  # our pid
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "999"}, 15.0),  # our parent: cage, xinit
        ({"WATCHDOG_USEC": "40000"}, 0.02),
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "4242"}, None),  # someone else's
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "cage"}, None),
        ({}, None),
        ({"WATCHDOG_USEC": "0"}, None),
        ({"WATCHDOG_USEC": "-5"}, None),
        ({"WATCHDOG_USEC": "30s"}, None),
        ({"WATCHDOG_USEC": ""}, None),
    ],
)
def test_watchdog_interval(extra: dict[str, str], interval: float | None) -> None:
    notifier = Notifier({"NOTIFY_SOCKET": "/run/systemd/notify", **extra}, pid=1000, ppid=999)
    assert notifier.watchdog_interval == interval


def test_without_notify_socket_there_is_no_watchdog() -> None:
    notifier = Notifier({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1000"}, pid=1000, ppid=999)
    assert notifier.watchdog_interval is None


def test_pids_default_to_this_process() -> None:
    environ = {"NOTIFY_SOCKET": "/run/systemd/notify", "WATCHDOG_USEC": "2000000"}
    assert Notifier({**environ, "WATCHDOG_PID": str(os.getpid())}).watchdog_interval == 1.0
    assert Notifier({**environ, "WATCHDOG_PID": str(os.getppid())}).watchdog_interval == 1.0


def test_a_missing_socket_fails_quietly_and_is_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = Notifier({"NOTIFY_SOCKET": str(tmp_path / "no-such-socket")})
    try:
        with caplog.at_level(logging.WARNING, logger="kiosk.sdnotify"):
            assert notifier.notify("READY=1") is False
            assert notifier.notify("WATCHDOG=1") is False
            assert notifier.notify("WATCHDOG=1") is False
    finally:
        notifier.close()
    warnings = [r for r in caplog.records if r.name == "kiosk.sdnotify"]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert "no-such-socket" in warnings[0].getMessage()


def test_a_message_after_close_opens_a_new_socket(systemd: tuple[str, socket.socket]) -> None:
    path, receiver = systemd
    notifier = Notifier({"NOTIFY_SOCKET": path})
    assert notifier.notify("WATCHDOG=1")
    notifier.close()
    notifier.close()
    assert notifier.notify("STOPPING=1")
    notifier.close()
    assert receiver.recv(4096) == b"WATCHDOG=1"
    assert receiver.recv(4096) == b"STOPPING=1"
