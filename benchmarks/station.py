"""Call nurse → nurse station: from the tap to the call's arrival at the desk's link.

The parent starts a real Mosquitto on loopback with the shipped configuration and
ACL, TLS and passwords (tests/broker.py). A child process (offscreen, no sound
server) builds the kiosk with [station] set and opens a visit; a desk link (the
station's `DeskLink`, in the same child) is subscribed to every kiosk. `CALLS`
times: a mouse click on Call nurse (QTest), timed from just before the press to
the moment the desk's link thread has decoded the `nurse_call.requested` message;
the call is then cancelled and its cancel awaited, untimed. The floor, in the same
child and through the same broker: a bare paho client publishes a payload of the
same size with QoS 1 and a bare subscriber receives it, `CALLS` times.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.breathing import percentile
from tests.broker import Broker, missing_tools

ROOT = Path(__file__).resolve().parents[1]
CALLS = 200
GOAL_P99_MS = 50.0  # the bound is 1 s; a healthy link is far inside it

CHILD = r"""
import json, sys, threading, time
from dataclasses import replace
from pathlib import Path
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from kiosk import config as kiosk_config
from kiosk.app import create_window
from kiosk.station.link import DeskLink
from kiosk.station.mqtt import BrokerSettings
from kiosk.station.protocol import CallEvent

folder, calls, port, ca, kiosk_pw, station_pw = sys.argv[1:7]
calls, port = int(calls), int(port)
app = QApplication(sys.argv[:1])
base = kiosk_config.defaults()
station = replace(base.station, broker="localhost", port=port, ca_file=Path(ca),
                  password_file=Path(kiosk_pw))
config = replace(base, kiosk=replace(base.kiosk, id="kiosk-a"),
                 log=replace(base.log, dir=Path(folder) / "events"), station=station)

arrived = {}
lock = threading.Condition()

def heard(message):
    if isinstance(message, CallEvent):
        with lock:
            arrived[(message.type, message.data.get("call_id"))] = time.perf_counter()
            lock.notify_all()

connected = threading.Event()
desk = DeskLink(BrokerSettings("localhost", port, Path(ca), "station", Path(station_pw)),
                on_message=heard, on_connection=lambda ok, _: ok and connected.set())
desk.start()
window = create_window(config)
window.resize(1280, 800)
window.show()
window.session.start(45, "en")

def wait_for(key, timeout=10.0):
    deadline = time.monotonic() + timeout
    with lock:
        while key not in arrived:
            left = deadline - time.monotonic()
            if left <= 0:
                print(json.dumps({"error": f"{key} never reached the desk"}), flush=True)
                sys.exit(1)
            lock.wait(left)
        return arrived[key]

if not connected.wait(15):
    print(json.dumps({"error": "the desk link could not connect"}), flush=True)
    sys.exit(1)
window.request_call()  # the first call waits for the kiosk's link to connect
first = window.calls.state.call_id
wait_for(("nurse_call.requested", first), 30)
window.calls.cancel()
wait_for(("nurse_call.cancelled", first))
taps = []
for _ in range(calls):
    app.processEvents()
    began = time.perf_counter()
    QTest.mouseClick(window.call_button, Qt.MouseButton.LeftButton)
    call_id = window.calls.state.call_id
    taps.append(wait_for(("nurse_call.requested", call_id)) - began)
    window.calls.cancel()
    wait_for(("nurse_call.cancelled", call_id))
window.shutdown()
window.events.close()

# the floor: bare paho clients, the same broker, a payload of the same size
payload = b"x" * 420
got = threading.Event()
def on_message(client, userdata, message):
    got.set()
def client(user, password_file):
    c = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    c.tls_set(ca_certs=ca)
    c.username_pw_set(user, Path(password_file).read_text().splitlines()[0])
    ready = threading.Event()
    c.on_connect = lambda *a: ready.set()
    c.connect("localhost", port)
    c.loop_start()
    ready.wait(10)
    return c
sub = client("station", station_pw)
sub.on_message = on_message
subscribed = threading.Event()
sub.on_subscribe = lambda *a: subscribed.set()
sub.subscribe("infusion-kiosk/kiosk/+/event", qos=1)
subscribed.wait(10)
pub = client("kiosk-a", kiosk_pw)
bare = []
for _ in range(calls):
    got.clear()
    began = time.perf_counter()
    pub.publish("infusion-kiosk/kiosk/kiosk-a/event", payload, qos=1)
    got.wait(10)
    bare.append(time.perf_counter() - began)
for c in (pub, sub):
    c.disconnect()
    c.loop_stop()
desk.stop()
print(json.dumps({"taps": taps, "bare": bare}), flush=True)
"""


@dataclass(frozen=True)
class Latency:
    tap_p50_ms: float
    tap_p99_ms: float
    bare_p50_ms: float
    bare_p99_ms: float


def available() -> str | None:
    return missing_tools()


def measure(calls: int = CALLS) -> Latency:
    with tempfile.TemporaryDirectory(prefix="kiosk-station-") as tmp:
        broker = Broker(Path(tmp) / "broker", ["kiosk-a"])
        broker.start()
        try:
            env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
            env.update(QT_QPA_PLATFORM="offscreen", PULSE_SERVER="unix:/nonexistent",
                       PYTHONPATH=str(ROOT), KIOSK_STATE_DIR=str(Path(tmp) / "state"))
            done = subprocess.run(
                [sys.executable, "-c", CHILD, tmp, str(calls), str(broker.port), str(broker.ca_file),
                 str(broker.password_file("kiosk-a")), str(broker.password_file("station"))],
                env=env, capture_output=True, text=True, timeout=600, check=False)
        finally:
            broker.stop()
        lines = done.stdout.strip().splitlines()
        answer = json.loads(lines[-1]) if lines else {}
        if done.returncode != 0 or "taps" not in answer:
            raise RuntimeError(answer.get("error") or done.stderr[-2000:].strip())
    taps, bare = answer["taps"], answer["bare"]
    return Latency(
        tap_p50_ms=1000 * percentile(taps, 0.50), tap_p99_ms=1000 * percentile(taps, 0.99),
        bare_p50_ms=1000 * percentile(bare, 0.50), bare_p99_ms=1000 * percentile(bare, 0.99),
    )


if __name__ == "__main__":
    print(measure())
