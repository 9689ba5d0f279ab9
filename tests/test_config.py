"""kiosk.config: the shipped example, defaults, layering, default paths and file-level errors."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest

from kiosk import config
from kiosk.config import ConfigError, Problem, load
from kiosk.config_schema import SECTIONS
from kiosk.config_validate import item_class, schema_keys

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "config" / "kiosk.toml"


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def only_problem(paths: list[Path]) -> Problem:
    with pytest.raises(ConfigError) as caught:
        load(paths)
    assert len(caught.value.problems) == 1, str(caught.value)
    return caught.value.problems[0]


# -- the example file and the defaults ----------------------------------------------------------

def test_example_file_loads_and_equals_defaults() -> None:
    loaded = load([EXAMPLE])
    assert loaded == config.defaults()
    assert loaded.sources == (EXAMPLE,)


def test_example_file_sets_every_key_and_shows_the_array_tables() -> None:
    doc = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    text = EXAMPLE.read_text(encoding="utf-8")
    for section, cls in SECTIONS.items():
        for key in schema_keys(cls).values():
            item = item_class(key.hint)
            if item is None:
                assert key.name in doc[section], f"{section}.{key.name} missing from the example"
            else:  # empty by default: shown as a commented example
                assert f"# [[{section}.{key.name}]]" in text
                for sub in schema_keys(item):
                    assert re.search(rf"^# {sub} = ", text, re.M), f"{section}.{key.name}.{sub}"


def test_no_files_is_defaults() -> None:
    assert load([]) == config.defaults()
    assert load([]).sources == ()


def test_defaults_are_typed_and_frozen() -> None:
    defaults = config.defaults()
    assert defaults.kiosk.id == "kiosk-1"
    assert defaults.kiosk.languages == ("en",)
    assert defaults.log.dir == Path.home() / ".local/state/infusion-kiosk/events"
    assert isinstance(defaults.music.volume, float)
    assert defaults.nurse_call.reasons[0] == "I feel sick"
    with pytest.raises(dataclasses.FrozenInstanceError):
        defaults.kiosk.id = "other"  # type: ignore[misc]


def test_constants() -> None:
    assert config.STAGES == ("settling", "iv_placement", "infusion", "infusion_complete",
                             "recovery", "going_home")
    assert config.LANGUAGES == ("en", "es")


def test_int_accepted_where_a_number_is_expected(tmp_path: Path) -> None:
    loaded = load([write(tmp_path / "k.toml", "[music]\nvolume = 0\nmax_volume = 1\n")])
    assert loaded.music.volume == 0.0 and isinstance(loaded.music.volume, float)
    assert loaded.music.max_volume == 1.0 and isinstance(loaded.music.max_volume, float)


def test_valid_values_of_every_kind(tmp_path: Path) -> None:
    write(tmp_path / "music" / "calm" / "a.ogg", "")
    write(tmp_path / "lists" / "night.M3U8", "a.ogg\n")
    salt, digest = "ab" * 16, "cd" * 32
    loaded = load([write(tmp_path / "k.toml", f"""
[kiosk]
id = "room_3-a"
languages = ["es", "en"]
default_language = "es"
[staff]
pin_hash = "scrypt$16384$8$1${salt}${digest}"
[music]
autoplay_at = "infusion"
[[music.playlists]]
name = "Calm"
path = "music/calm"
stages = ["infusion", "recovery"]
[[music.playlists]]
name = "Night"
path = "lists/night.M3U8"
shuffle = true
[breathing]
default_pattern = "Slow four"
minutes = 0
[[breathing.patterns]]
name = "Slow four"
inhale = 4
exhale = 6.5
[nurse_call]
keys = []
notify_command = ["{sys.executable}", "-c", "pass"]
""")])
    assert loaded.kiosk.languages == ("es", "en")
    assert loaded.music.playlists == (
        config.Playlist(name="Calm", path=tmp_path / "music/calm",
                        stages=("infusion", "recovery")),
        config.Playlist(name="Night", path=tmp_path / "lists/night.M3U8", shuffle=True),
    )
    assert loaded.breathing.patterns == (
        config.BreathingPattern(name="Slow four", inhale=4.0, exhale=6.5),)
    assert loaded.nurse_call.keys == ()
    assert loaded.nurse_call.notify_command == (sys.executable, "-c", "pass")


def test_content_dir_is_none_by_default_and_empty_means_none(tmp_path: Path) -> None:
    assert config.defaults().kiosk.content_dir is None
    loaded = load([write(tmp_path / "k.toml", '[kiosk]\ncontent_dir = ""\n')])
    assert loaded.kiosk.content_dir is None
    assert loaded == config.defaults()


def test_content_dir_starts_at_the_folder_of_the_file_that_sets_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "site" / "texts").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    site = write(tmp_path / "site" / "kiosk.toml", '[kiosk]\ncontent_dir = "texts"\n')
    assert load([site]).kiosk.content_dir == tmp_path / "site" / "texts"
    absolute = write(tmp_path / "abs.toml", f'[kiosk]\ncontent_dir = "{tmp_path / "site"}"\n')
    assert load([absolute]).kiosk.content_dir == tmp_path / "site"
    # a later file wins; "" there turns the clinic's texts off again
    off = write(tmp_path / "off.toml", '[kiosk]\ncontent_dir = ""\n')
    assert load([site, off]).kiosk.content_dir is None
    assert load([off, site]).kiosk.content_dir == tmp_path / "site" / "texts"


def test_content_dir_expands_the_home_folder(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "texts").mkdir()
    monkeypatch.setenv("HOME", str(tmp_path))
    loaded = load([write(tmp_path / "k.toml", '[kiosk]\ncontent_dir = "~/texts"\n')])
    assert loaded.kiosk.content_dir == tmp_path / "texts"


def test_content_dir_problems_come_with_the_others_in_line_order(tmp_path: Path) -> None:
    path = write(tmp_path / "k.toml", '[kiosk]\nroom = ""\ncontent_dir = "gone"\n'
                                      'languages = ["fr"]\n')
    with pytest.raises(ConfigError) as caught:
        load([path])
    assert [(p.line, p.key) for p in caught.value.problems] == [
        (2, "kiosk.room"), (3, "kiosk.content_dir"), (4, "kiosk.languages[0]")]


def test_a_command_on_path_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path / "k.toml", '[nurse_call]\nnotify_command = ["sh", "-c", ":"]\n')
    loaded = load([path])
    assert loaded.nurse_call.notify_command[0] == "sh"


# -- layering -----------------------------------------------------------------------------------

def test_later_file_wins_key_by_key(tmp_path: Path) -> None:
    (tmp_path / "m1").mkdir()
    (tmp_path / "m2").mkdir()
    first = write(tmp_path / "first.toml", """
[kiosk]
id = "k1"
room = "A"
[music]
volume = 0.3
[[music.playlists]]
name = "One"
path = "m1"
[[music.playlists]]
name = "Two"
path = "m1"
""")
    second = write(tmp_path / "second.toml", """
[kiosk]
room = "B"
[music]
max_volume = 0.9
[[music.playlists]]
name = "Three"
path = "m2"
""")
    loaded = load([first, second])
    assert (loaded.kiosk.id, loaded.kiosk.room) == ("k1", "B")
    assert (loaded.music.volume, loaded.music.max_volume) == (0.3, 0.9)
    assert [p.name for p in loaded.music.playlists] == ["Three"]  # replaced as a whole
    assert loaded.sources == (first, second)
    assert [p.name for p in load([first, write(tmp_path / "x.toml", "")]).music.playlists] == [
        "One", "Two"]  # kept when the later file does not set it


def test_relative_paths_resolve_against_their_own_file(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a" / "music").mkdir(parents=True)
    first = write(tmp_path / "a" / "k.toml",
                  '[[music.playlists]]\nname = "M"\npath = "music"\n[log]\ndir = "logs"\n')
    second = write(tmp_path / "b" / "k.toml", '[log]\ndir = "../events"\n')
    monkeypatch.chdir(tmp_path / "b")
    loaded = load([first])
    assert loaded.music.playlists[0].path == tmp_path / "a" / "music"
    assert loaded.log.dir == tmp_path / "a" / "logs"
    assert load([first, second]).log.dir == tmp_path / "b" / ".." / "events"
    assert load([Path("k.toml")]).log.dir == tmp_path / "b" / ".." / "events"


def test_home_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "Music").mkdir()
    loaded = load([write(tmp_path / "k.toml", '[log]\ndir = "~/events"\n'
                         '[[music.playlists]]\nname = "M"\npath = "~/Music"\n')])
    assert loaded.log.dir == tmp_path / "events"
    assert loaded.music.playlists[0].path == tmp_path / "Music"


def test_cross_check_blames_the_file_that_set_the_key_last(tmp_path: Path) -> None:
    first = write(tmp_path / "1.toml", "[music]\nvolume = 0.6\n")
    second = write(tmp_path / "2.toml", "\n[music]\nmax_volume = 0.5\n")
    problem = only_problem([first, second])
    assert (problem.file, problem.line, problem.key) == (str(second), 3, "music.max_volume")
    assert "above max_volume" in problem.message
    second = write(tmp_path / "2.toml", '[kiosk]\nlanguages = ["es"]\n')
    problem = only_problem([second])
    assert (problem.line, problem.key) == (2, "kiosk.languages")


# -- default paths ------------------------------------------------------------------------------

def test_default_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    etc = tmp_path / "etc" / "kiosk.toml"
    monkeypatch.setattr(config, "ETC_CONFIG", etc)
    assert config.default_paths({}) == []
    assert config.default_paths({"KIOSK_CONFIG": ""}) == []
    mine = tmp_path / "mine.toml"
    assert config.default_paths({"KIOSK_CONFIG": str(mine)}) == [mine]  # kept though missing
    write(etc, '[kiosk]\nroom = "From etc"\n')
    assert config.default_paths({}) == [etc]
    assert config.default_paths({"KIOSK_CONFIG": str(mine)}) == [etc, mine]
    problem = only_problem(config.default_paths({"KIOSK_CONFIG": str(mine)}))
    assert (problem.file, problem.key, problem.message) == (str(mine), "(file)", "file not found")
    monkeypatch.setenv("KIOSK_CONFIG", str(write(mine, '[kiosk]\nid = "mine"\n')))
    loaded = load(config.default_paths())
    assert (loaded.kiosk.room, loaded.kiosk.id) == ("From etc", "mine")


# -- file-level problems: one line each, never a traceback ----------------------------------------

def test_missing_file(tmp_path: Path) -> None:
    problem = only_problem([tmp_path / "nope.toml"])
    assert str(problem) == (f"{tmp_path / 'nope.toml'}:1: (file): file not found "
                            "(an existing TOML file)")


def test_directory(tmp_path: Path) -> None:
    problem = only_problem([tmp_path])
    assert (problem.key, problem.message) == ("(file)", "is a directory")


def test_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = write(tmp_path / "k.toml", "[kiosk]\n")
    real_open = Path.open

    def refusing_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == target:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refusing_open)
    problem = only_problem([target])
    assert (problem.key, problem.line) == ("(file)", 1)
    assert "permission denied" in problem.message
    assert "\n" not in str(problem)


def test_huge_file_is_refused_without_reading_it(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    huge = tmp_path / "huge.toml"
    with huge.open("wb") as stream:
        stream.truncate(50 * 1024 * 1024)  # sparse: no disk used

    def no_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the file must not be opened")

    monkeypatch.setattr(Path, "open", no_open)
    started = time.monotonic()
    problem = only_problem([huge])
    assert time.monotonic() - started < 1.0
    assert (problem.key, problem.message) == ("(file)", "file too large: 52428800 bytes")
    assert problem.expected == "at most 1 MiB"


def test_bad_utf8_reports_the_line_of_the_first_bad_byte(tmp_path: Path) -> None:
    path = write(tmp_path / "k.toml",
                 b'[kiosk]\nid = "k"\nroom = "Caf\xe9"\nclinic_name = "\xff"\n')
    problem = only_problem([path])
    assert (problem.line, problem.key) == (3, "(file)")
    assert problem.message == "not valid UTF-8: byte 0xe9 at column 12"


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path / "k.toml", '\ufeff[kiosk]\nroom = "Bom"\n'.encode())
    assert load([path]).kiosk.room == "Bom"
    write(path, '\ufeff[kiosk]\nroom = 5\n'.encode())
    assert only_problem([path]).line == 2


def test_invalid_toml_is_one_problem_at_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "k.toml", '[kiosk]\nroom = "A"\nid = \nclinic_name = "x"\n')
    problem = only_problem([path])
    assert (problem.line, problem.key) == (3, "(toml)")
    assert re.fullmatch(rf"{re.escape(str(path))}:3: \(toml\): invalid TOML: .+ at column \d+ "
                        r"\(.+\)", str(problem))
    write(path, "[kiosk]\nlanguages = [\"en\",\n")
    problem = only_problem([path])
    assert (problem.line, problem.key) == (3, "(toml)")


def test_problems_of_all_files_are_reported_together(tmp_path: Path) -> None:
    first = write(tmp_path / "1.toml", "[session]\ninfusion_minutes = 1\n")
    broken = write(tmp_path / "2.toml", "[kiosk\n")
    third = write(tmp_path / "3.toml", "[display]\ntheme = 'neon'\n[log]\nretention_days = 0\n")
    with pytest.raises(ConfigError) as caught:
        load([first, broken, tmp_path / "missing.toml", third])
    found = [(p.file, p.line, p.key) for p in caught.value.problems]
    assert found == [
        (str(first), 2, "session.infusion_minutes"),
        (str(broken), 1, "(toml)"),
        (str(tmp_path / "missing.toml"), 1, "(file)"),
        (str(third), 2, "display.theme"),
        (str(third), 4, "log.retention_days"),
    ]
    assert str(caught.value) == "\n".join(str(p) for p in caught.value.problems)


def test_no_rules_across_keys_when_a_file_could_not_be_read(tmp_path: Path) -> None:
    broken = write(tmp_path / "1.toml", "[music]\nmax_volume = 0.9\n[broken\n")
    second = write(tmp_path / "2.toml", "[music]\nvolume = 0.8\n")
    problem = only_problem([broken, second])  # not also "volume above max_volume"
    assert (problem.file, problem.key) == (str(broken), "(toml)")


def test_problem_format() -> None:
    problem = Problem("k.toml", 7, "music.volume", "out of range: 1.5", "0 to 1")
    assert str(problem) == "k.toml:7: music.volume: out of range: 1.5 (0 to 1)"
    assert str(ConfigError([problem, problem])).count("\n") == 1


# -- summary and reference ----------------------------------------------------------------------

def test_summary() -> None:
    assert config.summary(config.defaults()) == (
        "OK: room 'Room 1' (kiosk kiosk-1), languages en, 1 playlist (the kiosk's own), "
        "6 stages, log in ~/.local/state/infusion-kiosk/events")


def test_summary_counts_the_kiosks_own_playlist(tmp_path: Path) -> None:
    mine = config.Playlist(name="Calm", path=tmp_path)
    music = config.MusicConfig(playlists=(mine,))
    assert ", 2 playlists (1 of the kiosk's own), " in config.summary(config.Config(music=music))
    music = config.MusicConfig(playlists=(mine, mine), bundled=False)
    assert ", 2 playlists, " in config.summary(config.Config(music=music))
    music = config.MusicConfig(playlists=(mine,), bundled=False)
    assert ", 1 playlist, " in config.summary(config.Config(music=music))
    assert ", 0 playlists, " in config.summary(config.Config(music=config.MusicConfig(
        bundled=False)))


def test_reference_mentions_every_key() -> None:
    reference = config.reference_markdown()
    for section, cls in SECTIONS.items():
        assert f"## `[{section}]`" in reference
        for key in schema_keys(cls).values():
            assert f"| `{key.name}` |" in reference, f"{section}.{key.name}"
            item = item_class(key.hint)
            if item is not None:
                assert f"## `[[{section}.{key.name}]]`" in reference
                for sub in schema_keys(item):
                    assert f"| `{sub}` |" in reference
    assert "| `volume` | number | `0.4` | 0 to 1; at most `max_volume` |" in reference
    assert "| `content_dir` | path | `\"\"` | empty, or an existing folder; " in reference
    assert "| `name` | string | *required* |" in reference


def test_every_key_is_documented() -> None:
    for cls in list(SECTIONS.values()) + [config.Playlist, config.BreathingPattern]:
        for key in schema_keys(cls).values():
            assert key.meta.get("doc"), f"{cls.__name__}.{key.name}"


def test_config_modules_do_not_import_qt() -> None:
    code = ("import sys, kiosk.config, kiosk.config_schema, kiosk.config_validate, "
            "kiosk.config_lines; sys.exit('PySide6' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
