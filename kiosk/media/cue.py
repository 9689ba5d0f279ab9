"""The breathing cue: a soft tone at the start of each phase, when `breathing.cue_tone` is on.

One synthesized tone per kind of phase (`kiosk.media.tones.cue_samples`): the
breath in a little higher than the breath out, each swelling in slowly so it
never startles. The cue is a help, not a safety feature: without an audio output
it stays quiet and says nothing (the chime and the music report a missing
output to staff already).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QUrl
from PySide6.QtMultimedia import QMediaDevices, QSoundEffect

from kiosk.media.chime import sound_folder
from kiosk.media.outputs import has_output
from kiosk.media.tones import CUE_FREQUENCIES, cue_samples, write_wav


class CueTone(QObject):
    """Plays the cue for a phase on the default output, at a fixed linear `volume`."""

    def __init__(self, volume: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._folder, self._remove_folder = sound_folder(self)
        self._volume = volume
        self._sources = {
            kind: QUrl.fromLocalFile(str(write_wav(self._folder / f"cue-{kind}.wav", cue_samples(kind))))
            for kind in CUE_FREQUENCIES
        }
        self._effects: dict[str, QSoundEffect] = {}
        self._closed = False
        self.played: list[str] = []  # the kinds played, in order (for the journal and tests)

    def play(self, kind: str) -> bool:
        """Start the cue for a phase of `kind`; False (quietly) when it cannot sound."""
        if self._closed or kind not in self._sources:
            return False
        self.played.append(kind)
        del self.played[:-50]
        if not has_output():
            return False
        effect = self._effects.get(kind)
        if effect is None:
            effect = QSoundEffect(self)
            effect.setVolume(self._volume)
            effect.setSource(self._sources[kind])
            self._effects[kind] = effect
        effect.setAudioDevice(QMediaDevices.defaultAudioOutput())
        effect.play()
        return True

    def stop(self) -> None:
        """Silence any cue at once."""
        for effect in self._effects.values():
            effect.stop()

    def close(self) -> None:
        """Stop and remove the tone files. Safe to call more than once."""
        if not self._closed:
            self._closed = True
            self.stop()
        self._remove_folder()
