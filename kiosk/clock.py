"""Time, injected.

Every part of the kiosk that needs the time takes a `Clock`, so a test can run a
whole visit in milliseconds. Wall time (`now`) stamps events; the monotonic
reading measures durations, so a wall clock set back an hour never makes an
infusion seem shorter.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    """What the kiosk asks of a clock."""

    def now(self) -> datetime:
        """The wall time, timezone-aware, in UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary start; never goes backwards."""
        ...


class SystemClock:
    """The machine's clocks."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def monotonic(self) -> float:
        return time.monotonic()


class FakeClock:
    """A clock that moves only when told to: for tests and accelerated runs."""

    def __init__(self, start: datetime | None = None) -> None:
        if start is None:
            start = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start")
        self._now = start.astimezone(timezone.utc)
        self._mono = 1000.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        """Move both clocks forward by `seconds`."""
        if seconds < 0:
            raise ValueError("time moves forward; use set_wall() to jump the wall clock")
        self._now += timedelta(seconds=seconds)
        self._mono += seconds

    def set_wall(self, when: datetime) -> None:
        """Jump the wall clock only (as an NTP step or a wrong manual setting would)."""
        if when.tzinfo is None:
            raise ValueError("set_wall needs a timezone-aware time")
        self._now = when.astimezone(timezone.utc)
