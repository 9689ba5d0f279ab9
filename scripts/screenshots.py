"""Render the kiosk's screens at 1280×800 into docs/screenshots/.

Run `.venv/bin/python scripts/screenshots.py`. It builds the real window with a
throwaway event log and an injected clock, drives it the way a nurse would, and
grabs each screen, so the README's pictures show exactly what the code draws.
The call and music screens are taken with a private PulseAudio null sink (when
pulseaudio is installed), so the chime and the music really sound and the words
say so truthfully.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication

from kiosk import config as kiosk_config
from kiosk.app import KioskWindow, create_window
from kiosk.clock import FakeClock
from kiosk.media import player as player_module
from kiosk.security import hash_pin
from kiosk.session import STAGES
from tests.musicfiles import steady_tone
from tests.realsound import pulse_null_sink
from tests.test_patient_screens import walk

OUT = ROOT / "docs/screenshots"
PIN = "428613"


def grab(app: QApplication, window: KioskWindow, name: str) -> None:
    app.processEvents()
    window.grab().save(str(OUT / f"{name}.png"))


def make_config(log_dir: Path, pin_hash: str) -> kiosk_config.Config:
    base = kiosk_config.defaults()
    return replace(
        base,
        kiosk=replace(base.kiosk, clinic_name="Harbour Street Infusion Suite", languages=("en", "es")),
        staff=replace(base.staff, pin_hash=pin_hash),
        log=replace(base.log, dir=log_dir),
    )


def unlock(window: KioskWindow) -> None:
    window.open_staff()
    window.staff_screen.pin_pad.type_digits(PIN)
    window.staff_screen.pin_pad.keys["OK"].click()


def infusion_window(config: kiosk_config.Config, clock: FakeClock) -> KioskWindow:
    """The kiosk shown at 1280×800, a visit open at the infusion, staff mode closed."""
    window = create_window(config, clock=clock)
    window.resize(1280, 800)
    window.show()
    unlock(window)
    window.staff_screen.start_button.click()
    window.staff_screen.next_button.click()
    window.staff_screen.next_button.click()
    window.staff_screen.close_button.click()
    return window


def call_screens(app: QApplication, pin_hash: str) -> None:
    """Each state of a call, as the patient and the staff see it."""
    with tempfile.TemporaryDirectory() as tmp:
        clock = FakeClock()
        window = infusion_window(make_config(Path(tmp), pin_hash), clock)
        clock.advance(12 * 60)
        window.call_button.click()
        grab(app, window, "call-1-recorded")
        window.call_screen.reason_buttons["I feel sick"].click()
        grab(app, window, "call-2-reason")
        window.home_button.click()
        grab(app, window, "call-3-strip")
        clock.advance(125)
        window.call_paths.timer.timeout.emit()  # the escalation is due
        grab(app, window, "call-4-waiting")
        window.open_staff()
        grab(app, window, "call-5-staff-acknowledge")
        window.staff_screen.pin_ack_button.click()
        grab(app, window, "call-6-acknowledged")
        unlock(window)
        grab(app, window, "call-7-staff-panel")
        window.shutdown()
        window.events.close()
    with tempfile.TemporaryDirectory() as tmp:
        broken = Path(tmp) / "events"
        broken.write_text("a file where the log directory should be")
        window = create_window(make_config(broken, pin_hash), clock=FakeClock())
        window.resize(1280, 800)
        window.show()
        window.call_button.click()
        grab(app, window, "call-8-fallback")
        window.open_staff()
        grab(app, window, "call-9-staff-fault")
        window.shutdown()
        window.events.close()


def music_screens(app: QApplication, pin_hash: str) -> None:
    """The Music screen: choosing, playing the kiosk's own music, and without a speaker."""
    with tempfile.TemporaryDirectory() as tmp:
        folders = []
        for name, frequency in (("Soft piano", 262.0), ("Birdsong at dawn", 392.0)):
            folder = Path(tmp) / name
            folder.mkdir()
            steady_tone(folder / "01 Track.wav", frequency, 2.0)
            folders.append(kiosk_config.Playlist(name=name, path=folder))
        base = make_config(Path(tmp) / "events", pin_hash)
        cfg = replace(base, music=replace(base.music, playlists=tuple(folders)))
        for output in (True, False):
            if not output:
                player_module.has_output = lambda: False  # as on a kiosk with no speaker
            window = create_window(cfg, clock=FakeClock())
            window.resize(1280, 800)
            window.show()
            unlock(window)
            window.staff_screen.start_button.click()
            window.staff_screen.close_button.click()
            window.music_button.click()
            if output:
                grab(app, window, "music-1-choose")
                window.music_screen.tiles[-1].click()  # the kiosk's own music
                while window.music.player.track is None:
                    app.processEvents()
                window.music.player.step_level(+1)
                grab(app, window, "music-2-playing")
            else:
                grab(app, window, "music-3-unavailable")
            window.shutdown()
            window.events.close()


def breathe_screens(app: QApplication, pin_hash: str) -> None:
    """The Breathe screen: choosing, the ends of an in-breath and an out-breath, with and
    without motion, and the calm words after "I feel dizzy"."""
    with tempfile.TemporaryDirectory() as tmp:
        base = make_config(Path(tmp), pin_hash)
        for still in (False, True):
            clock = FakeClock()
            cfg = replace(base, display=replace(base.display, reduce_motion=still))
            window = infusion_window(cfg, clock)
            window.breathe_button.click()
            screen = window.breathe_screen
            suffix = "-still" if still else ""
            if not still:
                grab(app, window, "breathe-1-choose")
            screen.start_button.click()
            for seconds, name in ((22.0 + 5.45, "2-end-of-in-breath"), (5.5, "3-end-of-out-breath")):
                clock.advance(seconds)  # resonant: 5.5 s in, 5.5 s out; two breaths behind
                screen.frame_timer.timeout.emit()
                grab(app, window, f"breathe-{name}{suffix}")
            if not still:
                screen.dizzy_button.click()
                grab(app, window, "breathe-4-dizzy")
            window.shutdown()
            window.events.close()


def patient_screens(app: QApplication, pin_hash: str) -> None:
    """Every patient screen of a whole visit, in each language: docs/screenshots/patient/."""
    folder = OUT / "patient"
    folder.mkdir(exist_ok=True)
    for language in ("en", "es"):
        with tempfile.TemporaryDirectory() as tmp:
            clock = FakeClock()
            window = create_window(make_config(Path(tmp), pin_hash), clock=clock)
            window.resize(1280, 800)
            window.show()
            for number, name in enumerate(walk(window, clock, language), start=1):
                app.processEvents()
                window.grab().save(str(folder / f"{language}-{number:02d}-{name.replace(' ', '-')}.png"))
            window.shutdown()
            window.events.close()


def station_screens(app: QApplication) -> None:
    """The nurse station's desk window: three rooms, one calling; then escalated and silent."""
    from datetime import datetime, timezone

    from kiosk.station.model import StationModel
    from kiosk.station.protocol import CallEvent, Heartbeat, RoomState
    from kiosk.station.window import StationWindow

    zone = timezone.utc
    start = datetime(2026, 11, 21, 10, 30, 0, tzinfo=zone)
    clock = FakeClock(start)
    model = StationModel(clock, zone=zone)
    model.set_connected(True)

    def at(hour: int, minute: int, second: int = 0) -> datetime:
        return start.replace(hour=hour, minute=minute, second=second)

    def event(kiosk: str, room: str, seq: int, kind: str, when: datetime, **data: object) -> None:
        model.on_event(CallEvent(kiosk=kiosk, room=room, seq=seq, prev_seq=seq - 1 if seq > 1 else None,
                                 ts=when, type=f"nurse_call.{kind}", session="s", data=data))

    def states(now: datetime, infusion_minutes: int) -> None:
        model.on_state(RoomState(kiosk="kiosk-1", room="Room 1", ts=now, visit_open=True, stage="infusion",
                                 infusion_minutes=infusion_minutes, planned_minutes=40,
                                 comfort=("softer music", "lower lights"), last_call_seq=5))
        model.on_state(RoomState(kiosk="kiosk-2", room="Room 2", ts=now, visit_open=True, stage="recovery",
                                 last_call_seq=3))
        model.on_state(RoomState(kiosk="kiosk-3", room="Room 3", ts=now, visit_open=False))

    states(at(10, 30), 21)
    # earlier today: Room 2 asked for the bathroom (acknowledged at the desk after 45 s);
    # Room 1 called without a reason and a nurse in the room answered it
    event("kiosk-2", "Room 2", 1, "requested", at(9, 12, 5), call_id="a1", source="button")
    event("kiosk-2", "Room 2", 2, "reason", at(9, 12, 9), call_id="a1", reason="I need the bathroom")
    event("kiosk-2", "Room 2", 3, "acknowledged", at(9, 12, 50), call_id="a1", by="station")
    event("kiosk-2", "Room 2", 4, "resolved", at(9, 16, 2), call_id="a1", by="nurse")
    event("kiosk-1", "Room 1", 1, "requested", at(10, 5, 41), call_id="b1", source="button")
    event("kiosk-1", "Room 1", 2, "acknowledged", at(10, 6, 51), call_id="b1", by="nurse")
    event("kiosk-1", "Room 1", 3, "resolved", at(10, 9, 30), call_id="b1", by="nurse")
    # now: Room 1 calls, "I feel sick"
    clock.advance(60)
    event("kiosk-1", "Room 1", 4, "requested", at(10, 31), call_id="c1", source="button")
    event("kiosk-1", "Room 1", 5, "reason", at(10, 31, 4), call_id="c1", reason="I feel sick")
    clock.advance(100)  # waiting 1 min 40 s
    states(clock.now(), 23)
    window = StationWindow(model, clock, alert=False)
    window.resize(1280, 800)
    window.show()
    window.refresh()
    app.processEvents()
    window.grab().save(str(OUT / "station-1-three-rooms-one-calling.png"))

    # a minute and a half on: escalated by the kiosk; Room 3's kiosk has gone quiet
    clock.advance(90)
    event("kiosk-1", "Room 1", 6, "escalated", at(10, 33), call_id="c1", waited_seconds=120)
    model.on_state(RoomState(kiosk="kiosk-1", room="Room 1", ts=clock.now(), visit_open=True,
                             stage="infusion", infusion_minutes=26, planned_minutes=40,
                             comfort=("softer music", "lower lights"), last_call_seq=6))
    model.on_heartbeat(Heartbeat("kiosk-2", clock.now()))
    model.on_online("kiosk-3", False)
    model.on_state(RoomState(kiosk="kiosk-2", room="Room 2", ts=clock.now(), visit_open=True,
                             stage="recovery", faults=("The call chime cannot sound: no audio output.",),
                             last_call_seq=4))
    window.refresh()
    app.processEvents()
    window.grab().save(str(OUT / "station-2-escalated-and-silent.png"))
    window.shutdown()
    window.deleteLater()


def main() -> int:
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    OUT.mkdir(parents=True, exist_ok=True)
    pin_hash = hash_pin(PIN, n=2**4)
    with tempfile.TemporaryDirectory() as tmp:
        cfg = make_config(Path(tmp), pin_hash)
        clock = FakeClock()
        window = create_window(cfg, clock=clock)
        window.resize(1280, 800)
        window.show()
        grab(app, window, "idle")

        staff = window.staff_screen
        window.open_staff()
        staff.pin_pad.type_digits("42")
        grab(app, window, "staff-pin")
        staff.pin_pad.type_digits("8613")
        staff.pin_pad.keys["OK"].click()
        grab(app, window, "staff-panel-idle")
        staff.exit_button.click()
        grab(app, window, "staff-panel-confirm-exit")
        staff.confirm_no.click()
        staff.start_button.click()
        for index, stage in enumerate(STAGES):
            if index:
                window.open_staff()
                staff.pin_pad.type_digits(PIN)
                staff.pin_pad.keys["OK"].click()
                staff.next_button.click()
            if stage == "infusion":
                clock.advance(18 * 60)
                grab(app, window, "staff-panel-visit")
            staff.close_button.click()
            while window.current_screen().name in ("checkin", "comfort"):
                window.screens[window.current_screen().name].leave_button.click()  # "Not now"
            window.stage_screen.refresh()
            grab(app, window, f"stage-{index + 1}-{stage}")
        # the infusion in Spanish, the longer language
        window.open_staff()
        staff.pin_pad.type_digits(PIN)
        staff.pin_pad.keys["OK"].click()
        staff.end_button.click()
        staff.confirm_yes.click()
        staff.language_buttons["es"].click()
        staff.start_button.click()
        staff.next_button.click()
        staff.next_button.click()
        clock.advance(18 * 60)
        staff.close_button.click()
        grab(app, window, "stage-3-infusion-es")
        window.shutdown()
        window.events.close()
    # the same, as a clinic may set it for low vision
    for scale, theme in ((1.6, "dusk"), (1.0, "high_contrast")):
        with tempfile.TemporaryDirectory() as tmp:
            base = make_config(Path(tmp), pin_hash)
            cfg = replace(base, display=replace(base.display, text_scale=scale, theme=theme))
            clock = FakeClock()
            window = infusion_window(cfg, clock)
            clock.advance(18 * 60)
            window.stage_screen.refresh()
            grab(app, window, f"stage-3-infusion-{theme}-{scale}")
            window.shutdown()
            window.events.close()
    patient_screens(app, pin_hash)
    call_screens(app, pin_hash)
    music_screens(app, pin_hash)
    breathe_screens(app, pin_hash)
    station_screens(app)
    print(f"screenshots written to {OUT}")
    return 0


if __name__ == "__main__":
    if shutil.which("pulseaudio") is None:
        sys.exit(main())
    with pulse_null_sink() as sound:  # QtMultimedia looks for the server when it first loads
        os.environ.update(sound)
        sys.exit(main())
