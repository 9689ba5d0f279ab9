"""Property tests: any TOML document, any bytes -> a Config or a ConfigError, never a crash.

Hypothesis builds documents from the real schema (real section and key names, mixed with
unknown ones, values of every TOML type), writes them as TOML text with the small serializer
below, and loads them as `kiosk run` and `kiosk check-config` do. It also feeds the loader
bytes that are not TOML or not UTF-8 at all. Whatever it finds becomes an `@example`.
"""

from __future__ import annotations

import io
import math
import os
import re
import tempfile
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import tomllib
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from kiosk import cli
from kiosk.config import Config, ConfigError, KioskConfig, Problem, load, to_toml
from kiosk.config_schema import BUILTIN_PATTERNS, CALL_KEYS, SECTIONS
from kiosk.config_validate import Key, item_class, schema_keys

#: More examples for a longer hunt: KIOSK_PROPERTY_EXAMPLES=2000 pytest tests/test_properties_*.py
EXAMPLES = int(os.environ.get("KIOSK_PROPERTY_EXAMPLES", "200"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

#: A PIN hash of the form `kiosk hash-pin` prints (N=16384, r=8, p=1); only its form is checked.
GOOD_HASH = "scrypt$16384$8$1$" + "ab" * 16 + "$" + "cd" * 32


# --------------------------------------------------------------------------- TOML writer


class Tables(list):  # type: ignore[type-arg]
    """A value written as an array of tables (`[[a.b]]`), not as an inline array."""


_BARE = re.compile(r"[A-Za-z0-9_-]+")


def toml_key(name: str) -> str:
    return name if _BARE.fullmatch(name) else toml_string(name, key=True)


def _escape(char: str, *, newline_ok: bool = False) -> str:
    if char == "\\":
        return "\\\\"
    if char == '"':
        return '\\"'
    if char == "\n" and newline_ok:
        return "\n"
    if ord(char) < 0x20 or char == "\x7f":
        return f"\\u{ord(char):04x}"
    return char


def toml_string(text: str, *, key: bool = False) -> str:
    """A basic string; for some values a literal or a multi-line one (raw newlines)."""
    if "\n" in text[1:] and len(text) % 2 == 0 and not key:
        return '"""' + _escape(text[0]) + "".join(_escape(c, newline_ok=True)
                                                  for c in text[1:]) + '"""'
    if "'" not in text and not any(ord(c) < 0x20 or c == "\x7f" for c in text) and len(text) % 3 == 1:
        return f"'{text}'"
    return '"' + "".join(_escape(c) for c in text) + '"'


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def toml_table(header: str, table: dict[str, Any]) -> list[str]:
    """`[header]`, its keys, then its arrays of tables."""
    out = [header] if header else []
    out += [f"{toml_key(k)} = {toml_value(v)}" for k, v in table.items()
            if not isinstance(v, Tables)]
    name = header.strip("[]")
    for k, items in table.items():
        if isinstance(items, Tables):
            for item in items:
                out += ["", f"[[{name}.{toml_key(k)}]]"]
                out += [f"{toml_key(ik)} = {toml_value(iv)}" for ik, iv in item.items()]
    return out


def toml_document(doc: dict[str, Any]) -> str:
    out = [f"{toml_key(k)} = {toml_value(v)}" for k, v in doc.items() if not isinstance(v, dict)]
    for name, table in doc.items():
        if isinstance(table, dict):
            out += ["", *toml_table(f"[{toml_key(name)}]", table)]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- strategies

_LEAF_TEXT = st.one_of(
    st.text(max_size=20),
    st.text(st.characters(max_codepoint=0x7f), max_size=12),  # control characters, NUL too
    st.sampled_from(["", " ", "\n", "\u2028", "\ufeff", "~", "~nosuchuser", "a\x00b", "\x7f",
                     "../..", "/"]),
    st.integers(40, 6000).map(lambda n: "x" * n),
)

scalars = st.one_of(
    _LEAF_TEXT,
    st.integers(-(2**63), 2**63 - 1),
    st.sampled_from([0, -1, 2**63 - 1, -(2**63), 2**64, -(2**70), 10**40]),
    st.floats(),  # nan and inf included
    st.booleans(),
    st.dates(),
    st.datetimes(timezones=st.sampled_from([None, timezone.utc,
                                            timezone(timedelta(hours=-5, minutes=-30))])),
    st.times(),
)

key_names = st.one_of(st.text(max_size=8), st.sampled_from(
    ["id", "room", "path", "name", "volume", "dir", "kiosk", "pin", "", "a.b", "Room"]))

any_value: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(key_names, inner, max_size=3),
    max_leaves=8,
)

#: Relative paths the test creates next to each config file, and some it does not.
MEDIA_PATHS = ["music", "list.m3u", "empty", "missing", "cover.jpg", "", "~", "~nosuchuser/x",
               "/nonexistent/folder", "a\x00b", "a\nb", "."]
_TEXT = st.text(max_size=40)  # any character but surrogates: controls, DEL, U+2028 too


def valid(key: Key) -> st.SearchStrategy[Any]:
    """Values that pass the key's own rules (the rules across keys may still fail)."""
    hint, meta = key.hint, key.meta
    if hint is bool:
        return st.booleans()
    if "choices" in meta:
        return st.sampled_from(meta["choices"])
    if hint is int:
        return st.integers(meta.get("min", 0), meta.get("max", 2**40))
    if hint is float:
        return st.floats(meta["min"], meta["max"]) | st.integers(int(meta["min"]), int(meta["max"]))
    if key.name == "pin_hash":
        return st.sampled_from(["", GOOD_HASH])
    if key.name == "id":
        return st.from_regex(r"[A-Za-z0-9_-]{1,40}", fullmatch=True)
    if key.name == "default_pattern":
        return st.sampled_from(BUILTIN_PATTERNS)
    if key.name == "name":
        return st.text(min_size=1, max_size=12).filter(
            lambda n: n.casefold() not in {p.casefold() for p in BUILTIN_PATTERNS})
    if hint is str:
        return st.text(min_size=1 if meta.get("nonempty") else 0, max_size=meta.get("max_len", 40))
    if key.name == "content_dir":
        return st.sampled_from(["", "music", "empty", "."])
    if key.name == "path":
        return st.sampled_from(["music", "list.m3u", "empty"])
    if "Path" in str(hint):  # log.dir: anything but NUL or a stranger's ~
        return st.text(min_size=1, max_size=30).filter(lambda t: "\x00" not in t
                                                       and not t.startswith("~"))
    if key.name == "keys":
        return st.lists(st.sampled_from(CALL_KEYS), unique=True, max_size=3)
    if key.name == "notify_command":
        return st.just([]) | st.lists(_TEXT, max_size=3).map(lambda args: ["true", *args])
    item = item_class(hint)
    if item is not None:
        return st.builds(Tables, st.lists(valid_table(item), max_size=3,
                                          unique_by=lambda t: t["name"].casefold()))
    items = meta.get("items", {})
    if "choices" in items:
        return st.lists(st.sampled_from(items["choices"]), unique=True,
                        min_size=1 if meta.get("nonempty") else 0, max_size=3)
    return st.lists(st.text(min_size=1, max_size=10), min_size=1, max_size=meta.get("max_items", 3))


def edge(key: Key) -> st.SearchStrategy[Any]:
    """Values at and just past the key's rules."""
    hint, meta = key.hint, key.meta
    if "choices" in meta:
        return st.sampled_from(["", "EN", "4-7-9", "dusk ", 2, 2.0])
    if hint is int:
        low, high = meta.get("min", 0), meta.get("max", 100)
        return st.sampled_from([low - 1, high + 1, -(2**63), 2**63 - 1, 2**64, low, high])
    if hint is float:
        low, high = meta["min"], meta["max"]
        return st.sampled_from([low - 1e-9, high + 1e-9, math.nan, -math.inf, 5e-324, -0.0,
                                int(high), True])
    if key.name == "pin_hash":
        return st.sampled_from(["scrypt$16$1$1$00$00", "scrypt$" + "1" * 5000 + "$8$1$ab$cd",
                                "scrypt$\u0661\u0666$8$1$ab$cd", "plain", GOOD_HASH.upper()])
    if key.name == "keys":
        return st.lists(st.sampled_from(["F12", "f12", "Ctrl+F12", "", "\x00"]), max_size=3)
    if key.name == "notify_command":
        return st.lists(st.sampled_from(["true", "/bin/true", "nosuchcommand", "", "{room}",
                                         "a\x00b", "/"]), max_size=3)
    if "Path" in str(hint):
        return st.sampled_from(MEDIA_PATHS)
    if (item := item_class(hint)) is not None:
        return st.builds(Tables, st.lists(table_of(item), max_size=3))
    if hint is str:
        return st.sampled_from(["", " ", "x" * 41, "é" * 61, "resonant", "a\nb", "\x00"])
    return st.lists(st.sampled_from(["", "en", "en", "infusion", "x", " "]), max_size=9)


def value_for(key: Key) -> st.SearchStrategy[Any]:
    return st.one_of(valid(key), valid(key), edge(key), any_value)


def unknown_keys(known: set[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(st.just({}), st.just({}),
                     st.dictionaries(key_names.filter(lambda k: k not in known), any_value,
                                     max_size=2))


def valid_table(cls: type[Any]) -> st.SearchStrategy[dict[str, Any]]:
    keys = schema_keys(cls)
    return st.fixed_dictionaries(
        {name: valid(k) for name, k in keys.items() if k.meta.get("required")},
        optional={name: valid(k) for name, k in keys.items() if not k.meta.get("required")})


def table_of(cls: type[Any]) -> st.SearchStrategy[dict[str, Any]]:
    keys = schema_keys(cls)
    known = st.fixed_dictionaries({}, optional={name: value_for(k) for name, k in keys.items()})
    return st.builds(lambda a, b: {**b, **a}, known, unknown_keys(set(keys)))


#: Files IT could have written: every key set or not, each to a value its rules allow.
valid_documents = st.fixed_dictionaries(
    {}, optional={name: valid_table(cls) for name, cls in SECTIONS.items()})

#: Anything: real keys with good, borderline and absurd values, unknown keys and sections.
messy_documents = st.builds(
    lambda a, b: {**b, **a},
    st.fixed_dictionaries({}, optional={
        name: st.one_of(table_of(cls), table_of(cls), table_of(cls), any_value)
        for name, cls in SECTIONS.items()}),
    unknown_keys(set(SECTIONS)),
)

documents: st.SearchStrategy[dict[str, Any]] = valid_documents | messy_documents

def _insert(data: bytes, at: int, junk: bytes) -> bytes:
    return data[:at] + junk + data[at:]


#: Bytes that are not a clean TOML document: not UTF-8, NUL bytes, BOMs, syntax errors.
bad_bytes = st.one_of(
    st.binary(max_size=200),
    st.builds(lambda bom, t: bom + t.encode("utf-8", "surrogatepass"),
              st.sampled_from([b"", b"\xef\xbb\xbf", b"\xef\xbb\xbf\xef\xbb\xbf", b"\xff\xfe"]),
              st.text(st.characters(codec="utf-8") | st.sampled_from("[]{}=\"'.\n#\\"),
                      max_size=80)),
    st.builds(lambda doc, at, junk: _insert(toml_document(doc).encode("utf-8"), at, junk),
              documents, st.integers(0, 400), st.sampled_from([b"\x00", b"\xff", b"\n[", b"=",
                                                               b"\"", b"\r", b"\xc3", b"[[x]]\n"])),
)


# --------------------------------------------------------------------------- helpers


def folder_with_media(root: Path) -> None:
    """The relative paths of MEDIA_PATHS that exist, next to the config files."""
    (root / "music").mkdir()
    (root / "music" / "track.ogg").write_bytes(b"OggS")
    (root / "empty").mkdir()
    (root / "list.m3u").write_text("music/track.ogg\n", encoding="utf-8")
    (root / "cover.jpg").write_bytes(b"\xff\xd8")


def checked_load(paths: list[Path], **options: Any) -> Config | ConfigError:
    """`load`, asserting it returns a Config or raises a well-formed ConfigError."""
    try:
        loaded = load(paths, **options)
    except ConfigError as error:
        event(f"problems ({'media' if options else 'load'})")
        assert error.problems, "a ConfigError with no problems"
        names = {str(p) for p in paths}
        for problem in error.problems:
            assert isinstance(problem, Problem)
            assert problem.file in names, f"{problem} does not name one of the files"
            assert problem.line >= 1
            if Path(problem.file).is_file():
                lines = Path(problem.file).read_bytes().count(b"\n") + 1
                assert problem.line <= lines, f"{problem}: the file has {lines} lines"
            shown = str(problem)
            assert shown.startswith(f"{problem.file}:{problem.line}: "), shown
            assert problem.message and problem.expected, shown
            assert not any(ord(c) < 0x20 or c in "\x7f\u2028\u2029" for c in shown), (
                f"not one plain line: {shown!r}")
            assert not re.search(r"recursion depth|sys\.set_|Traceback \(most", shown), (
                f"Python's words, not IT's: {shown}")
        return error
    event(f"valid ({'media' if options else 'load'})")
    return loaded


def round_trip(loaded: Config, folder: Path) -> None:
    """A valid result written by `to_toml` loads back equal (and valid)."""
    text = to_toml(loaded, header="kept by the property test")
    tomllib.loads(text)  # valid TOML first
    again = folder / "again" / "kiosk.toml"
    again.parent.mkdir(exist_ok=True)
    again.write_text(text, encoding="utf-8")
    result = checked_load([again])
    assert not isinstance(result, ConfigError), f"{result}\n---\n{text}"
    assert result == loaded


def with_folder(test: Callable[[Path], None]) -> None:
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        folder_with_media(root)
        test(root)


# --------------------------------------------------------------------------- properties


def test_the_serializer_writes_valid_toml() -> None:
    """The test's own writer, on the nastiest values it is given."""
    doc = {"a": {"s": "x\ny\x00\x7f\"\\", "t": "\n\n", "l": "'", "d": datetime(1, 1, 1),
                 "f": [math.inf, -0.0, 1e300], "i": {"": {"b c": 2**64}},
                 "aot": Tables([{"k": "v"}, {}])}}
    parsed = tomllib.loads(toml_document(doc))
    assert parsed["a"]["s"] == "x\ny\x00\x7f\"\\" and parsed["a"]["t"] == "\n\n"
    assert parsed["a"]["aot"] == [{"k": "v"}, {}]


@SETTINGS
@given(doc=documents)
@example(doc={"staff": {"pin_hash": "scrypt$" + "1" * 5000 + "$8$1$ab$cd"}})  # ValueError
@example(doc={"kiosk": {"room": "\x7f"}})  # to_toml wrote a raw DEL: not TOML
@example(doc={"log": {"dir": "~nosuchuser/x"}})  # RuntimeError from expanduser
@example(doc={"kiosk": {"content_dir": "~nosuchuser"}})  # the same, for an optional folder
@example(doc={"music": {"playlists": Tables([{"name": "a", "path": "~nosuchuser"}])}})
@example(doc={"log": {"dir": "a\x00b"}})  # accepted, then the log could never be opened
@example(doc={"music": {"playlists": Tables([{"name": "a", "path": "a\nb"}])}})  # two lines
def test_any_document_loads_or_lists_its_problems(doc: dict[str, Any]) -> None:
    text = toml_document(doc)
    tomllib.loads(text)  # the generator writes valid TOML

    def check(root: Path) -> None:
        path = root / "kiosk.toml"
        path.write_text(text, encoding="utf-8")
        result = checked_load([path])
        if isinstance(result, Config):
            round_trip(result, root)
        media = checked_load([path], check_media=True)
        assert isinstance(media, ConfigError) or isinstance(result, Config)

    with_folder(check)


@pytest.mark.parametrize(("text", "message"), [
    ('[log]\ndir = "a\\u0000b"', "log.dir: the path contains a NUL character"),
    ('[log]\ndir = "~nosuchuser/x"', "log.dir: no home folder for ~nosuchuser"),
    ('[kiosk]\ncontent_dir = "~nosuchuser"', "kiosk.content_dir: no home folder for ~nosuchuser"),
    ('[[music.playlists]]\nname = "a"\npath = "a\\nb"',
     "music.playlists[0].path: not found: {root}/a\\nb"),
    ('[staff]\npin_hash = "scrypt$' + "1" * 5000 + '$8$1$ab$cd"', "staff.pin_hash: not a PIN hash"),
], ids=["nul", "no-such-user", "no-such-user-folder", "newline", "5000-digits"])
def test_what_the_properties_found_is_one_plain_problem(tmp_path: Path, text: str,
                                                         message: str) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load([path])
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:{text.count(chr(10)) + 1}: " + message.format(root=tmp_path)
        + f" ({caught.value.problems[0].expected})"]


def test_to_toml_escapes_del() -> None:
    text = to_toml(Config(kiosk=KioskConfig(room="a\x7fb")))
    assert '"a\\u007fb"' in text and tomllib.loads(text)["kiosk"]["room"] == "a\x7fb"


@SETTINGS
@given(first=documents, second=documents, missing=st.booleans())
def test_layered_files_load_or_list_their_problems(first: dict[str, Any], second: dict[str, Any],
                                                   missing: bool) -> None:
    def check(root: Path) -> None:
        paths = [root / "kiosk.toml", root / "conf.d" / "10-room.toml"]
        paths[1].parent.mkdir()
        paths[0].write_text(toml_document(first), encoding="utf-8")
        paths[1].write_text(toml_document(second), encoding="utf-8")
        if missing:
            paths.append(root / "not-there.toml")
        result = checked_load(paths)
        if missing:
            assert isinstance(result, ConfigError)
            assert any(p.file == str(paths[-1]) for p in result.problems)
        elif isinstance(result, Config):
            assert result.sources == tuple(paths)
            round_trip(result, root)

    with_folder(check)


@SETTINGS
@given(data=bad_bytes)
@example(data=b"\xef\xbb\xbf\xef\xbb\xbf[kiosk]\n")
@example(data=b"a = 1\x00\n")
@example(data=b"[kiosk]\nroom = \"\xff\"\n")
@example(data=b"[kiosk]\nlanguages = " + b"[" * 900 + b"]" * 900 + b"\n")  # Python's words
@example(data=b"a = 1" + b"0" * 5000 + b"\n")
@example(data=b"#" * (1024 * 1024 + 1))
def test_any_bytes_load_or_list_their_problems(data: bytes) -> None:
    def check(root: Path) -> None:
        path = root / "kiosk.toml"
        path.write_bytes(data)
        result = checked_load([path])
        if isinstance(result, Config):
            round_trip(result, root)
        elif result.problems[0].key in ("(toml)", "(file)"):  # unreadable: that one line only
            assert len(result.problems) == 1, str(result)

    with_folder(check)


@settings(max_examples=max(EXAMPLES // 2, 1), deadline=None)
@given(doc=documents | bad_bytes)
def test_check_config_answers_with_an_exit_status(doc: dict[str, Any] | bytes) -> None:
    """`kiosk check-config FILE`: 0 and one OK line, or 2 and the problems; never a traceback."""
    def check(root: Path) -> None:
        path = root / "kiosk.toml"
        if isinstance(doc, bytes):
            path.write_bytes(doc)
        else:
            path.write_text(toml_document(doc), encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        code = cli._check_config([str(path)], out, err)
        assert code in (cli.EXIT_OK, cli.EXIT_USAGE)
        if code == cli.EXIT_OK:
            assert out.getvalue().startswith("OK: ") and err.getvalue() == ""
        else:
            assert out.getvalue() == ""
            assert err.getvalue().rstrip("\n").splitlines()[-1].endswith("nothing was changed.")

    with_folder(check)
