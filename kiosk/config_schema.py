"""The declared config schema: every key of kiosk.toml, once.

Each section of the file is a frozen dataclass and each key a field of it. The
field's default is the built-in default; its metadata holds the description for
clinic IT and the rules the value must meet. `kiosk.config` reads these
declarations to check files, to build the defaults and to write the reference,
so a key is described in one place and the three cannot drift apart.

Rule vocabulary (field metadata):
    doc        description, plain English, shown in the reference
    min, max   inclusive bounds for numbers
    choices    the allowed values
    nonempty   a string or list must not be empty
    max_len    longest allowed string (characters)
    pattern    (regex, what it means in words) a string must fully match
    items      rules ("nonempty", "choices") for each item of a list of strings
    unique     list items must not repeat
    max_items  longest allowed list
    unique_by  for a list of tables: the key that must not repeat (ignoring case)
    reserved   values a string may not take, e.g. built-in pattern names
    check      a function(value) -> (message, expected) or None, for rules
               that are not a plain range; `rule` says it in words
    rule       extra text for the reference's "allowed" column (also used for
               rules across keys, which `kiosk.config` checks after merging)
"""

from __future__ import annotations

import difflib
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.security import is_checkable_hash
from kiosk.session import STAGES  # the visit model owns the stage ids

LANGUAGES: tuple[str, ...] = ("en", "es")
BUILTIN_PATTERNS: tuple[str, ...] = ("resonant", "extended_exhale", "box", "4-7-8")
DEFAULT_REASONS: tuple[str, ...] = (
    "I feel sick",
    "I feel dizzy or unwell",
    "I feel anxious",
    "I need the bathroom",
    "Something else",
)

#: Keys a bedside call button or pendant may send (Qt's names for them).
CALL_KEYS: tuple[str, ...] = (
    *(f"F{n}" for n in range(1, 25)),
    *"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    "Space", "Return", "Enter", "Pause", "Print", "ScrollLock", "Insert", "Home", "End",
    "PgUp", "PgDown", "Help", "Menu",
)


def key(default: Any, doc: str, **rules: Any) -> Any:
    """Declare a key with a default: the value used when no file sets it."""
    return field(default=default, metadata={"doc": doc, **rules})


def required(doc: str, **rules: Any) -> Any:
    """Declare a key every table of an array of tables must set."""
    return field(metadata={"doc": doc, "required": True, **rules})


# ASCII digits, as many as kiosk.security reads: int() of thousands of digits raises, and
# \d would also take other scripts' digits.
_PIN_HASH = re.compile(
    r"scrypt\$([0-9]{1,10})\$([0-9]{1,4})\$([0-9]{1,4})\$([0-9a-fA-F]+)\$([0-9a-fA-F]+)"
)


def check_pin_hash(value: str) -> tuple[str, str] | None:
    """A PIN hash is empty (no PIN) or what `kiosk hash-pin` prints."""
    expected = "empty, or the scrypt$N$r$p$salt$hash line printed by `kiosk hash-pin`"
    if value == "":
        return None
    match = _PIN_HASH.fullmatch(value)
    if match is None:
        return "not a PIN hash", expected
    n, r, p = (int(match.group(i)) for i in (1, 2, 3))
    if n < 2 or n & (n - 1) or r < 1 or p < 1:
        return f"bad scrypt parameters N={n}, r={r}, p={p}", "N a power of two, r and p at least 1"
    if len(match.group(4)) % 2 or len(match.group(5)) % 2:
        return "salt or hash is not whole bytes of hex", expected
    if not is_checkable_hash(value):
        return "a hash the kiosk cannot check (too costly or too short)", expected
    return None


def check_media_path(value: Path) -> tuple[str, str] | None:
    """Music comes from a folder or from an .m3u/.m3u8 playlist file."""
    expected = "an existing folder or .m3u/.m3u8 file"
    if value.is_dir():
        return None
    if not value.exists():
        return f"not found: {value}", expected
    if value.is_file() and value.suffix.lower() in (".m3u", ".m3u8"):
        return None
    return f"not a folder or playlist file: {value}", expected


def check_call_key(value: str) -> tuple[str, str] | None:
    """A call key is one key without modifiers, named as Qt names it."""
    if value in CALL_KEYS:
        return None
    same = [k for k in CALL_KEYS if k.casefold() == value.casefold()]
    close = same or difflib.get_close_matches(value, CALL_KEYS, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else "a key name such as F12, Pause or Space"
    return f"unknown key name {value!r}", hint


def check_command(value: tuple[str, ...]) -> tuple[str, str] | None:
    """The notify command is run directly, so its program must be there."""
    if not value:
        return None
    program = value[0]
    if program == "":
        return "the program name is empty", "an executable file path or a command on PATH"
    if shutil.which(program) is None:
        return (
            f"command not found or not executable: {program!r}",
            "an executable file path or a command on PATH",
        )
    return None


@dataclass(frozen=True, kw_only=True)
class KioskConfig:
    """[kiosk]: which kiosk this is and which languages it offers."""

    id: str = key(
        "kiosk-1",
        "Name of this kiosk in the event log. Unique per clinic.",
        nonempty=True,
        max_len=40,
        pattern=(r"[A-Za-z0-9_-]+", "letters, digits, '-' and '_' only"),
    )
    room: str = key("Room 1", "Room name shown to staff and written to the log.",
                    nonempty=True, max_len=40)
    clinic_name: str = key("Infusion Suite", "Clinic name shown on the idle screen.", max_len=60)
    languages: tuple[str, ...] = key(
        ("en",),
        "Languages a nurse can choose when starting a session.",
        nonempty=True,
        unique=True,
        items={"choices": LANGUAGES},
    )
    default_language: str = key(
        "en",
        "Language preselected for a new session.",
        choices=LANGUAGES,
        rule="must be one of `languages`",
    )
    content_dir: Path | None = key(  # noqa: RUF009 (key() returns a field)
        None,
        "Folder with the clinic's own patient texts: `<language>.toml` files that replace any "
        "of our texts (see README). Empty = our texts only.",
        rule="empty, or an existing folder; a relative path starts at this file's folder",
    )


@dataclass(frozen=True, kw_only=True)
class StaffConfig:
    """[staff]: the staff PIN and how the staff panel locks."""

    pin_hash: str = key(
        "",
        "Hash of the staff PIN, made with `kiosk hash-pin`. Empty: no PIN configured.",
        check=check_pin_hash,
        rule="empty, or `scrypt$N$r$p$salthex$hashhex`",
    )
    lockout_attempts: int = key(5, "Wrong PINs in a row before the PIN pad locks.", min=1, max=20)
    lockout_seconds: int = key(60, "How long the PIN pad stays locked.", min=10, max=3600)
    timeout_seconds: int = key(60, "An idle staff panel closes after this many seconds.",
                               min=15, max=600)


@dataclass(frozen=True, kw_only=True)
class SessionConfig:
    """[session]: what a visit looks like by default."""

    infusion_minutes: int = key(40, "Planned infusion length; the nurse can change it per session.",
                                min=5, max=240)
    recovery_minutes: int = key(30, "Planned recovery time after the infusion.", min=0, max=240)
    checkins: bool = key(True, "Ask the patient how they feel before the infusion and in recovery "
                         "(five faces; the patient may skip it).")
    comfort_plan: bool = key(True, "Before the infusion, ask the patient what would help if "
                             "things feel like too much; staff see it with every call.")


@dataclass(frozen=True, kw_only=True)
class DisplayConfig:
    """[display]: how the screen looks and behaves."""

    theme: str = key("dusk", "Colour theme.", choices=("dusk", "high_contrast"))
    text_scale: float = key(1.0, "Make all text larger by this factor.", min=1.0, max=1.6)
    reduce_motion: bool = key(False, "Replace movement and scaling with simple fades.")
    hide_cursor: bool = key(True, "Hide the mouse pointer (touch screens).")
    idle_return_seconds: int = key(
        120, "Untouched screens return to the stage screen after this long; 0 = never.",
        min=0, max=3600)
    dim_after_seconds: int = key(
        300, "Dim the screen after this long without a touch; 0 = never.", min=0, max=3600)


@dataclass(frozen=True, kw_only=True)
class Playlist:
    """One [[music.playlists]] table: music the patient can choose."""

    name: str = required("Name shown to the patient. Unique (ignoring case).", nonempty=True)
    path: Path = required(  # noqa: RUF009 (required() returns a field)
        "A music folder or an .m3u/.m3u8 file; relative paths start at this file's folder.",
        check=check_media_path,
        rule="must exist: a folder or .m3u/.m3u8 file",
    )
    shuffle: bool = key(False, "Play the tracks in random order.")
    stages: tuple[str, ...] = key(
        (),
        "Stages where this playlist is offered; empty = all stages.",
        unique=True,
        items={"choices": STAGES},
    )


@dataclass(frozen=True, kw_only=True)
class MusicConfig:
    """[music]: volumes, fades and the playlists on offer."""

    volume: float = key(0.4, "Starting volume (0 = silent, 1 = full).", min=0.0, max=1.0,
                        rule="at most `max_volume`")
    max_volume: float = key(0.7, "The patient cannot turn the music up past this.",
                            min=0.0, max=1.0)
    reentry_volume: float = key(
        0.2, "When the nurse marks the infusion complete, the music lowers gently to this "
        "volume (it only lowers: music already quieter is left as it is).", min=0.0, max=1.0)
    fade_in_seconds: float = key(3.0, "Fade-in when music starts.", min=0.0, max=30.0)
    fade_out_seconds: float = key(2.0, "Fade-out when music stops.", min=0.0, max=30.0)
    crossfade_seconds: float = key(4.0, "Overlap between two tracks.", min=0.0, max=30.0)
    autoplay_at: str = key("", "Start music by itself when this stage begins; empty = never.",
                           choices=("",) + STAGES)
    bundled: bool = key(True, "Offer the kiosk's own calm tracks as one more playlist, "
                        "after yours.")
    playlists: tuple[Playlist, ...] = key((), "Music on offer, one [[music.playlists]] table each.",
                                          unique_by="name")


@dataclass(frozen=True, kw_only=True)
class BreathingPattern:
    """One [[breathing.patterns]] table: a breathing rhythm in seconds."""

    name: str = required("Name shown to the patient; not a built-in name.", nonempty=True,
                         reserved=BUILTIN_PATTERNS)
    inhale: float = required("Seconds breathing in.", min=1.0, max=15.0)
    hold: float = key(0.0, "Seconds holding after breathing in.", min=0.0, max=10.0)
    exhale: float = required("Seconds breathing out.", min=1.0, max=15.0)
    rest: float = key(0.0, "Seconds resting after breathing out.", min=0.0, max=10.0)


@dataclass(frozen=True, kw_only=True)
class BreathingConfig:
    """[breathing]: the guided breathing exercise."""

    default_pattern: str = key(
        "resonant",
        "Pattern offered first: resonant, extended_exhale, box, 4-7-8, or one of `patterns`.",
        rule="a built-in pattern or a name from [[breathing.patterns]]",
    )
    minutes: int = key(3, "Length of an exercise; 0 = open-ended.", choices=(0, 1, 3, 5))
    cue_tone: bool = key(False, "Play a soft tone at each change of breath.")
    patterns: tuple[BreathingPattern, ...] = key(
        (), "Extra patterns, one [[breathing.patterns]] table each.", unique_by="name")


@dataclass(frozen=True, kw_only=True)
class NurseCallConfig:
    """[nurse_call]: how a patient's call reaches the nurses."""

    keys: tuple[str, ...] = key(
        ("F12",), "Keys that call a nurse, for a bedside button or pendant that sends a key; "
        "empty = none.", unique=True, items={"nonempty": True, "check": check_call_key},
        rule="each a single key: F1-F24, A-Z, 0-9, Space, Return, Enter, Pause, Print, "
             "ScrollLock, Insert, Home, End, PgUp, PgDown, Help, Menu")
    repeat_guard_seconds: int = key(
        10, "Presses this soon after the last one are added to the open call as repeats; "
        "later presses sound the chime and notify again.", min=0, max=120)
    remind_seconds: int = key(30, "Remind staff of an unanswered call after this long.",
                              min=5, max=600)
    escalate_seconds: int = key(120, "Escalate an unanswered call after this long.",
                                min=10, max=3600)
    chime: bool = key(True, "Play a chime in the room when a call is made.")
    chime_volume: float = key(0.6, "Chime volume.", min=0.05, max=1.0)
    notify_command: tuple[str, ...] = key(
        (),
        "Program run in the background for each call, reason, reminder, escalation, "
        "acknowledgement, cancel and resolve, as a list: program first, then its arguments, "
        "in which {room}, {kiosk}, {event}, {reason} and {call_id} are filled in. No shell. "
        "Empty = none.",
        check=check_command,
        rule="first item an executable path or a command on PATH",
    )
    notify_timeout_seconds: int = key(10, "Stop the notify command after this long.",
                                      min=1, max=120)
    reasons: tuple[str, ...] = key(DEFAULT_REASONS, "Reasons a patient can pick when calling.",
                                   nonempty=True, max_items=8, items={"nonempty": True})


@dataclass(frozen=True, kw_only=True)
class LogConfig:
    """[log]: where the event log lives and how long it is kept."""

    dir: Path = key(Path("~/.local/state/infusion-kiosk/events"),  # noqa: RUF009 (a field)
                    "Folder of the event log; created if missing. `~` is the kiosk user's home.")
    retention_days: int = key(2190, "Delete log files older than this (2190 days = 6 years).",
                              min=1, max=36500)
    min_free_mb: int = key(200, "Warn staff when the disk has less free space than this.",
                           min=0, max=100000)

    def __post_init__(self) -> None:
        object.__setattr__(self, "dir", self.dir.expanduser())


@dataclass(frozen=True, kw_only=True)
class StationConfig:
    """[station]: the link to the nurses' station through the clinic's MQTT broker."""

    broker: str = key(
        "", "Host name or address of the MQTT broker (Mosquitto) on the nurse-station machine; "
        "empty = no nurse station.", max_len=253,
        pattern=(r"[A-Za-z0-9.:-]*", "a host name or an IP address"))
    port: int = key(8883, "The broker's TLS port.", min=1, max=65535)
    ca_file: Path = key(Path("/etc/infusion-kiosk/station/ca.crt"),  # noqa: RUF009 (a field)
                        "CA certificate (PEM) that signed the broker's certificate.",
                        rule="an existing file when broker is set")
    user: str = key(
        "", "User name on the broker: empty = kiosk.id for a kiosk (the broker's ACL needs "
        "that), \"station\" for `kiosk station`.", max_len=40,
        pattern=(r"[A-Za-z0-9_-]*", 'letters, digits, "-" and "_"'))
    password_file: Path = key(Path("/etc/infusion-kiosk/station/password"),  # noqa: RUF009
                              "File whose first line is this machine's broker password; "
                              "readable by the kiosk's account only.",
                              rule="an existing file when broker is set")
    heartbeat_seconds: int = key(10, "A kiosk tells the station it is alive this often.",
                                 min=2, max=60)
    silent_after_seconds: int = key(
        30, "The station shows a kiosk as silent after this long without a word from it.",
        min=10, max=300)


@dataclass(frozen=True, kw_only=True)
class Config:
    """The whole kiosk configuration; `sources` lists the files applied, in order.

    `sources` is left out of equality: two configs with the same settings are
    equal wherever they came from.
    """

    kiosk: KioskConfig = field(default_factory=KioskConfig)
    staff: StaffConfig = field(default_factory=StaffConfig)
    session: SessionConfig = field(default_factory=SessionConfig)
    display: DisplayConfig = field(default_factory=DisplayConfig)
    music: MusicConfig = field(default_factory=MusicConfig)
    breathing: BreathingConfig = field(default_factory=BreathingConfig)
    nurse_call: NurseCallConfig = field(default_factory=NurseCallConfig)
    log: LogConfig = field(default_factory=LogConfig)
    station: StationConfig = field(default_factory=StationConfig)
    sources: tuple[Path, ...] = field(default=(), compare=False)


SECTIONS: dict[str, type[Any]] = {
    "kiosk": KioskConfig,
    "staff": StaffConfig,
    "session": SessionConfig,
    "display": DisplayConfig,
    "music": MusicConfig,
    "breathing": BreathingConfig,
    "nurse_call": NurseCallConfig,
    "log": LogConfig,
    "station": StationConfig,
}
