"""kiosk.config_lines: the best-effort locator of keys in TOML text."""

from __future__ import annotations

import tomllib
from pathlib import Path

from kiosk.config_lines import line_of, locate

TEXT = '''\
# comment [not.a.table]
title = """
[fake]
not_a_key = 1
"""  # line 5 ends the string
literal = \'\'\'
[also.fake]\'\'\'
"quoted \\" key" = 1
'single quoted' = 2
a.b . "c" = 3

[music]
volume = 0.5
playlists = [
  { name = "A", path = "x" },

  { name = "B", path = "y" },  # comment, ] } "
  { name = "C", path = "z" },
]

[[breathing.patterns]]
name = "one"
[[breathing.patterns]]
name = "two"
[breathing.patterns.extra]
deep = { inner = { key = 1 } }
list = [[1, 2], [3,
  4]]
'''


def test_locate_finds_each_key_where_it_is() -> None:
    tomllib.loads(TEXT)  # the locator only ever sees valid TOML
    lines = locate(TEXT)
    assert lines[("title",)] == 2
    assert lines[("literal",)] == 6
    assert ("fake",) not in lines and ("also",) not in lines and ("not_a_key",) not in lines
    assert lines[('quoted " key',)] == 8
    assert lines[("single quoted",)] == 9
    assert lines[("a", "b", "c")] == 10
    assert lines[("music",)] == 12
    assert lines[("music", "volume")] == 13
    assert lines[("music", "playlists", 0, "path")] == 15
    assert lines[("music", "playlists", 1)] == 17
    assert lines[("music", "playlists", 1, "path")] == 17
    assert lines[("music", "playlists", 2, "name")] == 18
    assert lines[("breathing", "patterns")] == 21
    assert lines[("breathing", "patterns", 1, "name")] == 24
    assert lines[("breathing", "patterns", 1, "extra", "deep", "inner", "key")] == 26
    assert lines[("breathing", "patterns", 1, "extra", "list", 1, 1)] == 28


def test_line_of_falls_back_to_the_enclosing_table_then_1() -> None:
    lines = locate(TEXT)
    assert line_of(lines, ("music", "playlists", 1, "shuffle")) == 17
    assert line_of(lines, ("breathing", "patterns", 0, "inhale")) == 21
    assert line_of(lines, ("music", "nothing")) == 12
    assert line_of(lines, ("nowhere",)) == 1


def test_crlf_and_stray_text_do_not_break_it() -> None:
    assert locate("[a]\r\nb = 1\r\n\r\nc = 'x'\r\n") == {("a",): 1, ("a", "b"): 2, ("a", "c"): 4}
    assert locate("x = 1\n= broken") == {("x",): 1}  # stops, keeps what it found


def test_every_key_of_the_shipped_example_is_found_on_its_own_line() -> None:
    example = Path(__file__).resolve().parents[1] / "config" / "kiosk.toml"
    text = example.read_text(encoding="utf-8")
    rows = text.splitlines()
    lines = locate(text)
    for section, table in tomllib.loads(text).items():
        assert rows[lines[(section,)] - 1] == f"[{section}]"
        for key in table:
            assert rows[lines[(section, key)] - 1].startswith(f"{key} = "), (section, key)
