"""deploy/mosquitto/: the broker's shipped settings, ACL and setup script, against a real Mosquitto.

Every broker here runs deploy/mosquitto/infusion-kiosk.conf with only its paths and port
changed, and the shipped ACL as it is (`tests/broker.py`). Kiosks log in as their kiosk
id, the nurse station as "station" (kiosk/station/protocol.py).

Mosquitto 2.0's acl_file is not consulted when a client subscribes: every SUBSCRIBE is
granted, and read access is checked for each message as it is delivered. So a kiosk that
subscribes to another room's topics (or to "#") is not refused; it just never receives
anything it may not read, which is what these tests prove.
"""

from __future__ import annotations

import os
import stat
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import MQTTProtocolVersion
from paho.mqtt.reasoncodes import ReasonCode

from tests.broker import (
    DEPLOY_ACL,
    DEPLOY_CONF,
    REPO,
    Broker,
    Refused,
    close,
    connect,
    missing_tools,
)

SETUP = REPO / "deploy" / "mosquitto" / "setup-broker.sh"
ROOT = "infusion-kiosk/kiosk"
WAIT = 5.0
NOT_AUTHORIZED = 0x87
BAD_USER_OR_PASSWORD = 0x86

needs_broker = pytest.mark.skipif(missing_tools() is not None,
                                  reason=f"no real broker: {missing_tools()}")


def topic(kiosk: str, kind: str) -> str:
    return f"{ROOT}/{kiosk}/{kind}"


def accepted(reason: ReasonCode) -> bool:
    """A PUBACK that takes the message (Mosquitto says 0x10 when nobody subscribes)."""
    return not reason.is_failure


class Peer:
    """One connected client, with what it received and the broker's answers to it."""

    def __init__(self) -> None:
        self.client: mqtt.Client | None = None
        self.messages: list[tuple[str, bytes]] = []
        self._changed = threading.Condition()
        self._pubacks: dict[int, ReasonCode] = {}
        self._subacks: dict[int, list[ReasonCode]] = {}

    def attach(self, client: mqtt.Client) -> None:
        """Take the client's callbacks (before it connects, so no message is missed)."""
        self.client = client
        client.on_message = self._on_message
        client.on_publish = self._on_publish
        client.on_subscribe = self._on_subscribe

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        with self._changed:
            self.messages.append((message.topic, bytes(message.payload)))
            self._changed.notify_all()

    def _on_publish(self, client: mqtt.Client, userdata: Any, mid: int, reason: ReasonCode,
                    properties: Any) -> None:
        with self._changed:
            self._pubacks[mid] = reason
            self._changed.notify_all()

    def _on_subscribe(self, client: mqtt.Client, userdata: Any, mid: int,
                      reasons: list[ReasonCode], properties: Any) -> None:
        with self._changed:
            self._subacks[mid] = reasons
            self._changed.notify_all()

    def subscribe(self, name: str) -> ReasonCode:
        """Subscribe with QoS 1; the SUBACK's reason code."""
        assert self.client is not None
        result, mid = self.client.subscribe(name, qos=1)
        assert result == mqtt.MQTT_ERR_SUCCESS and mid is not None
        with self._changed:
            assert self._changed.wait_for(lambda: mid in self._subacks, WAIT), f"no SUBACK for {name}"
            return self._subacks[mid][0]

    def publish(self, name: str, payload: bytes, *, retain: bool = False) -> ReasonCode:
        """Publish with QoS 1; the PUBACK's reason code."""
        assert self.client is not None
        info = self.client.publish(name, payload, qos=1, retain=retain)
        assert info.rc == mqtt.MQTT_ERR_SUCCESS
        with self._changed:
            assert self._changed.wait_for(lambda: info.mid in self._pubacks, WAIT), \
                f"no PUBACK for {name}"
            return self._pubacks[info.mid]

    def wait_for(self, name: str, payload: bytes) -> None:
        with self._changed:
            assert self._changed.wait_for(lambda: (name, payload) in self.messages, WAIT), \
                f"{payload!r} on {name} did not arrive; got {self.messages}"

    def received(self) -> list[tuple[str, bytes]]:
        with self._changed:
            return list(self.messages)


class Peers:
    """Opens clients for a test and closes them all afterwards."""

    def __init__(self) -> None:
        self._open: list[mqtt.Client] = []

    def open(self, broker: Broker, user: str, **options: Any) -> Peer:
        peer = Peer()
        self._open.append(connect(broker, user, prepare=peer.attach, **options))
        return peer

    def close_all(self) -> None:
        while self._open:
            close(self._open.pop())


@pytest.fixture
def peers() -> Iterator[Peers]:
    opened = Peers()
    try:
        yield opened
    finally:
        opened.close_all()


def started(folder: Path, users: list[str], **options: Any) -> Broker:
    broker = Broker(folder, users, **options)
    broker.start()
    return broker


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    running = started(tmp_path / "broker", ["kiosk-a", "kiosk-b"])
    try:
        yield running
    finally:
        running.stop()


# -- the shipped files -----------------------------------------------------------------
def settings(path: Path) -> list[tuple[str, str]]:
    """(option, value) of every setting line of a Mosquitto conf or ACL file, in order."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            option, _, value = line.strip().partition(" ")
            pairs.append((option, value.strip()))
    return pairs


def test_shipped_conf_has_one_tls_listener_and_no_anonymous_access() -> None:
    conf = settings(DEPLOY_CONF)
    options = dict(conf)
    listeners = [value for option, value in conf if option == "listener"]
    assert listeners == ["8883"]
    assert conf[0] == ("per_listener_settings", "false")
    listener_at = conf.index(("listener", "8883"))
    for option in ("cafile", "certfile", "keyfile"):
        assert options[option].startswith("/etc/mosquitto/infusion-kiosk/")
        assert [o for o, _ in conf].index(option) > listener_at
    assert options["tls_version"] == "tlsv1.2"
    assert options["allow_anonymous"] == "false"
    assert options["password_file"] == "/etc/mosquitto/infusion-kiosk/passwd"
    assert options["acl_file"] == "/etc/mosquitto/infusion-kiosk/acl"
    assert options["persistence"] == "true"
    assert int(options["max_queued_messages"]) >= 1000
    assert "port" not in options and "bind_address" not in options  # no other listener


def test_every_shipped_setting_is_explained() -> None:
    unexplained = []
    for path in (DEPLOY_CONF, DEPLOY_ACL):
        previous = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped and not stripped.startswith("#") and not previous.startswith(
                    ("#", "topic", "pattern", "user")):
                unexplained.append(f"{path.name}: {line}")
            previous = stripped
    assert unexplained == [], "no comment above these lines"


def test_shipped_acl_gives_each_side_only_its_own_topics() -> None:
    kiosk_kinds = ("state", "event", "online", "heartbeat")
    station_kinds = ("ack", "resend")
    assert settings(DEPLOY_ACL) == [
        *[("pattern", f"write {ROOT}/%u/{kind}") for kind in kiosk_kinds],
        *[("pattern", f"read {ROOT}/%u/{kind}") for kind in station_kinds],
        ("user", "station"),
        *[("topic", f"read {ROOT}/+/{kind}") for kind in kiosk_kinds],
        *[("topic", f"write {ROOT}/+/{kind}") for kind in station_kinds],
    ]


# -- a broker with the shipped settings ------------------------------------------------
@needs_broker
def test_refuses_anonymous_clients_wrong_passwords_and_plain_connections(broker: Broker) -> None:
    for protocol in (MQTTProtocolVersion.MQTTv5, MQTTProtocolVersion.MQTTv311):
        with pytest.raises(Refused) as anonymous:
            connect(broker, None, protocol=protocol)
        if protocol == MQTTProtocolVersion.MQTTv5:
            assert anonymous.value.reason.value in (NOT_AUTHORIZED, BAD_USER_OR_PASSWORD)
    with pytest.raises(Refused) as wrong:
        connect(broker, "kiosk-a", password=broker.password("kiosk-b"))
    assert wrong.value.reason.value in (NOT_AUTHORIZED, BAD_USER_OR_PASSWORD)
    with pytest.raises(Refused):
        connect(broker, "nobody", password=broker.password("kiosk-a"))
    with pytest.raises(ConnectionError) as plain:
        connect(broker, "kiosk-a", tls=False)
    assert not isinstance(plain.value, Refused)
    close(connect(broker, "kiosk-a"))  # the right password works
    assert broker.running


@needs_broker
def test_station_receives_a_kiosks_event_and_retained_state(broker: Broker, peers: Peers) -> None:
    kiosk = peers.open(broker, "kiosk-a")
    assert accepted(kiosk.publish(topic("kiosk-a", "state"), b"state-1", retain=True))
    station = peers.open(broker, "station")
    for kind in ("state", "event", "online", "heartbeat"):
        assert station.subscribe(f"{ROOT}/+/{kind}").value == 1  # granted QoS 1
    station.wait_for(topic("kiosk-a", "state"), b"state-1")
    assert accepted(kiosk.publish(topic("kiosk-a", "event"), b"call-1"))
    station.wait_for(topic("kiosk-a", "event"), b"call-1")


@needs_broker
def test_a_kiosk_cannot_publish_as_another_room(broker: Broker, peers: Peers) -> None:
    station = peers.open(broker, "station")
    assert station.subscribe(f"{ROOT}/+/event").value == 1
    room_a = peers.open(broker, "kiosk-a")
    room_b = peers.open(broker, "kiosk-b")

    reason = room_b.publish(topic("kiosk-a", "event"), b"forged")
    assert reason.value == NOT_AUTHORIZED, reason
    assert accepted(room_a.publish(topic("kiosk-a", "event"), b"marker"))
    station.wait_for(topic("kiosk-a", "event"), b"marker")
    assert station.received() == [(topic("kiosk-a", "event"), b"marker")]


@needs_broker
def test_a_kiosk_cannot_read_another_kiosks_topics(broker: Broker, peers: Peers) -> None:
    room_a = peers.open(broker, "kiosk-a")
    room_b = peers.open(broker, "kiosk-b")
    station = peers.open(broker, "station")
    for name in (topic("kiosk-b", "ack"), f"{ROOT}/+/ack", f"{ROOT}/+/state", "#"):
        # Refused, or (Mosquitto 2.0) granted while each message is still checked.
        assert room_a.subscribe(name).value in (1, NOT_AUTHORIZED)
    assert room_b.subscribe(topic("kiosk-b", "ack")).value == 1

    assert accepted(station.publish(topic("kiosk-b", "ack"), b"ack-b"))
    room_b.wait_for(topic("kiosk-b", "ack"), b"ack-b")
    assert accepted(room_b.publish(topic("kiosk-b", "state"), b"state-b"))
    assert accepted(station.publish(topic("kiosk-a", "ack"), b"ack-a"))
    room_a.wait_for(topic("kiosk-a", "ack"), b"ack-a")
    assert {name for name, _ in room_a.received()} == {topic("kiosk-a", "ack")}


@needs_broker
def test_only_the_station_writes_acks_and_resends(broker: Broker, peers: Peers) -> None:
    room_a = peers.open(broker, "kiosk-a")
    assert room_a.subscribe(topic("kiosk-a", "ack")).value == 1
    assert room_a.subscribe(topic("kiosk-a", "resend")).value == 1
    station = peers.open(broker, "station")

    assert accepted(station.publish(topic("kiosk-a", "ack"), b'{"call_id":"c1"}'))
    room_a.wait_for(topic("kiosk-a", "ack"), b'{"call_id":"c1"}')
    assert accepted(station.publish(topic("kiosk-a", "resend"), b"{}"))
    room_a.wait_for(topic("kiosk-a", "resend"), b"{}")

    for name in (topic("kiosk-a", "ack"), topic("kiosk-a", "resend"), "somewhere/else"):
        assert room_a.publish(name, b"self").value == NOT_AUTHORIZED, name
    for name in (topic("kiosk-a", "event"), topic("kiosk-a", "state"), "somewhere/else"):
        assert station.publish(name, b"forged").value == NOT_AUTHORIZED, name


@needs_broker
def test_a_killed_broker_starts_again_on_the_same_port(broker: Broker) -> None:
    port = broker.port
    client = connect(broker, "kiosk-a")
    try:
        broker.kill()
        assert not broker.running
        with pytest.raises(ConnectionError):
            connect(broker, "kiosk-b")
    finally:
        close(client)
    broker.start()
    assert broker.running and broker.port == port
    close(connect(broker, "kiosk-a"))


@needs_broker
def test_a_graceful_restart_keeps_retained_state_and_queued_messages(tmp_path: Path,
                                                                      peers: Peers) -> None:
    broker = started(tmp_path / "broker", ["kiosk-a"], persistence=True)
    try:
        # The station's session (with its subscription) outlives its connection.
        station = peers.open(broker, "station", client_id="station", session_expiry=3600)
        assert station.subscribe(f"{ROOT}/+/event").value == 1
        peers.close_all()
        kiosk = peers.open(broker, "kiosk-a")
        assert accepted(kiosk.publish(topic("kiosk-a", "state"), b"state-1", retain=True))
        assert accepted(kiosk.publish(topic("kiosk-a", "event"), b"call-1"))
        peers.close_all()

        broker.stop()
        broker.start()
        station = peers.open(broker, "station", client_id="station", session_expiry=3600)
        station.wait_for(topic("kiosk-a", "event"), b"call-1")
        assert station.subscribe(f"{ROOT}/+/state").value == 1
        station.wait_for(topic("kiosk-a", "state"), b"state-1")
    finally:
        peers.close_all()
        broker.stop()


# -- setup-broker.sh -------------------------------------------------------------------
def run_setup(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sh", str(SETUP), *(str(a) for a in args)], capture_output=True,
                          text=True, timeout=60, check=False)


def test_setup_script_is_valid_sh() -> None:
    result = subprocess.run(["sh", "-n", str(SETUP)], capture_output=True, text=True,
                            timeout=10, check=False)
    assert result.returncode == 0, result.stderr


def file_mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@needs_broker
def test_setup_script_stages_the_broker_and_keeps_it_on_a_second_run(tmp_path: Path) -> None:
    root = tmp_path / "root"
    first = run_setup("--root", root, "--no-apt", "--name", "10.1.2.3", "kiosk-1", "kiosk-2")
    assert first.returncode == 0, first.stderr
    etc = root / "etc" / "mosquitto"
    folder = etc / "infusion-kiosk"
    assert (etc / "conf.d" / "infusion-kiosk.conf").read_bytes() == DEPLOY_CONF.read_bytes()
    assert (folder / "acl").read_bytes() == DEPLOY_ACL.read_bytes()
    assert file_mode(folder / "server.key") == 0o640
    assert file_mode(folder / "ca.key") == 0o600
    assert file_mode(folder / "passwd") == 0o640
    assert file_mode(folder / "passwords") == 0o700
    for user in ("station", "kiosk-1", "kiosk-2"):
        plain = folder / "passwords" / user
        assert file_mode(plain) == 0o600
        assert len(plain.read_text(encoding="utf-8").splitlines()[0]) >= 32
        assert f"{folder}/passwords/{user}" in first.stdout  # told where to copy it from
    users = [line.split(":")[0] for line in (folder / "passwd").read_text().splitlines()]
    assert sorted(users) == ["kiosk-1", "kiosk-2", "station"]
    names = subprocess.run(["openssl", "x509", "-in", str(folder / "server.crt"), "-noout",
                            "-ext", "subjectAltName"], capture_output=True, text=True,
                           timeout=10, check=True).stdout
    assert f"DNS:{os.uname().nodename}" in names and "IP Address:10.1.2.3" in names

    kept = {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()}
    second = run_setup("--root", root, "--no-apt", "--name", "other.example", "kiosk-1",
                       "kiosk-2", "kiosk-3")
    assert second.returncode == 0, second.stderr
    assert "keeping the certificate" in second.stdout
    for path, content in kept.items():
        if path.name != "passwd":
            assert path.read_bytes() == content, f"{path} changed"
    before = (kept[folder / "passwd"]).decode().splitlines()
    after = (folder / "passwd").read_text().splitlines()
    assert after[:len(before)] == before and len(after) == len(before) + 1
    assert file_mode(folder / "passwords" / "kiosk-3") == 0o600


@pytest.mark.parametrize("bad", ["bad/id", "station", "a b", "x" * 41, "", "*"])
def test_setup_script_refuses_a_bad_kiosk_id(tmp_path: Path, bad: str) -> None:
    root = tmp_path / "root"
    result = run_setup("--root", root, "--no-apt", "kiosk-1", bad)
    assert result.returncode != 0
    assert "kiosk id" in result.stderr and "setup-broker:" in result.stderr
    assert not root.exists()  # refused before anything was written


@needs_broker
def test_a_broker_on_the_staged_files_takes_a_staged_kiosk(tmp_path: Path, peers: Peers) -> None:
    root = tmp_path / "root"
    result = run_setup("--root", root, "--no-apt", "kiosk-1", "kiosk-2")
    assert result.returncode == 0, result.stderr
    broker = started(tmp_path / "broker", [], etc=root / "etc" / "mosquitto")
    try:
        assert broker.ca_file == root / "etc/mosquitto/infusion-kiosk/ca.crt"
        kiosk = peers.open(broker, "kiosk-1")
        assert accepted(kiosk.publish(topic("kiosk-1", "event"), b"call"))
        assert kiosk.publish(topic("kiosk-2", "event"), b"forged").value == NOT_AUTHORIZED
        with pytest.raises(Refused):
            connect(broker, "kiosk-1", password=broker.password("kiosk-2"))
    finally:
        peers.close_all()
        broker.stop()
