"""The call chime as a file: a short, soft, click-free "ding-dong" (no Qt, no sound card)."""

from __future__ import annotations

import wave
from array import array
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.media import tones
from tests.audio import goertzel

DING, DONG = tones.CHIME_FREQUENCIES


@dataclass(frozen=True)
class Wav:
    channels: int
    width: int
    rate: int
    compression: str
    frames: int
    samples: list[float]

    @property
    def seconds(self) -> float:
        return self.frames / self.rate


def read_wav(path: Path) -> Wav:
    with wave.open(str(path), "rb") as wav:
        frames = wav.getnframes()
        data = array("h", wav.readframes(frames))
        return Wav(wav.getnchannels(), wav.getsampwidth(), wav.getframerate(), wav.getcomptype(),
                   frames, [s / 32767 for s in data])


@pytest.fixture(scope="module")
def chime(tmp_path_factory: pytest.TempPathFactory) -> Wav:
    return read_wav(tones.write_chime(tmp_path_factory.mktemp("chime") / "chime.wav"))


def test_chime_is_16_bit_mono_pcm_at_44100_hz(chime: Wav) -> None:
    assert (chime.channels, chime.width, chime.rate, chime.compression) == (1, 2, 44100, "NONE")
    assert len(chime.samples) == chime.frames > 0


def test_chime_is_short_and_soft(chime: Wav) -> None:
    assert 1.0 <= chime.seconds <= 1.5
    peak = max(abs(s) for s in chime.samples)
    assert 0.3 <= peak <= 0.7


def test_chime_starts_and_ends_at_zero(chime: Wav) -> None:
    samples = chime.samples
    assert samples[0] == samples[-1] == 0.0
    # and creeps in and out: no sample-to-sample jump at either end
    assert all(abs(s) < 0.01 for s in samples[:8] + samples[-8:])


def test_each_half_of_the_chime_is_its_own_tone(chime: Wav) -> None:
    half = chime.frames // 2
    first, second = chime.samples[:half], chime.samples[half:]
    rate = chime.rate
    assert goertzel(first, DING, rate) > 4 * goertzel(first, DONG, rate)
    assert goertzel(second, DONG, rate) > 4 * goertzel(second, DING, rate)


def test_chime_frequencies_suit_a_small_speaker() -> None:
    assert DING != DONG
    assert all(400 <= f <= 2000 for f in tones.CHIME_FREQUENCIES)


def test_chime_is_the_same_every_time(tmp_path: Path) -> None:
    a = tones.write_chime(tmp_path / "a.wav").read_bytes()
    b = tones.write_chime(tmp_path / "b.wav").read_bytes()
    assert a == b
    assert tones.chime_samples() == tones.chime_samples()


def test_tone_envelope_and_peak() -> None:
    samples = tones.tone(440.0, 0.5, peak=0.4, sample_rate=8000)
    assert len(samples) == 4000
    assert samples[0] == samples[-1] == 0.0
    assert max(abs(s) for s in samples) == pytest.approx(0.4)
    # soft attack: the first 15 ms rise gently rather than jumping to full level
    assert max(abs(s) for s in samples[:20]) < 0.2
    # decays: the last tenth is much quieter than the first
    tenth = len(samples) // 10
    assert max(map(abs, samples[-tenth:])) < 0.25 * max(map(abs, samples[:tenth]))
    assert goertzel(samples, 440.0, 8000) > 10 * goertzel(samples, 550.0, 8000)


def test_tone_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        tones.tone(0.0, 1.0, peak=0.5)
    with pytest.raises(ValueError):
        tones.tone(440.0, 0.01, peak=0.5, attack=0.02)


def test_write_wav_clips_and_scales(tmp_path: Path) -> None:
    path = tones.write_wav(tmp_path / "x.wav", [0.0, 0.5, -0.5, 2.0, -2.0], sample_rate=8000)
    wav = read_wav(path)
    assert (wav.rate, wav.frames) == (8000, 5)
    assert [round(s * 32767) for s in wav.samples] == [0, 16384, -16384, 32767, -32767]


@pytest.mark.parametrize("kind", sorted(tones.CUE_FREQUENCIES))
def test_each_breathing_cue_is_soft_slow_to_swell_and_click_free(kind: str) -> None:
    samples = tones.cue_samples(kind)
    assert samples[0] == samples[-1] == 0.0
    assert max(map(abs, samples)) == pytest.approx(tones.CUE_PEAK)
    assert tones.CUE_PEAK <= 0.6 * tones.CHIME_PEAK  # well below the call chime
    # a slow swell: after 20 ms it is still under a third of its peak
    assert max(map(abs, samples[: tones.SAMPLE_RATE // 50])) < tones.CUE_PEAK / 3
    rate = tones.SAMPLE_RATE
    assert goertzel(samples, tones.CUE_FREQUENCIES[kind], rate) > 10 * goertzel(samples, 500.0, rate)


def test_the_in_breath_cue_is_higher_than_the_out_breath_cue() -> None:
    assert tones.CUE_FREQUENCIES["inhale"] > tones.CUE_FREQUENCIES["exhale"]
    assert all(200 <= f <= 500 for f in tones.CUE_FREQUENCIES.values())  # low and round
