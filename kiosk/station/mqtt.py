"""One MQTT connection to the clinic's broker, owned by one worker thread.

paho's network thread only turns what the broker says into items on a queue; the
worker thread takes them one at a time, together with what the application posts
(`post`, which never blocks), and calls the subclass's handlers. So every decision
of a link is made in a single thread and the caller (the GUI thread) only ever puts
an item on a queue.

The connection is TLS with the clinic's CA and a user name and password, MQTT 5,
and paho reconnects by itself (1 to 10 s apart) after the broker or the network
went away.
"""

from __future__ import annotations

import logging
import queue
import ssl
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

log = logging.getLogger(__name__)

KEEPALIVE_SECONDS: Final = 15
RECONNECT_MIN_SECONDS: Final = 1
RECONNECT_MAX_SECONDS: Final = 10


@dataclass(frozen=True)
class BrokerSettings:
    """Where the broker is and who this machine is on it."""

    host: str
    port: int
    ca_file: Path
    user: str
    password_file: Path


def read_password(path: Path) -> str:
    """The first line of the password file; OSError or ValueError with a plain reason."""
    with open(path, encoding="utf-8") as file:
        password = file.readline().rstrip("\r\n")
    if not password:
        raise ValueError(f"the password file {path} is empty")
    return password


class _Stop:
    pass


class MqttWorker:
    """A broker connection and the thread that acts on it; subclass and override the handlers.

    Handlers (`connected`, `disconnected`, `acked`, `message`, `tick`, `handle`) run in
    the worker thread only. `publish` and `subscribe` are for that thread too.
    """

    def __init__(self, settings: BrokerSettings, *, client_id: str, tick_seconds: float,
                 will: tuple[str, bytes] | None = None, name: str = "mqtt") -> None:
        self.settings = settings
        self._client_id = client_id
        self._tick_seconds = tick_seconds
        self._will = will
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._client: mqtt.Client | None = None
        self.is_connected = False
        self.problem = ""
        """Why the broker cannot be used right now ("" when connected)."""

    # -- any thread ------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def post(self, item: Any) -> None:
        """Hand an item to the worker's `handle`; never blocks."""
        self._queue.put(("post", item))

    def stop(self, timeout: float = 5.0) -> None:
        """Let the worker say goodbye (`goodbye`), disconnect and end; idempotent."""
        if self._thread.is_alive():
            self._queue.put(("stop", _Stop()))
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    # -- the worker thread: what a subclass overrides ------------------------------------------
    def connected(self) -> None:
        """The broker took the connection (after each reconnect too)."""

    def disconnected(self, problem: str) -> None:
        """The connection is gone, or could not be made; paho tries again by itself."""

    def acked(self, mid: int, ok: bool, problem: str) -> None:
        """The broker answered a QoS 1 publish: taken (`ok`) or refused (`problem`)."""

    def message(self, topic: str, payload: bytes) -> None:
        """A message arrived on a subscribed topic."""

    def tick(self) -> None:
        """Called at least every `tick_seconds`."""

    def handle(self, item: Any) -> None:
        """An item given to `post`."""

    def goodbye(self) -> None:
        """Last words before a clean disconnect (the last will is not sent then)."""

    # -- the worker thread: tools -----------------------------------------------------------
    def publish(self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False) -> int | None:
        """Queue a message with paho; its mid for `acked`, or None when not connected."""
        if self._client is None or not self.is_connected:
            return None
        info = self._client.publish(topic, payload, qos=qos, retain=retain)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            return None
        return int(info.mid)

    def subscribe(self, topics: list[str]) -> None:
        if self._client is not None and topics:
            self._client.subscribe([(name, 1) for name in topics])

    # -- inside ----------------------------------------------------------------------------
    def _run(self) -> None:
        client = self._connect()
        next_tick = time.monotonic()
        try:
            while True:
                try:
                    kind, item = self._queue.get(timeout=max(0.0, next_tick - time.monotonic()))
                except queue.Empty:
                    kind, item = "tick", None
                if kind == "stop":
                    break
                try:
                    self._dispatch(kind, item)
                except Exception:  # one bad item must not end the link
                    log.exception("the %s link failed on %s", self._thread.name, kind)
                if time.monotonic() >= next_tick:
                    next_tick = time.monotonic() + self._tick_seconds
                    try:
                        self.tick()
                    except Exception:
                        log.exception("the %s link failed on its tick", self._thread.name)
        finally:
            if client is not None:
                if self.is_connected:
                    try:
                        self.goodbye()
                    except Exception:
                        log.exception("the %s link failed saying goodbye", self._thread.name)
                client.disconnect()
                client.loop_stop()

    def _dispatch(self, kind: str, item: Any) -> None:
        if kind == "post":
            self.handle(item)
        elif kind == "connected":
            reason: ReasonCode = item
            if reason.is_failure:
                self.is_connected = False
                self._set_problem(f"the broker refused this machine: {reason}")
                self.disconnected(self.problem)
            else:
                self.is_connected = True
                self.problem = ""
                self.connected()
        elif kind == "disconnected":
            was = self.is_connected
            self.is_connected = False
            self._set_problem(item if not was else f"lost the connection to the broker ({item})")
            self.disconnected(self.problem)
        elif kind == "acked":
            mid, reason = item
            self.acked(mid, not reason.is_failure, "" if not reason.is_failure else str(reason))
        elif kind == "message":
            self.message(*item)

    def _set_problem(self, problem: str) -> None:
        if problem != self.problem:
            log.warning("%s: %s", self._where(), problem)
        self.problem = problem

    def _where(self) -> str:
        return f"MQTT broker {self.settings.host}:{self.settings.port}"

    def _connect(self) -> mqtt.Client | None:
        settings = self.settings
        try:
            password = read_password(settings.password_file)
        except (OSError, ValueError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            self._set_problem(f"cannot read the broker password file {settings.password_file}: {reason}")
            self.disconnected(self.problem)
            return None
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=self._client_id,
                             protocol=mqtt.MQTTv5)
        try:
            client.tls_set(ca_certs=str(settings.ca_file), tls_version=ssl.PROTOCOL_TLS_CLIENT)
        except (OSError, ssl.SSLError) as error:
            self._set_problem(f"cannot use the CA file {settings.ca_file}: {error}")
            self.disconnected(self.problem)
            return None
        client.username_pw_set(settings.user, password)
        if self._will is not None:
            client.will_set(self._will[0], self._will[1], qos=1, retain=True)
        client.reconnect_delay_set(RECONNECT_MIN_SECONDS, RECONNECT_MAX_SECONDS)
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_disconnect = self._on_disconnect
        client.on_publish = self._on_publish
        client.on_message = self._on_message
        self._client = client
        self.problem = f"connecting to {self._where()}"
        client.connect_async(settings.host, settings.port, keepalive=KEEPALIVE_SECONDS)
        client.loop_start()
        return client

    # paho's thread: only queue what happened
    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: ReasonCode,
                    properties: Any) -> None:
        self._queue.put(("connected", reason))

    def _on_connect_fail(self, client: mqtt.Client, userdata: Any) -> None:
        self._queue.put(("disconnected", f"cannot connect to {self._where()}"))

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: ReasonCode,
                       properties: Any) -> None:
        self._queue.put(("disconnected", str(reason)))

    def _on_publish(self, client: mqtt.Client, userdata: Any, mid: int, reason: ReasonCode,
                    properties: Any) -> None:
        self._queue.put(("acked", (mid, reason)))

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        self._queue.put(("message", (message.topic, bytes(message.payload))))
