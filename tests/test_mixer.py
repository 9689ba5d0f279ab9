"""The music's loudness arithmetic on an injected clock: nothing jumps, the cap holds."""

from __future__ import annotations

import itertools
import math

import pytest

from kiosk.media.mixer import (
    DUCK_DOWN_SECONDS,
    DUCK_GAIN,
    DUCK_UP_SECONDS,
    LEVEL_SECONDS,
    Mix,
    Ramp,
    equal_power,
)

STEP = 0.01  # seconds between looks: a tenth of the shortest window the sound tests judge


def qt_log_to_linear(level: float) -> float:
    """QtAudio.convertVolume(LogarithmicVolumeScale → LinearVolumeScale), as Qt computes it."""
    return 1.0 if level > 0.99 else -math.log(1.0 - level) / math.log(100.0)


def run(mix: Mix, start: float, seconds: float) -> list[tuple[float, ...]]:
    """The two players' volumes every STEP from `start` for `seconds`."""
    return [mix.volumes(start + i * STEP).decks for i in range(round(seconds / STEP) + 1)]


def test_a_ramp_moves_in_a_straight_line_and_turns_round_where_it_is() -> None:
    ramp = Ramp(0.0)
    ramp.move(1.0, 2.0, now=10.0)
    assert ramp.value(9.0) == 0.0 and ramp.value(11.0) == pytest.approx(0.5)
    assert ramp.moving(11.0) and not ramp.moving(12.0) and ramp.value(13.0) == 1.0
    ramp.move(0.0, 1.0, now=11.0)  # turned round half-way: starts from 0.5
    assert ramp.value(11.0) == pytest.approx(0.5) and ramp.value(11.5) == pytest.approx(0.25)
    ramp.move(0.7, 0.0, now=20.0)
    assert ramp.value(20.0) == 0.7 and not ramp.moving(20.0)


def test_equal_power_curve_ends_and_shape() -> None:
    assert equal_power(0.0) == 0.0 and equal_power(1.0) == 1.0
    assert equal_power(-1.0) == 0.0 and equal_power(2.0) == 1.0
    assert equal_power(0.5) == pytest.approx(math.sqrt(0.5))


def test_fade_in_rises_smoothly_from_silence_to_the_level() -> None:
    mix = Mix(level=0.4, max_level=0.7, to_linear=qt_log_to_linear)
    arrives = mix.fade(0, 1.0, 3.0, now=0.0)
    assert arrives == pytest.approx(3.0)
    levels = [v[0] for v in run(mix, 0.0, 3.5)]
    assert levels[0] == 0.0
    assert levels == sorted(levels)  # never falls back
    full = qt_log_to_linear(0.4)
    assert levels[-1] == pytest.approx(full)
    assert levels[30] < 0.2 * full  # the first 300 ms are quiet
    biggest_step = max(b - a for a, b in itertools.pairwise(levels))
    assert biggest_step < 0.01 * full / STEP * (math.pi / 2) / 3.0 * 1.01  # the curve's steepest slope
    assert not mix.volumes(3.5).moving and mix.volumes(1.0).moving


def test_a_crossfade_keeps_the_loudness_steady() -> None:
    mix = Mix(level=0.5, max_level=1.0)
    mix.fade(0, 1.0, 0.0, now=0.0)
    mix.fade(0, 0.0, 4.0, now=1.0)
    mix.fade(1, 1.0, 4.0, now=1.0)
    for a, b in run(mix, 1.0, 4.0):
        power = a * a + b * b
        assert power == pytest.approx(0.25, rel=1e-9)  # equal-power: level² at every instant
    assert mix.volumes(5.0).decks == pytest.approx((0.0, 0.5))


def test_a_fade_out_asked_mid_fade_in_turns_round_and_takes_its_share_of_the_time() -> None:
    mix = Mix(level=1.0, max_level=1.0)
    mix.fade(0, 1.0, 4.0, now=0.0)
    assert mix.fader(0, 1.0) == pytest.approx(0.25)
    arrives = mix.fade(0, 0.0, 2.0, now=1.0)
    assert arrives == pytest.approx(1.5)  # a quarter of the way back: a quarter of 2 s
    assert mix.fader(0, 1.0) == pytest.approx(0.25)  # no jump at the turn
    assert mix.fader(0, 1.5) == 0.0


def test_the_patient_cannot_go_past_max_level_and_changes_ramp() -> None:
    mix = Mix(level=0.4, max_level=0.7, to_linear=qt_log_to_linear)
    mix.fade(0, 1.0, 0.0, now=0.0)
    assert mix.set_level(1.0, now=1.0) == 0.7
    assert mix.level == 0.7
    before, half, after = (mix.volumes(t).decks[0] for t in (1.0, 1.0 + LEVEL_SECONDS / 2, 2.0))
    assert before == pytest.approx(qt_log_to_linear(0.4))
    assert before < half < after == pytest.approx(qt_log_to_linear(0.7))
    for _ in range(20):
        mix.set_level(mix.level + 0.1, now=3.0)
    assert mix.volumes(10.0).decks[0] == pytest.approx(qt_log_to_linear(0.7))
    assert mix.set_level(-3.0, now=11.0) == 0.0
    with pytest.raises(ValueError):
        Mix(level=0.2, max_level=1.5)


def test_a_level_above_the_cap_at_start_is_capped() -> None:
    assert Mix(level=0.9, max_level=0.5).level == 0.5


def test_lower_to_only_ever_lowers() -> None:
    mix = Mix(level=0.6, max_level=0.7)
    assert mix.lower_to(0.2, now=0.0, seconds=10.0)
    assert mix.level == 0.2
    assert mix.volumes(5.0).moving  # gently, over the 10 s
    assert not mix.lower_to(0.5, now=20.0, seconds=10.0)
    assert mix.level == 0.2


def test_ducking_lowers_and_comes_back_smoothly_and_waits_for_every_reason() -> None:
    mix = Mix(level=1.0, max_level=1.0)
    mix.fade(0, 1.0, 0.0, now=0.0)
    mix.duck("chime", True, now=1.0)
    assert mix.ducked
    down = [v[0] for v in run(mix, 1.0, DUCK_DOWN_SECONDS)]
    assert down[0] == 1.0 and down[-1] == pytest.approx(DUCK_GAIN)
    assert all(b <= a for a, b in itertools.pairwise(down))
    mix.duck("breathing", True, now=2.0)
    mix.duck("chime", False, now=3.0)
    assert mix.volumes(6.0).decks[0] == pytest.approx(DUCK_GAIN)  # the cue still sounds
    mix.duck("breathing", False, now=7.0)
    up = [v[0] for v in run(mix, 7.0, DUCK_UP_SECONDS)]
    assert up[-1] == pytest.approx(1.0)
    assert max(b - a for a, b in itertools.pairwise(up)) < 0.01
    assert not mix.ducked


def test_a_duck_released_half_way_down_comes_back_from_where_it_is() -> None:
    mix = Mix(level=1.0, max_level=1.0)
    mix.fade(0, 1.0, 0.0, now=0.0)
    mix.duck("chime", True, now=0.0)
    middle = mix.volumes(DUCK_DOWN_SECONDS / 2).decks[0]
    mix.duck("chime", False, now=DUCK_DOWN_SECONDS / 2)
    assert mix.volumes(DUCK_DOWN_SECONDS / 2).decks[0] == pytest.approx(middle)
    assert mix.volumes(DUCK_DOWN_SECONDS / 2 + DUCK_UP_SECONDS / 2).decks[0] == pytest.approx(1.0)


def test_nothing_moves_at_rest() -> None:
    mix = Mix(level=0.4, max_level=0.7)
    assert mix.volumes(0.0).decks == (0.0, 0.0) and not mix.volumes(0.0).moving
    mix.fade(1, 1.0, 1.0, now=0.0)
    mix.silence(1, now=0.5)
    assert mix.volumes(0.5).decks == (0.0, 0.0) and mix.fader_target(1) == 0.0
