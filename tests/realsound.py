"""Real sound without a sound card: a private PulseAudio with a null sink, and a recorder.

The daemon is private to the test session: its socket, cookie, state and
runtime files all live in a fresh temporary directory, so it never meets a
sound server the machine may already have. A client reaches it only through
the environment variables `pulse_null_sink()` yields. The null sink's monitor
source carries exactly what a speaker on that sink would have played, and
`Recorder` captures it with `parec`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from array import array
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

SINK = "kiosk_test"
RATE = 44100
START_SECONDS = 10.0


@contextmanager
def pulse_null_sink(sink: str = SINK) -> Iterator[dict[str, str]]:
    """Run a private PulseAudio with one null sink named `sink`; yield its client environment.

    The yielded variables (PULSE_SERVER and friends) are meant to be added to
    `os.environ` for a child process. The daemon is killed on exit.
    """
    if shutil.which("pulseaudio") is None:
        raise FileNotFoundError("pulseaudio is not installed (package pulseaudio)")
    base = Path(tempfile.mkdtemp(prefix="kiosk-pulse-"))
    env = {
        "PULSE_SERVER": f"unix:{base}/native",
        "PULSE_RUNTIME_PATH": str(base / "runtime"),
        "PULSE_STATE_PATH": str(base / "state"),
        "PULSE_COOKIE": str(base / "cookie"),  # shared by daemon and clients, nowhere else
        "XDG_CONFIG_HOME": str(base / "config"),
    }
    log_path = base / "pulseaudio.log"
    with open(log_path, "wb") as log:
        daemon = subprocess.Popen(
            ["pulseaudio", "-n", "--daemonize=false", "--exit-idle-time=-1", "--disallow-exit",
             "--log-target=stderr",
             f"--load=module-null-sink sink_name={sink}",
             f"--load=module-native-protocol-unix socket={base}/native"],
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_ready(daemon, env, log_path)
        pactl(env, "set-default-sink", sink)
        yield env
    finally:
        daemon.kill()
        daemon.wait()
        shutil.rmtree(base, ignore_errors=True)


def pactl(env: Mapping[str, str], *args: str) -> str:
    """Run `pactl ARGS` against the private daemon; return its output; raise if it fails."""
    proc = subprocess.run(
        ["pactl", *args],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=10, check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"pactl {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout


def _wait_ready(daemon: subprocess.Popen[bytes], env: Mapping[str, str], log: Path) -> None:
    """Return once `pactl info` answers; raise if the daemon dies or takes too long."""
    deadline = time.monotonic() + START_SECONDS
    while True:
        if daemon.poll() is not None:
            raise RuntimeError(f"pulseaudio exited with {daemon.returncode}:\n{log.read_text()}")
        probe = subprocess.run(
            ["pactl", "info"],
            env={**os.environ, **env}, capture_output=True, timeout=10, check=False,
        )
        if probe.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"pulseaudio not ready after {START_SECONDS} s:\n{log.read_text()}")
        time.sleep(0.05)  # polling another process, not waiting for Qt


class Recorder:
    """Record the null sink's monitor (what a speaker would play) as mono 16-bit samples.

    `start()` returns once samples are flowing; `stop()` ends the recording and
    returns it as floats in [-1, 1], at `RATE` samples a second.
    """

    def __init__(self, env: Mapping[str, str], source: str = f"{SINK}.monitor") -> None:
        self._env = {**os.environ, **env}
        self._source = source
        self._dir = Path(tempfile.mkdtemp(prefix="kiosk-rec-"))
        self._path = self._dir / "monitor.raw"
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self._path, "wb") as out, open(self._dir / "parec.log", "wb") as log:
            self._proc = subprocess.Popen(
                ["parec", "-d", self._source, "--format=s16le", f"--rate={RATE}",
                 "--channels=1", "--latency-msec=20"],
                env=self._env,
                stdout=out,
                stderr=log,
            )
        # the monitor of a null sink streams silence in real time: data means recording
        deadline = time.monotonic() + START_SECONDS
        while self._path.stat().st_size == 0:
            if self._proc.poll() is not None or time.monotonic() > deadline:
                message = self._log()
                self.stop()
                raise RuntimeError(f"parec did not start recording: {message}")
            time.sleep(0.01)  # polling another process, not waiting for Qt

    def stop(self) -> list[float]:
        """Stop recording; return everything recorded (nothing on a second call)."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if not self._path.exists():
            return []
        raw = self._path.read_bytes()
        data = array("h", raw[: len(raw) // 2 * 2])
        if sys.byteorder == "big":
            data.byteswap()  # s16le
        shutil.rmtree(self._dir, ignore_errors=True)
        return [s / 32768 for s in data]

    def _log(self) -> str:
        return (self._dir / "parec.log").read_text(errors="replace").strip()
