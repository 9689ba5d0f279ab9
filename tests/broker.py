"""A real Mosquitto broker for tests, run with the shipped settings.

`Broker` makes a private certificate authority, a server certificate for 127.0.0.1 and
localhost, a password file and random passwords in its folder, and a mosquitto.conf made
from deploy/mosquitto/infusion-kiosk.conf itself (only the file paths, the port and
persistence are changed, and logging to the console is added) with the ACL copied from
deploy/mosquitto/acl, so tests exercise the configuration that clinics install.
Given `etc`, a staged /etc/mosquitto written by deploy/mosquitto/setup-broker.sh --root,
it uses that folder's configuration, certificates and passwords instead of making its own.

`connect` opens a paho-mqtt client to it over TLS as one of its users.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

REPO = Path(__file__).resolve().parent.parent
DEPLOY_CONF = REPO / "deploy" / "mosquitto" / "infusion-kiosk.conf"
DEPLOY_ACL = REPO / "deploy" / "mosquitto" / "acl"
#: the folder of certificates, passwords and the ACL that the shipped conf names
DEPLOY_DIR = "/etc/mosquitto/infusion-kiosk"
STATION = "station"
START_SECONDS = 10.0
STOP_SECONDS = 5.0
CONNECT_SECONDS = 5.0


def mosquitto_path() -> str | None:
    """The mosquitto broker program, or None when it is not installed."""
    if os.access("/usr/sbin/mosquitto", os.X_OK):
        return "/usr/sbin/mosquitto"
    return shutil.which("mosquitto")


def missing_tools() -> str | None:
    """Why a Broker cannot run on this machine (a program is missing), or None."""
    if mosquitto_path() is None:
        return "mosquitto is not installed (Debian package mosquitto)"
    for tool in ("mosquitto_passwd", "openssl"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def broker_conf(deploy_conf: str, etc_dir: Path, port: int, *, persistence: bool,
              data_dir: Path) -> str:
    """The shipped conf with its paths in `etc_dir` and one loopback listener on `port`.

    Persistence, when kept, goes to `data_dir`. Raises ValueError when the shipped conf no
    longer has the lines this relies on, so a change there is noticed here.
    """
    lines = []
    listeners = paths = 0
    for line in deploy_conf.splitlines():
        words = line.split()
        if words[:1] == ["listener"]:
            if words != ["listener", "8883"]:
                raise ValueError(f"unexpected listener line in the shipped conf: {line!r}")
            line = f"listener {port} 127.0.0.1"
            listeners += 1
        elif words[:1] == ["persistence"]:
            line = f"persistence {'true' if persistence else 'false'}"
        elif DEPLOY_DIR + "/" in line and not line.lstrip().startswith("#"):
            line = line.replace(DEPLOY_DIR + "/", f"{etc_dir}/")
            paths += 1
        lines.append(line)
    if listeners != 1 or paths < 5:
        raise ValueError(f"the shipped conf has {listeners} listeners and {paths} paths "
                         f"under {DEPLOY_DIR}; expected 1 and 5")
    lines += ["", "# Added for tests only.", f"persistence_location {data_dir}",
              "log_dest stderr", "log_type error", "log_type warning", "log_type notice",
              "log_type information", "log_type subscribe", "connection_messages true"]
    if os.geteuid() == 0:
        # As root, mosquitto would switch to the mosquitto account, which cannot read
        # pytest's private temporary folders.
        lines.append(f"user {pwd.getpwuid(os.geteuid()).pw_name}")
    return "\n".join(lines) + "\n"


def _run(*args: str | Path) -> None:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True,
                            timeout=30, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(str(a) for a in args)} failed "
                           f"({result.returncode}): {result.stderr.strip()}")


def make_certificates(folder: Path) -> None:
    """ca.crt, ca.key, server.crt and server.key (for 127.0.0.1 and localhost) in folder."""
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    _run("openssl", "req", "-x509", *ec, "-keyout", folder / "ca.key", "-out", folder / "ca.crt",
         "-days", "30", "-subj", "/CN=infusion-kiosk test CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    _run("openssl", "req", "-new", *ec, "-keyout", folder / "server.key",
         "-out", folder / "server.csr", "-subj", "/CN=localhost")
    extensions = folder / "server.ext"
    extensions.write_text("basicConstraints=critical,CA:FALSE\n"
                          "keyUsage=critical,digitalSignature\n"
                          "extendedKeyUsage=serverAuth\n"
                          "subjectKeyIdentifier=hash\n"
                          "authorityKeyIdentifier=keyid,issuer\n"
                          "subjectAltName=IP:127.0.0.1,DNS:localhost\n", encoding="utf-8")
    _run("openssl", "x509", "-req", "-in", folder / "server.csr", "-CA", folder / "ca.crt",
         "-CAkey", folder / "ca.key", "-CAcreateserial", "-days", "30",
         "-extfile", extensions, "-out", folder / "server.crt")


class Broker:
    """One mosquitto process with the shipped settings, on a free loopback port."""

    host = "127.0.0.1"

    def __init__(self, folder: Path, users: Sequence[str] = (), *, persistence: bool = False,
                 etc: Path | None = None) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        if etc is None:
            self.etc_dir = folder
            make_certificates(folder)
            shutil.copyfile(DEPLOY_ACL, folder / "acl")
            (folder / "passwords").mkdir(mode=0o700, exist_ok=True)
            (folder / "passwd").touch(mode=0o600)
            for user in dict.fromkeys([STATION, *users]):
                password = secrets.token_urlsafe(18)
                _run("mosquitto_passwd", "-b", folder / "passwd", user, password)
                plain = folder / "passwords" / user
                plain.write_text(password + "\n", encoding="utf-8")
                plain.chmod(0o600)
            deploy_conf = DEPLOY_CONF.read_text(encoding="utf-8")
        else:
            self.etc_dir = etc / "infusion-kiosk"
            deploy_conf = (etc / "conf.d" / "infusion-kiosk.conf").read_text(encoding="utf-8")
        self.ca_file = self.etc_dir / "ca.crt"
        self.conf = folder / "mosquitto.conf"
        self.conf.write_text(broker_conf(deploy_conf, self.etc_dir, self.port,
                                       persistence=persistence, data_dir=folder),
                             encoding="utf-8")
        self.log = folder / "mosquitto.log"
        self._process: subprocess.Popen[bytes] | None = None

    def password_file(self, user: str) -> Path:
        """A file whose first line is `user`'s password."""
        return self.etc_dir / "passwords" / user

    def password(self, user: str) -> str:
        return self.password_file(user).read_text(encoding="utf-8").splitlines()[0]

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def log_text(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def start(self) -> None:
        """Start mosquitto and return once its TLS port takes connections."""
        if self.running:
            raise RuntimeError("the broker is already running")
        self._reap()
        program = mosquitto_path()
        if program is None:
            raise RuntimeError("mosquitto is not installed")
        with self.log.open("ab") as log:
            self._process = subprocess.Popen([program, "-c", str(self.conf)], stdin=subprocess.DEVNULL,
                                             stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    return
            except OSError:
                pass
            try:  # not listening yet: wait a little for it to exit, which would be an error
                code = self._process.wait(0.02)
            except subprocess.TimeoutExpired:
                continue
            self._process = None
            raise RuntimeError(f"mosquitto exited ({code}) on start:\n{self._log_tail()}")
        self.kill()
        raise RuntimeError(f"mosquitto did not listen on port {self.port} within "
                           f"{START_SECONDS:g} s:\n{self._log_tail()}")

    def kill(self) -> None:
        """End mosquitto at once (SIGKILL), as a crash or power cut would."""
        if self._process is not None:
            if self._process.poll() is None:
                self._process.send_signal(signal.SIGKILL)
            self._reap()

    def stop(self) -> None:
        """End mosquitto gracefully (SIGTERM; it saves its state when persistence is on)."""
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self._process.kill()
        self._reap()

    def _reap(self) -> None:
        if self._process is not None:
            self._process.wait()
            self._process = None

    def _log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])


_UNSET: Any = object()


class Refused(ConnectionRefusedError):
    """The broker answered a CONNECT with a failure; `reason` is its CONNACK reason code."""

    def __init__(self, user: str | None, reason: ReasonCode) -> None:
        super().__init__(f"the broker refused {user!r}: {reason} (0x{reason.value:02x})")
        self.reason = reason


def connect(broker: Broker, user: str | None, *, client_id: str | None = None,
            protocol: MQTTProtocolVersion = MQTTProtocolVersion.MQTTv5,
            password: str | None = _UNSET, tls: bool = True, session_expiry: int = 0,
            prepare: Callable[[mqtt.Client], None] | None = None,
            timeout: float = CONNECT_SECONDS) -> mqtt.Client:
    """A paho client logged in to `broker` as `user`, its network loop running.

    `user` None connects without a user name. `password` defaults to the user's own;
    `tls` False tries the TLS port without TLS. `session_expiry` above 0 (seconds, MQTT 5)
    resumes the session of `client_id` if the broker still has it and keeps it after a
    disconnect. `prepare` is called with the client before it connects, to set callbacks
    that must see the messages a resumed session delivers at once. Raises `Refused` (with the reason code) when the broker refuses,
    ConnectionError when the connection drops or no answer comes in time; the client is
    stopped and closed then. The client does not reconnect by itself.
    """
    # No reconnecting: a test sees a dropped connection, and a closed client stops at once.
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id or "",
                         protocol=protocol, reconnect_on_failure=False)
    if tls:
        client.tls_set(ca_certs=str(broker.ca_file))
    if user is not None:
        client.username_pw_set(user, broker.password(user) if password is _UNSET else password)
    if prepare is not None:
        prepare(client)
    answered = threading.Event()
    outcome: list[ReasonCode | str] = []

    def on_connect(client: mqtt.Client, userdata: Any, flags: Any, reason: ReasonCode,
                   properties: Any) -> None:
        outcome.append(reason)
        answered.set()

    def on_disconnect(client: mqtt.Client, userdata: Any, flags: Any, reason: ReasonCode,
                      properties: Any) -> None:
        outcome.append(f"disconnected ({reason})")
        answered.set()

    client.on_connect = on_connect
    client.on_disconnect = on_disconnect
    options: dict[str, Any] = {}
    if session_expiry:
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call, unused-ignore]
        properties.SessionExpiryInterval = session_expiry
        options = {"clean_start": False, "properties": properties}
    try:
        client.connect(broker.host, broker.port, keepalive=30, **options)
    except (OSError, ssl.SSLError) as error:
        raise ConnectionError(f"cannot connect as {user!r}: {error}") from error
    client.loop_start()
    answered.wait(timeout)
    first = outcome[0] if outcome else None
    if isinstance(first, ReasonCode) and not first.is_failure:
        client.on_connect = None
        client.on_disconnect = None
        return client
    client.disconnect()
    client.loop_stop()
    if isinstance(first, ReasonCode):
        raise Refused(user, first)
    raise ConnectionError(f"no CONNACK for {user!r}: {first or 'no answer in time'}")


def close(client: mqtt.Client) -> None:
    """Disconnect a client from `connect` and stop its network loop."""
    client.disconnect()
    client.loop_stop()

