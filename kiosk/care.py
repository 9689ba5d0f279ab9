"""What the patient tells us and what the nurse confirms during a visit.

Check-ins ("How are you feeling right now?", five faces), the comfort plan (what
helps if things feel like too much) and the discharge checklist, each recorded in
the event log before it is shown as done. `VisitCare` holds them for the open
visit only: it forgets everything when a visit starts or ends, and after a
restart `restore()` reads the open visit's back from the log.

A patient may skip a check-in or the comfort plan; that is kept in memory only,
never logged, so nothing is recorded about what a patient chose not to answer.
Events carry ids and values only, never free text. Plain Python: no Qt here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Protocol, TypeGuard

from kiosk.session import EventSink, LoggedEvent, VisitState

MOMENTS: tuple[str, ...] = ("before", "after")
"""When a check-in is asked: before the infusion and in recovery."""

FEELINGS: tuple[int, ...] = (1, 2, 3, 4, 5)
"""A check-in's value: 1 = very bad, 3 = okay, 5 = very good."""

COMFORT_CHOICES: tuple[str, ...] = (
    "music_softer",
    "music_off",
    "lights_lower",
    "sit_with_me",
    "talk_me_through",
)
"""What may help a patient who feels overwhelmed, in the order they are offered."""

DISCHARGE_ITEMS: tuple[str, ...] = (
    "adult_home",
    "no_driving",
    "rest",
    "water",
    "eat_lightly",
    "who_to_call",
)
"""The going-home checklist, in the order the nurse goes through it."""

CHECKIN_STAGES: Mapping[str, str] = MappingProxyType(
    {"settling": "before", "iv_placement": "before", "recovery": "after"}
)
"""The stages at which a check-in is offered, and the moment each one asks about."""

COMFORT = "comfort"
SKIPPABLE: tuple[str, ...] = ("checkin:before", "checkin:after", COMFORT)
"""The steps a patient may skip (and what `pending()` offers)."""


@dataclass(frozen=True)
class CareState:
    """What has been recorded in the open visit, for screens to draw from."""

    #: moment -> the latest value recorded in this visit
    checkins: Mapping[str, int] = field(default_factory=dict)
    #: None = not answered; else the choices in COMFORT_CHOICES order (empty = none of these)
    comfort: tuple[str, ...] | None = None
    #: the DISCHARGE_ITEMS the nurse has confirmed
    discharge: frozenset[str] = frozenset()
    #: the SKIPPABLE steps the patient skipped in this visit (in memory only)
    skipped: frozenset[str] = frozenset()

    @property
    def discharge_complete(self) -> bool:
        return self.discharge >= frozenset(DISCHARGE_ITEMS)


class CareError(ValueError):
    """A request that cannot be recorded (no visit open, an unknown choice...)."""


class Visits(Protocol):
    """The open visit and its changes (`kiosk.session.SessionModel`)."""

    @property
    def state(self) -> VisitState: ...

    def subscribe(self, listener: Callable[[VisitState], None]) -> Callable[[], None]: ...


Listener = Callable[[CareState], None]


class VisitCare:
    """Check-ins, comfort plan and discharge checklist of the open visit."""

    def __init__(self, log: EventSink, session: Visits) -> None:
        self._log = log
        self._session = session
        self._visit = session.state.session
        self._state = CareState()
        self._listeners: list[Listener] = []
        session.subscribe(self._visit_changed)

    # -- reading ---------------------------------------------------------------
    @property
    def state(self) -> CareState:
        return self._state

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(state)` after every change; returns an unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def pending(self, stage: str, *, checkins: bool, comfort: bool = True) -> str | None:
        """What to offer the patient next as the home screen shows at `stage`.

        The check-in for the stage's moment (when `checkins` are on) if it has
        no value yet, then the comfort plan (when `comfort` is on) before the
        infusion if it has no answer yet; never a step the patient skipped.
        None when nothing is due.
        """
        moment = CHECKIN_STAGES.get(stage)
        if self._visit is None or moment is None:
            return None
        state = self._state
        step = f"checkin:{moment}"
        if checkins and moment not in state.checkins and step not in state.skipped:
            return step
        if (comfort and moment == "before" and state.comfort is None
                and COMFORT not in state.skipped):
            return COMFORT
        return None

    # -- the patient ---------------------------------------------------------------
    def record_checkin(self, moment: str, value: int) -> None:
        """How the patient feels at `moment`: one of FEELINGS (the latest one counts)."""
        session = self._open_visit()
        if moment not in MOMENTS:
            raise CareError(f"moment {moment!r} is not one of {', '.join(MOMENTS)}")
        if not _is_feeling(value):
            raise CareError(f"a check-in is a whole number 1 to 5, not {value!r}")
        self._log.append("checkin.recorded", {"moment": moment, "value": value}, session=session)
        self._set(replace(self._state, checkins={**self._state.checkins, moment: value}))

    def record_comfort(self, choices: Iterable[str]) -> None:
        """The patient's comfort plan: some of COMFORT_CHOICES, or none of them."""
        session = self._open_visit()
        if isinstance(choices, str):
            raise CareError("the comfort plan is a collection of choices, not one string")
        chosen = list(choices)
        unknown = [choice for choice in chosen if choice not in COMFORT_CHOICES]
        if unknown:
            raise CareError(f"{unknown[0]!r} is not one of the comfort choices")
        plan = _in_order(chosen)
        self._log.append("comfort_plan.recorded", {"choices": list(plan)}, session=session)
        self._set(replace(self._state, comfort=plan))

    def skip(self, step: str) -> None:
        """The patient would rather not answer `step` now (one of SKIPPABLE); not logged."""
        self._open_visit()
        if step not in SKIPPABLE:
            raise CareError(f"{step!r} is not a step that can be skipped")
        if step not in self._state.skipped:
            self._set(replace(self._state, skipped=self._state.skipped | {step}))

    # -- the nurse -----------------------------------------------------------------
    def confirm_discharge(self, item: str) -> None:
        """The nurse has gone through `item` of the going-home checklist."""
        session = self._open_visit()
        _check_item(item)
        if item in self._state.discharge:
            return
        self._log.append("discharge.confirmed", {"item": item}, session=session)
        self._set(replace(self._state, discharge=self._state.discharge | {item}))

    def withdraw_discharge(self, item: str) -> None:
        """Undo a mis-tapped confirmation of `item`."""
        session = self._open_visit()
        _check_item(item)
        if item not in self._state.discharge:
            return
        self._log.append("discharge.withdrawn", {"item": item}, session=session)
        self._set(replace(self._state, discharge=self._state.discharge - {item}))

    # -- after a restart --------------------------------------------------------
    def restore(self, events: Iterable[LoggedEvent]) -> None:
        """Rebuild the open visit's care from the log (oldest first), after the session's.

        Events of other visits are ignored, and so is any event whose data is
        not as this model writes it: a damaged line never stops the kiosk.
        """
        self._visit = visit = self._session.state.session
        checkins: dict[str, int] = {}
        comfort: tuple[str, ...] | None = None
        discharge: set[str] = set()
        for event in events:
            if visit is None or event.session != visit or not isinstance(event.data, Mapping):
                continue
            data = event.data
            if event.type == "checkin.recorded":
                moment, value = data.get("moment"), data.get("value")
                if isinstance(moment, str) and moment in MOMENTS and _is_feeling(value):
                    checkins[moment] = value
            elif event.type == "comfort_plan.recorded":
                choices = data.get("choices")
                if isinstance(choices, (list, tuple)) and all(
                    isinstance(choice, str) and choice in COMFORT_CHOICES for choice in choices
                ):
                    comfort = _in_order(choices)
            elif event.type in ("discharge.confirmed", "discharge.withdrawn"):
                item = data.get("item")
                if isinstance(item, str) and item in DISCHARGE_ITEMS:
                    if event.type == "discharge.confirmed":
                        discharge.add(item)
                    else:
                        discharge.discard(item)
        self._set(CareState(checkins=checkins, comfort=comfort, discharge=frozenset(discharge)))

    # -- inside -----------------------------------------------------------------
    def _visit_changed(self, visit: VisitState) -> None:
        if visit.session != self._visit:
            self._visit = visit.session
            self._set(CareState())

    def _open_visit(self) -> str:
        if self._visit is None:
            raise CareError("no visit is open")
        return self._visit

    def _set(self, state: CareState) -> None:
        self._state = state
        for listener in list(self._listeners):
            listener(state)


def _is_feeling(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value in FEELINGS


def _in_order(choices: Iterable[str]) -> tuple[str, ...]:
    chosen = set(choices)
    return tuple(choice for choice in COMFORT_CHOICES if choice in chosen)


def _check_item(item: str) -> None:
    if item not in DISCHARGE_ITEMS:
        raise CareError(f"{item!r} is not on the going-home checklist")
