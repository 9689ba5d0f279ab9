"""The kiosk's own music files: Ogg Vorbis, long enough, small enough, documented.

No decoder and no Qt: only the Ogg page headers are read, at the head and the
tail of each file. The files are made by scripts/make-music.py.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import pytest

MUSIC = Path(__file__).resolve().parents[1] / "kiosk" / "media" / "music"
OGG_FILES = sorted(MUSIC.glob("*.ogg"))

MIN_SECONDS = 180.0
MAX_TOTAL_BYTES = 15_000_000

_HEADER = struct.Struct("<4sBBqIIIB")  # capture, version, flags, granule, serial, sequence, CRC, segments
_MAX_PAGE = _HEADER.size + 255 + 255 * 255  # the largest page Ogg allows
_END_OF_STREAM = 0x04


@dataclass(frozen=True)
class Page:
    """One Ogg page header and where its body lies in the bytes it was read from."""

    flags: int
    granule: int
    body_start: int
    body_end: int


def _page_at(data: bytes, offset: int) -> Page | None:
    """The Ogg page starting at `offset` in `data`, or None when none starts there."""
    if offset + _HEADER.size > len(data):
        return None
    capture, version, flags, granule, _serial, _sequence, _crc, segments = _HEADER.unpack_from(data, offset)
    table_end = offset + _HEADER.size + segments
    if capture != b"OggS" or version != 0 or table_end > len(data):
        return None
    return Page(flags, granule, table_end, table_end + sum(data[offset + _HEADER.size : table_end]))


def _head(path: Path) -> bytes:
    with path.open("rb") as file:
        return file.read(16384)


def _last_page(path: Path) -> Page:
    """The file's last Ogg page: the one that ends exactly where the file ends."""
    with path.open("rb") as file:
        file.seek(max(0, path.stat().st_size - _MAX_PAGE))
        tail = file.read()
    offset = tail.rfind(b"OggS")
    while offset >= 0:
        page = _page_at(tail, offset)
        if page is not None and page.body_end == len(tail):
            return page
        offset = tail.rfind(b"OggS", 0, offset)
    raise AssertionError(f"{path.name}: no Ogg page ends at the end of the file")


def _sample_rate(path: Path) -> int:
    """The sample rate in the Vorbis identification header (the first packet)."""
    head = _head(path)
    assert head.startswith(b"OggS"), f"{path.name} is not an Ogg file"
    page = _page_at(head, 0)
    assert page is not None, f"{path.name}: unreadable first Ogg page"
    packet = head[page.body_start : page.body_end]
    assert packet.startswith(b"\x01vorbis"), f"{path.name}: the first packet is not a Vorbis header"
    _version, channels, rate = struct.unpack_from("<IBI", packet, 7)
    assert channels in (1, 2), f"{path.name}: {channels} channels"
    return int(rate)


def test_folder_holds_at_least_three_tracks() -> None:
    assert len(OGG_FILES) >= 3, f"found {[p.name for p in OGG_FILES]} in {MUSIC}"


@pytest.mark.parametrize("path", OGG_FILES, ids=lambda p: p.name)
def test_each_track_is_ogg_vorbis_at_44_1_khz(path: Path) -> None:
    assert _sample_rate(path) == 44100


@pytest.mark.parametrize("path", OGG_FILES, ids=lambda p: p.name)
def test_each_track_lasts_at_least_three_minutes(path: Path) -> None:
    last = _last_page(path)
    assert last.flags & _END_OF_STREAM, f"{path.name}: the last page does not end the stream"
    seconds = last.granule / _sample_rate(path)
    assert seconds >= MIN_SECONDS, f"{path.name} lasts {seconds:.1f} s"


@pytest.mark.parametrize("path", OGG_FILES, ids=lambda p: p.name)
def test_each_track_names_its_title_and_maker(path: Path) -> None:
    comments = _head(path).lower()
    assert b"title=" in comments
    assert b"artist=infusion-kiosk" in comments


def test_all_tracks_together_fit_in_15_mb() -> None:
    total = sum(p.stat().st_size for p in OGG_FILES)
    assert total <= MAX_TOTAL_BYTES, f"{total / 1e6:.1f} MB"


def test_readme_says_how_the_music_is_made() -> None:
    readme = (MUSIC / "README.md").read_text(encoding="utf-8")
    assert "scripts/make-music.py" in readme
