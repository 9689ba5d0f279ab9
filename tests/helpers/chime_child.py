"""A child process for the real-sound chime tests (run as a script, never imported by pytest).

    chime_child.py play      play the chime once into the default output
    chime_child.py outputs   a new default output, then none, then one again: the chime follows

QtMultimedia connects to the sound server named by PULSE_SERVER when it first
loads, so each test runs in a fresh process with that variable already set.
The result is one JSON line on stdout. Every wait has a deadline: a chime that
never ends, or an output change that never comes, is reported, not hung on.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
from PySide6.QtMultimedia import QMediaDevices

from kiosk.media.chime import Chime
from tests.audio import rms
from tests.realsound import Recorder, pactl

DEADLINE_MS = 5000


def wait_until(condition: Callable[[], bool], timeout_ms: int = DEADLINE_MS) -> bool:
    """Run the event loop until `condition()` holds or the timeout passes; return it."""
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(10)
    poll.timeout.connect(lambda: loop.quit() if condition() else None)
    give_up = QTimer()
    give_up.setSingleShot(True)
    give_up.timeout.connect(loop.quit)
    if not condition():
        poll.start()
        give_up.start(timeout_ms)
        loop.exec()
    poll.stop()
    return condition()


class Watched:
    """A Chime with the history of its signals."""

    def __init__(self, volume: float) -> None:
        self.chime = Chime(volume)
        self.faults: list[str] = []
        self.sounding: list[tuple[bool, float]] = []
        self.chime.fault_changed.connect(self.faults.append)
        self.chime.sounding_changed.connect(lambda on: self.sounding.append((on, time.monotonic())))

    def play_through(self) -> dict[str, object]:
        """play(), then wait for sounding_changed(False); report what happened."""
        before = len(self.sounding)
        start = time.monotonic()
        played = self.chime.play()
        ended = wait_until(lambda: len(self.sounding) > before and not self.sounding[-1][0])
        changes = self.sounding[before:]
        on = [t for s, t in changes if s]
        return {
            "played": played,
            "fault": self.chime.fault,
            "ended": ended,
            "sounding": [s for s, _ in changes],
            "sounding_after": round(on[0] - start, 3) if on else None,
            "sounding_for": round(changes[-1][1] - on[0], 3) if on and ended else None,
        }

    def play_recorded(self, env: dict[str, str], sink: str) -> dict[str, object]:
        """play_through() while recording `sink`'s monitor; add the recording's RMS level."""
        recorder = Recorder(env, source=f"{sink}.monitor")
        recorder.start()
        try:
            result = self.play_through()
        finally:
            samples = recorder.stop()
        result["rms"] = round(rms(samples), 4)
        return result


def play() -> dict[str, object]:
    watched = Watched(0.6)
    result = watched.play_through()
    result["outputs"] = [d.description() for d in QMediaDevices.audioOutputs()]
    result["faults"] = watched.faults
    watched.chime.close()
    result["folder_removed"] = not watched.chime.folder.exists()
    return result


def outputs() -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k.startswith(("PULSE_", "XDG_"))}
    watched = Watched(0.6)
    chime = watched.chime
    # connected after the chime's own watcher, so a change seen here has reached the chime
    devices = QMediaDevices()
    changes: list[bytes] = []
    devices.audioOutputsChanged.connect(
        lambda: changes.append(bytes(QMediaDevices.defaultAudioOutput().id().data()))
    )

    def default_is(sink: str) -> Callable[[], bool]:
        return lambda: bool(changes) and changes[-1] == sink.encode()

    result: dict[str, object] = {}
    # "HDMI plugged in after boot": a new output becomes the default; the chime moves to it
    pactl(env, "load-module", "module-null-sink", "sink_name=kiosk_hdmi")
    pactl(env, "set-default-sink", "kiosk_hdmi")
    result["new_default_seen"] = wait_until(default_is("kiosk_hdmi"))
    result["new"] = watched.play_recorded(env, "kiosk_hdmi")
    # every output gone (both null sinks at once). QtMultimedia 6.11 does not notice
    # this, so the chime finds out when a chime sent there does not finish.
    pactl(env, "unload-module", "module-null-sink")
    wait_until(lambda: chime.fault != "", 300)  # in case QtMultimedia does notice
    gone_at = time.monotonic()
    result["gone_play"] = chime.play()
    result["gone_fault_seen"] = wait_until(lambda: chime.fault != "", 10_000)
    result["gone_fault_after"] = round(time.monotonic() - gone_at, 3)
    result["gone_fault"] = chime.fault
    result["gone_sounding"] = watched.sounding[-1][0] if watched.sounding else None
    # an output again
    pactl(env, "load-module", "module-null-sink", "sink_name=kiosk_test")
    result["back_fault_cleared"] = wait_until(lambda: chime.fault == "")
    result["back"] = watched.play_recorded(env, "kiosk_test")
    result["faults"] = watched.faults
    chime.close()
    return result


def main() -> int:
    app = QCoreApplication(sys.argv[:1])
    started = time.monotonic()
    result = {"play": play, "outputs": outputs}[sys.argv[1]]()
    result["seconds"] = round(time.monotonic() - started, 3)
    print(json.dumps(result), flush=True)
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
