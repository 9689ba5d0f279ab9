"""The staff PIN: choosing, hashing and checking it, and locking the PIN pad.

The PIN is stored only as a salted scrypt hash (`hash_pin`), in the line format that
`kiosk hash-pin` prints and ``[staff] pin_hash`` holds::

    scrypt$N$r$p$salthex$hashhex

`PinGate` guards staff entry. Wrong PINs are counted in the event log, so neither a
restart nor a power cut gives anyone fresh tries: `PinGate.restore` reads the count and
any running lock-out back from the log. The typed PIN never goes into an event, in whole
or in part; events carry counts and durations only.

A lock-out only closes the staff PIN pad. It must never block the patient's controls
(Call nurse, music, breathing): keeping those available is the UI's job.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import math
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from kiosk.clock import Clock

__all__ = [
    "MAX_LOCKOUT_SECONDS",
    "MAX_PIN_DIGITS",
    "MIN_PIN_DIGITS",
    "PinGate",
    "UnlockResult",
    "hash_pin",
    "one_time_pin",
    "pin_problem",
    "verify_pin",
]

MIN_PIN_DIGITS = 6
#: Longer entries are refused: a PIN pad is not a password field.
MAX_PIN_DIGITS = 12
#: No single lock-out lasts longer than this, however many came before it.
MAX_LOCKOUT_SECONDS = 3600

_DKLEN = 32
_SALT_BYTES = 16
# Limits on the scrypt parameters this module computes, whether hashing or verifying, so a
# hand-edited hash cannot make the kiosk allocate gigabytes or think for minutes. The
# defaults (N=2**14, r=8, p=1) use 16 MiB and about 50 ms.
_MAX_MEMORY = 256 * 1024 * 1024
_MAX_WORK = 2**22  # N * r * p
_MIN_HASH_BYTES = 16
_MAX_HASH_BYTES = 64

_DIGITS = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() would accept '²' and '٣'
_HASH = re.compile(
    r"scrypt\$([0-9]{1,10})\$([0-9]{1,4})\$([0-9]{1,4})\$([0-9a-fA-F]+)\$([0-9a-fA-F]+)"
)

# Frequently chosen PINs that the rules below do not already catch (keypad columns and
# diagonals, mirrored runs, doubled digits, "I love you" numbers...). Not exhaustive.
_COMMON_PINS = frozenset(
    {
        "112233", "223344", "332211", "111222", "112211", "121314", "123321", "123654",
        "321654", "456123", "789456", "654987", "987456", "142536", "102030", "010203",
        "147258", "258369", "147369", "369258", "147852", "741852", "852963", "963852",
        "159753", "753951", "951753", "357951", "159357", "357159", "246810", "135790",
        "520520", "521521", "5201314", "1314520", "131420", "200000", "100000", "123457",
        "123455", "123450", "112358", "314159", "271828", "696969", "012345", "098765",
    }
)  # fmt: skip


# --------------------------------------------------------------------------- choosing


def pin_problem(pin: str) -> str | None:
    """Why `pin` is not acceptable as a staff PIN, as a plain sentence; None when it is."""
    if not isinstance(pin, str) or pin == "":
        return "The PIN is empty."
    if not _DIGITS.fullmatch(pin):
        return "The PIN must be digits only (0 to 9)."
    if len(pin) < MIN_PIN_DIGITS:
        return f"The PIN is shorter than {MIN_PIN_DIGITS} digits."
    if len(pin) > MAX_PIN_DIGITS:
        return f"The PIN is longer than {MAX_PIN_DIGITS} digits."
    trivial = _trivial_problem(pin)
    if trivial is not None:
        return trivial
    # Doubled digits over a trivial sequence: 112233, 998877, 11223344...
    if len(pin) % 2 == 0 and pin[::2] == pin[1::2] and _trivial_problem(pin[::2]) is not None:
        return "The PIN is a simple sequence with each digit doubled; choose a less obvious one."
    if pin in _COMMON_PINS:
        return "The PIN is one of the most common PINs; choose a less obvious one."
    return None


def _trivial_problem(digits: str) -> str | None:
    """The rule a string of digits breaks by being a trivial sequence, or None."""
    if len(set(digits)) == 1:
        return "The PIN is one digit repeated; choose a less obvious one."
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(digits)}
    if steps in ({1}, {9}):  # 9 is -1 modulo 10; 890123 and 210987 wrap around
        return "The PIN is a straight run of digits up or down; choose a less obvious one."
    if len(steps) == 1:  # 135791, 864208, 147036...
        return "The PIN steps up or down by the same amount each digit; choose a less obvious one."
    for size in range(2, len(digits) // 2 + 1):
        unit = digits[:size]
        if (unit * (len(digits) // size + 1))[: len(digits)] == digits:
            return "The PIN repeats a short pattern; choose a less obvious one."
    return None


def one_time_pin() -> str:
    """A random 6-digit PIN that passes `pin_problem`, for a kiosk with no PIN configured."""
    while True:
        pin = f"{secrets.randbelow(10**MIN_PIN_DIGITS):0{MIN_PIN_DIGITS}d}"
        if pin_problem(pin) is None:
            return pin


# --------------------------------------------------------------------------- hashing


def _parameters_problem(n: int, r: int, p: int) -> str | None:
    for name, value in (("n", n), ("r", r), ("p", p)):
        if isinstance(value, bool) or not isinstance(value, int):
            return f"scrypt {name} must be a whole number"
    if n < 2 or n & (n - 1):
        return f"scrypt N must be a power of two of at least 2, not {n}"
    if r < 1 or p < 1:
        return f"scrypt r and p must be at least 1, not r={r}, p={p}"
    if _scrypt_memory(n, r, p) > _MAX_MEMORY or n * r * p > _MAX_WORK:
        return f"scrypt parameters N={n}, r={r}, p={p} are too costly for a kiosk"
    return None


def _scrypt_memory(n: int, r: int, p: int) -> int:
    """What OpenSSL reserves for scrypt (its check against `maxmem`)."""
    return 128 * r * (n + 2) + 128 * r * p


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    return hashlib.scrypt(
        pin.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        dklen=dklen,
        maxmem=_scrypt_memory(n, r, p) + 1024 * 1024,
    )


def hash_pin(
    pin: str, *, n: int = 2**14, r: int = 8, p: int = 1, salt: bytes | None = None
) -> str:
    """The ``scrypt$N$r$p$salthex$hashhex`` line for `pin`, for ``[staff] pin_hash``.

    ValueError (with `pin_problem`'s sentence) for a weak PIN, or for scrypt parameters
    that are invalid or too costly. `salt` is for tests; by default 16 random bytes.
    """
    problem = pin_problem(pin)
    if problem is not None:
        raise ValueError(problem)
    problem = _parameters_problem(n, r, p)
    if problem is not None:
        raise ValueError(problem)
    if salt is None:
        salt = secrets.token_bytes(_SALT_BYTES)
    elif not isinstance(salt, bytes) or not salt:
        raise ValueError("the salt must be non-empty bytes")
    digest = _scrypt(pin, salt, n, r, p, _DKLEN)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


@dataclass(frozen=True)
class _ParsedHash:
    n: int
    r: int
    p: int
    salt: bytes
    digest: bytes


def _parse_hash(pin_hash: str) -> _ParsedHash | None:
    """The parts of a PIN hash this module can check, or None."""
    if not isinstance(pin_hash, str):
        return None
    match = _HASH.fullmatch(pin_hash)
    if match is None:
        return None
    n, r, p = (int(match.group(i)) for i in (1, 2, 3))
    if _parameters_problem(n, r, p) is not None:
        return None
    try:
        salt = bytes.fromhex(match.group(4))
        digest = bytes.fromhex(match.group(5))
    except ValueError:  # an odd number of hex digits
        return None
    if not _MIN_HASH_BYTES <= len(digest) <= _MAX_HASH_BYTES:
        return None
    return _ParsedHash(n, r, p, salt, digest)


def is_checkable_hash(pin_hash: str) -> bool:
    """True when `pin_hash` is a hash this module can check (what `check-config` asks)."""
    return _parse_hash(pin_hash) is not None


def verify_pin(pin: str, pin_hash: str) -> bool:
    """True when `pin` is the PIN `pin_hash` was made from; False for anything else.

    Never raises: a malformed or unsupported hash, or a PIN that is not a string,
    is simply not a match.
    """
    parsed = _parse_hash(pin_hash)
    if parsed is None or not isinstance(pin, str):
        return False
    try:
        digest = _scrypt(pin, parsed.salt, parsed.n, parsed.r, parsed.p, len(parsed.digest))
    except (ValueError, MemoryError, OverflowError, UnicodeError):
        return False
    return hmac.compare_digest(digest, parsed.digest)


# --------------------------------------------------------------------------- lock-out


class PinEventSink(Protocol):
    """Where the gate records attempts (`kiosk.events.EventLog`)."""

    def append(
        self, type: str, data: Mapping[str, Any] | None = None, *, session: str | None = None
    ) -> object: ...


class PinEvent(Protocol):
    """What the gate reads back from the event log."""

    @property
    def type(self) -> str: ...
    @property
    def ts(self) -> datetime: ...
    @property
    def data(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class UnlockResult:
    """The answer to one PIN entry."""

    ok: bool
    #: > 0: staff entry is locked for this many seconds (already, or from this failure)
    locked_seconds: float = 0.0
    #: after a wrong PIN: tries left before a lock-out (0 when this one locked it)
    attempts_left: int | None = None


class PinGate:
    """Staff entry behind a PIN: 5 wrong PINs lock it for 60 s, doubling each further time.

    * With a `pin_hash`, that is the PIN. Without one, `one_time` (a PIN shown when the
      kiosk starts, valid until it stops) is. With neither, nothing unlocks.
    * A wrong PIN records ``staff.pin_failed`` ``{"attempt": k, "of": attempts}``; the
      `attempts`-th in a row also records ``staff.locked_out`` ``{"seconds": s,
      "lockout": m}``, s = lockout_seconds * 2**(m-1) for the m-th lock-out since the last
      successful unlock, at most `MAX_LOCKOUT_SECONDS`. After a lock-out the wrong-PIN
      count starts again. A right PIN records ``staff.unlocked`` and resets both counts.
    * While locked, `try_unlock` does not look at the PIN and records nothing.
    * An empty entry (Enter on an empty pad) is not an attempt: nothing is counted.
    * Time: a running lock-out is measured with the monotonic clock, so setting the wall
      clock back or forward changes nothing. After a restart, `restore` takes the time
      already served from the wall clock and the ``staff.locked_out`` event's stamp; a wall
      clock now behind that stamp counts as no time served, so what is left is never more
      than the full lock-out.
    * When the event log fails (the exception propagates, for the caller to show a fault):
      a wrong PIN is counted, and a lock-out applied, in memory first, so a broken disk
      never gives unlimited tries. A right PIN unlocks only once ``staff.unlocked`` is
      recorded; if that fails, the gate stays as it was.

    A lock-out closes only the staff PIN pad; the UI must keep the patient's controls
    (Call nurse above all) working throughout.
    """

    def __init__(
        self,
        log: PinEventSink,
        clock: Clock,
        *,
        pin_hash: str,
        one_time: str | None = None,
        attempts: int = 5,
        lockout_seconds: int = 60,
    ) -> None:
        if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
            raise ValueError(f"attempts must be a whole number of at least 1, not {attempts!r}")
        if (
            isinstance(lockout_seconds, bool)
            or not isinstance(lockout_seconds, int)
            or lockout_seconds < 1
        ):
            raise ValueError(
                f"lockout_seconds must be a whole number of at least 1, not {lockout_seconds!r}"
            )
        if pin_hash and _parse_hash(pin_hash) is None:
            raise ValueError(
                "the staff pin_hash is not a PIN hash this kiosk can check "
                "(make one with `kiosk hash-pin`)"
            )
        self._log = log
        self._clock = clock
        self._pin_hash = pin_hash or ""
        self._one_time = one_time.encode("utf-8") if one_time and not pin_hash else None
        self._attempts = attempts
        self._lockout_seconds = lockout_seconds
        self._failures = 0  # wrong PINs in a row since the last unlock or lock-out
        self._lockouts = 0  # lock-outs since the last unlock
        self._locked_mono = 0.0  # monotonic reading when the current lock-out began
        self._locked_length = 0.0  # its length in seconds; 0: none

    # -- reading ---------------------------------------------------------------
    @property
    def configured(self) -> bool:
        """False when neither a PIN hash nor a one-time PIN is set: nothing can unlock."""
        return bool(self._pin_hash) or self._one_time is not None

    @property
    def attempts_left(self) -> int:
        """Wrong PINs that may still be entered before the next lock-out."""
        return self._attempts - self._failures

    def locked_for(self) -> float:
        """Seconds of lock-out left now; 0.0 when the PIN pad is open."""
        if self._locked_length <= 0:
            return 0.0
        served = max(0.0, self._clock.monotonic() - self._locked_mono)
        left = self._locked_length - served
        if left <= 0:
            self._locked_length = 0.0
            return 0.0
        return left

    # -- a PIN entered -----------------------------------------------------------
    def try_unlock(self, pin: str) -> UnlockResult:
        """Check one PIN entry; records the outcome before answering (see the class notes)."""
        locked = self.locked_for()
        if locked > 0:
            return UnlockResult(ok=False, locked_seconds=locked)
        if not isinstance(pin, str) or pin == "":
            return UnlockResult(ok=False, attempts_left=self.attempts_left)
        if self._matches(pin):
            self._log.append("staff.unlocked", {})
            self._failures = 0
            self._lockouts = 0
            self._locked_length = 0.0
            return UnlockResult(ok=True)
        return self._wrong_pin()

    def _matches(self, pin: str) -> bool:
        if self._pin_hash:
            return verify_pin(pin, self._pin_hash)
        if self._one_time is not None:
            try:
                return hmac.compare_digest(pin.encode("utf-8"), self._one_time)
            except UnicodeError:  # a lone surrogate: not a PIN anyone can type
                return False
        return False

    def _wrong_pin(self) -> UnlockResult:
        # Applied in memory before recording, so a failing log cannot give endless tries.
        self._failures += 1
        attempt = self._failures
        locks = attempt >= self._attempts
        seconds = 0
        if locks:
            self._lockouts += 1
            seconds = self._lockout_length(self._lockouts)
            self._start_lockout(seconds, self._clock.monotonic())
        error: Exception | None = None
        try:
            self._log.append("staff.pin_failed", {"attempt": attempt, "of": self._attempts})
        except Exception as exc:  # noqa: BLE001 - re-raised below, after the lock-out
            error = exc
        if locks:
            try:
                self._log.append(
                    "staff.locked_out", {"seconds": seconds, "lockout": self._lockouts}
                )
            except Exception as exc:  # noqa: BLE001 - re-raised below
                error = error if error is not None else exc
        if error is not None:
            raise error
        if locks:
            return UnlockResult(ok=False, locked_seconds=float(seconds), attempts_left=0)
        return UnlockResult(ok=False, attempts_left=self.attempts_left)

    def _lockout_length(self, number: int) -> int:
        """Seconds of the `number`-th lock-out since the last unlock."""
        if number > 32:  # long past the cap; keeps 2**k small
            return MAX_LOCKOUT_SECONDS
        return min(MAX_LOCKOUT_SECONDS, self._lockout_seconds << (number - 1))

    def _start_lockout(self, seconds: float, began_mono: float) -> None:
        self._failures = 0
        self._locked_mono = began_mono
        self._locked_length = float(seconds)

    # -- after a restart ------------------------------------------------------------
    def restore(self, events: Iterable[PinEvent]) -> None:
        """Rebuild the wrong-PIN count and any running lock-out from the log, oldest first."""
        self._failures = 0
        self._lockouts = 0
        self._locked_length = 0.0
        locked_at: datetime | None = None
        length = 0.0
        for event in events:
            if event.type == "staff.unlocked":
                self._failures = 0
                self._lockouts = 0
                locked_at, length = None, 0.0
            elif event.type == "staff.pin_failed":
                self._failures += 1
            elif event.type == "staff.locked_out":
                self._lockouts += 1
                self._failures = 0
                locked_at = event.ts
                length = _recorded_seconds(event.data, self._lockout_length(self._lockouts))
        # Wrong PINs from an older, larger `attempts` setting: one more try, not a lock-out.
        self._failures = min(self._failures, self._attempts - 1)
        if locked_at is None or length <= 0:
            return
        served = (self._clock.now() - locked_at).total_seconds()
        served = min(max(0.0, served), length)  # wall clock set back: no time served
        # Not _start_lockout: wrong PINs entered after this lock-out still count.
        self._locked_mono = self._clock.monotonic() - served
        self._locked_length = length


def _recorded_seconds(data: Mapping[str, Any], fallback: int) -> float:
    """The length a ``staff.locked_out`` event announced, capped; `fallback` if unreadable."""
    value = data.get("seconds") if isinstance(data, Mapping) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return float(fallback)
    return float(min(max(value, 0), MAX_LOCKOUT_SECONDS))
