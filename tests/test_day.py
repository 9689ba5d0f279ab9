"""A day at the kiosk, shortened: six visits back to back in one window, checked from the event log.

`tests/day.py` drives the window as a nurse and a patient would, on a kiosk clock
that jumps each stage's minutes (about 8 hours in all); only the music and the
breathing spans are short here (`make bench` runs the full spans: benchmarks/day.py).
There is no sound server in this process: `has_output` stands in for the machine's
list of outputs, so QMediaPlayer plays the bundled tracks through, silently, in real
time (as in test_music_window.py). The chime has no output and says so.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from kiosk.care import DISCHARGE_ITEMS
from kiosk.clock import FakeClock
from kiosk.event_format import Event
from kiosk.events import read_events
from kiosk.media import player as player_module
from kiosk.nurse_call import NurseCall
from kiosk.restore import read_history
from kiosk.session import STAGES, SessionModel
from tests.day import FEELINGS, PLANNED, Day, VisitReport
from tests.test_app import PIN, Kiosk, make_config, pin_hash  # noqa: F401 - pin_hash is a fixture

pytestmark = pytest.mark.slow

VISITS = 6
MUSIC_SECONDS = 1.2
BREATHING_SECONDS = 0.5
MORNING = datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)
CALL_NOISE = ("nurse_call.chimed", "nurse_call.notified")
"""What the paths to staff reported: not steps of the call itself."""


class NoWrites:
    """An event sink for models that only restore: any write is a mistake."""

    def append(self, type: str, data: Mapping[str, Any] | None = None, *, session: str | None = None) -> Event:
        raise AssertionError(f"a restore wrote {type}")


@pytest.fixture
def kiosk(qtbot: QtBot, tmp_path: Path, pin_hash: str,  # noqa: F811
          monkeypatch: pytest.MonkeyPatch) -> Iterator[Kiosk]:
    monkeypatch.setattr(player_module, "has_output", lambda: True)
    config = make_config(tmp_path / "events", pin_hash)  # English and Spanish
    music = replace(config.music, fade_in_seconds=0.2, fade_out_seconds=0.2, crossfade_seconds=0.5)
    k = Kiosk(qtbot, replace(config, music=music), FakeClock(MORNING))
    yield k
    for window in k.windows:
        k.stop(window)


def calls_of(events: list[Event]) -> list[list[str]]:
    """The steps of each call among `events`, in order (what the paths reported left out)."""
    steps: dict[str, list[str]] = {}
    for event in events:
        if event.type.startswith("nurse_call.") and event.type not in CALL_NOISE:
            steps.setdefault(str(event.data["call_id"]), []).append(event.type.removeprefix("nurse_call."))
    return list(steps.values())


def test_six_visits_back_to_back(qtbot: QtBot, kiosk: Kiosk) -> None:
    window = kiosk.start()
    window.show()
    reports: list[VisitReport] = []
    day = Day(window, kiosk.clock, qtbot.wait, pin=PIN, music_seconds=MUSIC_SECONDS,
              breathing_seconds=BREATHING_SECONDS, on_visit_end=reports.append)
    day.run(VISITS)
    kiosk.stop(window)
    kiosk.windows.remove(window)
    events = list(read_events(kiosk.config.log.dir))

    assert all(b.seq > a.seq for a, b in itertools.pairwise(events))
    bounds = [e for e in events if e.type in ("session.started", "session.ended")]
    assert [e.type for e in bounds] == ["session.started", "session.ended"] * VISITS
    sessions = [e.session for e in bounds[::2]]
    assert [e.session for e in bounds[1::2]] == sessions
    assert len(set(sessions)) == VISITS
    assert sessions == [r.session for r in reports]
    day_length = bounds[-1].ts - bounds[0].ts
    assert timedelta(hours=7) < day_length < timedelta(hours=9), day_length

    for number, (started, ended) in enumerate(zip(bounds[::2], bounds[1::2], strict=True), 1):
        visit = events[events.index(started):events.index(ended) + 1]
        assert [e for e in events if e.session == started.session] == [
            e for e in visit if e.session == started.session], f"visit {number} is not all in one piece"
        assert started.data["language"] == ("en" if number % 2 else "es")
        assert started.data["planned_infusion_minutes"] == PLANNED[number - 1]
        moves = [e for e in visit if e.type == "stage.changed"]
        assert [started.data["stage"]] + [e.data["to"] for e in moves] == list(STAGES), number
        assert {e.data["direction"] for e in moves} == {"forward"}
        infusion_end = next(e for e in moves if e.data["from"] == "infusion")
        assert infusion_end.data["infusion_minutes"] == pytest.approx(PLANNED[number - 1], abs=0.1)
        checkins = [(e.data["moment"], e.data["value"]) for e in visit if e.type == "checkin.recorded"]
        before, after = FEELINGS[number - 1]
        assert checkins == [("before", before), ("after", after)], number
        plans = [e for e in visit if e.type == "comfort_plan.recorded"]
        assert plans and plans[-1].data["choices"], number
        assert calls_of(visit) == [["requested", "cancelled"],
                                   ["requested", "reason", "acknowledged", "resolved"]], number
        types = [e.type for e in visit]
        assert types.count("music.started") == 2, number  # the playlist, then Play after Pause
        assert types.count("music.track") == 3 and types.count("music.paused") == 1, number
        breathing = [(e.type, e.data.get("reason")) for e in visit if e.type.startswith("breathing.")]
        assert breathing == [("breathing.started", None), ("breathing.finished", "stopped")], number
        confirmed = {e.data["item"] for e in visit if e.type == "discharge.confirmed"}
        assert confirmed == set(DISCHARGE_ITEMS), number
        assert reports[number - 1].tracks >= 4, reports[number - 1]

    # the state a restart would rebuild from the log: no visit, no call
    history = read_history(kiosk.config.log.dir).events()
    session = SessionModel(NoWrites(), kiosk.clock, languages=("en", "es"))
    session.restore(history)
    assert not session.is_open and session.stage == "idle"
    calls = NurseCall(NoWrites(), kiosk.clock)
    calls.restore(history)
    assert not calls.state.is_open

    # every visit leaves the window as it found it (visits 2 and 6 are both in Spanish)
    counts = [r.qobjects for r in reports]
    assert counts[5] <= counts[1], f"QObjects under the window after each visit: {counts}"
