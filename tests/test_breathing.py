"""Breathing patterns and the pacer's timing: a pure function of time, so an hour never drifts."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk import config as kiosk_config
from kiosk.breathing import (
    BUILTIN,
    CHOOSING,
    DIZZY,
    EXHALE,
    FINISHED,
    HOLD,
    INHALE,
    PAUSED,
    REST,
    RESUME_SECONDS,
    RUNNING,
    Guide,
    Pattern,
    Phase,
    all_patterns,
    ease,
    length_seconds,
    moment,
    pattern,
)
from kiosk.clock import FakeClock

TICKS = 32  # frames a second; 1/32 s is exact in binary, so the clock itself adds no error


def reference(chosen: Pattern, tick: int) -> tuple[str, int]:
    """(phase, breaths before) at `tick` / TICKS seconds, in whole ticks: no floating point."""
    lengths = [round(p.seconds * TICKS) for p in chosen.phases]
    assert [n / TICKS for n in lengths] == [p.seconds for p in chosen.phases]
    breath, within = divmod(tick, sum(lengths))
    for phase, length in zip(chosen.phases, lengths, strict=True):
        if within < length:
            return phase.kind, breath
        within -= length
    raise AssertionError("unreachable")


def test_the_built_in_patterns() -> None:
    assert [(p.kind, p.seconds) for p in BUILTIN["resonant"].phases] == [(INHALE, 5.5), (EXHALE, 5.5)]
    assert [(p.kind, p.seconds) for p in BUILTIN["extended_exhale"].phases] == [(INHALE, 4), (EXHALE, 6)]
    assert [p.kind for p in BUILTIN["box"].phases] == [INHALE, HOLD, EXHALE, REST]
    assert [p.seconds for p in BUILTIN["box"].phases] == [4, 4, 4, 4]
    assert [(p.kind, p.seconds) for p in BUILTIN["4-7-8"].phases] == [(INHALE, 4), (HOLD, 7), (EXHALE, 8)]
    assert set(BUILTIN) == set(kiosk_config.BUILTIN_PATTERNS)


def test_the_default_pattern_has_no_hold() -> None:
    default = kiosk_config.defaults().breathing.default_pattern
    assert default == "resonant" and not BUILTIN[default].has_hold


@pytest.mark.parametrize("name", list(BUILTIN))
def test_every_built_in_pattern_keeps_time_for_an_hour(name: str) -> None:
    chosen = BUILTIN[name]
    clock = FakeClock()
    began = clock.monotonic()
    for tick in range(60 * 60 * TICKS + 1):
        now = moment(chosen, clock.monotonic() - began)
        assert (now.kind, now.breath) == reference(chosen, tick), f"{tick / TICKS} s"
        clock.advance(1 / TICKS)
    breaths = 3600 / chosen.cycle_seconds
    if breaths == int(breaths):  # an hour of whole breaths: the next one starts exactly now
        assert (now.kind, now.breath, now.progress) == (INHALE, int(breaths), 0.0)


def test_slow_and_uneven_frames_see_the_same_pacer() -> None:
    chosen = BUILTIN["resonant"]
    times = [0.0]
    for gap in [0.016, 0.05, 2.3, 0.001, 0.4] * 200:  # a stall of 2.3 s among them
        times.append(times[-1] + gap)
    for t in times:
        now = moment(chosen, t)
        breath, within = divmod(t, 11.0)
        assert now.breath == int(breath)
        assert now.kind == (INHALE if within < 5.5 else EXHALE)


def test_the_shape_grows_on_the_in_breath_rests_on_a_hold_and_shrinks_on_the_out_breath() -> None:
    box = BUILTIN["box"]
    sizes = [moment(box, t).size for t in (0.0, 1.0, 2.0, 3.0, 3.99)]
    assert sizes == sorted(sizes) and sizes[0] == 0.0 and sizes[-1] > 0.99
    assert moment(box, 0.04).size < 0.01  # eased: a slow start, no jolt
    assert {moment(box, t).size for t in (4.0, 5.5, 7.9)} == {1.0}  # hold: full, still
    out = [moment(box, t).size for t in (8.0, 9.0, 10.0, 11.0, 11.99)]
    assert out == sorted(out, reverse=True) and out[-1] < 0.01
    assert moment(box, 8.2).size > 0.99  # the out-breath starts slowly too
    assert {moment(box, t).size for t in (12.0, 14.0, 15.9)} == {0.0}  # rest: empty, still
    assert ease(0.0) == 0.0 and ease(1.0) == 1.0 and ease(0.5) == pytest.approx(0.5)


def test_an_exercise_ends_after_whole_breaths_and_open_ended_never_does() -> None:
    resonant = BUILTIN["resonant"]
    assert length_seconds(resonant, 1) == 66.0  # 6 breaths of 11 s: at least a minute
    assert length_seconds(BUILTIN["box"], 3) == 192.0  # 12 breaths of 16 s
    assert length_seconds(resonant, 0) is None
    before, after = moment(resonant, 65.9, 1), moment(resonant, 66.0, 1)
    assert not before.finished and before.kind == EXHALE and before.done == pytest.approx(65.9 / 66)
    assert after.finished and after.done == 1.0 and after.size == 0.0 and after.breath == 5
    assert moment(resonant, 500.0, 1) == after  # stays finished, lungs empty
    endless = moment(resonant, 10 * 3600.0)
    assert not endless.finished and endless.done == 0.0 and endless.breath == 3272


def test_a_clinics_own_pattern_from_the_config(tmp_path: Path) -> None:
    site = tmp_path / "kiosk.toml"
    site.write_text("[breathing]\ndefault_pattern = \"Slow four\"\n\n[[breathing.patterns]]\n"
                    "name = \"Slow four\"\ninhale = 4\nhold = 2\nexhale = 6\n")
    config = kiosk_config.load([site])
    found = all_patterns(config.breathing.patterns)
    assert list(found) == [*BUILTIN, "Slow four"]
    mine = found["Slow four"]
    assert mine.phases == (Phase(INHALE, 4.0), Phase(HOLD, 2.0), Phase(EXHALE, 6.0))
    assert [moment(mine, t).kind for t in (0, 4, 6, 11.9, 12)] == [INHALE, HOLD, EXHALE, EXHALE, INHALE]


def test_a_pattern_without_a_breath_in_or_out_or_with_an_empty_phase_is_refused() -> None:
    with pytest.raises(ValueError, match="in-breath and an out-breath"):
        Pattern("x", (Phase(INHALE, 4.0), Phase(HOLD, 4.0)))
    with pytest.raises(ValueError, match="not positive"):
        Pattern("x", (Phase(INHALE, 4.0), Phase(EXHALE, 0.0)))
    with pytest.raises(ValueError, match="not positive"):
        pattern("x", 4.0, -1.0)


# -- one kiosk's exercise (Guide) -------------------------------------------------------


class Ticker:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Ticker:
    return Ticker()


@pytest.fixture
def log() -> list[tuple[str, dict[str, object]]]:
    return []


@pytest.fixture
def guide(clock: Ticker, log: list[tuple[str, dict[str, object]]]) -> Guide:
    return Guide(BUILTIN, "resonant", 3, lambda type, data: log.append((type, data)), clock)


def test_the_guide_starts_the_default_and_logs_only_the_pattern_and_minutes(
        guide: Guide, clock: Ticker, log: list[tuple[str, dict[str, object]]]) -> None:
    states: list[str] = []
    guide.subscribe(states.append)
    assert guide.state == CHOOSING and guide.moment() is None and not guide.active
    guide.start()
    assert guide.state == RUNNING and guide.active
    assert log == [("breathing.started", {"pattern": "resonant", "minutes": 3})]
    clock.now += 30.0
    now = guide.moment()
    assert now is not None and now.breath == 2 and now.kind == EXHALE  # 22 s + 8 s: breathing out
    guide.stop()
    assert log[-1] == ("breathing.finished",
                       {"pattern": "resonant", "minutes": 3, "minutes_done": 0.5, "reason": "stopped"})
    assert states == [RUNNING, CHOOSING]


def test_the_guide_finishes_after_whole_breaths_and_says_so_once(
        guide: Guide, clock: Ticker, log: list[tuple[str, dict[str, object]]]) -> None:
    guide.choose(minutes=1)
    guide.start()
    clock.now += 65.9
    assert guide.moment() is not None and guide.state == RUNNING
    clock.now += 30.0  # a late frame: the end is still exactly six breaths
    assert guide.moment() is None or guide.state == FINISHED
    assert guide.state == FINISHED and guide.elapsed() == 66.0
    assert log[-1] == ("breathing.finished",
                       {"pattern": "resonant", "minutes": 1, "minutes_done": 1.1, "reason": "completed"})
    assert guide.moment() is None
    assert [t for t, _ in log] == ["breathing.started", "breathing.finished"]


def test_i_feel_dizzy_stops_at_once_and_logs_nothing_about_the_body(
        guide: Guide, clock: Ticker, log: list[tuple[str, dict[str, object]]]) -> None:
    guide.start()
    clock.now += 12.0
    guide.dizzy()
    assert guide.state == DIZZY and guide.moment() is None and not guide.active
    assert log[-1][1]["reason"] == "stopped"
    assert "dizz" not in repr(log)
    guide.dismiss()
    assert guide.state == CHOOSING


def test_leaving_pauses_and_coming_back_soon_carries_on_from_the_start_of_the_breath(
        guide: Guide, clock: Ticker, log: list[tuple[str, dict[str, object]]]) -> None:
    guide.choose("box")  # 4 in, 4 hold, 4 out, 4 rest
    guide.start()
    clock.now += 22.0  # breath 1, in the hold
    guide.leave()
    assert guide.state == PAUSED and log[-1][1]["reason"] == "left"
    assert log[-1][1]["minutes_done"] == 0.4
    clock.now += RESUME_SECONDS
    guide.come_back()
    assert guide.state == RUNNING
    assert log[-1] == ("breathing.started", {"pattern": "box", "minutes": 3, "resumed": True})
    now = guide.moment()
    assert now is not None and now.kind == INHALE and now.breath == 1 and now.progress == 0.0


def test_coming_back_after_a_long_while_means_choosing_afresh(
        guide: Guide, clock: Ticker, log: list[tuple[str, dict[str, object]]]) -> None:
    guide.start()
    guide.leave()
    clock.now += RESUME_SECONDS + 1
    guide.come_back()
    assert guide.state == CHOOSING and len(log) == 2  # started, finished (left): nothing more
    guide.start()
    guide.dizzy()
    guide.leave()
    clock.now += 10
    guide.come_back()
    assert guide.state == DIZZY  # the calm words are still there a moment later
    guide.leave()
    clock.now += RESUME_SECONDS + 1
    guide.come_back()
    assert guide.state == CHOOSING


def test_the_end_of_the_visit_stops_the_exercise_and_forgets_the_choice(
        guide: Guide, clock: Ticker, log: list[tuple[str, dict[str, object]]]) -> None:
    guide.choose("extended_exhale", 5)
    guide.start()
    clock.now += 60
    guide.end("visit_end")
    assert log[-1] == ("breathing.finished", {"pattern": "extended_exhale", "minutes": 5,
                                              "minutes_done": 1.0, "reason": "visit_end"})
    assert guide.state == CHOOSING
    assert (guide.pattern.name, guide.minutes) == ("resonant", 3)
    guide.end("visit_end")  # nothing running: nothing logged
    assert len(log) == 2


def test_the_guide_refuses_what_it_does_not_know(guide: Guide) -> None:
    with pytest.raises(ValueError, match="unknown pattern"):
        guide.choose("boxx")
    with pytest.raises(ValueError, match="minutes"):
        guide.choose(minutes=2)
    with pytest.raises(ValueError, match="default pattern"):
        Guide(BUILTIN, "nope", 3, lambda t, d: None, time_source)


def time_source() -> float:
    return 0.0


def test_an_open_ended_exercise_goes_on_for_an_hour_without_drift(guide: Guide, clock: Ticker) -> None:
    guide.choose("4-7-8", 0)
    guide.start()
    for _ in range(3600 * 4):  # a frame every quarter second for an hour
        clock.now += 0.25
        assert guide.moment() is not None
    now = guide.moment()
    assert now is not None and guide.state == RUNNING
    assert now.breath == 3600 // 19 and now.kind == moment(BUILTIN["4-7-8"], 3600.0).kind
