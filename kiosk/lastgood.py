"""Which configuration a starting kiosk runs on: the clinic's, the last good one, or safe mode.

`kiosk check-config` is the gate before a roll-out, but a file can still break on
a machine (a bad drop-in, a typo made over SSH, a deleted music share). A room
must not be left without a kiosk because of it. So each good start keeps a copy
of the configuration it ran on (`to_toml`: every key, paths absolute) in the
state folder; a start whose configuration is rejected runs on that copy and tells
staff why; with no usable copy either, it runs on the built-in defaults in safe
mode, where Call nurse still chimes in the room.

Plain Python: no Qt here.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from kiosk.config import Config, ConfigError, defaults, load, to_toml

__all__ = ["KEPT_NAME", "SYSTEM_STATE_DIR", "Rejection", "choose", "keep", "safe_config", "state_dir"]

KEPT_NAME = "last-good.toml"
"""The kept configuration's file name in the state folder."""

Fallback = Literal["last_good", "safe"]


@dataclass(frozen=True)
class Rejection:
    """The configuration the kiosk was given and could not use, and what it runs on instead."""

    files: tuple[str, ...]  # the files as given, in order
    problems: tuple[str, ...]  # `FILE:LINE: key: what is wrong (expected)`, as check-config says
    fallback: Fallback
    kept_at: datetime | None  # when the last good configuration was kept (UTC); None in safe mode

    def event_data(self) -> dict[str, object]:
        """The data of the `config.rejected` event."""
        return {
            "files": list(self.files),
            "problems": list(self.problems),
            "using": self.fallback,
            "kept_at": None if self.kept_at is None else self.kept_at.isoformat(timespec="seconds"),
        }


SYSTEM_STATE_DIR = Path("/var/lib/infusion-kiosk")
"""The state folder of an installed kiosk (deploy/install.sh; the unit's StateDirectory=)."""


def state_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """Where the kiosk keeps its own state (not its log).

    $KIOSK_STATE_DIR if set; else systemd's $STATE_DIRECTORY (the unit's
    `StateDirectory=`); else /var/lib/infusion-kiosk on an installed machine, so
    that `kiosk status` in IT's shell sees what the service sees; else
    ~/.local/state/infusion-kiosk.
    """
    if environ.get("KIOSK_STATE_DIR"):
        return Path(environ["KIOSK_STATE_DIR"]).expanduser()
    if environ.get("STATE_DIRECTORY"):
        return Path(environ["STATE_DIRECTORY"].split(":")[0])
    if SYSTEM_STATE_DIR.is_dir():
        return SYSTEM_STATE_DIR
    base = environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "infusion-kiosk"


def safe_config(state: Path) -> Config:
    """The built-in defaults, logging into the state folder (the log's place in an install)."""
    built_in = defaults()
    return replace(built_in, log=replace(built_in.log, dir=state / "events"))


def choose(paths: Sequence[str | os.PathLike[str]], state: Path) -> tuple[Config, Rejection | None]:
    """The configuration to start on, and the rejection to report (None when `paths` are good)."""
    try:
        return load(paths), None
    except ConfigError as error:
        problems = tuple(str(problem) for problem in error.problems)
    files = tuple(os.fspath(path) for path in paths)
    kept = state / KEPT_NAME
    try:
        config = load([kept])
        kept_at = datetime.fromtimestamp(kept.stat().st_mtime, timezone.utc)
    except (ConfigError, OSError):  # none kept yet, or it no longer fits this machine
        return safe_config(state), Rejection(files, problems, "safe", None)
    return config, Rejection(files, problems, "last_good", kept_at)


def keep(config: Config, state: Path, *, now: datetime | None = None) -> bool:
    """Keep `config` as the last good one; True when the file was (re)written.

    Written only when it differs from what is kept, to a temporary file that is
    flushed to disk and then renamed, so a power cut leaves the old copy or the
    new one, never half of one. Raises OSError when the state folder is unusable.
    """
    when = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    sources = ", ".join(str(path) for path in config.sources) or "the built-in defaults"
    header = (f"The last configuration this kiosk started on without a problem ({when}).\n"
              f"Made from: {sources}\n"
              "Kept by the kiosk; it is used only when the configuration in /etc is rejected.\n"
              "Do not edit: change /etc/infusion-kiosk/ and run `kiosk check-config` instead.")
    kept = state / KEPT_NAME
    body = to_toml(config)
    try:
        old = kept.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        old = ""
    if _settings(old) == _settings(body):  # the same but for the header's date
        return False
    state.mkdir(mode=0o750, parents=True, exist_ok=True)
    text = to_toml(config, header=header)
    fd, temporary = tempfile.mkstemp(prefix=".last-good-", suffix=".toml", dir=state)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o640)
        os.replace(temporary, kept)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(state, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return True


def _settings(text: str) -> str:
    """`text` without its leading comment lines."""
    lines = text.splitlines()
    while lines and (not lines[0].strip() or lines[0].startswith("#")):
        del lines[0]
    return "\n".join(lines)
