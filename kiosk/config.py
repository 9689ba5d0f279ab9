"""Kiosk configuration: TOML files for clinic IT, checked strictly before anything starts.

A kiosk at a bedside must not start half-configured, and the person fixing it is
clinic IT, not a developer. So the files are checked against a declared schema
(`kiosk.config_schema`) and *every* problem in every file is reported at once, one
line each, `FILE:LINE: key.path: what is wrong (what was expected)`, never a
traceback. Files are layered: built-in defaults, then each file in order, later
files winning key by key (an array of tables such as `[[music.playlists]]` is
replaced as a whole). The result is a tree of frozen dataclasses.

Plain Python: no Qt here, so the config is loaded and checked before Qt starts.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef, import-not-found, unused-ignore]

from kiosk.config_lines import KeyPath, line_of, locate
from kiosk.config_schema import (
    BUILTIN_PATTERNS,
    LANGUAGES,
    SECTIONS,
    BreathingConfig,
    BreathingPattern,
    Config,
    DisplayConfig,
    KioskConfig,
    LogConfig,
    MusicConfig,
    NurseCallConfig,
    Playlist,
    SessionConfig,
    StaffConfig,
)
from kiosk.config_validate import (
    INVALID,
    Issue,
    check_document,
    dotted,
    found,
    item_class,
    resolve_path,
    rules_text,
    schema_keys,
    suggestion,
    toml_literal,
    type_text,
)
from kiosk.session import STAGES
from kiosk.station.protocol import STATION_USER

if TYPE_CHECKING:
    from kiosk.media.playlist import Scan

__all__ = [
    "BUILTIN_PATTERNS", "LANGUAGES", "STAGES", "BreathingConfig", "BreathingPattern", "Config",
    "ConfigError", "DisplayConfig", "KioskConfig", "LogConfig", "MusicConfig", "NurseCallConfig",
    "Playlist", "Problem", "SessionConfig", "StaffConfig", "default_paths", "defaults", "load",
    "reference_markdown", "summary", "to_toml",
]

ETC_CONFIG = Path("/etc/infusion-kiosk/kiosk.toml")
"""The machine-wide file, applied when it exists (tests point this elsewhere)."""
ETC_DROP_INS = Path("/etc/infusion-kiosk/conf.d")
"""Drop-in files `*.toml`, applied after ETC_CONFIG in name order."""

MAX_FILE_BYTES = 1024 * 1024
_BOM = b"\xef\xbb\xbf"
_DEFAULTS = "<defaults>"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file, where it is and what would be right."""

    file: str  # the path as given, or "<defaults>"
    line: int  # 1-based; best effort (the key's line, else its table's, else 1)
    key: str  # dotted key path; "(toml)" for syntax errors, "(file)" for I/O
    message: str  # what is wrong
    expected: str  # what was expected

    def __str__(self) -> str:
        return _one_line(f"{self.file}:{self.line}: {self.key}: {self.message} ({self.expected})")


_UNPRINTED = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _one_line(text: str) -> str:
    """Control characters and line breaks (in a path, a file name) escaped, as Python would."""
    return _UNPRINTED.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class ConfigError(Exception):
    """The configuration is not usable; `problems` lists everything found, in order."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class _Layer:
    """One file's checked values and where its keys are."""

    file: str
    values: dict[str, dict[str, Any]]
    lines: dict[KeyPath, int]


def defaults() -> Config:
    """The built-in configuration, as if no file were given."""
    return Config()


def default_paths(environ: Mapping[str, str] = os.environ) -> list[Path]:
    """The files `kiosk run` applies without --config, in order.

    /etc's kiosk.toml if present, then its conf.d/*.toml in name order (a clinic
    rolls one file out to every machine and keeps what differs per room in a
    drop-in), then $KIOSK_CONFIG. $KIOSK_CONFIG is kept even when the file is
    missing, so that `load` says so rather than silently running on defaults.
    """
    paths = [ETC_CONFIG] if ETC_CONFIG.exists() else []
    if ETC_DROP_INS.is_dir():
        paths.extend(sorted(ETC_DROP_INS.glob("*.toml"), key=lambda path: path.name))
    if environ.get("KIOSK_CONFIG"):
        paths.append(Path(environ["KIOSK_CONFIG"]))
    return paths


def load(paths: Sequence[str | os.PathLike[str]], *, check_media: bool = False) -> Config:
    """Defaults, then each file in order; raise ConfigError listing every problem found.

    With `check_media` (`kiosk check-config`, the gate before a roll-out) every
    playlist is also read: a file it names that is missing, an empty folder, the
    kiosk's own music gone. `kiosk run` does not: a track removed from a share
    must not stop a kiosk from starting; the player skips it.
    """
    problems: list[Problem] = []
    layers: list[_Layer] = []
    failed: set[KeyPath] = set()
    for given in paths:
        file = os.fspath(given)
        text = _read_text(Path(file), file)
        if isinstance(text, Problem):
            problems.append(text)
            continue
        doc = _parse(text, file)
        if isinstance(doc, Problem):
            problems.append(doc)
            continue
        lines = locate(text)
        values, issues = _check_document(doc, Path(file).absolute().parent)
        found = [Problem(file, line_of(lines, i.path), dotted(i.path), i.message, i.expected)
                 for i in issues]
        problems.extend(sorted(found, key=lambda p: p.line))
        failed.update(i.path[:2] for i in issues)
        layers.append(_Layer(file, values, lines))
    merged: dict[str, dict[str, Any]] = {name: {} for name in SECTIONS}
    origin: dict[KeyPath, tuple[int, _Layer]] = {}
    for order, layer in enumerate(layers):
        for section, values in layer.values.items():
            merged[section].update(values)
            origin.update({(section, k): (order, layer) for k in values})
    config = Config(**{name: cls(**merged[name]) for name, cls in SECTIONS.items()},
                    sources=tuple(Path(p) for p in paths))
    if len(layers) == len(paths):  # with a file unread, the merged view is incomplete
        problems.extend(_cross_check(config, origin, failed))
        if check_media:
            problems.extend(_check_media(config.music, origin, failed))
    if problems:
        raise ConfigError(problems)
    return config


def _read_text(path: Path, file: str) -> str | Problem:
    """The file's text, or the one problem that stops it being read."""
    def fail(message: str, expected: str, line: int = 1) -> Problem:
        return Problem(file, line, "(file)", message, expected)

    readable = "a TOML file the kiosk user can read"
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            return fail("is a directory", "a TOML file, not a folder")
        if not stat.S_ISREG(info.st_mode):
            return fail("not a regular file", "a TOML file")
        if info.st_size > MAX_FILE_BYTES:
            return fail(f"file too large: {info.st_size} bytes", "at most 1 MiB")
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return fail("file not found", "an existing TOML file")
    except PermissionError:
        return fail("cannot read: permission denied", readable)
    except OSError as error:
        return fail(f"cannot read: {error.strerror or error}", readable)
    if len(data) > MAX_FILE_BYTES:
        return fail("file too large: over 1 MiB", "at most 1 MiB")
    data = data.removeprefix(_BOM)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        return fail(f"not valid UTF-8: byte 0x{data[error.start]:02x} at column "
                    f"{error.start - line_start + 1}", "a UTF-8 text file",
                    data.count(b"\n", 0, error.start) + 1)


def _parse(text: str, file: str) -> dict[str, Any] | Problem:
    """The parsed document, or one "(toml)" problem at the line tomllib names."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        at = re.search(r"\s*\(at line (\d+), column (\d+)\)\s*$", message)
        if at:
            line = int(at.group(1))
            message = f"{message[:at.start()]} at column {at.group(2)}"
        else:
            line = text.count("\n") + 1 if "end of document" in message else 1
            message = re.sub(r"\s*\(at end of document\)\s*$", " at end of file", message)
        return Problem(file, line, "(toml)", f"invalid TOML: {message}",
                       "valid TOML, see https://toml.io")
    except RecursionError:  # the parser follows nesting by recursing
        return Problem(file, 1, "(toml)", "invalid TOML: arrays or tables nested too deeply",
                       "valid TOML, nested a few levels at most")
    except ValueError as error:  # e.g. an integer of more than 4300 digits
        message = str(error)
        if "integer string conversion" in message:  # Python's words suggest changing Python
            message = "an integer too long to read (more than 4300 digits)"
        return Problem(file, 1, "(toml)", f"invalid TOML: {message}", "valid TOML")


_CONTENT_DIR: KeyPath = ("kiosk", "content_dir")
"""An optional folder: the schema's checker knows only paths that must be set."""


def _check_document(doc: dict[str, Any], base_dir: Path) -> tuple[dict[str, dict[str, Any]],
                                                                   list[Issue]]:
    """`check_document`, and `kiosk.content_dir`: "" for none, else an existing folder."""
    kiosk = doc.get("kiosk")
    if not isinstance(kiosk, dict) or "content_dir" not in kiosk:
        return check_document(doc, base_dir)
    rest = {**doc, "kiosk": {k: v for k, v in kiosk.items() if k != "content_dir"}}
    values, issues = check_document(rest, base_dir)
    folder = _optional_folder(kiosk["content_dir"], base_dir, _CONTENT_DIR, issues)
    if folder is not INVALID:
        values["kiosk"]["content_dir"] = folder
    return values, issues


def _optional_folder(value: Any, base_dir: Path, path: KeyPath, issues: list[Issue]) -> Any:
    """None for "", else the folder (relative to `base_dir`, `~` expanded); INVALID after an issue."""
    expected = 'an existing folder, or "" for none'
    if not isinstance(value, str):
        issues.append(Issue(path, f"wrong type: found {found(value)}",
                            'a path (in quotes), or "" for none'))
        return INVALID
    if value == "":
        return None
    folder = resolve_path(value, base_dir)
    if isinstance(folder, tuple):
        issues.append(Issue(path, *folder))
        return INVALID
    try:
        if folder.is_dir():
            return folder
        missing = not folder.exists()
    except OSError as error:
        issues.append(Issue(path, f"cannot read: {error.strerror or error}: {folder}",
                            "a folder the kiosk user can read"))
        return INVALID
    issues.append(Issue(path, f"{'not found' if missing else 'not a folder'}: {folder}", expected))
    return INVALID


def _cross_check(config: Config, origin: Mapping[KeyPath, tuple[int, _Layer]],
                 failed: set[KeyPath]) -> list[Problem]:
    """Rules across keys, checked on the merged result, blamed on the key set last."""
    problems: list[Problem] = []

    def report(keys: Sequence[KeyPath], message: str, expected: str) -> None:
        if any(k in failed or k[:1] in failed for k in keys):
            return  # already reported as a problem of its own
        setters = [(origin[k][0], -n, k) for n, k in enumerate(keys) if k in origin]
        if not setters:
            problems.append(Problem(_DEFAULTS, 1, dotted(keys[0]), message, expected))
            return
        _, _, blamed = max(setters)
        layer = origin[blamed][1]
        problems.append(Problem(layer.file, line_of(layer.lines, blamed), dotted(blamed),
                                message, expected))

    music, kiosk, breathing = config.music, config.kiosk, config.breathing
    if music.volume > music.max_volume:
        report([("music", "volume"), ("music", "max_volume")],
               f"volume {music.volume:g} is above max_volume {music.max_volume:g}",
               "volume at most max_volume")
    if kiosk.default_language not in kiosk.languages:
        report([("kiosk", "default_language"), ("kiosk", "languages")],
               f"default_language {kiosk.default_language!r} is not in languages",
               "one of " + ", ".join(kiosk.languages))
    call = config.nurse_call
    if not call.chime and not call.notify_command:
        report([("nurse_call", "chime"), ("nurse_call", "notify_command")],
               "chime is off and no notify_command is set, so a call would reach nobody",
               "chime = true, or a notify_command")
    station = config.station
    if station.broker:
        for name in ("ca_file", "password_file"):
            path = getattr(station, name)
            if not _is_file(path):
                report([("station", name), ("station", "broker")],
                       f"not a readable file: {path}", "an existing file when broker is set")
        if kiosk.id == STATION_USER:
            report([("kiosk", "id"), ("station", "broker")],
                   f"kiosk.id {STATION_USER!r} is the nurse station's user on the broker",
                   "another kiosk id")
    names = list(BUILTIN_PATTERNS) + [p.name for p in breathing.patterns]
    if breathing.default_pattern not in names:
        report([("breathing", "default_pattern"), ("breathing", "patterns")],
               f"unknown pattern {breathing.default_pattern!r}",
               suggestion(breathing.default_pattern, names))
    return problems


def _is_file(path: Path) -> bool:
    try:
        return path.is_file() and os.access(path, os.R_OK)
    except OSError:
        return False


_MISSING_SHOWN = 10
"""Entries of one playlist reported one by one; the rest are counted in one more line."""


def _check_media(music: MusicConfig, origin: Mapping[KeyPath, tuple[int, _Layer]],
                 failed: set[KeyPath]) -> list[Problem]:
    """What each playlist holds, read now: problems at its `path` key; the kiosk's own music."""
    from kiosk.media import playlist  # only check-config reads the music

    problems: list[Problem] = []

    def where(path: KeyPath) -> tuple[str, int]:
        if path[:2] not in origin:
            return _DEFAULTS, 1
        layer = origin[path[:2]][1]
        return layer.file, line_of(layer.lines, path)

    if ("music", "playlists") not in failed and ("music",) not in failed:
        for index, chosen in enumerate(music.playlists):
            path: KeyPath = ("music", "playlists", index, "path")
            file, line = where(path)
            problems.extend(Problem(file, line, dotted(path), message, expected)
                            for message, expected in _media_problems(playlist.scan(chosen.path)))
    bundled: KeyPath = ("music", "bundled")
    if music.bundled and bundled not in failed and ("music",) not in failed:
        folder = playlist.BUNDLED_DIR
        if not playlist.scan(folder).tracks:
            file, line = where(bundled)
            problems.append(Problem(file, line, dotted(bundled),
                                    f"the kiosk's own music is missing from {folder}",
                                    "reinstall the kiosk, or set bundled = false"))
    return problems


def _media_problems(found: Scan) -> list[tuple[str, str]]:
    """(message, expected) for each thing wrong in one playlist's scan."""
    if found.problem:
        return [(found.problem, "a music folder or .m3u/.m3u8 file the kiosk user can read")]
    out: list[tuple[str, str]] = []
    readable = "every entry a music file the kiosk user can read"
    for missing in found.missing[:_MISSING_SHOWN]:
        at = f"{found.source.name} line {missing.line}"
        if missing.line is None:  # in a folder
            message = f"{missing.reason}: {missing.path}"
            out.append((message, "every music file and subfolder readable by the kiosk user"))
        elif missing.reason == "not found":
            out.append((f"{at}: file not found: {missing.path}",
                        "every file the list names exists"))
        elif missing.reason.endswith("not supported"):  # a stream: the URL as written
            out.append((f"{at}: {missing.reason}: {missing.entry}",
                        "files on this computer or on a mounted share"))
        else:
            out.append((f"{at}: {missing.reason}: {missing.path}", readable))
    more = len(found.missing) - _MISSING_SHOWN
    if more > 0:
        entries = "entry" if more == 1 else "entries"
        out.append((f"{found.source.name}: {more} more {entries} cannot be played", readable))
    if not found.tracks and not found.missing:
        if found.source.suffix.lower() in (".m3u", ".m3u8") and found.source.is_file():
            out.append((f"no music files listed in {found.source}",
                        "at least one music file, one a line"))
        else:
            out.append((f"no music files in {found.source}",
                        "at least one audio file: .ogg, .mp3, .flac, ..."))
    return out


def summary(config: Config) -> str:
    """One line for `kiosk check-config` when everything is valid."""
    home = Path.home()
    log_dir = config.log.dir
    shown = f"~/{log_dir.relative_to(home)}" if log_dir.is_relative_to(home) else str(log_dir)
    count = len(config.music.playlists) + config.music.bundled
    playlists = f"{count} playlist{'' if count == 1 else 's'}"
    if config.music.bundled:
        playlists += " (the kiosk's own)" if count == 1 else " (1 of the kiosk's own)"
    return (f"OK: room {config.kiosk.room!r} (kiosk {config.kiosk.id}), "
            f"languages {'/'.join(config.kiosk.languages)}, "
            f"{playlists}, {len(STAGES)} stages, log in {shown}")


def to_toml(config: Config, *, header: str = "") -> str:
    """`config` as one self-contained TOML file that `load` reads back to an equal Config.

    Every key is written, paths absolute, so the file means the same wherever it
    is kept: this is how the kiosk keeps its last known good configuration.
    """
    out = [f"# {line}".rstrip() for line in header.splitlines()]
    arrays: list[tuple[str, tuple[Any, ...]]] = []
    for name in SECTIONS:
        section = getattr(config, name)
        out += ["", f"[{name}]"]
        for key in schema_keys(type(section)).values():
            value = getattr(section, key.name)
            if item_class(key.hint) is not None:
                arrays.append((f"{name}.{key.name}", value))
            else:
                out.append(f"{key.name} = {_literal(value)}")
    for table, items in arrays:
        for item in items:
            out += ["", f"[[{table}]]"]
            out += [f"{key.name} = {_literal(getattr(item, key.name))}"
                    for key in schema_keys(type(item)).values()]
    return "\n".join(out).lstrip("\n") + "\n"


def _literal(value: Any) -> str:
    """A value for `to_toml`: "" for no folder, paths made absolute."""
    if value is None:
        return '""'
    if isinstance(value, Path):
        return toml_literal(value.absolute())
    return toml_literal(value)


def reference_markdown() -> str:
    """The config reference for clinic IT, generated from the declared schema.

    The README carries it between `config-reference` markers (headings at level
    4, under its "Reference" heading); tests/test_readme.py keeps them equal.
    """
    out = [("Files are applied in order: built-in defaults, `/etc/infusion-kiosk/kiosk.toml`, "
            "`/etc/infusion-kiosk/conf.d/*.toml` in name order, `$KIOSK_CONFIG` (or the "
            "`--config` files instead of all three). A later file wins key by key; an array "
            "of tables (`[[music.playlists]]`, `[[breathing.patterns]]`) replaces the earlier "
            "list as a whole. Relative paths start at the folder of the file that sets them. "
            "In problem reports, `[0]` is the first table of an array."), ""]
    tables: list[tuple[str, type[Any]]] = []
    for name, cls in SECTIONS.items():
        tables.append((f"[{name}]", cls))
        for key in schema_keys(cls).values():
            item = item_class(key.hint)
            if item is not None:
                tables.append((f"[[{name}.{key.name}]]", item))
    for header, cls in tables:
        about = re.sub(r"^\[+[\w.]+\]+: ", "", (cls.__doc__ or "").strip())
        out += [f"#### `{header}`", "", about[:1].upper() + about[1:], "",
                "| Key | Type | Default | Allowed | Description |",
                "|---|---|---|---|---|"]
        for key in schema_keys(cls).values():
            optional = key.hint == (Path | None)  # a path, or "" for none
            default = ("*required*" if key.meta.get("required")
                       else f"`{toml_literal('' if key.default is None else key.default)}`")
            allowed = rules_text(key.meta) or ("true or false" if key.hint is bool else "any")
            kind = "path" if optional else type_text(key.hint)
            cells = [f"`{key.name}`", kind, default, allowed, key.meta["doc"]]
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
