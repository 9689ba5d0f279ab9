"""The call chime: the soft "ding-dong" that tells staff nearby a patient has called.

When the patient presses Call nurse, the kiosk plays this chime in the room
(again on a schedule until staff answer: the caller repeats it, a `Chime` plays
it once per `play()`). Its volume is set by clinic IT in the configuration and
is independent of the patient's music volume.

A chime that cannot sound must not fail silently: `fault` then holds one plain
sentence for staff, and `fault_changed` announces it. The fault is found out
when `play()` is tried, when the machine's audio outputs change (an HDMI screen
plugged in after boot brings its output: the chime moves to the new default
output and the fault clears), and when a chime does not finish in time.

That last check is needed because QtMultimedia (6.11, PulseAudio) does not
notice every output that disappears: a chime sent to a vanished output "plays"
for ever without a sound and without an error. A chime still sounding well
after its length is therefore taken as an output that stopped taking sound.

`sounding_changed` tells the music to make room while the chime is audible.

The chime is synthesized (`kiosk.media.tones`) a little after the kiosk starts,
`PREPARE_AFTER_MS`, so that the ~0.1 s it takes never delays the first frame; a
`play()` before then prepares it at once.

The chime's WAV file lives in a private temporary folder, removed by `close()`
or when the `Chime` is collected. A killed kiosk cannot remove it, so each new
`Chime` removes the folders of kiosk processes that no longer exist.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtMultimedia import QMediaDevices, QSoundEffect

from kiosk.media.outputs import has_output
from kiosk.media.tones import CHIME_SECONDS, chime_samples, write_wav

PREFIX = "kiosk-chime-"
NO_OUTPUT = "No audio output was found: the call chime cannot sound in the room."
OVERDUE_SECONDS = 2.5
"""How long past its own length a chime may go on before its output is taken as stuck."""
PREPARE_AFTER_MS = 1500
"""When, after the chime is made, its sound is synthesized and loaded (if play() has not)."""


def cannot_play(detail: str) -> str:
    """The fault sentence for a chime that cannot be played on an output that exists."""
    return f"The call chime could not be played ({detail})."


def remove_stale_folders(parent: Path) -> None:
    """Remove chime folders (PREFIX + pid + "-") of processes that no longer exist."""
    for folder in parent.glob(f"{PREFIX}*-*"):
        pid = folder.name[len(PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            pass  # alive under another user, or not ours to judge


def sound_folder(owner: object) -> tuple[Path, Callable[[], object]]:
    """A new private folder for this process's sound files, and what removes it.

    The folder goes when `owner` is collected, or when the returned finalizer is
    called. Folders left by kiosk processes that no longer exist are removed first.
    """
    remove_stale_folders(Path(tempfile.gettempdir()))
    folder = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")
    return Path(folder), weakref.finalize(owner, shutil.rmtree, folder, ignore_errors=True)


class Chime(QObject):
    """Plays the call chime once per `play()` on the default audio output."""

    fault_changed = Signal(str)
    sounding_changed = Signal(bool)

    def __init__(self, volume: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._folder, self._remove_folder = sound_folder(self)
        self._source = QUrl()  # the WAV file, once prepare() has written it
        self._fault = ""
        self._sounding = False
        self._closed = False
        self._overdue = QTimer(self)
        self._overdue.setSingleShot(True)
        self._overdue.setInterval(round((CHIME_SECONDS + OVERDUE_SECONDS) * 1000))
        self._overdue.timeout.connect(self._stuck)
        self._effect = QSoundEffect(self)
        self._effect.setVolume(volume)
        self._effect.playingChanged.connect(self._playing_changed)
        self._effect.statusChanged.connect(self._status_changed)
        self._devices = QMediaDevices(self)
        self._devices.audioOutputsChanged.connect(self._outputs_changed)
        self._prepare_timer = QTimer(self)
        self._prepare_timer.setSingleShot(True)
        self._prepare_timer.timeout.connect(self._prepare_and_load)
        self._prepare_timer.start(PREPARE_AFTER_MS)

    @property
    def fault(self) -> str:
        """"" when the chime can sound; otherwise one plain sentence for staff."""
        return self._fault

    @property
    def folder(self) -> Path:
        """The private directory holding the chime's WAV file (removed by `close()`)."""
        return self._folder

    def prepare(self) -> QUrl:
        """Synthesize the chime into its WAV file, once; its URL."""
        if self._source.isEmpty():
            wav = write_wav(self._folder / "chime.wav", chime_samples())
            self._source = QUrl.fromLocalFile(str(wav))
        return self._source

    def play(self) -> bool:
        """Start the chime once; False (and a fault) if it cannot sound. Never raises or blocks."""
        if self._closed:
            return False
        try:
            if not has_output():
                self._set_fault(NO_OUTPUT)
                return False
            if self._effect.status() == QSoundEffect.Status.Error:
                self._set_fault(cannot_play(self._refused()))
                self._load()  # afresh, so that the next play() may succeed
                return False
            if self._effect.source().isEmpty():
                self._load()  # an output has just appeared; play() waits for the load
            self._effect.play()
        except Exception as error:  # noqa: BLE001 - the call button must keep working
            self._set_fault(cannot_play(f"{type(error).__name__}: {error}"))
            return False
        self._set_fault("")
        return True

    def probe(self) -> str:
        """Check now, without a sound, that there is an output to play on; returns the fault."""
        if not self._closed and not has_output():
            self._set_fault(NO_OUTPUT)
        return self._fault

    def stop(self) -> None:
        """Silence the chime at once."""
        self._effect.stop()

    def close(self) -> None:
        """Stop and remove the temporary WAV file. Safe to call more than once."""
        if not self._closed:
            self._closed = True
            self._prepare_timer.stop()
            self._overdue.stop()
            self._effect.stop()
            self._devices.audioOutputsChanged.disconnect(self._outputs_changed)
        self._remove_folder()

    def _load(self) -> None:
        """Point the effect at the default output and load the chime afresh (stops it)."""
        self._effect.stop()
        self._effect.setAudioDevice(QMediaDevices.defaultAudioOutput())
        self._effect.setSource(QUrl())  # the same URL again would not reload
        self._effect.setSource(self.prepare())
        self._set_sounding(False)

    def _prepare_and_load(self) -> None:
        if self._closed:
            return
        self.prepare()
        if self._effect.source().isEmpty() and has_output():
            self._load()  # without an output, loading would only fail (with a Qt warning)

    def _refused(self) -> str:
        name = QMediaDevices.defaultAudioOutput().description()
        return f"the audio output “{name}” did not accept the sound"

    def _outputs_changed(self) -> None:
        if self._closed:
            return
        if not has_output():
            self._effect.stop()
            self._set_fault(NO_OUTPUT)
            return
        # Always afresh: an output that vanished and came back under the same name
        # would otherwise keep the effect tied to the stream that went with it.
        self._load()
        self._set_fault("")

    def _stuck(self) -> None:
        if self._effect.isPlaying() and not self._closed:
            name = QMediaDevices.defaultAudioOutput().description()
            self._load()
            self._set_fault(cannot_play(f"the audio output “{name}” stopped taking sound"))

    def _status_changed(self) -> None:
        if self._effect.status() == QSoundEffect.Status.Error and not self._closed:
            if has_output():
                self._set_fault(cannot_play(self._refused()))
            else:
                self._set_fault(NO_OUTPUT)

    def _playing_changed(self) -> None:
        self._set_sounding(self._effect.isPlaying())

    def _set_sounding(self, sounding: bool) -> None:
        if sounding:
            self._overdue.start()
        else:
            self._overdue.stop()
        if sounding != self._sounding:
            self._sounding = sounding
            self.sounding_changed.emit(sounding)

    def _set_fault(self, fault: str) -> None:
        if fault != self._fault:
            self._fault = fault
            self.fault_changed.emit(fault)
