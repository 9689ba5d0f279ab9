"""Test doubles shared by the core's tests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.clock import FakeClock


@dataclass(frozen=True)
class MemEvent:
    """An event as the in-memory log keeps it."""

    type: str
    session: str | None
    ts: datetime
    data: Mapping[str, Any]


class MemoryLog:
    """An in-memory stand-in for the event log, to test a model's own rules.

    Set `fail` to make every append raise, as a full disk would.
    """

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.events: list[MemEvent] = []
        self.fail = False

    def append(
        self, type: str, data: Mapping[str, Any] | None = None, *, session: str | None = None
    ) -> MemEvent:
        if self.fail:
            raise OSError("disk full")
        event = MemEvent(type, session, self.clock.now(), dict(data or {}))
        self.events.append(event)
        return event

    def types(self) -> list[str]:
        return [event.type for event in self.events]
