"""`kiosk run` as a real process: on a real X display, and with no display at all."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.realdisplay import HEIGHT, WIDTH


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        '[kiosk]\nid = "chair-3"\nroom = "Room 3"\n\n'
        f'[log]\ndir = "{tmp_path / "events"}"\n',
        encoding="utf-8",
    )
    return path


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(extra)
    return env


def _events(tmp_path: Path) -> list[dict]:
    lines = []
    for file in sorted((tmp_path / "events").glob("events-*.jsonl")):
        lines += [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines()]
    return lines


def test_no_display_is_one_clear_sentence(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk", "run", "--config", str(_config(tmp_path))],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "no display found" in lines[0]
    assert "xvfb-run" in lines[0]
    assert "qt.qpa" not in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.xvfb
def test_run_opens_fullscreen_on_a_real_display_and_stops_cleanly(
    tmp_path: Path, x_display: str
) -> None:
    env = _env(DISPLAY=x_display)
    kiosk = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "run", "--config", str(_config(tmp_path))],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        found = subprocess.run(
            ["xdotool", "search", "--sync", "--onlyvisible", "--name", "^infusion-kiosk$"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        window = found.stdout.split()[0]
        geometry = subprocess.run(
            ["xdotool", "getwindowgeometry", "--shell", window],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
        fields = dict(line.split("=", 1) for line in geometry.split())
        assert (int(fields["WIDTH"]), int(fields["HEIGHT"])) == (WIDTH, HEIGHT)
        state = subprocess.run(
            ["xprop", "-id", window, "_NET_WM_STATE"], env=env, capture_output=True, text=True
        )
        if state.returncode == 0:  # xprop is optional; openbox reports the state
            assert "_NET_WM_STATE_FULLSCREEN" in state.stdout
    finally:
        kiosk.send_signal(signal.SIGTERM)
        try:
            out, err = kiosk.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            kiosk.kill()
            kiosk.communicate()
            raise
    assert kiosk.returncode == 0, err
    assert "Traceback" not in err
    types = [event["type"] for event in _events(tmp_path)]
    assert types[:2] == ["kiosk.started", "config.loaded"]
    assert types[-1] == "kiosk.stopped"
    assert _events(tmp_path)[-1]["data"] == {"reason": "signal"}
