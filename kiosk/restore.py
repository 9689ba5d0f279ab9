"""What a restart needs from the event log, gathered in one streamed pass.

A log grows by every tap, for as many days as `log.retention_days` keeps. A restart
needs only a little of it: the open visit's own events, the staff events since the
last right PIN and the events of the last call. `History` keeps just those while
events pass oldest first; each model's `restore()` reads the kept events exactly as
it would read the whole log.

`read_history` finds them from the end: it reads the log newest first (one day file
at a time) only until it has passed the latest `session.started`, `staff.unlocked`
and `nurse_call.requested`, before which nothing a restart reads can lie, then hands
what it passed to a `History` oldest first. A start after years of visits reads
about one visit's worth of the log.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kiosk.event_format import Event
from kiosk.event_reader import read_events_newest_first

VISIT_TYPES = ("session.", "stage.", "checkin.", "comfort_plan.", "discharge.")
"""Events of a visit: `SessionModel` and `VisitCare` read them, only the open visit's."""
STAFF_TYPES = ("staff.",)
"""The PIN gate's events: a right PIN (`staff.unlocked`) clears every count before it."""
CALL_TYPES = ("nurse_call.",)
"""The nurse call's events: each `nurse_call.requested` starts a call afresh."""
RESTORED_TYPES = VISIT_TYPES + STAFF_TYPES + CALL_TYPES


class History:
    """The events a restart restores from, kept while the log is read oldest first."""

    def __init__(self) -> None:
        self._visit: list[Event] = []
        self._visit_id: str | None = None
        self._staff: list[Event] = []
        self._call: list[Event] = []
        self._call_id: str | None = None
        self.last: Event | None = None
        """The newest event read, of any type."""
        self.count = 0
        """How many events were read (by `read_history`: from the end back to the anchors)."""

    def add(self, event: Event) -> None:
        """Take the next event of the log (oldest first)."""
        self.last = event
        self.count += 1
        type_ = event.type
        if type_.startswith(VISIT_TYPES):
            self._add_visit(event)
        elif type_.startswith(STAFF_TYPES):
            if type_ == "staff.unlocked":
                self._staff = []
            else:
                self._staff.append(event)
        elif type_.startswith(CALL_TYPES):
            self._add_call(event)

    def extend(self, events: Iterable[Event]) -> History:
        for event in events:
            self.add(event)
        return self

    def events(self) -> list[Event]:
        """The kept events, oldest first: what every model's `restore()` is given."""
        return sorted(self._visit + self._staff + self._call, key=lambda event: event.seq)

    def _add_visit(self, event: Event) -> None:
        if event.type == "session.started":
            self._visit, self._visit_id = [event], event.session
        elif event.session is None or event.session != self._visit_id:
            return  # another visit's: no model reads it
        elif event.type == "session.ended":
            self._visit, self._visit_id = [], None
        else:
            self._visit.append(event)

    def _add_call(self, event: Event) -> None:
        call_id = event.data.get("call_id")
        if event.type == "nurse_call.requested":
            self._call, self._call_id = [event], str(call_id)  # as NurseCall.restore keeps it
        elif not self._call or call_id != self._call_id:
            return  # a call that is over: no model reads it
        elif event.type in ("nurse_call.cancelled", "nurse_call.resolved"):
            self._call, self._call_id = [], None
        else:
            self._call.append(event)


def read_history(directory: Path) -> History:
    """What a restart restores from, read from the end of the log in `directory`.

    Equal to `History().extend(read_events(directory))`, but it stops reading at the
    latest event each model starts afresh from (see the module docstring).
    EventLogError if the log cannot be read.
    """
    passed: list[Event] = []  # newest first
    last: Event | None = None
    visit = staff = call = False  # found the latest session.started, staff.unlocked, requested
    for event in read_events_newest_first(directory):
        last = last or event
        type_ = event.type
        if not visit and type_.startswith(VISIT_TYPES):
            passed.append(event)
            visit = type_ == "session.started"
        elif not staff and type_.startswith(STAFF_TYPES):
            staff = type_ == "staff.unlocked"
            if not staff:
                passed.append(event)
        elif not call and type_.startswith(CALL_TYPES):
            passed.append(event)
            call = type_ == "nurse_call.requested"
        if visit and staff and call:
            break
    history = History().extend(reversed(passed))
    history.last = last
    return history
