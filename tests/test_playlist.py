"""kiosk.media.playlist: what a music folder or .m3u list holds, the play order, what a stage offers.

Plain Python, no Qt: real files in tmp_path.
"""

from __future__ import annotations

import itertools
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kiosk.media import playlist
from kiosk.media.playlist import (
    AUDIO_SUFFIXES,
    BUNDLED_DIR,
    PLAYLIST_SUFFIXES,
    Missing,
    Queue,
    Scan,
    Track,
    natural_key,
    offered,
    scan,
)


def touch(path: Path, data: bytes = b"") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def names(found: Scan, root: Path) -> list[str]:
    return [t.path.relative_to(root).as_posix() for t in found.tracks]


# -- constants and natural order ----------------------------------------------------------------

def test_constants() -> None:
    assert AUDIO_SUFFIXES == frozenset({".ogg", ".oga", ".opus", ".mp3", ".flac", ".wav",
                                        ".m4a", ".aac"})
    assert PLAYLIST_SUFFIXES == (".m3u", ".m3u8")
    assert BUNDLED_DIR == Path(playlist.__file__).resolve().parent / "music"


def test_natural_key() -> None:
    texts = ["track 10", "Track 2", "track 1", "10 a", "2 a", "a", "a0", "B", "track 1b",
             "track 1b2", "track 01"]
    assert sorted(texts, key=natural_key) == [
        "2 a", "10 a", "a", "a0", "B", "track 01", "track 1", "track 1b", "track 1b2",
        "Track 2", "track 10"]
    assert natural_key("Track 2") < natural_key("track 10")
    assert natural_key("ABC") != natural_key("abc")  # ties broken, so the order is stable


# -- folders --------------------------------------------------------------------------------------

def test_folder_in_natural_order_with_subfolders(tmp_path: Path) -> None:
    for name in ["track 10.ogg", "track 2.mp3", "track 1.OGG", "b/2.flac", "b/10.wav",
                 "a/x.Opus", "A2/y.m4a", "cover.jpg", "notes.txt", "track 3.ogg.part",
                 ".hidden.ogg", ".Trash/z.ogg", "._track 4.mp3", "c/.d/e.ogg", "noext"]:
        touch(tmp_path / name)
    (tmp_path / "empty").mkdir()
    found = scan(tmp_path)
    assert found == Scan(tmp_path, found.tracks, (), "")
    assert names(found, tmp_path) == [
        "a/x.Opus", "A2/y.m4a", "b/2.flac", "b/10.wav", "track 1.OGG", "track 2.mp3",
        "track 10.ogg"]


def test_every_audio_suffix_in_any_case(tmp_path: Path) -> None:
    for n, suffix in enumerate(sorted(AUDIO_SUFFIXES)):
        touch(tmp_path / f"{n} x{suffix.upper() if n % 2 else suffix}")
    assert len(scan(tmp_path).tracks) == len(AUDIO_SUFFIXES)


def test_an_empty_folder_has_no_tracks_and_no_problem(tmp_path: Path) -> None:
    assert scan(tmp_path) == Scan(tmp_path, (), (), "")


def test_folder_symlinks_are_followed_without_looping(tmp_path: Path) -> None:
    touch(tmp_path / "music" / "a.ogg")
    (tmp_path / "music" / "loop").symlink_to(tmp_path / "music")
    (tmp_path / "music" / "broken.ogg").symlink_to(tmp_path / "gone.ogg")
    found = scan(tmp_path / "music")
    assert names(found, tmp_path / "music") == ["a.ogg"]
    assert found.missing == (Missing(tmp_path / "music" / "broken.ogg", None, "not found"),)
    assert found.problem == ""


def test_a_file_where_a_folder_is_expected(tmp_path: Path) -> None:
    notes = touch(tmp_path / "notes.txt", b"hi")
    found = scan(notes)
    assert (found.tracks, found.missing) == ((), ())
    assert found.problem == f"not a folder or .m3u/.m3u8 playlist file: {notes}"


def test_a_path_that_does_not_exist(tmp_path: Path) -> None:
    assert scan(tmp_path / "gone").problem == f"not found: {tmp_path / 'gone'}"


def refuse_folders_named(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make listing any folder called `name` fail with "permission denied".

    The tests run as root, where chmod 000 does not stop reading: scandir refuses instead.
    """
    real = os.scandir

    def refusing(path: Any) -> Any:
        if Path(path).name == name:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", refusing)


def test_an_unreadable_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    touch(tmp_path / "ok" / "a.ogg")
    touch(tmp_path / "locked" / "b.ogg")
    refuse_folders_named("locked", monkeypatch)
    found = scan(tmp_path / "locked")
    assert found == Scan(tmp_path / "locked", (), (),
                         f"cannot read the folder {tmp_path / 'locked'}: permission denied")
    found = scan(tmp_path)  # a subfolder that cannot be read is one missing entry
    assert names(found, tmp_path) == ["ok/a.ogg"]
    assert found.missing == (Missing(tmp_path / "locked", None,
                                     "cannot read (permission denied)"),)
    assert found.problem == ""


# -- titles -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("stem", "title"), [
    ("01-distant-waves", "Distant waves"),
    ("03 - Calm Piano", "Calm Piano"),
    ("02_soft_rain", "Soft rain"),
    ("04. Evening", "Evening"),
    ("ocean", "Ocean"),
    ("Beethoven - Moonlight", "Beethoven - Moonlight"),
    ("1999", "1999"),
    ("07", "07"),
    ("5-", "5-"),
    ("4seasons", "4seasons"),
    ("Opus 10 - 2", "Opus 10 - 2"),
    ("  12   slow   tide ", "Slow tide"),
    ("éclat", "Éclat"),
])
def test_title_from_the_file_name(tmp_path: Path, stem: str, title: str) -> None:
    touch(tmp_path / f"{stem}.ogg")
    assert [t.title for t in scan(tmp_path).tracks] == [title]


# -- .m3u / .m3u8 lists -----------------------------------------------------------------------------

def test_list_keeps_its_order_and_resolves_entries(tmp_path: Path) -> None:
    touch(tmp_path / "lists" / "b 10.ogg")
    touch(tmp_path / "lists" / "sub" / "b 2.mp3")
    touch(tmp_path / "shared" / "a track.flac")
    touch(tmp_path / "shared" / "Café.ogg")
    touch(tmp_path / "notes.txt")
    listing = touch(tmp_path / "lists" / "calm.m3u8", (
        "#EXTM3U\n"
        "b 10.ogg\n"
        "\n"
        "sub/b 2.mp3\r\n"
        f"  {tmp_path / 'shared' / 'a track.flac'}  \n"
        "# a comment\n"
        f"file://{tmp_path / 'shared'}/Caf%C3%A9.ogg\n"
        f"file://localhost{tmp_path}/notes.txt\n"
        "b 10.ogg\n"
    ).encode())
    found = scan(listing)
    assert found.problem == "" and found.missing == ()
    assert [t.path for t in found.tracks] == [
        tmp_path / "lists" / "b 10.ogg", tmp_path / "lists" / "sub" / "b 2.mp3",
        tmp_path / "shared" / "a track.flac", tmp_path / "shared" / "Café.ogg",
        tmp_path / "notes.txt",  # not audio by its name: kept, the player finds out
        tmp_path / "lists" / "b 10.ogg"]
    assert [t.title for t in found.tracks][:4] == ["B 10", "B 2", "A track", "Café"]


def test_extinf_titles(tmp_path: Path) -> None:
    touch(tmp_path / "01-a.ogg")
    touch(tmp_path / "02-b.ogg")
    touch(tmp_path / "03-c.ogg")
    listing = touch(tmp_path / "l.m3u", (
        b"#EXTM3U\n"
        b"#EXTINF:123,Morning Light, part 2\n"
        b"01-a.ogg\n"
        b"02-b.ogg\n"
        b"#extinf:-1,\n"
        b"#EXTINF:-1,  Gone  \n"
        b"missing.ogg\n"
        b"03-c.ogg\n"
    ))
    found = scan(listing)
    assert [t.title for t in found.tracks] == ["Morning Light, part 2", "B", "C"]
    assert found.missing == (Missing(tmp_path / "missing.ogg", 7, "not found", "missing.ogg"),)


def test_latin1_m3u_and_bom(tmp_path: Path) -> None:
    touch(tmp_path / "Café.ogg")
    listing = touch(tmp_path / "old.m3u", "#EXTINF:1,Café au lait\nCafé.ogg\n".encode("latin-1"))
    found = scan(listing)
    assert [(t.path.name, t.title) for t in found.tracks] == [("Café.ogg", "Café au lait")]
    touch(listing, "\ufeffCafé.ogg\n".encode())
    assert [t.path.name for t in scan(listing).tracks] == ["Café.ogg"]
    listing = touch(tmp_path / "new.m3u8", "\ufeffCafé.ogg\n".encode())
    assert [t.path.name for t in scan(listing).tracks] == ["Café.ogg"]


def test_m3u8_that_is_not_utf8(tmp_path: Path) -> None:
    listing = touch(tmp_path / "x.m3u8", "a.ogg\nCafé.ogg\n".encode("latin-1"))
    found = scan(listing)
    assert found.tracks == () and found.missing == ()
    assert found.problem == ("x.m3u8 is not valid UTF-8 text (line 2); an .m3u8 file must be "
                             "UTF-8, or name it .m3u")


def test_streams_and_missing_entries_with_their_lines(tmp_path: Path) -> None:
    touch(tmp_path / "ok.ogg")
    (tmp_path / "folder.ogg").mkdir()
    listing = touch(tmp_path / "l.m3u", (
        "#EXTM3U\n"
        "http://radio.example/calm\n"
        "ok.ogg\n"
        "gone.ogg\n"
        "\n"
        "HTTPS://radio.example/x.mp3\n"
        "rtsp://cam.example/s\n"
        "folder.ogg\n"
        "file://nas.example/music/a.ogg\n"
        f"{tmp_path}/also gone.mp3\n"
    ).encode())
    found = scan(listing)
    assert [t.path for t in found.tracks] == [tmp_path / "ok.ogg"]
    assert [(m.line, m.reason, m.entry) for m in found.missing] == [
        (2, "streams are not supported", "http://radio.example/calm"),
        (4, "not found", "gone.ogg"),
        (6, "streams are not supported", "HTTPS://radio.example/x.mp3"),
        (7, "streams are not supported", "rtsp://cam.example/s"),
        (8, "not a file", "folder.ogg"),
        (9, "a file on another computer (nas.example) is not supported",
         "file://nas.example/music/a.ogg"),
        (10, "not found", f"{tmp_path}/also gone.mp3"),
    ]
    assert found.missing[1].path == tmp_path / "gone.ogg"
    assert found.missing[-1].path == tmp_path / "also gone.mp3"


def test_a_list_made_on_windows(tmp_path: Path) -> None:
    touch(tmp_path / "sub" / "a.mp3")
    found = scan(touch(tmp_path / "w.m3u", b"sub\\a.mp3\r\n"))
    assert [t.path for t in found.tracks] == [tmp_path / "sub" / "a.mp3"]


def test_an_empty_list(tmp_path: Path) -> None:
    listing = touch(tmp_path / "e.M3U", b"#EXTM3U\n\n")
    assert scan(listing) == Scan(listing, (), (), "")


def test_an_unreadable_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    listing = touch(tmp_path / "l.m3u", b"a.ogg\n")
    real_open = Path.open

    def refusing_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == listing:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refusing_open)
    assert scan(listing).problem == f"cannot read {listing}: permission denied"


def test_a_huge_list_is_refused_without_reading_it(tmp_path: Path) -> None:
    huge = tmp_path / "huge.m3u"
    with huge.open("wb") as stream:
        stream.truncate(50 * 1024 * 1024)  # sparse
    assert scan(huge).problem == ("huge.m3u is too large for a playlist: 52428800 bytes "
                                  "(at most 4 MiB)")


def test_a_folder_named_like_a_list_is_a_folder(tmp_path: Path) -> None:
    touch(tmp_path / "odd.m3u" / "a.ogg")
    assert names(scan(tmp_path / "odd.m3u"), tmp_path / "odd.m3u") == ["a.ogg"]


# -- Queue ----------------------------------------------------------------------------------------

def tracks(count: int) -> list[Track]:
    return [Track(Path(f"/m/{n}.ogg"), f"T{n}") for n in range(count)]


def test_queue_repeats_in_order() -> None:
    items = tracks(3)
    queue = Queue(items)
    assert [queue.next() for _ in range(7)] == items * 2 + items[:1]
    assert queue.tracks == tuple(items) and queue.playable == 3


def test_queue_skips_failed_tracks() -> None:
    items = tracks(4)
    queue = Queue(items)
    assert queue.next() == items[0]
    queue.failed(items[1])
    queue.failed(items[1])
    assert queue.playable == 3
    assert [queue.next() for _ in range(4)] == [items[2], items[3], items[0], items[2]]
    queue.failed(items[0])
    queue.failed(Track(Path("/elsewhere.ogg"), "X"))  # not in the queue: ignored
    assert queue.playable == 2
    assert [queue.next() for _ in range(3)] == [items[3], items[2], items[3]]
    assert queue.tracks == tuple(items)


def test_a_failed_file_listed_twice_fails_once() -> None:
    a, b = tracks(2)
    queue = Queue([a, b, Track(a.path, "A again")])
    queue.failed(a)
    assert queue.playable == 1
    assert [queue.next() for _ in range(3)] == [b, b, b]


def test_queue_with_everything_failed_or_nothing() -> None:
    items = tracks(2)
    queue = Queue(items, shuffle=True, rng=random.Random(1))
    assert queue.next() is not None
    for track in items:
        queue.failed(track)
    assert queue.playable == 0
    assert queue.next() is None and queue.next() is None
    assert Queue([]).next() is None
    assert Queue([], shuffle=True).playable == 0


@pytest.mark.parametrize("shuffle", [False, True])
def test_one_track_plays_every_time(shuffle: bool) -> None:
    (only,) = tracks(1)
    queue = Queue([only], shuffle=shuffle, rng=random.Random(0))
    assert [queue.next() for _ in range(5)] == [only] * 5


@pytest.mark.parametrize("count", [2, 3, 7])
def test_shuffle_is_a_fresh_permutation_each_round_without_a_repeat(count: int) -> None:
    items = tracks(count)
    queue = Queue(items, shuffle=True, rng=random.Random(count))
    rounds = [[queue.next() for _ in range(count)] for _ in range(200)]
    for played in rounds:
        assert sorted(t.title for t in played if t) == sorted(t.title for t in items)
    flat = [t for played in rounds for t in played]
    assert all(a != b for a, b in itertools.pairwise(flat))
    if count > 2:
        assert len({tuple(t.title for t in played if t) for played in rounds}) > 2
        assert len({played[0] for played in rounds}) == count  # every track starts some round


def test_shuffle_with_failures_never_repeats() -> None:
    items = tracks(5)
    queue = Queue(items, shuffle=True, rng=random.Random(7))
    played = [queue.next() for _ in range(12)]
    queue.failed(items[0])
    queue.failed(items[3])
    played += [queue.next() for _ in range(300)]
    assert all(a != b for a, b in itertools.pairwise(played))
    assert {items[0], items[3]}.isdisjoint(played[12:])
    queue.failed(items[1])
    queue.failed(items[2])
    assert {queue.next() for _ in range(5)} == {items[4]}


def test_shuffle_uses_its_own_rng_by_default() -> None:
    items = tracks(20)
    orders = {tuple(Queue(items, shuffle=True).next() for _ in range(20)) for _ in range(5)}
    assert len(orders) > 1


# -- offered --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Staged:
    name: str
    stages: tuple[str, ...] = ()


def test_offered_tied_first_then_all_stages() -> None:
    lists = [Staged("all-1"), Staged("infusion", ("infusion",)),
             Staged("recovery", ("recovery",)), Staged("all-2"),
             Staged("both", ("recovery", "infusion"))]
    assert [p.name for p in offered(lists, "infusion")] == ["infusion", "both", "all-1", "all-2"]
    assert [p.name for p in offered(lists, "recovery")] == ["recovery", "both", "all-1", "all-2"]
    assert [p.name for p in offered(lists, "settling")] == ["all-1", "all-2"]
    assert [p.name for p in offered(lists, None)] == ["all-1", "all-2"]
    assert offered([], "infusion") == []


def test_offered_takes_the_config_playlists(tmp_path: Path) -> None:
    from kiosk.config import Playlist

    lists = [Playlist(name="A", path=tmp_path), Playlist(name="B", path=tmp_path,
                                                         stages=("recovery",))]
    assert [p.name for p in offered(lists, "recovery")] == ["B", "A"]
