"""kiosk.config: each kind of semantic mistake IT may make is reported at its key and line.

Each case is a small file; the line marked `# <-` is where the problem must be
reported. Every case also checks the one-line form `FILE:LINE: key: message (expected)`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.config import ConfigError, Problem, load

SALT, DIGEST = "ab" * 16, "cd" * 32

# (id, file text, key path, words in the message, words in the expected part)
CASES: list[tuple[str, str, str, str, str]] = [
    ("unknown key with suggestion", "[session]\ninfusion_minuets = 40  # <-\n",
     "session.infusion_minuets", "unknown key", "did you mean 'infusion_minutes'?"),
    ("unknown key, nothing close", "[kiosk]\nroom = 'A'\nzzzz = 1  # <-\n",
     "kiosk.zzzz", "unknown key", "one of: id, room, clinic_name, languages, default_language"),
    ("unknown key in an array table", "[[music.playlists]]\nname = 'x'\npath = '.'\n"
     "shufle = true  # <-\n", "music.playlists[0].shufle", "unknown key",
     "did you mean 'shuffle'?"),
    ("key in the wrong section", "[music]\ntext_scale = 1.2  # <-\n",
     "music.text_scale", "unknown key", "did you mean 'display.text_scale'?"),
    ("unknown section", "[kiosk]\nid = 'a'\n\n[displya]  # <-\ntheme = 'dusk'\n",
     "displya", "unknown key", "did you mean 'display'?"),
    ("key outside any section", "room = 'Room 2'  # <-\n[kiosk]\n",
     "room", "unknown key", "did you mean 'kiosk.room'?"),
    ("section that is not a table", "music = 5  # <-\n",
     "music", "wrong type: found integer 5", "a table [music]"),
    ("string for int", "[session]\ninfusion_minutes = \"40\"  # <-\n",
     "session.infusion_minutes", 'wrong type: found string "40"', "integer"),
    ("bool for int", "[staff]\nlockout_attempts = true  # <-\n",
     "staff.lockout_attempts", "wrong type: found boolean true", "integer"),
    ("float for int", "[staff]\ntimeout_seconds = 30.5  # <-\n",
     "staff.timeout_seconds", "wrong type: found number 30.5", "integer"),
    ("bool for number", "[music]\nvolume = false  # <-\n",
     "music.volume", "wrong type: found boolean false", "a number"),
    ("date for string", "[kiosk]\nroom = 1979-05-27  # <-\n",
     "kiosk.room", "wrong type: found date 1979-05-27", "a string"),
    ("not a number", "[music]\nvolume = nan  # <-\n",
     "music.volume", "not a finite number", "0 to 1"),
    ("negative minutes", "[session]\nrecovery_minutes = -5  # <-\n",
     "session.recovery_minutes", "out of range: -5", "0 to 240"),
    ("volume 1.5", "[music]\nvolume = 1.5  # <-\n",
     "music.volume", "out of range: 1.5", "0 to 1"),
    ("volume above max_volume", "[music]\nvolume = 0.8  # <-\nmax_volume = 0.5\n",
     "music.volume", "volume 0.8 is above max_volume 0.5", "volume at most max_volume"),
    ("chime volume below minimum", "[nurse_call]\nchime_volume = 0  # <-\n",
     "nurse_call.chime_volume", "out of range: 0", "0.05 to 1"),
    ("text_scale 2.0", "[display]\ntext_scale = 2.0  # <-\n",
     "display.text_scale", "out of range: 2", "1 to 1.6"),
    ("unknown theme", "[display]\ntheme = \"high-contrast\"  # <-\n",
     "display.theme", 'not allowed: "high-contrast"', "did you mean 'high_contrast'?"),
    ("autoplay at an unknown stage", "[music]\nautoplay_at = \"induction\"  # <-\n",
     "music.autoplay_at", 'not allowed: "induction"', '"settling", "iv_placement"'),
    ("missing media folder", "[[music.playlists]]\nname = \"Calm\"\npath = \"no-such\"  # <-\n",
     "music.playlists[0].path", "not found: {tmp}/no-such", "an existing folder or .m3u"),
    ("media path is not a folder or playlist", "[[music.playlists]]\nname = \"N\"\n"
     "path = \"notes.txt\"  # <-\n", "music.playlists[0].path",
     "not a folder or playlist file", ".m3u/.m3u8"),
    ("missing required path", "[music]\nvolume = 0.5\n[[music.playlists]]  # <-\nname = \"N\"\n",
     "music.playlists[0].path", "missing required key 'path'", "path = a path"),
    ("duplicate playlist names", "[[music.playlists]]\nname = \"Calm\"\npath = \"music\"\n"
     "[[music.playlists]]\nname = \"calm\"  # <-\npath = \"music\"\n",
     "music.playlists[1].name", "duplicate name 'calm'", "ignoring case"),
    ("playlist stage unknown", "[[music.playlists]]\nname = \"A\"\npath = \"music\"\n"
     "stages = [\"infusion\",\n  \"intake\"]  # <-\n",
     "music.playlists[0].stages[1]", 'not allowed: "intake"', '"infusion_complete"'),
    ("playlists not tables", "[music]\nplaylists = \"music\"  # <-\n",
     "music.playlists", 'wrong type: found string "music"', "[[music.playlists]] tables"),
    ("inline playlist table", "[music]\nplaylists = [\n  { name = \"A\", path = \"music\" },\n"
     "  { name = \"B\", path = \"music\", shuffle = 1 },  # <-\n]\n",
     "music.playlists[1].shuffle", "wrong type: found integer 1", "true or false"),
    ("unknown language", "[kiosk]\nlanguages = [\"en\", \"fr\"]  # <-\n",
     "kiosk.languages[1]", 'not allowed: "fr"', 'one of "en", "es"'),
    ("duplicate language", "[kiosk]\nlanguages = [\"en\", \"es\", \"en\"]  # <-\n",
     "kiosk.languages[2]", 'duplicate "en"', "each value once"),
    ("no language", "[kiosk]\nlanguages = []  # <-\n",
     "kiosk.languages", "is empty", "not empty"),
    ("default_language not in languages",
     "[kiosk]\nlanguages = [\"en\"]\ndefault_language = \"es\"  # <-\n",
     "kiosk.default_language", "default_language 'es' is not in languages", "one of en"),
    ("empty room", "[kiosk]\nroom = \"\"  # <-\n", "kiosk.room", "is empty", "not empty"),
    ("room too long", "[kiosk]\nroom = \"" + "R" * 41 + "\"  # <-\n",
     "kiosk.room", "too long: 41 characters", "at most 40 characters"),
    ("bad kiosk id", "[kiosk]\nid = \"kiosk 1\"  # <-\n",
     "kiosk.id", 'characters not allowed in "kiosk 1"', "letters, digits, '-' and '_' only"),
    ("dotted key", "kiosk.id = \"ok\"\nsession.infusion_minutes = 500  # <-\n",
     "session.infusion_minutes", "out of range: 500", "5 to 240"),
    ("quoted key", "[session]\n\"recovery_minutes\" = \"30\"  # <-\n",
     "session.recovery_minutes", "wrong type: found string", "integer"),
    ("inline section table", "# the kiosk\nkiosk = { id = \"a\", rooom = \"b\" }  # <-\n",
     "kiosk.rooom", "unknown key", "did you mean 'room'?"),
    ("bad pin_hash format", "[staff]\npin_hash = \"1234\"  # <-\n",
     "staff.pin_hash", "not a PIN hash", "kiosk hash-pin"),
    ("pin_hash with bad parameters", f"[staff]\npin_hash = \"scrypt$1000$8$1${SALT}${DIGEST}\""
     "  # <-\n", "staff.pin_hash", "bad scrypt parameters N=1000", "power of two"),
    ("no in-breath", "[[breathing.patterns]]\nname = \"Mine\"\ninhale = 0  # <-\nexhale = 4\n",
     "breathing.patterns[0].inhale", "out of range: 0", "1 to 15"),
    ("negative out-breath", "[[breathing.patterns]]\nname = \"Mine\"\ninhale = 4\n"
     "exhale = -2  # <-\n", "breathing.patterns[0].exhale", "out of range: -2", "1 to 15"),
    ("40 s hold", "[[breathing.patterns]]\nname = \"Mine\"\ninhale = 4\nhold = 40  # <-\n"
     "exhale = 4\n", "breathing.patterns[0].hold", "out of range: 40", "0 to 10"),
    ("missing exhale", "[breathing]\nminutes = 1\n[[breathing.patterns]]  # <-\nname = \"M\"\n"
     "inhale = 4\n", "breathing.patterns[0].exhale", "missing required key 'exhale'",
     "exhale = a number"),
    ("built-in pattern name", "[[breathing.patterns]]\nname = \"Box\"  # <-\ninhale = 4\n"
     "exhale = 4\n", "breathing.patterns[0].name", '"Box" is a built-in name',
     "a name other than resonant, extended_exhale, box, 4-7-8"),
    ("duplicate pattern name", "[[breathing.patterns]]\nname = \"Mine\"\ninhale = 4\nexhale = 4\n"
     "[[breathing.patterns]]\nname = \"Mine\"  # <-\ninhale = 5\nexhale = 5\n",
     "breathing.patterns[1].name", "duplicate name 'Mine'", "ignoring case"),
    ("unknown default_pattern", "[breathing]\ndefault_pattern = \"boxx\"  # <-\n",
     "breathing.default_pattern", "unknown pattern 'boxx'", "did you mean 'box'?"),
    ("breathing minutes 2", "[breathing]\nminutes = 2  # <-\n",
     "breathing.minutes", "not allowed: 2", "one of 0, 1, 3, 5"),
    ("notify_command not found",
     "[nurse_call]\nnotify_command = [\"/usr/bin/no-such-pager\", \"--now\"]  # <-\n",
     "nurse_call.notify_command", "command not found or not executable: '/usr/bin/no-such-pager'",
     "an executable file path or a command on PATH"),
    ("notify_command not a list", "[nurse_call]\nnotify_command = \"page --now\"  # <-\n",
     "nurse_call.notify_command", 'wrong type: found string "page --now"', "a list of strings"),
    ("too many reasons", "[nurse_call]\nreasons = [\"1\", \"2\", \"3\", \"4\", \"5\", \"6\", \"7\","
     " \"8\", \"9\"]  # <-\n", "nurse_call.reasons", "too many items: 9", "at most 8"),
    ("empty reason", "[nurse_call]\nreasons = [\n  \"Sick\",\n  \"\",  # <-\n]\n",
     "nurse_call.reasons[1]", "is empty", "not empty"),
    ("reason not a string", "[nurse_call]\nreasons = [\"Sick\", 3]  # <-\n",
     "nurse_call.reasons[1]", "wrong type: found integer 3", "a string"),
    ("empty key name", "[nurse_call]\nkeys = [\"\"]  # <-\n",
     "nurse_call.keys[0]", "is empty", "not empty"),
    ("key name in the wrong case", "[nurse_call]\nkeys = [\"f12\"]  # <-\n",
     "nurse_call.keys[0]", "unknown key name 'f12'", "did you mean 'F12'?"),
    ("key with a modifier", "[nurse_call]\nkeys = [\"Ctrl+F12\"]  # <-\n",
     "nurse_call.keys[0]", "unknown key name 'Ctrl+F12'", "a key name such as F12"),
    ("a call that reaches nobody", "[nurse_call]\nchime = false  # <-\n",
     "nurse_call.chime", "a call would reach nobody", "chime = true, or a notify_command"),
    ("retention_days 0", "[log]\nretention_days = 0  # <-\n",
     "log.retention_days", "out of range: 0", "1 to 36500"),
    ("empty log dir", "[log]\ndir = \"\"  # <-\n", "log.dir", "empty path", "a folder"),
    ("missing content folder", "[kiosk]\nroom = 'A'\ncontent_dir = \"texts\"  # <-\n",
     "kiosk.content_dir", "not found: {tmp}/texts", 'an existing folder, or "" for none'),
    ("content folder is a file", "[kiosk]\ncontent_dir = \"notes.txt\"  # <-\n",
     "kiosk.content_dir", "not a folder: {tmp}/notes.txt", "an existing folder"),
    ("content folder not text", "[kiosk]\ncontent_dir = false  # <-\n",
     "kiosk.content_dir", "wrong type: found boolean false", "a path (in quotes)"),
    ("content folder misspelt", "[kiosk]\ncontent_folder = \"texts\"  # <-\n",
     "kiosk.content_folder", "unknown key", "did you mean 'content_dir'?"),
]


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    (tmp_path / "music").mkdir()
    (tmp_path / "notes.txt").write_text("not music\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("text", "key", "message", "expected"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_semantic_error(folder: Path, text: str, key: str, message: str, expected: str) -> None:
    path = folder / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "# <-" in row)
    with pytest.raises(ConfigError) as caught:
        load([path])
    problems = caught.value.problems
    assert len(problems) == 1, str(caught.value)
    problem = problems[0]
    assert (problem.file, problem.line, problem.key) == (str(path), line, key)
    assert message.replace("{tmp}", str(folder)) in problem.message
    assert expected in problem.expected
    assert re.fullmatch(rf"{re.escape(str(path))}:{line}: {re.escape(key)}: .+ \(.+\)",
                        str(problem))


def test_cases_are_distinct() -> None:
    assert len({case[0] for case in CASES}) == len(CASES) >= 25
    assert len({case[2] + case[3] for case in CASES}) >= 25


def test_every_error_in_a_file_is_reported(folder: Path) -> None:
    path = folder / "kiosk.toml"
    path.write_text("""\
[kiosk]
room = ""
languages = ["en", "fr"]
[session]
infusion_minuets = 40
recovery_minutes = -1
[music]
volume = 1.5
[[music.playlists]]
name = "A"
path = "gone"
[breathing]
minutes = 2
[log]
retention_days = 0
""", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load([path])
    found = [(p.line, p.key) for p in caught.value.problems]
    assert found == [
        (2, "kiosk.room"), (3, "kiosk.languages[1]"), (5, "session.infusion_minuets"),
        (6, "session.recovery_minutes"), (8, "music.volume"), (11, "music.playlists[0].path"),
        (13, "breathing.minutes"), (15, "log.retention_days"),
    ]
    assert len(str(caught.value).splitlines()) == 8


def test_errors_in_two_files_are_both_reported(folder: Path) -> None:
    first = folder / "1.toml"
    first.write_text("[display]\ntheme = \"neon\"\n", encoding="utf-8")
    second = folder / "2.toml"
    second.write_text("[display]\n\ntext_scale = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load([first, second])
    assert caught.value.problems == (
        Problem(str(first), 2, "display.theme", 'not allowed: "neon"',
                'one of "dusk", "high_contrast"'),
        Problem(str(second), 3, "display.text_scale", "out of range: 3", "1 to 1.6"),
    )


def test_a_value_already_wrong_is_not_blamed_again_across_keys(folder: Path) -> None:
    path = folder / "kiosk.toml"
    path.write_text("[kiosk]\nlanguages = [\"fr\"]\ndefault_language = \"es\"\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load([path])
    assert [p.key for p in caught.value.problems] == ["kiosk.languages[0]"]
