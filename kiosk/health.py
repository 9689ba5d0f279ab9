"""The event log's folder and disk, checked the same way for staff and for IT.

The window puts these problems in the staff banner; `kiosk status` prints them.
Plain Python: no Qt here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DiskSpace", "disk_space", "folder_problem", "low_space_problem"]

MB = 1024 * 1024


@dataclass(frozen=True)
class DiskSpace:
    """Free and total space of the disk that holds a folder, in MB (MiB)."""

    free_mb: int  # what the kiosk's user may still write
    total_mb: int


def disk_space(path: Path) -> DiskSpace | None:
    """The space of the disk holding `path` (or its nearest existing parent); None if unknown."""
    for candidate in (path, *path.parents):
        try:
            stats = os.statvfs(candidate)
        except FileNotFoundError:
            continue
        except OSError:
            return None
        return DiskSpace(stats.f_bavail * stats.f_frsize // MB, stats.f_blocks * stats.f_frsize // MB)
    return None


def low_space_problem(path: Path, min_free_mb: int) -> str | None:
    """A sentence for staff and IT when the log's disk has less free space than `min_free_mb`."""
    space = disk_space(path)
    if space is None or space.free_mb >= min_free_mb:
        return None
    return (f"Only {space.free_mb} MB is free on the disk of the event log ({path}); "
            f"log.min_free_mb asks for {min_free_mb} MB. When it is full, calls still chime "
            "but are no longer recorded: ask IT to make room.")


def folder_problem(path: Path) -> str | None:
    """Why the log folder cannot be used, or None when it exists and is writable."""
    if not path.exists():
        return f"the log folder {path} does not exist yet (the kiosk makes it when it starts)"
    if not path.is_dir():
        return f"{path} is not a folder"
    if not os.access(path, os.W_OK | os.X_OK):
        return f"the log folder {path} is not writable by user {_user()}"
    return None


def _user() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return str(os.getuid())
