"""Playlists: which tracks a music folder or an .m3u/.m3u8 list holds, and their order.

Clinic IT names music in kiosk.toml as a folder or a playlist file, often on a
share. `scan` turns one into tracks with readable titles and says, in plain
words, what it could not use, so that `kiosk check-config` can report it before
a roll-out and the player can skip it at run time. `Queue` is the order one
playlist plays in; `offered` is which playlists a stage offers.

Plain Python: no Qt here. Nothing in this module raises for a missing or
unreadable file: that is reported in the `Scan`.
"""

from __future__ import annotations

import os
import random
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar
from urllib.parse import unquote, urlsplit

__all__ = [
    "AUDIO_SUFFIXES", "BUNDLED_DIR", "PLAYLIST_SUFFIXES", "Missing", "Queue", "Scan", "Track",
    "natural_key", "offered", "scan",
]

AUDIO_SUFFIXES: frozenset[str] = frozenset(
    {".ogg", ".oga", ".opus", ".mp3", ".flac", ".wav", ".m4a", ".aac"})
"""Files a folder scan takes as music (compared in lower case)."""

PLAYLIST_SUFFIXES: tuple[str, ...] = (".m3u", ".m3u8")
"""Playlist files: one entry a line; .m3u8 is UTF-8, .m3u UTF-8 or Latin-1."""

BUNDLED_DIR: Path = Path(__file__).resolve().parent / "music"
"""The kiosk's own calm tracks, offered as one more playlist when `music.bundled` is on."""

MAX_LIST_BYTES = 4 * 1024 * 1024
"""A playlist file larger than this is not a playlist (a few thousand entries is ~1 MiB)."""

_BOM = "\ufeff"
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_CHUNK = re.compile(r"(\d+)")
_LEADING_NUMBER = re.compile(r"^\d+(?:[\s._-]+|$)")

NaturalKey = tuple[tuple[tuple[str, int], ...], str]


def natural_key(text: str) -> NaturalKey:
    """A sort key in which "track 2" comes before "track 10", ignoring case.

    Each run of text is paired with the number after it (-1 when none), so keys
    always compare like with like; the text itself breaks ties ("A" and "a").
    """
    parts = _CHUNK.split(text.casefold())  # text, number, text, ..., text
    chunks = tuple((parts[i], int(parts[i + 1]) if i + 1 < len(parts) else -1)
                   for i in range(0, len(parts), 2))
    return chunks, text


def _title_from_stem(stem: str) -> str:
    """A title for a file without one: "01-distant-waves" -> "Distant waves".

    A leading track number and its separators are dropped; in a name without
    spaces "-" and "_" stand for spaces ("_" always does). Never empty.
    """
    text = _LEADING_NUMBER.sub("", stem.strip(), count=1)
    text = text.replace("_", " ")
    if " " not in text.strip():
        text = text.replace("-", " ")
    text = " ".join(text.split()).strip(" .-")
    if not text:
        text = stem.strip() or stem
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Track:
    """One playable file and the title shown for it."""

    path: Path
    title: str  # from the list's #EXTINF when given, else from the file name; never empty


@dataclass(frozen=True)
class Missing:
    """One entry that cannot be played, and why."""

    path: Path  # the file the entry names
    line: int | None  # its 1-based line in the .m3u/.m3u8; None in a folder
    reason: str  # "not found", "not a file", "streams are not supported", ...
    entry: str = ""  # the entry as written in the list (a URL stays a URL); "" in a folder


@dataclass(frozen=True)
class Scan:
    """What one folder or playlist file holds."""

    source: Path
    tracks: tuple[Track, ...]
    missing: tuple[Missing, ...]
    problem: str  # "" or one plain sentence why the folder or list itself cannot be read


def scan(path: Path) -> Scan:
    """The tracks of a music folder (with its subfolders) or of an .m3u/.m3u8 file.

    A folder gives its audio files in natural order of their path within it,
    hidden files and folders skipped. A list gives its entries in its own order.
    Never raises for I/O problems: they are in `problem` and `missing`.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        return Scan(path, (), (), f"not found: {path}")
    except OSError as error:
        return Scan(path, (), (), f"cannot read {path}: {_why(error)}")
    if stat.S_ISDIR(info.st_mode):
        return _scan_folder(path)
    if path.suffix.lower() in PLAYLIST_SUFFIXES and stat.S_ISREG(info.st_mode):
        return _scan_list(path, info.st_size)
    return Scan(path, (), (), f"not a folder or .m3u/.m3u8 playlist file: {path}")


def _why(error: OSError) -> str:
    """An OSError in a few words: "permission denied"."""
    if isinstance(error, PermissionError):
        return "permission denied"
    return (error.strerror or str(error)).lower()


def _scan_folder(root: Path) -> Scan:
    found: list[tuple[tuple[NaturalKey, ...], Track]] = []
    missing: list[Missing] = []
    seen: set[tuple[int, int]] = set()  # (device, inode) of folders walked: symlink loops

    def walk(folder: Path, relative: tuple[str, ...]) -> str:
        """Collect the folder's tracks; return why it cannot be read, or ""."""
        try:
            info = folder.stat()
            if (info.st_dev, info.st_ino) in seen:
                return ""
            seen.add((info.st_dev, info.st_ino))
            with os.scandir(folder) as entries:
                listed = [(e.name, e.is_dir(), e.is_file()) for e in entries]
        except OSError as error:
            return _why(error)
        for name, is_dir, is_file in listed:
            if name.startswith("."):
                continue
            path = folder / name
            if is_dir:
                trouble = walk(path, relative + (name,))
                if trouble:
                    missing.append(Missing(path, None, f"cannot read ({trouble})"))
            elif Path(name).suffix.lower() in AUDIO_SUFFIXES:
                if is_file:
                    key = tuple(natural_key(part) for part in relative + (name,))
                    found.append((key, Track(path, _title_from_stem(Path(name).stem))))
                else:
                    missing.append(Missing(path, None, _absent(path) or "not a file"))
        return ""

    trouble = walk(root, ())
    if trouble:
        return Scan(root, (), (), f"cannot read the folder {root}: {trouble}")
    found.sort(key=lambda pair: pair[0])
    missing.sort(key=lambda m: tuple(natural_key(p) for p in m.path.relative_to(root).parts))
    return Scan(root, tuple(t for _, t in found), tuple(missing), "")


def _absent(path: Path) -> str:
    """Why a path that names a file is not one: "not found", "not a file", ..."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return "not found"
    except OSError as error:
        return f"cannot read ({_why(error)})"
    return "not a file" if not stat.S_ISREG(info.st_mode) else ""


def _read_list(path: Path, size: int) -> tuple[str, str]:
    """(the text of a playlist file, ""), or ("", why it cannot be read)."""
    too_large = f"{path.name} is too large for a playlist: {size} bytes (at most 4 MiB)"
    if size > MAX_LIST_BYTES:
        return "", too_large
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_LIST_BYTES + 1)
    except OSError as error:
        return "", f"cannot read {path}: {_why(error)}"
    if len(data) > MAX_LIST_BYTES:
        return "", f"{path.name} is too large for a playlist: over 4 MiB"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        if path.suffix.lower() == ".m3u8":
            line = data.count(b"\n", 0, error.start) + 1
            return "", (f"{path.name} is not valid UTF-8 text (line {line}); "
                        "an .m3u8 file must be UTF-8, or name it .m3u")
        text = data.decode("latin-1")
    return text.removeprefix(_BOM), ""


def _scan_list(path: Path, size: int) -> Scan:
    text, problem = _read_list(path, size)
    if problem:
        return Scan(path, (), (), problem)
    base = path.parent
    tracks: list[Track] = []
    missing: list[Missing] = []
    title = ""
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line[:8].upper() == "#EXTINF:":
                title = line[8:].partition(",")[2].strip()
            continue
        entry, given_title, title = line, title, ""
        target = _target(entry, base)
        if isinstance(target, Missing):
            missing.append(Missing(target.path, number, target.reason, entry))
            continue
        if not target.is_file() and "\\" in entry and not _URL.match(entry):
            windows = _target(entry.replace("\\", "/"), base)  # a list made on Windows
            if isinstance(windows, Path) and windows.is_file():
                target = windows
        reason = _absent(target)
        if reason:
            missing.append(Missing(target, number, reason, entry))
        else:
            tracks.append(Track(target, given_title or _title_from_stem(target.stem)))
    return Scan(path, tuple(tracks), tuple(missing), "")


def _target(entry: str, base: Path) -> Path | Missing:
    """The file a list entry names, or Missing (line 0) for what cannot be a local file."""
    if _URL.match(entry):
        parts = urlsplit(entry)
        if parts.scheme.lower() != "file":
            return Missing(Path(entry), 0, "streams are not supported", entry)
        if parts.netloc not in ("", "localhost"):
            return Missing(Path(unquote(parts.path)), 0,
                           f"a file on another computer ({parts.netloc}) is not supported", entry)
        return Path(unquote(parts.path))
    if entry.lower().startswith("file:"):  # file:relative/name.ogg
        entry = unquote(entry[5:])
    return base / entry


class _Staged(Protocol):
    """Anything tied to stages, such as the config's Playlist."""

    @property
    def stages(self) -> tuple[str, ...]: ...


P = TypeVar("P", bound=_Staged)


def offered(playlists: Sequence[P], stage: str | None) -> list[P]:
    """The playlists offered in `stage`: those tied to it first, then those for all stages.

    Each group keeps config order; one tied to other stages only is left out.
    With no stage (no visit open), only those for all stages.
    """
    tied = [p for p in playlists if stage is not None and stage in p.stages]
    return tied + [p for p in playlists if not p.stages]


class Queue:
    """The order in which one playlist plays: it repeats; with shuffle, a fresh order each round;
    it skips tracks that failed.

    With shuffle, a round never starts with the track that ended the one before
    (when two or more can play), so no track plays twice in a row.
    """

    def __init__(self, tracks: Sequence[Track], *, shuffle: bool = False,
                 rng: random.Random | None = None) -> None:
        self._tracks = tuple(tracks)
        self._shuffle = shuffle
        self._rng = rng if rng is not None else random.Random()
        self._failed: set[Path] = set()  # by file: a file listed twice fails once
        self._round: list[int] = []  # indices still to play in this round
        self._last: Path | None = None

    @property
    def tracks(self) -> tuple[Track, ...]:
        """Every track of the playlist, failed ones included, in list order."""
        return self._tracks

    @property
    def playable(self) -> int:
        """How many tracks have not failed."""
        return sum(1 for t in self._tracks if t.path not in self._failed)

    def failed(self, track: Track) -> None:
        """Never offer this track's file again from this queue."""
        self._failed.add(track.path)

    def next(self) -> Track | None:
        """The track to play next, round and round; None when nothing is playable."""
        for _ in range(2):  # the rest of this round, else a new one
            while self._round:
                track = self._tracks[self._round.pop(0)]
                if track.path not in self._failed:
                    self._last = track.path
                    return track
            self._round = self._new_round()
        return None

    def _new_round(self) -> list[int]:
        order = [i for i, t in enumerate(self._tracks) if t.path not in self._failed]
        if not self._shuffle or len(order) < 2:
            return order
        self._rng.shuffle(order)
        if self._tracks[order[0]].path == self._last:
            others = [n for n, i in enumerate(order) if self._tracks[i].path != self._last]
            if others:  # else every playable entry is the same file
                swap = self._rng.choice(others)
                order[0], order[swap] = order[swap], order[0]
        return order
