"""Checking one parsed TOML document against the declared schema.

This works on the dict tomllib returns and knows nothing of files or lines. It
returns the values that passed, converted to what `Config` holds (lists become
tuples, paths are expanded and resolved), and every issue found as a key path, a
message and what was expected, so that `kiosk.config` can place each issue in
its file and report them all at once. The words used to describe rules are here
too, so that the error messages and the reference for IT say the same thing.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

from kiosk.config_lines import KeyPath
from kiosk.config_schema import SECTIONS


@dataclass(frozen=True)
class Issue:
    """One thing wrong with one value, not yet placed in a file."""

    path: KeyPath
    message: str
    expected: str


@dataclass(frozen=True)
class Key:
    """One declared key: its name, its type hint and its field metadata."""

    name: str
    hint: Any
    meta: Mapping[str, Any]
    default: Any  # dataclasses.MISSING when required


class _Invalid:
    """Marks a value that failed its checks."""


INVALID = _Invalid()


_KEYS: dict[type[Any], dict[str, Key]] = {}


def schema_keys(cls: type[Any]) -> dict[str, Key]:
    """The declared keys of a section or array-table dataclass, in order."""
    if cls not in _KEYS:
        hints = get_type_hints(cls)
        _KEYS[cls] = {f.name: Key(f.name, hints[f.name], f.metadata, f.default)
                      for f in dataclasses.fields(cls)}
    return _KEYS[cls]


def item_class(hint: Any) -> type[Any] | None:
    """The dataclass of a `tuple[SomeTable, ...]` hint (an array of tables), else None."""
    if get_origin(hint) is tuple:
        item = get_args(hint)[0]
        if dataclasses.is_dataclass(item) and isinstance(item, type):
            return item
    return None


def dotted(path: KeyPath) -> str:
    """A key path as IT would write it: `music.playlists[0].path`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            name = part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else json.dumps(part)
            text += ("." if text else "") + name
    return text


def toml_literal(value: Any) -> str:
    """A value written the way it would appear in kiosk.toml."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, Path)):  # JSON escapes are TOML's, but TOML also escapes DEL
        return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(toml_literal(v) for v in value) + "]"
    return repr(value)


def resolve_path(value: str, base_dir: Path) -> Path | tuple[str, str]:
    """`value` as a path (`~` expanded, relative to `base_dir`), or (message, expected)."""
    if "\x00" in value:
        return "the path contains a NUL character", "a folder or file path"
    try:
        path = Path(value).expanduser()
    except RuntimeError:  # "~name" of a user this computer does not know, or no home at all
        return (f"no home folder for {value.split('/', 1)[0]}",
                "~ or ~user of an existing user, or a full path")
    return path if path.is_absolute() else base_dir / path


def type_name(value: Any) -> str:
    """The TOML name of the type of a parsed value, for 'found ...' messages."""
    if isinstance(value, bool):
        return "boolean"
    for kind, name in ((str, "string"), (int, "integer"), (float, "number"),
                       (list, "array"), (dict, "table"), (datetime.datetime, "date-time"),
                       (datetime.date, "date"), (datetime.time, "time")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def found(value: Any) -> str:
    """'string "abc"': the type and a short rendering of a bad value."""
    if isinstance(value, (dict, list)):
        return type_name(value)
    shown = toml_literal(value) if isinstance(value, (bool, str, int, float)) else str(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{type_name(value)} {shown}"


def type_text(hint: Any) -> str:
    """What a key's type is called in messages and in the reference."""
    names = {str: "string", int: "integer", float: "number", bool: "boolean", Path: "path"}
    if hint in names:
        return names[hint]
    if item_class(hint) is not None:
        return "array of tables"
    return "list of strings"


def _number(value: float) -> str:
    return f"{value:g}"


def rules_text(meta: Mapping[str, Any]) -> str:
    """The declared rules of a key in words, for the reference and for messages."""
    parts: list[str] = []
    if "choices" in meta:
        parts.append("one of " + ", ".join(toml_literal(c) for c in meta["choices"]))
    if "min" in meta and "max" in meta:
        parts.append(f"{_number(meta['min'])} to {_number(meta['max'])}")
    if meta.get("nonempty"):
        parts.append("not empty")
    if "max_len" in meta:
        parts.append(f"at most {meta['max_len']} characters")
    if "pattern" in meta:
        parts.append(meta["pattern"][1])
    if "max_items" in meta:
        parts.append(f"at most {meta['max_items']} items")
    items = meta.get("items", {})
    if "choices" in items:
        parts.append("each one of " + ", ".join(toml_literal(c) for c in items["choices"]))
    if items.get("nonempty"):
        parts.append("each not empty")
    if meta.get("unique"):
        parts.append("no duplicates")
    if "unique_by" in meta:
        parts.append(f"each `{meta['unique_by']}` unique (ignoring case)")
    if "reserved" in meta:
        parts.append("not " + ", ".join(meta["reserved"]))
    if "rule" in meta:
        parts.append(meta["rule"])
    return "; ".join(parts)


def suggestion(name: str, allowed: Sequence[str]) -> str:
    """'did you mean ...?' when something is close, else the list of what is allowed."""
    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    return "one of: " + ", ".join(allowed)


def check_document(doc: Mapping[str, Any], base_dir: Path) -> tuple[dict[str, dict[str, Any]],
                                                                     list[Issue]]:
    """Check a parsed file; return its valid values per section, and every issue."""
    checker = _Checker(base_dir)
    values: dict[str, dict[str, Any]] = {}
    for name, raw in doc.items():
        if name not in SECTIONS:
            checker.unknown_key((name,), list(SECTIONS))
        elif not isinstance(raw, dict):
            checker.issue((name,), f"wrong type: found {found(raw)}", f"a table [{name}]")
        else:
            values[name] = checker.table(SECTIONS[name], raw, (name,))
    return values, checker.issues


class _Checker:
    """Collects issues while converting one document."""

    def __init__(self, base_dir: Path) -> None:
        self.base_dir = base_dir
        self.issues: list[Issue] = []

    def issue(self, path: KeyPath, message: str, expected: str) -> None:
        self.issues.append(Issue(path, message, expected))

    def unknown_key(self, path: KeyPath, allowed: list[str]) -> None:
        """Suggest a close name at this level, else the same key in its own section."""
        name = str(path[-1])
        expected = suggestion(name, allowed)
        if not expected.startswith("did you mean"):  # perhaps a key of another section
            homes = [f"{s}.{name}" for s, cls in SECTIONS.items() if name in schema_keys(cls)]
            if homes:
                expected = f"did you mean {homes[0]!r}? It belongs under [{homes[0].split('.')[0]}]"
        self.issue(path, "unknown key", expected)

    def table(self, cls: type[Any], raw: Mapping[str, Any], path: KeyPath) -> dict[str, Any]:
        keys = schema_keys(cls)
        values: dict[str, Any] = {}
        for name, value in raw.items():
            if name not in keys:
                self.unknown_key(path + (name,), list(keys))
                continue
            before = len(self.issues)
            converted = self.convert(keys[name], value, path + (name,))
            if len(self.issues) == before and converted is not INVALID:
                values[name] = converted
        for key in keys.values():
            if key.meta.get("required") and key.name not in raw:
                self.issue(path + (key.name,), f"missing required key {key.name!r}",
                           f"{key.name} = a {type_text(key.hint)}")
        return values

    def wrong_type(self, path: KeyPath, value: Any, wanted: str) -> _Invalid:
        self.issue(path, f"wrong type: found {found(value)}", wanted)
        return INVALID

    def convert(self, key: Key, value: Any, path: KeyPath) -> Any:
        """Type-check and convert one value, then apply its declared rules."""
        hint, meta = key.hint, key.meta
        if hint is bool:
            if not isinstance(value, bool):
                return self.wrong_type(path, value, "true or false")
        elif hint is int:
            if isinstance(value, bool) or not isinstance(value, int):
                return self.wrong_type(path, value, "an integer, a whole number")
        elif hint is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return self.wrong_type(path, value, "a number")
            value = float(value)
            if not math.isfinite(value):
                self.issue(path, f"not a finite number: {value}", rules_text(meta) or "a number")
                return INVALID
        elif hint is str or hint is Path:
            if not isinstance(value, str):
                return self.wrong_type(path, value, f"a {type_text(hint)} (in quotes)")
            if hint is Path:
                if value == "":
                    self.issue(path, "empty path", "a folder or file path")
                    return INVALID
                value = resolve_path(value, self.base_dir)
                if isinstance(value, tuple):
                    self.issue(path, *value)
                    return INVALID
        elif (cls := item_class(hint)) is not None:
            return self.array_of_tables(cls, key, value, path)
        else:  # tuple[str, ...]
            if not isinstance(value, list):
                return self.wrong_type(path, value, "a list of strings, e.g. [\"a\", \"b\"]")
            before = len(self.issues)
            for index, item in enumerate(value):
                if not isinstance(item, str):
                    self.wrong_type(path + (index,), item, "a string (in quotes)")
                else:
                    self.apply_rules(meta.get("items", {}), item, path + (index,))
            if meta.get("unique"):
                self.no_duplicates(value, path, "each value once")
            if len(self.issues) > before:
                return INVALID
            value = tuple(value)
        self.apply_rules(meta, value, path)
        return value

    def array_of_tables(self, cls: type[Any], key: Key, value: Any, path: KeyPath) -> Any:
        where = ".".join(str(p) for p in path)
        if not isinstance(value, list):
            return self.wrong_type(path, value, f"[[{where}]] tables")
        items: list[Any] = []
        for index, raw in enumerate(value):
            if not isinstance(raw, dict):
                self.wrong_type(path + (index,), raw, f"a table ([[{where}]])")
                continue
            before = len(self.issues)
            fields = self.table(cls, raw, path + (index,))
            if len(self.issues) == before:
                items.append(cls(**fields))
        if "unique_by" in key.meta:
            name = key.meta["unique_by"]
            names = [raw.get(name) if isinstance(raw, dict) else None for raw in value]
            folded = [n.casefold() if isinstance(n, str) and n else None for n in names]
            for index, fold in enumerate(folded):
                if fold is not None and fold in folded[:index]:
                    self.issue(path + (index, name), f"duplicate {name} {names[index]!r}",
                               f"a {name} no other table uses, ignoring case")
        return tuple(items)

    def no_duplicates(self, items: list[Any], path: KeyPath, expected: str) -> None:
        for index, item in enumerate(items):
            if item in items[:index]:
                self.issue(path + (index,), f"duplicate {toml_literal(item)}", expected)

    def apply_rules(self, meta: Mapping[str, Any], value: Any, path: KeyPath) -> None:
        """The declared rules, in order; the first one broken is reported."""
        shown = _number(value) if isinstance(value, float) else toml_literal(value)
        if "choices" in meta and value not in meta["choices"]:
            allowed = ", ".join(toml_literal(c) for c in meta["choices"])
            close = difflib.get_close_matches(str(value), [str(c) for c in meta["choices"]], n=1)
            hint = f"; did you mean {close[0]!r}?" if close and isinstance(value, str) else ""
            self.issue(path, f"not allowed: {shown}", f"one of {allowed}{hint}")
        elif "min" in meta and not meta["min"] <= value <= meta["max"]:
            self.issue(path, f"out of range: {shown}",
                       f"{_number(meta['min'])} to {_number(meta['max'])}")
        elif meta.get("nonempty") and len(value) == 0:
            self.issue(path, "is empty", rules_text(meta))
        elif "max_len" in meta and len(value) > meta["max_len"]:
            self.issue(path, f"too long: {len(value)} characters",
                       f"at most {meta['max_len']} characters")
        elif "pattern" in meta and not re.fullmatch(meta["pattern"][0], value):
            self.issue(path, f"characters not allowed in {shown}", meta["pattern"][1])
        elif "max_items" in meta and len(value) > meta["max_items"]:
            self.issue(path, f"too many items: {len(value)}", f"at most {meta['max_items']}")
        elif "reserved" in meta and value.casefold() in (r.casefold() for r in meta["reserved"]):
            self.issue(path, f"{shown} is a built-in name",
                       "a name other than " + ", ".join(meta["reserved"]))
        elif "check" in meta:
            problem = meta["check"](value)
            if problem is not None:
                self.issue(path, *problem)
