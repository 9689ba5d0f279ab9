"""`kiosk check-config` reads the music: each playlist's files, and the kiosk's own tracks.

`load(check_media=True)` is the gate IT runs before a roll-out; `kiosk run` loads
without it, so a track removed from a share never stops a kiosk from starting.
Each media problem is reported at the `path` key of its playlist, on its line.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from kiosk import cli, config
from kiosk.config import ConfigError, Problem, load
from kiosk.media import playlist
from tests.test_config import write
from tests.test_playlist import refuse_folders_named

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "config" / "kiosk.toml"
REAL_BUNDLED = playlist.BUNDLED_DIR  # kiosk/media/music, before any test stands in for it


@pytest.fixture(autouse=True)
def bundled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in for the kiosk's own music folder, with one track."""
    folder = tmp_path / "bundled"
    write(folder / "01-still-water.ogg", b"")
    monkeypatch.setattr(playlist, "BUNDLED_DIR", folder)
    return folder


def media_problems(path: Path) -> list[Problem]:
    load([path])  # without check_media the file is fine
    with pytest.raises(ConfigError) as caught:
        load([path], check_media=True)
    return list(caught.value.problems)


def marked_line(text: str) -> int:
    return next(n for n, row in enumerate(text.splitlines(), 1) if "# <-" in row)


# -- each problem at its playlist's path line ------------------------------------------------------

def test_a_file_the_list_names_is_missing(tmp_path: Path) -> None:
    write(tmp_path / "music" / "a.ogg", b"")
    write(tmp_path / "music" / "calm.m3u", "#EXTM3U\n#EXTINF:1,A\na.ogg\nx.ogg\n")
    text = ("[kiosk]\nroom = 'A'\n\n[[music.playlists]]\nname = 'Calm'\n"
            "path = 'music/calm.m3u'  # <-\nshuffle = true\n")
    site = write(tmp_path / "site.toml", text)
    (problem,) = media_problems(site)
    assert str(problem) == (
        f"{site}:{marked_line(text)}: music.playlists[0].path: calm.m3u line 4: file not found: "
        f"{tmp_path / 'music' / 'x.ogg'} (every file the list names exists)")


def test_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    write(tmp_path / "calm" / "a.ogg", b"")
    text = ("[[music.playlists]]\nname = 'Calm'\npath = 'calm'\n\n"
            "[[music.playlists]]\nname = 'Empty'\n# a comment\npath = 'empty'  # <-\n")
    site = write(tmp_path / "site.toml", text)
    (problem,) = media_problems(site)
    assert str(problem) == (
        f"{site}:{marked_line(text)}: music.playlists[1].path: no music files in "
        f"{tmp_path / 'empty'} (at least one audio file: .ogg, .mp3, .flac, ...)")


def test_a_folder_of_no_music(tmp_path: Path) -> None:
    write(tmp_path / "docs" / "readme.txt", "x")
    write(tmp_path / "docs" / ".hidden.ogg", b"")
    text = "[[music.playlists]]\nname = 'Docs'\npath = 'docs'  # <-\n"
    (problem,) = media_problems(write(tmp_path / "site.toml", text))
    assert (problem.line, problem.key) == (3, "music.playlists[0].path")
    assert problem.message == f"no music files in {tmp_path / 'docs'}"


def test_an_empty_list(tmp_path: Path) -> None:
    write(tmp_path / "none.m3u8", "#EXTM3U\n")
    text = "[[music.playlists]]\nname = 'None'\npath = 'none.m3u8'  # <-\n"
    (problem,) = media_problems(write(tmp_path / "site.toml", text))
    assert (problem.line, problem.key) == (3, "music.playlists[0].path")
    assert problem.message == f"no music files listed in {tmp_path / 'none.m3u8'}"
    assert problem.expected == "at least one music file, one a line"


def test_streams_folders_and_remote_files_in_a_list(tmp_path: Path) -> None:
    write(tmp_path / "a.ogg", b"")
    (tmp_path / "sub.ogg").mkdir()
    write(tmp_path / "l.m3u", "a.ogg\nhttps://radio.example/calm\nsub.ogg\n"
                              "file://nas/m/b.ogg\n")
    text = "[[music.playlists]]\nname = 'L'\npath = 'l.m3u'  # <-\n"
    site = write(tmp_path / "site.toml", text)
    assert [str(p) for p in media_problems(site)] == [
        (f"{site}:3: music.playlists[0].path: l.m3u line 2: streams are not supported: "
         "https://radio.example/calm (files on this computer or on a mounted share)"),
        (f"{site}:3: music.playlists[0].path: l.m3u line 3: not a file: {tmp_path / 'sub.ogg'} "
         "(every entry a music file the kiosk user can read)"),
        (f"{site}:3: music.playlists[0].path: l.m3u line 4: a file on another computer (nas) is "
         "not supported: file://nas/m/b.ogg (files on this computer or on a mounted share)"),
    ]


def test_the_scans_own_problem_as_is(tmp_path: Path) -> None:
    write(tmp_path / "bad.m3u8", "Café.ogg\n".encode("latin-1"))
    text = "[music]\nvolume = 0.3\n[[music.playlists]]\nname = 'Bad'\npath = 'bad.m3u8'  # <-\n"
    site = write(tmp_path / "site.toml", text)
    (problem,) = media_problems(site)
    assert str(problem) == (
        f"{site}:5: music.playlists[0].path: bad.m3u8 is not valid UTF-8 text (line 1); an "
        ".m3u8 file must be UTF-8, or name it .m3u (a music folder or .m3u/.m3u8 file the kiosk "
        "user can read)")


def test_an_unreadable_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "locked" / "a.ogg", b"")
    write(tmp_path / "open" / "b.ogg", b"")
    write(tmp_path / "open" / "locked" / "c.ogg", b"")
    refuse_folders_named("locked", monkeypatch)
    text = ("[[music.playlists]]\nname = 'Locked'\npath = 'locked'\n"
            "[[music.playlists]]\nname = 'Open'\npath = 'open'\n")
    site = write(tmp_path / "site.toml", text)
    assert [str(p) for p in media_problems(site)] == [
        (f"{site}:3: music.playlists[0].path: cannot read the folder {tmp_path / 'locked'}: "
         "permission denied (a music folder or .m3u/.m3u8 file the kiosk user can read)"),
        (f"{site}:6: music.playlists[1].path: cannot read (permission denied): "
         f"{tmp_path / 'open' / 'locked'} (every music file and subfolder readable by the kiosk "
         "user)"),
    ]


def test_inline_playlists_are_placed_on_their_own_lines(tmp_path: Path) -> None:
    write(tmp_path / "ok" / "a.mp3", b"")
    (tmp_path / "empty").mkdir()
    text = ("[music]\nplaylists = [\n  { name = 'A', path = 'ok' },\n"
            "  { name = 'B', path = 'empty' },  # <-\n]\n")
    (problem,) = media_problems(write(tmp_path / "site.toml", text))
    assert (problem.line, problem.key) == (marked_line(text), "music.playlists[1].path")


def test_blamed_on_the_file_that_set_the_playlists(tmp_path: Path) -> None:
    write(tmp_path / "a" / "list.m3u", "gone.ogg\n")
    first = write(tmp_path / "a" / "first.toml",
                  "[[music.playlists]]\nname = 'A'\npath = 'list.m3u'\n")
    second = write(tmp_path / "b" / "second.toml", "[music]\n\nvolume = 0.2\n")
    with pytest.raises(ConfigError) as caught:
        load([first, second], check_media=True)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line) == (str(first), 3)
    assert problem.message == f"list.m3u line 1: file not found: {tmp_path / 'a' / 'gone.ogg'}"


def test_a_long_list_of_missing_files_is_cut_short(tmp_path: Path) -> None:
    write(tmp_path / "l.m3u", "".join(f"gone {n}.ogg\n" for n in range(1, 16)))
    site = write(tmp_path / "site.toml", "[[music.playlists]]\nname = 'L'\npath = 'l.m3u'\n")
    problems = media_problems(site)
    assert len(problems) == 11
    assert [p.message.split(":")[0] for p in problems[:10]] == [
        f"l.m3u line {n}" for n in range(1, 11)]
    assert problems[10].message == "l.m3u: 5 more entries cannot be played"


def test_every_problem_of_every_playlist_and_of_the_file_together(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    write(tmp_path / "l.m3u", "a.ogg\n\nb.ogg\n")
    site = write(tmp_path / "site.toml",
                 "[kiosk]\nroom = ''\n[[music.playlists]]\nname = 'L'\npath = 'l.m3u'\n"
                 "[[music.playlists]]\nname = 'E'\npath = 'empty'\n")
    with pytest.raises(ConfigError) as caught:
        load([site], check_media=True)
    assert [(p.line, p.key, p.message.split(":")[0]) for p in caught.value.problems] == [
        (2, "kiosk.room", "is empty"),
        (5, "music.playlists[0].path", "l.m3u line 1"),
        (5, "music.playlists[0].path", "l.m3u line 3"),
        (8, "music.playlists[1].path", f"no music files in {tmp_path / 'empty'}"),
    ]


def test_no_media_check_for_playlists_already_wrong(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    site = write(tmp_path / "site.toml",
                 "[[music.playlists]]\nname = 'E'\npath = 'empty'\n"
                 "[[music.playlists]]\nname = 'e'\npath = 'empty'\n")
    with pytest.raises(ConfigError) as caught:
        load([site], check_media=True)
    assert [p.key for p in caught.value.problems] == ["music.playlists[1].name"]
    broken = write(tmp_path / "broken.toml", "[kiosk\n")
    good = write(tmp_path / "good.toml", "[[music.playlists]]\nname = 'E'\npath = 'empty'\n")
    with pytest.raises(ConfigError) as caught:
        load([good, broken], check_media=True)
    assert [p.key for p in caught.value.problems] == ["(toml)"]


def test_good_media_passes(tmp_path: Path) -> None:
    write(tmp_path / "calm" / "01 - Still.ogg", b"")
    write(tmp_path / "l.m3u8", "calm/01 - Still.ogg\n")
    site = write(tmp_path / "site.toml",
                 "[[music.playlists]]\nname = 'Calm'\npath = 'calm'\n"
                 "[[music.playlists]]\nname = 'List'\npath = 'l.m3u8'\n")
    assert len(load([site], check_media=True).music.playlists) == 2


# -- the kiosk's own music ----------------------------------------------------------------------------

def test_the_kiosks_own_music_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gone = tmp_path / "no-music"
    monkeypatch.setattr(playlist, "BUNDLED_DIR", gone)
    expected = Problem("<defaults>", 1, "music.bundled",
                       f"the kiosk's own music is missing from {gone}",
                       "reinstall the kiosk, or set bundled = false")
    with pytest.raises(ConfigError) as caught:
        load([], check_media=True)
    assert caught.value.problems == (expected,)
    gone.mkdir()
    write(gone / "readme.txt", "no tracks yet")
    with pytest.raises(ConfigError) as caught:
        load([], check_media=True)
    assert caught.value.problems == (expected,)
    site = write(tmp_path / "site.toml", "[music]\nvolume = 0.3\nbundled = true\n")
    with pytest.raises(ConfigError) as caught:
        load([site], check_media=True)
    assert [(p.file, p.line, p.key) for p in caught.value.problems] == [
        (str(site), 3, "music.bundled")]
    assert load([]) == config.defaults()  # `kiosk run` does not look
    off = write(tmp_path / "off.toml", "[music]\nbundled = false\n")
    assert load([off], check_media=True).music.bundled is False


# -- through the command line -------------------------------------------------------------------

def test_run_accepts_what_check_config_refuses(tmp_path: Path) -> None:
    write(tmp_path / "l.m3u", "gone.ogg\n")
    site = write(tmp_path / "site.toml", "[[music.playlists]]\nname = 'L'\npath = 'l.m3u'\n")
    assert load([site]).music.playlists[0].path == tmp_path / "l.m3u"
    err = io.StringIO()
    assert cli._load_config([site], err) is not None
    assert err.getvalue() == ""


def test_check_config_exits_2_with_the_line(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "l.m3u", "#EXTM3U\n\ngone.ogg\n")
    site = write(tmp_path / "site.toml",
                 "[kiosk]\nroom = 'Room 3'\n[[music.playlists]]\nname = 'L'\npath = 'l.m3u'\n")
    assert cli.main(["check-config", str(site)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        (f"{site}:5: music.playlists[0].path: l.m3u line 3: file not found: "
         f"{tmp_path / 'gone.ogg'} (every file the list names exists)"),
        "1 problem found; nothing was changed.",
    ]


def test_check_config_exits_0_on_a_good_folder(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "music" / "02_soft_rain.flac", b"")
    site = write(tmp_path / "site.toml",
                 "[kiosk]\nroom = 'Room 3'\n[[music.playlists]]\nname = 'Rain'\npath = 'music'\n")
    assert cli.main(["check-config", str(site)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith("OK: room 'Room 3' (kiosk kiosk-1), languages en, "
                          "2 playlists (1 of the kiosk's own), 6 stages, ")


def test_the_example_passes_check_config(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check-config", str(EXAMPLE)]) == 0  # with the stand-in bundled folder
    out, err = capsys.readouterr()
    assert err == ""
    assert "1 playlist (the kiosk's own)" in out


def test_the_example_passes_check_config_with_the_real_bundled_music(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    if not any(REAL_BUNDLED.glob("*.ogg")):
        pytest.skip(f"the kiosk's own tracks are not in {REAL_BUNDLED} yet")
    monkeypatch.setattr(playlist, "BUNDLED_DIR", REAL_BUNDLED)
    assert cli.main(["check-config", str(EXAMPLE)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith("OK: ")
