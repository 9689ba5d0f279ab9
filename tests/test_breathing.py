"""Breathing patterns and the pacer's timing: a pure function of time, so an hour never drifts."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk import config as kiosk_config
from kiosk.breathing import (
    BUILTIN,
    EXHALE,
    HOLD,
    INHALE,
    REST,
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
