"""Patient texts per language: `kiosk/texts/<language>.toml`, with an optional clinic override.

The words a patient reads during an infusion are part of their care, so they live in
plain TOML files that a clinic can review and adjust without touching code. Our own
file for a language must be complete: every `[ui]` label, every `[call]` sentence
(what the patient is told about a call for a nurse), every `[breathe]` text of the
breathing exercise, the names of the built-in breathing patterns in `[patterns]`,
the idle screen, all five fields of every stage in `kiosk.session.STAGES`, the
`[about]` screen (its labels and its four cards, `ABOUT_CARDS`, each a title and a
text), the `[checkin]` question with one word or two per feeling in
`kiosk.care.FEELINGS`, the `[comfort]` plan with a label per choice in
`kiosk.care.COMFORT_CHOICES`, and the `[discharge]` checklist with a text per item
in `kiosk.care.DISCHARGE_ITEMS`. An optional `[reasons]` table translates the call
reasons set in the kiosk config (`nurse_call.reasons`), keyed by the configured
text; a reason without an entry is shown as configured, and so is a clinic's own
breathing pattern without an entry in `[patterns]`. A clinic override file may
replace any subset of those keys (a phone number, a local phrase); whatever it
leaves out falls back to ours. `load_contents` loads every configured language
with the clinic's override folder (`kiosk.content_dir`), falling back to our own
texts for a language whose override has problems.

Both files are checked strictly and every problem is reported at once, one line
each, `FILE:LINE: key.path: what is wrong (what was expected)`, like the kiosk
config. Unknown keys or stages, values that are not text, empty texts, and labels
whose `{placeholders}` differ from what the window fills in are errors: a wrong
word on a patient screen is better caught on the bench than in the chair.

Whitespace inside a text is collapsed to single spaces, so a translator may wrap a
long text over several lines of a `\"\"\"` string without changing what is shown.
Stage texts and the about cards are shown as written; `[ui]` labels, `[call]`
sentences and the texts of `[breathe]`, `[about]`, `[checkin]`, `[comfort]` and
`[discharge]` go through `str.format` (write `{{` or `}}` for a brace).

Plain Python: no Qt here.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef, import-not-found, unused-ignore]

from kiosk.breathing import BUILTIN
from kiosk.care import COMFORT_CHOICES, DISCHARGE_ITEMS, FEELINGS
from kiosk.config_lines import KeyPath, line_of, locate
from kiosk.config_validate import dotted, found, suggestion
from kiosk.session import STAGES

__all__ = [
    "ABOUT_CARDS", "ABOUT_KEYS", "BREATHE_KEYS", "CALL_KEYS", "CARD_FIELDS", "CHECKIN_KEYS",
    "COMFORT_KEYS", "CONTENT_DIR", "DISCHARGE_KEYS", "STAGE_FIELDS", "UI_KEYS", "AboutCard",
    "Content", "ContentError", "StageText", "available_languages", "load_content", "load_contents",
]

CONTENT_DIR = Path(__file__).resolve().parent / "texts"
"""Our own content files, one per language, named `<language>.toml`."""

MAX_FILE_BYTES = 256 * 1024

UI_KEYS: Mapping[str, frozenset[str]] = MappingProxyType({
    "call_nurse": frozenset(),
    "music": frozenset(),
    "breathe": frozenset(),
    "back": frozenset(),
    "now": frozenset(),
    "feel": frozenset(),
    "helps": frozenset(),
    "minutes_so_far": frozenset({"minutes"}),
    "minutes_to_go": frozenset({"minutes"}),
    "nearly_done": frozenset(),
    "stage_of": frozenset({"number", "count"}),
    "cancel_call": frozenset(),
    "choose_music": frozenset(),
    "play": frozenset(),
    "pause": frozenset(),
    "next_track": frozenset(),
    "quieter": frozenset(),
    "louder": frozenset(),
    "volume": frozenset(),
    "now_playing": frozenset({"title"}),
    "music_off": frozenset(),
    "music_unavailable": frozenset(),
    "nothing_playable": frozenset(),
    "bundled_playlist": frozenset(),
    "about": frozenset(),  # the button that opens the about screen
    "how_feeling": frozenset(),  # the button that opens a check-in again
    "comfort": frozenset(),  # the button that opens the comfort plan again
})
"""Every `[ui]` label and the placeholders the window fills in (each exactly once or more)."""

CALL_KEYS: Mapping[str, frozenset[str]] = MappingProxyType({
    "sending": frozenset(),  # recorded; the chime and message are on their way
    "recorded_chime": frozenset(),  # recorded; the chime is sounding
    "recorded_message": frozenset(),  # recorded; the notify command reached the staff
    "waiting": frozenset(),  # escalated: nobody has answered yet
    "acknowledged": frozenset(),  # a nurse has seen the call
    "fallback": frozenset(),  # not recorded, or no path to staff worked
    "reason_prompt": frozenset(),  # above the reasons, after the call is sent
    "reason_recorded": frozenset({"reason"}),
})
"""Every `[call]` sentence: the patient's honest view of a call (`kiosk.nurse_call.status_key`)."""

BREATHE_KEYS: Mapping[str, frozenset[str]] = MappingProxyType({
    "title": frozenset(),  # the heading of the page where the patient chooses
    "lead": frozenset(),  # how to follow the shape as it grows and shrinks
    "lead_still": frozenset(),  # the same, for display.reduce_motion (it brightens and dims)
    "pace": frozenset(),  # caption of the row of patterns
    "length": frozenset(),  # caption of the row of lengths
    "minutes": frozenset({"minutes"}),  # one length, such as "3 min"
    "open_ended": frozenset(),  # no set length
    "start": frozenset(),
    "inhale": frozenset(),  # the phase words, large
    "hold": frozenset(),
    "exhale": frozenset(),
    "rest": frozenset(),
    "inhale_hint": frozenset(),  # a few gentle words under each phase word
    "hold_hint": frozenset(),
    "exhale_hint": frozenset(),
    "rest_hint": frozenset(),
    "stop": frozenset(),
    "dizzy": frozenset(),  # the "I feel dizzy" button
    "safe": frozenset(),  # after "I feel dizzy"
    "safe_more": frozenset(),
    "better": frozenset(),  # back to choosing, after "I feel dizzy"
    "finished": frozenset(),  # the exercise came to its end
    "finished_more": frozenset(),
    "again": frozenset(),  # the same exercise once more
})
"""Every `[breathe]` text: the breathing exercise. Sentences end with their own full stop."""

ABOUT_KEYS: Mapping[str, frozenset[str]] = MappingProxyType({
    "title": frozenset(),  # the heading of the about screen
    "next": frozenset(),  # the buttons that turn the cards
    "previous": frozenset(),
    "done": frozenset(),  # closes the about screen
    "card_of": frozenset({"number", "count"}),  # where the patient is, "2 of 4"
})
"""Every plain `[about]` label; the cards are sub-tables, see `ABOUT_CARDS`."""

ABOUT_CARDS: tuple[str, ...] = ("what", "safety", "feelings", "after")
"""The cards of the about screen, `[about.<card>]`, in the order they are shown."""

CHECKIN_KEYS: Mapping[str, frozenset[str]] = MappingProxyType({
    "question": frozenset(),  # "How are you feeling right now?"
    "lead": frozenset(),  # how to answer, and that it may be skipped
    **{f"feel_{value}": frozenset() for value in FEELINGS},  # 1 = very bad ... 5 = very good
    "skip": frozenset(),
    "thanks": frozenset(),  # after an answer
    "done": frozenset(),  # leaves, once answered
})
"""Every `[checkin]` text: one question, a word or two for each of `kiosk.care.FEELINGS`."""

COMFORT_KEYS: Mapping[str, frozenset[str]] = MappingProxyType({
    "title": frozenset(),  # the heading: if things feel like too much
    "question": frozenset(),  # what would help; more than one may be chosen
    **{choice: frozenset() for choice in COMFORT_CHOICES},  # a label per choice
    "done": frozenset(),
    "skip": frozenset(),
    "thanks": frozenset(),  # after the plan is saved
})
"""Every `[comfort]` text: the comfort plan, a label for each of `kiosk.care.COMFORT_CHOICES`."""

DISCHARGE_KEYS: Mapping[str, frozenset[str]] = MappingProxyType({
    "title": frozenset(),
    "lead": frozenset(),  # who goes through the list with the patient
    **{item: frozenset() for item in DISCHARGE_ITEMS},  # a sentence per item
    "confirmed": frozenset(),  # next to an item the nurse has checked
})
"""Every `[discharge]` text: the going-home checklist, one for each of `kiosk.care.DISCHARGE_ITEMS`."""

_IDLE_KEYS = ("title", "message")
_TOP_KEYS = ("language", "name", "idle", "ui", "call", "breathe", "patterns", "reasons", "about",
             "checkin", "comfort", "discharge", "stages")
#: Tables of labels and sentences keyed by a fixed set of names, each with its placeholders.
_SIMPLE_TABLES: Mapping[str, tuple[Mapping[str, frozenset[str]], str]] = MappingProxyType({
    "ui": (UI_KEYS, "ui text"),
    "call": (CALL_KEYS, "call text"),
    "breathe": (BREATHE_KEYS, "breathe text"),
    "checkin": (CHECKIN_KEYS, "checkin text"),
    "comfort": (COMFORT_KEYS, "comfort text"),
    "discharge": (DISCHARGE_KEYS, "discharge text"),
})
_LANGUAGE_ID = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class StageText:
    """What one stage screen says: its names and its three short paragraphs."""

    title: str  # the heading, a few words
    short: str  # one or two words, for the strip of all stages
    now: str  # what is happening now
    feel: str  # what you may feel, and that it is expected and passes
    helps: str  # what helps, and how to ask for help


STAGE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(StageText))


@dataclass(frozen=True)
class AboutCard:
    """One card of the about screen: a heading and a few short sentences."""

    title: str
    text: str


CARD_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(AboutCard))


@dataclass(frozen=True)
class Content:
    """All patient texts of one language, complete and checked."""

    language: str
    name: str  # the language's own name, for a language picker
    idle_title: str
    idle_message: str
    ui: Mapping[str, str]
    stages: Mapping[str, StageText]  # in the order of kiosk.session.STAGES
    call: Mapping[str, str]
    breathe: Mapping[str, str]
    patterns: Mapping[str, str]  # breathing pattern name -> how this language says it
    reasons: Mapping[str, str]  # configured reason -> how this language says it
    about: Mapping[str, str]  # the plain [about] labels, ABOUT_KEYS
    about_cards: tuple[AboutCard, ...]  # in the order of ABOUT_CARDS
    checkin: Mapping[str, str]
    comfort: Mapping[str, str]
    discharge: Mapping[str, str]

    def text(self, key: str, **values: object) -> str:
        """The `[ui]` label `key`, its `{placeholders}` filled from `values`.

        Raises KeyError for an unknown label or a placeholder without a value.
        """
        try:
            label = self.ui[key]
        except KeyError:
            raise KeyError(f"no ui text {key!r} (one of: {', '.join(self.ui)})") from None
        return label.format(**values)

    def call_text(self, key: str, **values: object) -> str:
        """The `[call]` sentence `key`, its `{placeholders}` filled from `values`."""
        try:
            sentence = self.call[key]
        except KeyError:
            raise KeyError(f"no call text {key!r} (one of: {', '.join(self.call)})") from None
        return sentence.format(**values)

    def breathe_text(self, key: str, **values: object) -> str:
        """The `[breathe]` text `key`, its `{placeholders}` filled from `values`."""
        try:
            text = self.breathe[key]
        except KeyError:
            raise KeyError(f"no breathe text {key!r} (one of: {', '.join(self.breathe)})") from None
        return text.format(**values)

    def about_text(self, key: str, **values: object) -> str:
        """The `[about]` label `key`, its `{placeholders}` filled from `values`."""
        return _lookup(self.about, "about", key).format(**values)

    def checkin_text(self, key: str, **values: object) -> str:
        """The `[checkin]` text `key`, such as "feel_3" or "question"."""
        return _lookup(self.checkin, "checkin", key).format(**values)

    def comfort_text(self, key: str, **values: object) -> str:
        """The `[comfort]` text `key`, such as a choice of `kiosk.care.COMFORT_CHOICES`."""
        return _lookup(self.comfort, "comfort", key).format(**values)

    def discharge_text(self, key: str, **values: object) -> str:
        """The `[discharge]` text `key`, such as an item of `kiosk.care.DISCHARGE_ITEMS`."""
        return _lookup(self.discharge, "discharge", key).format(**values)

    def pattern(self, name: str) -> str:
        """A breathing pattern's name in this language (a clinic's own as configured)."""
        return self.patterns.get(name, name)

    def reason(self, configured: str) -> str:
        """A configured call reason in this language (as configured when not translated)."""
        return self.reasons.get(configured, configured)


def _lookup(table: Mapping[str, str], name: str, key: str) -> str:
    try:
        return table[key]
    except KeyError:
        raise KeyError(f"no {name} text {key!r} (one of: {', '.join(table)})") from None


class ContentError(Exception):
    """The texts cannot be used; `problems` lists everything found, one line each."""

    def __init__(self, problems: list[str] | tuple[str, ...]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("\n".join(self.problems))


def available_languages(directory: Path = CONTENT_DIR) -> tuple[str, ...]:
    """The languages that have a content file of our own, sorted."""
    try:
        return tuple(sorted(p.stem for p in directory.glob("*.toml") if p.is_file()))
    except OSError:
        return ()


def load_content(
    language: str, *, override: Path | None = None, directory: Path = CONTENT_DIR
) -> Content:
    """Our texts for `language`, with any keys of the clinic's `override` file replacing ours.

    Raises ContentError listing every problem in both files.
    """
    if not isinstance(language, str) or not _LANGUAGE_ID.fullmatch(language):
        problem = (f"{directory}:1: language: not a language code: {language!r} "
                   "(a code such as 'en' or 'pt-BR')")
        raise ContentError([problem])
    ours_path = directory / f"{language}.toml"
    ours_file = str(ours_path)
    if not ours_path.is_file():
        known = available_languages(directory)
        problem = (f"{ours_file}:1: language: no content file for language {language!r} "
                   f"(one of: {', '.join(known) if known else 'none found in ' + str(directory)})")
        raise ContentError([problem])

    problems: list[str] = []
    ours = _Layer.read(ours_path, language, complete=True, problems=problems)
    theirs = None
    if override is not None:
        theirs = _Layer.read(Path(override), language, complete=False, problems=problems)
    if problems or ours is None:
        raise ContentError(problems)

    merged = dict(ours.texts)
    if theirs is not None:
        merged.update(theirs.texts)
    return _build(merged, language)


def load_contents(
    languages: Iterable[str], override_dir: Path | None, *, directory: Path = CONTENT_DIR
) -> tuple[dict[str, Content], list[str]]:
    """Every language's texts, each with `override_dir/<language>.toml` when that file exists.

    A language whose override has problems falls back to our texts alone, so a
    running kiosk still shows words; its problems are returned, one line each,
    for the caller to report. Raises ContentError when our own file for a
    language cannot be used: that is a packaging bug, not a clinic's mistake.
    """
    contents: dict[str, Content] = {}
    problems: list[str] = []
    for language in languages:
        if language in contents:
            continue
        ours = load_content(language, directory=directory)
        contents[language] = ours
        if override_dir is None:
            continue
        override = Path(override_dir) / f"{language}.toml"
        if not (override.exists() or override.is_symlink()):  # a dangling link is reported
            continue
        try:
            contents[language] = load_content(language, override=override, directory=directory)
        except ContentError as error:
            problems.extend(error.problems)
    return contents, problems


# -- one file ---------------------------------------------------------------------


@dataclass
class _Layer:
    """One file's valid texts, keyed by path such as ("stages", "infusion", "feel")."""

    texts: dict[KeyPath, str]

    @classmethod
    def read(cls, path: Path, language: str, *, complete: bool,
             problems: list[str]) -> _Layer | None:
        file = str(path)
        text = _read_text(path, file, problems)
        if text is None:
            return None
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            problems.append(_toml_problem(file, text, error))
            return None
        found_here: list[str] = []
        checker = _Checker(file, locate(text), found_here)
        texts = checker.document(doc, language)
        if complete:
            checker.complete(texts)
        # In the order of the file, as the person fixing it reads it.
        found_here.sort(key=lambda problem: int(problem[len(file) + 1:].split(":", 1)[0]))
        problems.extend(found_here)
        return cls(texts)


def _read_text(path: Path, file: str, problems: list[str]) -> str | None:
    """The file's text, or None after noting why it cannot be read."""
    def fail(message: str, expected: str, line: int = 1) -> None:
        problems.append(f"{file}:{line}: (file): {message} ({expected})")

    try:
        if path.is_dir():
            fail("is a directory", "a TOML file, not a folder")
            return None
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        fail("file not found", "an existing TOML file")
        return None
    except PermissionError:
        fail("cannot read: permission denied", "a TOML file the kiosk user can read")
        return None
    except OSError as error:
        fail(f"cannot read: {error.strerror or error}", "a readable TOML file")
        return None
    if len(data) > MAX_FILE_BYTES:
        fail("file too large", f"at most {MAX_FILE_BYTES // 1024} KiB")
        return None
    data = data.removeprefix(_BOM)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        fail(f"not valid UTF-8 (byte 0x{data[error.start]:02x})", "a UTF-8 text file",
             data.count(b"\n", 0, error.start) + 1)
        return None


def _toml_problem(file: str, text: str, error: tomllib.TOMLDecodeError) -> str:
    message = str(error)
    at = re.search(r"\s*\(at line (\d+), column (\d+)\)\s*$", message)
    if at:
        return (f"{file}:{at.group(1)}: (toml): invalid TOML: {message[:at.start()]} "
                f"at column {at.group(2)} (valid TOML)")
    line = text.count("\n") + 1 if "end of document" in message else 1
    return f"{file}:{line}: (toml): invalid TOML: {message} (valid TOML)"


class _Checker:
    """Walks one parsed file, keeping valid texts and noting every problem with its line."""

    def __init__(self, file: str, lines: dict[KeyPath, int], problems: list[str]) -> None:
        self.file = file
        self.lines = lines
        self.problems = problems
        self.reported: set[KeyPath] = set()

    def issue(self, path: KeyPath, message: str, expected: str) -> None:
        self.reported.add(path)
        line = line_of(self.lines, path)
        self.problems.append(f"{self.file}:{line}: {dotted(path)}: {message} ({expected})")

    def unknown(self, path: KeyPath, what: str, allowed: tuple[str, ...] | list[str]) -> None:
        self.issue(path, f"unknown {what}", suggestion(str(path[-1]), list(allowed)))

    def table(self, value: Any, path: KeyPath, allowed: tuple[str, ...] | list[str],
              what: str) -> dict[str, Any]:
        """The known entries of a table; unknown ones and non-tables are problems."""
        if not isinstance(value, dict):
            self.issue(path, f"must be a table, found {found(value)}", f"a [{dotted(path)}] table")
            return {}
        known: dict[str, Any] = {}
        for name, item in value.items():
            if name in allowed:
                known[name] = item
            else:
                self.unknown(path + (name,), what, allowed)
        return known

    def text(self, value: Any, path: KeyPath, placeholders: frozenset[str] | None = None
             ) -> str | None:
        """A non-empty string with collapsed whitespace; for [ui], exactly its placeholders."""
        if not isinstance(value, str):
            self.issue(path, f"must be text, found {found(value)}", "text in quotes")
            return None
        text = " ".join(value.split())
        if not text:
            self.issue(path, "is empty", "some text")
            return None
        if placeholders is not None and not self.placeholders(text, path, placeholders):
            return None
        return text

    def placeholders(self, value: str, path: KeyPath, wanted: frozenset[str]) -> bool:
        expected = ("placeholders " + " and ".join("{" + n + "}" for n in sorted(wanted))
                    if wanted else "no {placeholders}; write {{ or }} for a brace")
        try:
            parsed = list(string.Formatter().parse(value))
        except ValueError as error:
            self.issue(path, f"braces do not match: {error}", expected)
            return False
        used = {name for _, name, _, _ in parsed if name is not None}
        wrong = []
        bad = sorted(n for n in used if n not in wanted)
        if bad:
            wrong.append("unknown placeholder " + ", ".join("{" + n + "}" for n in bad))
        missing = sorted(wanted - used)
        if missing:
            wrong.append("missing placeholder " + ", ".join("{" + n + "}" for n in missing))
        if wrong:
            self.issue(path, "; ".join(wrong), expected)
        return not wrong

    def document(self, doc: dict[str, Any], language: str) -> dict[KeyPath, str]:
        texts: dict[KeyPath, str] = {}

        def keep(path: KeyPath, value: str | None) -> None:
            if value is not None:
                texts[path] = value

        for name, value in self.table(doc, (), _TOP_KEYS, "key").items():
            path: KeyPath = (name,)
            if name == "language":
                if value == language:
                    texts[path] = language
                else:
                    self.issue(path, f"{found(value)} does not match the file's language",
                               repr(language))
            elif name == "name":
                keep(path, self.text(value, path))
            elif name == "idle":
                for key, item in self.table(value, path, _IDLE_KEYS, "key").items():
                    keep(path + (key,), self.text(item, path + (key,)))
            elif name in _SIMPLE_TABLES:
                keys, what = _SIMPLE_TABLES[name]
                for key, item in self.table(value, path, tuple(keys), what).items():
                    keep(path + (key,), self.text(item, path + (key,), keys[key]))
            elif name == "about":
                allowed = tuple(ABOUT_KEYS) + ABOUT_CARDS
                for key, item in self.table(value, path, allowed, "about text").items():
                    if key in ABOUT_KEYS:
                        keep(path + (key,), self.text(item, path + (key,), ABOUT_KEYS[key]))
                        continue
                    cpath = path + (key,)
                    for field, text in self.table(item, cpath, CARD_FIELDS, "card text").items():
                        keep(cpath + (field,), self.text(text, cpath + (field,)))
            elif name in ("reasons", "patterns"):  # keyed by the configured names
                named = self.table(value, path, list(value) if isinstance(value, dict) else [],
                                   name[:-1])
                for key, item in named.items():
                    keep(path + (key,), self.text(item, path + (key,), frozenset()))
            elif name == "stages":
                for stage, table in self.table(value, path, STAGES, "stage").items():
                    spath = path + (stage,)
                    for key, item in self.table(table, spath, STAGE_FIELDS, "stage text").items():
                        keep(spath + (key,), self.text(item, spath + (key,)))
        return texts

    def complete(self, texts: dict[KeyPath, str]) -> None:
        """Our own file must say everything; note each missing text once, at its table."""
        for path in _required_paths():
            # A key present but wrong (or inside a wrong table) is reported already.
            if path not in texts and not any(path[:n] in self.reported
                                             for n in range(1, len(path) + 1)):
                self.issue(path, "missing", "every key, in our own content file")


def _required_paths() -> list[KeyPath]:
    paths: list[KeyPath] = [("language",), ("name",)]
    paths += [("idle", key) for key in _IDLE_KEYS]
    paths += [("ui", key) for key in UI_KEYS]
    paths += [("call", key) for key in CALL_KEYS]
    paths += [("breathe", key) for key in BREATHE_KEYS]
    paths += [("patterns", name) for name in BUILTIN]
    paths += [("about", key) for key in ABOUT_KEYS]
    paths += [("about", card, key) for card in ABOUT_CARDS for key in CARD_FIELDS]
    paths += [(name, key) for name in ("checkin", "comfort", "discharge")
              for key in _SIMPLE_TABLES[name][0]]
    paths += [("stages", stage, key) for stage in STAGES for key in STAGE_FIELDS]
    return paths


def _build(texts: dict[KeyPath, str], language: str) -> Content:
    """The Content from a complete, checked set of texts."""
    stages = {
        stage: StageText(**{key: texts[("stages", stage, key)] for key in STAGE_FIELDS})
        for stage in STAGES
    }
    return Content(
        language=language,
        name=texts[("name",)],
        idle_title=texts[("idle", "title")],
        idle_message=texts[("idle", "message")],
        ui=MappingProxyType({key: texts[("ui", key)] for key in UI_KEYS}),
        stages=MappingProxyType(stages),
        call=MappingProxyType({key: texts[("call", key)] for key in CALL_KEYS}),
        breathe=MappingProxyType({key: texts[("breathe", key)] for key in BREATHE_KEYS}),
        patterns=MappingProxyType(
            {str(path[1]): text for path, text in texts.items() if path[0] == "patterns"}),
        reasons=MappingProxyType(
            {str(path[1]): text for path, text in texts.items() if path[0] == "reasons"}),
        about=MappingProxyType({key: texts[("about", key)] for key in ABOUT_KEYS}),
        about_cards=tuple(
            AboutCard(**{key: texts[("about", card, key)] for key in CARD_FIELDS})
            for card in ABOUT_CARDS
        ),
        checkin=MappingProxyType({key: texts[("checkin", key)] for key in CHECKIN_KEYS}),
        comfort=MappingProxyType({key: texts[("comfort", key)] for key in COMFORT_KEYS}),
        discharge=MappingProxyType({key: texts[("discharge", key)] for key in DISCHARGE_KEYS}),
    )

