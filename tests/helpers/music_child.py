"""Play music into the real sound server on a script of steps, for the sound tests.

    music_child.py player SPEC.json    the AudioPlayer alone
    music_child.py window SPEC.json    the whole kiosk window (music, then a nurse call)
    music_child.py default SPEC.json   the kiosk window on its built-in defaults (its own music)

Run as a script (offscreen), never imported by pytest. SPEC holds the tracks,
the music settings and the steps: ["play"], ["wait", seconds], ["pause"],
["resume"], ["louder", times], ["call"], ["breathe"] (start the default breathing
exercise), ["stop_breathing"] (window only). SPEC may also hold `breathing`
settings (such as {"cue_tone": true}); each phase the exercise starts is marked
as a step `phase_<kind>`. When the steps are done
it prints one JSON line: when each step ran, in seconds after the first, and
for a call when the chime began and ended to sound.
"""

from __future__ import annotations

import faulthandler
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from kiosk import config as kiosk_config
from kiosk.app import create_window
from kiosk.config import Playlist
from kiosk.media.player import AudioPlayer
from kiosk.media.playlist import Queue, scan


def main() -> int:
    faulthandler.dump_traceback_later(60, exit=True)  # a hang shows where it is, then ends
    mode, spec = sys.argv[1], json.loads(Path(sys.argv[2]).read_text())
    app = QApplication(sys.argv[:1])
    music = spec["music"]
    folder = Path(spec["folder"])
    times: dict[str, Any] = {"steps": []}
    start = [0.0]

    def mark(name: str) -> None:
        now = time.monotonic()
        if not times["steps"]:
            start[0] = now
        times["steps"].append([name, round(now - start[0], 4)])

    if mode == "player":
        player = AudioPlayer(
            level=music["volume"], max_level=music["max_volume"],
            fade_in_seconds=music["fade_in_seconds"], fade_out_seconds=music["fade_out_seconds"],
            crossfade_seconds=music["crossfade_seconds"],
        )
        window = None
    else:
        base = kiosk_config.defaults()
        config = replace(base, log=replace(base.log, dir=Path(spec["log_dir"])))
        if mode == "window":  # the test's tracks and settings, not the kiosk's own music
            config = replace(config, music=replace(
                base.music, bundled=False, **music, playlists=(Playlist(name="Test", path=folder),)))
        if "breathing" in spec:
            config = replace(config, breathing=replace(base.breathing, **spec["breathing"]))
        window = create_window(config)
        window.resize(1280, 800)
        window.session.start(45, "en")
        player = window.music.player
        chime = window.call_paths.chime
        assert chime is not None
        chime.sounding_changed.connect(lambda on: mark("chime_on" if on else "chime_off"))
        window.breathe_screen.phase_started.connect(lambda kind: mark(f"phase_{kind}"))
    times["available"] = player.available

    def run(steps: list[list[Any]]) -> None:
        if not steps:
            print(json.dumps(times), flush=True)
            app.quit()
            return
        step, rest = steps[0], steps[1:]
        if step[0] == "wait":
            QTimer.singleShot(round(step[1] * 1000), lambda: run(rest))
            return
        mark(step[0])
        if step[0] == "play":
            if window is None:
                player.play(Queue(scan(folder).tracks), "Test")
            else:
                window.music.start()
        elif step[0] == "pause":
            player.pause()
        elif step[0] == "resume":
            player.play()
        elif step[0] == "louder":
            for _ in range(step[1]):
                player.step_level(+1)
        elif step[0] == "call":
            assert window is not None
            window.call_button.click()
        elif step[0] == "breathe":
            assert window is not None
            window.breathe_button.click()
            window.breathe_screen.start_button.click()
        elif step[0] == "stop_breathing":
            assert window is not None
            window.breathe_screen.stop_button.click()
        run(rest)

    QTimer.singleShot(0, lambda: run(spec["steps"]))
    app.exec()
    if window is not None:
        window.shutdown()
        window.events.close()
    else:
        player.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
