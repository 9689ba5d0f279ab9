"""The last known good configuration, and safe mode: a bad roll-out never leaves a room without a kiosk.

Plain parts (to_toml, choose, keep, default_paths) without Qt; the window's banner
and safe mode's Call nurse offscreen; the whole round as real `kiosk run` processes.
"""

from __future__ import annotations

import json
import re
import signal
import stat
import sys
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk import config as kiosk_config
from kiosk import lastgood
from kiosk.app import create_window
from kiosk.clock import FakeClock
from kiosk.config import Config, load, to_toml
from kiosk.config_schema import BreathingPattern, Playlist
from kiosk.events import read_events
from kiosk.lastgood import KEPT_NAME, Rejection, choose, keep, safe_config, state_dir
from tests.kioskproc import RunningKiosk

REPO = Path(__file__).resolve().parents[1]
RUNNING = re.compile(r"kiosk \S+ is running in")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def good_file(folder: Path, room: str = "Room 7") -> Path:
    return write(folder / "kiosk.toml",
                 f'[kiosk]\nid = "chair-7"\nroom = "{room}"\n\n[log]\ndir = "{folder / "events"}"\n')


def bad_file(folder: Path) -> Path:
    return write(folder / "kiosk.toml", '[kiosk]\nid = "chair-7"\nroom = "Room 7"\n\n'
                 f'[log]\ndir = "{folder / "events"}"\n\n[session]\ninfusion_minutes = -5\n')


# -- to_toml: a kept file means what the running kiosk meant ---------------------------

def round_trip(config: Config, folder: Path) -> Config:
    return load([write(folder / "copy.toml", to_toml(config, header="a header\nof two lines"))])


def test_to_toml_reads_back_equal_for_the_defaults_and_the_example(tmp_path: Path) -> None:
    assert round_trip(kiosk_config.defaults(), tmp_path) == kiosk_config.defaults()
    example = load([REPO / "config" / "kiosk.toml"])
    assert round_trip(example, tmp_path) == example


def test_to_toml_keeps_every_kind_of_value(tmp_path: Path) -> None:
    music = write(tmp_path / "music" / "a.ogg", "not really ogg").parent
    texts = (tmp_path / "texts")
    texts.mkdir()
    base = kiosk_config.defaults()
    config = replace(
        base,
        kiosk=replace(base.kiosk, room='Room "Ñ" \\ 2', languages=("en", "es"), content_dir=texts),
        display=replace(base.display, text_scale=1.25, hide_cursor=False),
        music=replace(base.music, playlists=(
            Playlist(name="Rain", path=music, shuffle=True, stages=("infusion", "recovery")),
            Playlist(name="Sea", path=music))),
        breathing=replace(base.breathing, default_pattern="slow", patterns=(
            BreathingPattern(name="slow", inhale=4.5, exhale=6.0, rest=1.0),)),
        nurse_call=replace(base.nurse_call, keys=(), notify_command=(sys.executable, "-c", "{room}")),
        log=replace(base.log, dir=tmp_path / "events"),
    )
    assert round_trip(config, tmp_path / "kept") == config


def test_to_toml_writes_paths_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    base = kiosk_config.defaults()
    relative = replace(base, log=replace(base.log, dir=Path("events")))
    assert f'dir = "{tmp_path / "events"}"' in to_toml(relative)


# -- where the state lives, and which files are read ------------------------------------

def test_state_dir_prefers_kiosk_state_dir_then_systemd(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lastgood, "SYSTEM_STATE_DIR", tmp_path / "not-installed")
    assert state_dir({"KIOSK_STATE_DIR": "/srv/kiosk", "STATE_DIRECTORY": "/var/lib/x"}) == Path("/srv/kiosk")
    assert state_dir({"STATE_DIRECTORY": "/var/lib/infusion-kiosk:/var/lib/other"}) == \
        Path("/var/lib/infusion-kiosk")
    assert state_dir({"XDG_STATE_HOME": str(tmp_path)}) == tmp_path / "infusion-kiosk"
    assert state_dir({}) == Path.home() / ".local" / "state" / "infusion-kiosk"
    installed = tmp_path / "var-lib"
    installed.mkdir()
    monkeypatch.setattr(lastgood, "SYSTEM_STATE_DIR", installed)
    assert state_dir({}) == installed  # IT's shell sees the service's state


def test_drop_ins_apply_after_kiosk_toml_in_name_order(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    etc = good_file(tmp_path, room="From kiosk.toml")
    drop_ins = tmp_path / "conf.d"
    write(drop_ins / "20-room.toml", '[kiosk]\nroom = "Room 20"\n')
    write(drop_ins / "10-room.toml", '[kiosk]\nroom = "Room 10"\nclinic_name = "North"\n')
    write(drop_ins / "README", "not a toml file")
    mine = write(tmp_path / "mine.toml", '[display]\ntext_scale = 1.2\n')
    monkeypatch.setattr(kiosk_config, "ETC_CONFIG", etc)
    monkeypatch.setattr(kiosk_config, "ETC_DROP_INS", drop_ins)
    paths = kiosk_config.default_paths({"KIOSK_CONFIG": str(mine)})
    assert paths == [etc, drop_ins / "10-room.toml", drop_ins / "20-room.toml", mine]
    loaded = load(paths)
    assert (loaded.kiosk.room, loaded.kiosk.clinic_name, loaded.display.text_scale) == ("Room 20", "North", 1.2)


# -- choose and keep ----------------------------------------------------------------------

def test_a_good_config_is_used_and_kept(tmp_path: Path) -> None:
    state = tmp_path / "state"
    config, rejection = choose([good_file(tmp_path)], state)
    assert rejection is None and config.kiosk.room == "Room 7"
    assert keep(config, state) is True
    kept = state / KEPT_NAME
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    assert load([kept]) == config
    assert "Do not edit" in kept.read_text()
    assert keep(config, state, now=datetime(2030, 1, 1, tzinfo=timezone.utc)) is False  # nothing new
    assert list(state.iterdir()) == [kept]  # no temporary file left behind


def test_a_rejected_config_falls_back_to_the_kept_one(tmp_path: Path) -> None:
    state = tmp_path / "state"
    keep(load([good_file(tmp_path)]), state)
    bad = bad_file(tmp_path)
    config, rejection = choose([bad], state)
    assert rejection is not None and rejection.fallback == "last_good"
    assert config.kiosk.room == "Room 7" and config.session.infusion_minutes == 40
    assert rejection.files == (str(bad),)
    assert rejection.problems == (f"{bad}:9: session.infusion_minutes: out of range: -5 (5 to 240)",)
    assert rejection.kept_at is not None
    data = rejection.event_data()
    assert data["using"] == "last_good" and data["problems"] == list(rejection.problems)


def test_a_missing_file_is_rejected_too(tmp_path: Path) -> None:
    state = tmp_path / "state"
    keep(load([good_file(tmp_path)]), state)
    _, rejection = choose([tmp_path / "gone.toml"], state)
    assert rejection is not None and rejection.fallback == "last_good"
    assert "gone.toml" in rejection.problems[0]


def test_nothing_valid_means_safe_mode_on_the_defaults(tmp_path: Path) -> None:
    state = tmp_path / "state"
    write(state / KEPT_NAME, "[kiosk]\nroom = 5\n")  # a kept file that no longer loads counts as none
    config, rejection = choose([bad_file(tmp_path)], state)
    assert rejection is not None and rejection.fallback == "safe" and rejection.kept_at is None
    assert config == safe_config(state)
    assert config.log.dir == state / "events"
    assert replace(config, log=kiosk_config.defaults().log) == kiosk_config.defaults()


def test_keep_reports_an_unusable_state_folder(tmp_path: Path) -> None:
    blocker = write(tmp_path / "state", "a file where the folder should be")
    with pytest.raises(OSError):
        keep(kiosk_config.defaults(), blocker)


# -- the window: staff see why, and safe mode still calls a nurse --------------------------

def test_staff_see_the_rejection_in_the_banner(qtbot: QtBot, tmp_path: Path) -> None:
    state = tmp_path / "state"
    keep(load([good_file(tmp_path)]), state)
    config, rejection = choose([bad_file(tmp_path)], state)
    window = create_window(config, clock=FakeClock(), rejection=rejection)
    qtbot.addWidget(window)
    try:
        banner = " ".join(window.faults())
        assert "Configuration rejected (1 problem(s))" in banner
        assert "session.infusion_minutes: out of range" in banner
        assert "The kiosk runs on the last one that worked" in banner
        assert "`kiosk status`" in banner
    finally:
        window.shutdown()
        window.events.close()


def test_safe_mode_calls_a_nurse(qtbot: QtBot, tmp_path: Path) -> None:
    state = tmp_path / "state"
    config, rejection = choose([tmp_path / "missing.toml"], state)
    assert rejection is not None and rejection.fallback == "safe"
    window = create_window(config, clock=FakeClock(), rejection=rejection)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    try:
        assert "SAFE MODE" in " ".join(window.faults())
        assert window.one_time_pin  # no PIN in the defaults: a one-time PIN lets staff in
        window.call_button.click()
        assert window.calls.state.is_open
        assert window.current_screen() is window.call_screen
        assert "nurse_call.requested" in [e.type for e in read_events(state / "events")]
    finally:
        window.shutdown()
        window.events.close()


# -- the whole round with real processes -------------------------------------------------

def events_of(folder: Path) -> list[dict[str, object]]:
    lines: list[dict[str, object]] = []
    for file in sorted(folder.glob("events-*.jsonl")):
        lines += [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines()]
    return lines


def start(config: Path, state: Path) -> RunningKiosk:
    return RunningKiosk(config, env={"KIOSK_STATE_DIR": str(state)})


@pytest.mark.slow
def test_a_good_start_is_kept_and_a_broken_roll_out_starts_on_it(tmp_path: Path) -> None:
    state = tmp_path / "state"
    config = good_file(tmp_path)
    first = start(config, state)
    first.wait_for(re.compile(r"kept this configuration as the last good one"))
    first.wait_for(RUNNING)
    assert first.stop(signal.SIGTERM) == 0
    assert load([state / KEPT_NAME]).kiosk.room == "Room 7"

    bad_file(tmp_path)  # the same file, broken by a roll-out
    second = start(config, state)
    second.wait_for(re.compile(re.escape(f"{config}:9: session.infusion_minutes: out of range")))
    second.wait_for(re.compile(r"starting on the last good configuration, kept \d{4}-\d\d-\d\d"))
    second.wait_for(RUNNING)
    assert second.stop(signal.SIGTERM) == 0
    rejected = [e for e in events_of(tmp_path / "events") if e["type"] == "config.rejected"]
    assert len(rejected) == 1
    data = rejected[0]["data"]
    assert isinstance(data, dict)
    assert data["using"] == "last_good" and data["files"] == [str(config)]
    assert "session.infusion_minutes" in data["problems"][0]
    loaded = [e["data"] for e in events_of(tmp_path / "events") if e["type"] == "config.loaded"]
    assert loaded[-1] == {"files": [str(state / KEPT_NAME)], "mode": "last_good"}
    assert load([state / KEPT_NAME]).kiosk.room == "Room 7"  # a rejected start keeps nothing new


@pytest.mark.slow
def test_with_nothing_valid_the_kiosk_starts_in_safe_mode(tmp_path: Path) -> None:
    state = tmp_path / "state"
    kiosk = start(bad_file(tmp_path), state)
    kiosk.wait_for(re.compile(r"no good configuration is kept in .*; starting in SAFE MODE"))
    kiosk.wait_for(RUNNING)
    assert kiosk.stop(signal.SIGTERM) == 0
    types = [e["type"] for e in events_of(state / "events")]
    assert types[:3] == ["kiosk.started", "config.rejected", "config.loaded"]
    assert not (state / KEPT_NAME).exists()  # safe mode is never kept as good
    assert not (tmp_path / "events").exists()  # nothing from the rejected file was used


def test_rejection_event_data_is_plain_json() -> None:
    rejection = Rejection(("a.toml",), ("a.toml:1: x: y (z)",), "safe", None)
    assert json.loads(json.dumps(rejection.event_data())) == {
        "files": ["a.toml"], "problems": ["a.toml:1: x: y (z)"], "using": "safe", "kept_at": None}
