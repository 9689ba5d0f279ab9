"""`kiosk status`: what IT needs to know about one kiosk, over SSH, in one screen.

The open visit, an open call, the last event, the log folder and its disk, the
configuration in use, and what only the running kiosk knows (its audio output,
the faults it shows staff), asked through its control socket. The visit and the
call are rebuilt from the event log the way the kiosk rebuilds them after a
restart, so the two never disagree.

Plain Python: no Qt here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kiosk.clock import SystemClock
from kiosk.config import Config
from kiosk.events import EventLogError
from kiosk.health import disk_space, folder_problem, low_space_problem
from kiosk.lastgood import Rejection
from kiosk.nurse_call import NurseCall
from kiosk.restore import History, read_history
from kiosk.session import LoggedEvent, SessionModel

__all__ = ["Report", "gather"]


class _ReadOnlyLog:
    """The event sink of a model that only restores: status never writes the log."""

    def append(self, type: str, data: Mapping[str, Any] | None = None, *,
               session: str | None = None) -> LoggedEvent:
        raise RuntimeError(f"kiosk status must not record events (tried {type})")


@dataclass
class Report:
    """Everything `kiosk status` says; `problems` are the things that need IT."""

    facts: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    lines: list[tuple[str, str]] = field(default_factory=list)  # (label, value) for people

    def as_json(self) -> str:
        return json.dumps({**self.facts, "problems": self.problems}, ensure_ascii=False, indent=2)

    def as_text(self) -> str:
        lines = [f"{label:<12} {value}" for label, value in self.lines]
        if self.problems:
            lines += ["", "Needs attention:"] + [f"  - {problem}" for problem in self.problems]
        else:
            lines += ["", "Nothing needs attention."]
        return "\n".join(lines)


def gather(config: Config, rejection: Rejection | None, *, live: Mapping[str, Any] | None,
           live_problem: str, now: datetime | None = None) -> Report:
    """The report for the kiosk configured by `config`.

    `live` is the running kiosk's own answer (None when it could not be asked,
    `live_problem` says why); `now` is the wall clock (injected by tests).
    """
    clock = SystemClock()
    now = now or clock.now()
    report = Report()
    lines = report.lines
    report.facts["kiosk"] = {"id": config.kiosk.id, "room": config.kiosk.room}
    lines.append(("Kiosk", f"{config.kiosk.id} in {config.kiosk.room}"))

    # the configuration
    if rejection is None:
        used = ", ".join(str(path) for path in config.sources) or "built-in defaults"
        report.facts["config"] = {"mode": "configured", "files": [str(p) for p in config.sources]}
        lines.append(("Config", f"OK ({used})"))
    else:
        report.facts["config"] = rejection.event_data()
        instead = "the last good configuration" if rejection.fallback == "last_good" else \
            "SAFE MODE (built-in settings)"
        lines.append(("Config", f"REJECTED, {instead} is used: {rejection.problems[0]}"))
        report.problems.append(f"the configuration is rejected ({len(rejection.problems)} problem(s)); "
                               f"run `kiosk check-config {' '.join(rejection.files)}`")

    # the running process
    if live is None:
        report.facts["running"] = None
        lines.append(("Running", f"no ({live_problem})"))
        report.problems.append(f"the kiosk is not running or cannot be asked: {live_problem}")
    else:
        report.facts["running"] = dict(live)
        lines.append(("Running", (f"yes, pid {live.get('pid')}, version {live.get('version')}, "
                                 f"since {_local(live.get('started'))}")))
        output = live.get("audio_output") or ""
        lines.append(("Audio", output or "NO OUTPUT (the call chime cannot sound)"))
        if not output:
            report.problems.append("no audio output reaches a speaker: check the speaker and "
                                   "`pactl list short sinks` as the kiosk's user")
        for fault in live.get("faults", []):
            if fault not in report.problems:
                report.problems.append(str(fault))

    # the visit, the call and the last event, from the log
    directory = config.log.dir
    kept = History()
    try:
        kept = read_history(directory)  # streamed: only what a restart would restore is kept
    except EventLogError as error:
        report.problems.append(f"the event log cannot be read: {error}")
    history, last = kept.events(), kept.last
    session = SessionModel(_ReadOnlyLog(), clock, languages=config.kiosk.languages)
    session.restore(history)
    calls = NurseCall(_ReadOnlyLog(), clock, session=lambda: session.state.session)
    calls.restore(history)
    visit, call = session.state, calls.state
    if visit.is_open:
        minutes = session.infusion_elapsed_minutes()
        infusion = "" if minutes is None else f", {minutes} min of infusion"
        report.facts["visit"] = {
            "session": visit.session, "stage": visit.stage,
            "started": _iso(visit.started_at), "infusion_minutes": minutes,
            "planned_infusion_minutes": visit.planned_infusion_minutes,
        }
        lines.append(("Visit", (f"open since {_local(visit.started_at)}: stage {visit.stage}{infusion} "
                               f"(session {visit.session})")))
    else:
        report.facts["visit"] = None
        lines.append(("Visit", "none open"))
    if call.is_open:
        waited = 0 if call.requested_at is None else int(
            max(0.0, (now - call.requested_at).total_seconds()) // 60)  # a clock set back: 0
        report.facts["call"] = {
            "call_id": call.call_id, "status": call.status, "reason": call.reason,
            "requested": _iso(call.requested_at), "waited_minutes": waited,
            "escalated": call.escalated, "acknowledged_by": call.acknowledged_by,
        }
        reason = f" ({call.reason})" if call.reason else ""
        lines.append(("Call", (f"OPEN{reason}, {call.status}, since {_local(call.requested_at)}, "
                              f"{waited} min ago (call {call.call_id})")))
    else:
        report.facts["call"] = None
        lines.append(("Call", "none open"))
    if last is None:
        report.facts["last_event"] = None
        lines.append(("Last event", "none"))
    else:
        report.facts["last_event"] = {"seq": last.seq, "type": last.type, "ts": _iso(last.ts)}
        lines.append(("Last event", f"#{last.seq} {last.type} at {_local(last.ts)}"))

    # the log folder and its disk
    problem = folder_problem(directory)
    space = disk_space(directory)
    report.facts["log"] = {
        "dir": str(directory), "problem": problem,
        "free_mb": None if space is None else space.free_mb,
        "total_mb": None if space is None else space.total_mb,
        "min_free_mb": config.log.min_free_mb,
    }
    health = "OK" if problem is None else problem
    lines.append(("Log", f"{directory}: {health}"))
    if space is not None:
        lines.append(("Disk", (f"{space.free_mb} MB free of {space.total_mb} MB "
                              f"(warning below {config.log.min_free_mb} MB)")))
    if problem is not None:
        report.problems.append(problem)
    low = low_space_problem(directory, config.log.min_free_mb)
    if low is not None and low not in report.problems:
        report.problems.append(low)
    return report


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat(timespec="seconds")


def _local(when: object) -> str:
    """A time for people: local, to the minute."""
    if isinstance(when, str):
        try:
            when = datetime.fromisoformat(when)
        except ValueError:
            return str(when)
    if isinstance(when, datetime):
        return when.astimezone().strftime("%Y-%m-%d %H:%M")
    return "?"
