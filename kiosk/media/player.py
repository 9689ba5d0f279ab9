"""The music player: two QMediaPlayers taking turns, so tracks cross-fade without a gap.

Each *deck* is a QMediaPlayer with its own QAudioOutput. One deck is heard
(the live deck); the other loads the next track in advance, then fades in as
the live one fades out. Loudness comes from `kiosk.media.mixer.Mix` (plain
Python): the player only sets each output's volume from it, many times a
second while a fade, a level change or a duck is moving, and not at all at rest.

What must never happen to a patient here: a sudden sound, a silent gap between
tracks, a crash over a bad file or a missing speaker. So:

- starting fades in, pausing and stopping fade out, a new track cross-fades;
- the patient's level is capped at `max_level`, and every change ramps;
- a track that is missing, unreadable or not audio is skipped: `track_failed`
  says which and why, and the next track plays; when no track of the playlist
  can play, `nothing_playable` is emitted and the player stops;
- without any audio output, `play()` refuses and `fault` says so in a sentence;
  an output that appears later (an HDMI screen after boot) is used at once;
- an output that goes away while music plays (unplugged, its sink unloaded) is
  noticed either from the list of outputs or because the track stops moving on
  (QtMultimedia 6.11 does not always notice an output leaving: the music then
  "plays" for ever without a sound). The player then lets go of the dead stream,
  keeps its place and its state (the patient asked for music), and `fault` says
  why; when an output is back, the same track resumes where it was, fading in.
  Whether an output takes sound is asked of the sound server itself
  (`outputs.takes_sound`) when a track stalls, when the outputs change, and
  every RETRY_SECONDS while the output is missed; a track that stalls on an
  output that does take sound is started afresh at its place.

Signals: `state_changed(str)` ("stopped", "playing", "paused"); `track_changed(Track)`
when a new track begins (once per track); `track_resumed(Track)` when a track cut off
with its output plays on at its place; `track_failed(Track, str)`;
`nothing_playable()`; `level_changed(float)`; `available_changed(bool)`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Q_ARG, QMetaObject, QObject, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer, QtAudio

from kiosk.media import outputs
from kiosk.media.mixer import DECKS, Mix
from kiosk.media.playlist import Queue, Track

STOPPED, PLAYING, PAUSED = "stopped", "playing", "paused"
TICK_MS = 20
"""How often volumes are set while something moves: 50 steps a second, each far below hearing."""
LEVEL_STEPS = 8
"""Volume down / up moves the patient's level by one eighth of the way to the cap."""
QUICK_SECONDS = 0.3
"""How fast a fading deck clears the way when it is needed again at once."""
NO_OUTPUT = "No audio output was found: music cannot play."
WATCH_MS = 500
"""How often a playing track is checked for moving on."""
STALL_SECONDS = 3.0
"""A playing track that has moved on, then not for this long, has lost its output."""
FIRST_MOVE_SECONDS = 8.0
"""The same for a track that has not yet moved on since play(): its position may stay put
for about 2 s while sound already flows."""
RETRY_SECONDS = 30.0
"""While an output that stopped taking sound is still listed: how often it is asked again."""

Status = QMediaPlayer.MediaStatus


def to_linear(level: float) -> float:
    """The patient's perceptual level as the amplitude factor an output takes."""
    return QtAudio.convertVolume(
        level, QtAudio.VolumeScale.LogarithmicVolumeScale, QtAudio.VolumeScale.LinearVolumeScale
    )


def call_without_gil(player: QMediaPlayer, slot: str) -> None:
    """Call `player.<slot>()` now, with Python's GIL released while Qt works.

    QMediaPlayer.stop() (and play/pause) wait for the FFmpeg threads, and a
    renderer being torn down there may need the GIL to reach our Python-made
    QAudioOutput. Called straight from Python, which keeps the GIL, the two wait
    for each other for ever. PySide6 releases the GIL inside invokeMethod.
    """
    QMetaObject.invokeMethod(player, slot, Qt.ConnectionType.DirectConnection)


def seek_without_gil(player: QMediaPlayer, position_ms: int) -> None:
    """`player.setPosition(position_ms)`, with the GIL released as in `call_without_gil`."""
    QMetaObject.invokeMethod(player, "setPosition", Qt.ConnectionType.DirectConnection,
                             Q_ARG("qint64", position_ms))


def stalled(name: str) -> str:
    """The fault sentence for an output that stopped taking sound."""
    return f"The audio output “{name}” stopped taking sound: music cannot play."


def has_output() -> bool:
    return outputs.has_output()


def takes_sound() -> bool:
    return outputs.takes_sound()


class Deck(QObject):
    """One QMediaPlayer with its output, the track it holds, and what to do once silent.

    QMediaPlayer reports a load's outcome a moment later; a report that arrives
    after the deck has moved on to another track is recognised (the player's
    status no longer matches) and dropped. `generation` counts the loads, so a
    receiver told of a failure later can tell whether it still applies.
    """

    loaded = Signal(int, int)  # deck, generation
    failed = Signal(int, int, str)  # deck, generation, why
    ended = Signal(int, int)  # deck, generation
    position = Signal(int, int)  # deck, milliseconds

    def __init__(self, index: int, parent: QObject) -> None:
        super().__init__(parent)
        self.index = index
        self.track: Track | None = None
        self.ready = False
        self.generation = 0
        self.when_silent = ""  # "pause" or "stop" once its fade-out ends
        self.start_ms = 0  # where the track starts (a place held while the output was gone)
        self._reported = False
        self.output = QAudioOutput(self)
        self.output.setVolume(0.0)
        self.player = QMediaPlayer(self)
        self.player.setAudioOutput(self.output)
        self.player.mediaStatusChanged.connect(self._on_status)
        self.player.errorOccurred.connect(self._on_error)
        self.player.positionChanged.connect(self._on_position)

    def load(self, track: Track, start_ms: int = 0) -> None:
        self.generation += 1
        self.track, self.ready, self.when_silent, self._reported = track, False, "", False
        self.start_ms = start_ms
        self.player.setSource(QUrl.fromLocalFile(str(track.path)))

    def clear(self) -> None:
        self.generation += 1
        self.track, self.ready, self.when_silent, self.start_ms = None, False, "", 0
        call_without_gil(self.player, "stop")
        self.player.setSource(QUrl())  # PySide6 lets go of the GIL for this one itself

    @property
    def duration_ms(self) -> int:
        return self.player.duration()

    def _report_failure(self, why: str) -> None:
        if self.track is not None and not self._reported:
            self._reported = True
            self.failed.emit(self.index, self.generation, why)

    @Slot(QMediaPlayer.MediaStatus)
    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if self.track is None or status != self.player.mediaStatus():
            return  # nothing loaded, or news of an earlier load
        if status == Status.LoadedMedia and not self.ready:
            self.ready = True
            if self.start_ms > 0:
                seek_without_gil(self.player, self.start_ms)
            self.loaded.emit(self.index, self.generation)
        elif status == Status.InvalidMedia:
            self._report_failure("not a sound file the kiosk can play")
        elif status == Status.EndOfMedia:
            self.ended.emit(self.index, self.generation)

    @Slot(QMediaPlayer.Error, str)
    def _on_error(self, error: QMediaPlayer.Error, message: str) -> None:
        if error != QMediaPlayer.Error.NoError and self.player.error() != QMediaPlayer.Error.NoError:
            self._report_failure(message or error.name)

    @Slot(int)
    def _on_position(self, position: int) -> None:
        self.position.emit(self.index, position)


class AudioPlayer(QObject):
    """Plays one playlist at a time with fades, crossfades, a capped level and ducking."""

    state_changed = Signal(str)
    track_changed = Signal(object)
    track_resumed = Signal(object)
    track_failed = Signal(object, str)
    nothing_playable = Signal()
    level_changed = Signal(float)
    available_changed = Signal(bool)

    def __init__(
        self,
        *,
        level: float,
        max_level: float,
        fade_in_seconds: float,
        fade_out_seconds: float,
        crossfade_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        outputs: Callable[[], bool] | None = None,
        takes: Callable[[], bool] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._fade_in = fade_in_seconds
        self._fade_out = fade_out_seconds
        self._crossfade = crossfade_seconds
        self._clock = clock
        self._outputs = outputs or has_output  # looked up now, so that tests may stand in for it
        self._takes_sound = takes or takes_sound
        self.mix = Mix(level=level, max_level=max_level, to_linear=to_linear)
        self._decks = tuple(Deck(i, self) for i in range(DECKS))
        for deck in self._decks:
            # Queued: a deck is reloaded or restarted only after its QMediaPlayer has
            # finished reporting, never from inside the player's own signal.
            queued = Qt.ConnectionType.QueuedConnection
            deck.loaded.connect(self._on_loaded, queued)
            deck.failed.connect(self._on_failed, queued)
            deck.ended.connect(self._on_ended, queued)
            deck.position.connect(self._on_position)
        self._live = 0
        self._state = STOPPED
        self._queue: Queue | None = None
        self._playlist = ""
        self._starting: float | None = None  # fade seconds of the track loading to start
        self._waiting: float | None = None  # fade seconds of a start waiting for a deck to clear
        self._available = self._outputs()
        self._stalled = ""  # the fault while a listed output takes no sound
        self._held: tuple[Track, int] | None = None  # the track and place (ms; 0: not begun) to resume at
        self._watch_mark: tuple[int, int, int] | None = None  # deck, generation, position
        self._watch_still = 0  # checks in a row that found the track not moving on
        self._watch_moved = False  # the track watched has moved on since it started
        self._closed = False
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)
        self._watch = QTimer(self)
        self._watch.setInterval(WATCH_MS)
        self._watch.timeout.connect(self._check_moving)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(round(RETRY_SECONDS * 1000))
        self._retry.timeout.connect(self._try_again)
        self._devices = QMediaDevices(self)
        self._devices.audioOutputsChanged.connect(self._on_outputs_changed)

    # -- what the screen shows -------------------------------------------------------
    @property
    def state(self) -> str:
        return self._state

    @property
    def playlist(self) -> str:
        """The name of the playlist playing or last played ("" before the first)."""
        return self._playlist

    @property
    def track(self) -> Track | None:
        """The track heard now (the incoming one during a crossfade)."""
        return self._decks[self._live].track

    @property
    def level(self) -> float:
        return self.mix.level

    @property
    def level_fraction(self) -> float:
        """The patient's level as a share of the most allowed (1.0 at the cap)."""
        top = self.mix.max_level
        return 1.0 if top <= 0 else self.mix.level / top

    @property
    def available(self) -> bool:
        return self._available

    @property
    def fault(self) -> str:
        return "" if self._available else self._stalled or NO_OUTPUT

    @property
    def decks(self) -> tuple[Deck, ...]:
        return self._decks

    @property
    def live(self) -> Deck:
        """The deck heard now (during a crossfade, the one fading in)."""
        return self._decks[self._live]

    # -- what the patient and the visit ask --------------------------------------------
    def play(self, queue: Queue | None = None, name: str = "") -> bool:
        """Play `queue` (a new playlist, cross-faded in), or resume. False without an output."""
        if not self._available or self._closed:
            return False
        if queue is not None:
            self._queue, self._playlist = queue, name
            self._waiting = self._held = None
            self._discard_spare()
            self._set_state(PLAYING)
            self._begin_next(self._crossfade if self._heard() else self._fade_in)
            return True
        if self._queue is None:
            return False
        if self._state == PLAYING:
            return True
        self._set_state(PLAYING)
        live = self._decks[self._live]
        if live.track is not None and live.player.playbackState() != QMediaPlayer.PlaybackState.StoppedState:
            live.when_silent = ""
            call_without_gil(live.player, "play")
            self._fade(live, 1.0, self._fade_in)
        elif self._held is not None:
            self._resume_held()
        else:
            self._begin_next(self._fade_in)
        return True

    def pause(self) -> None:
        """Fade out, then hold the place in the track."""
        if self._state != PLAYING:
            return
        self._set_state(PAUSED)
        self._starting = self._waiting = None
        for deck in self._decks:
            if deck.index == self._live and deck.track is not None:
                self._fade(deck, 0.0, self._fade_out, then="pause")
            elif self.mix.fader_target(deck.index) > 0 or self.mix.fader(deck.index, self._clock()) > 0:
                self._fade(deck, 0.0, self._fade_out, then="stop")

    def stop(self, seconds: float | None = None) -> None:
        """Fade out over `seconds` (fade_out_seconds by default), then stop."""
        if self._state == STOPPED:
            return
        self._set_state(STOPPED)
        self._starting = self._waiting = self._held = None
        self._retry.stop()
        for deck in self._decks:
            if deck.track is not None:
                self._fade(deck, 0.0, self._fade_out if seconds is None else seconds, then="stop")

    def next_track(self) -> None:
        """Cross-fade to the next track of the playlist (starts playing if paused)."""
        if self._queue is None or not self._available:
            return
        if self._starting is not None or self._waiting is not None:
            return  # a change is already on its way
        self._set_state(PLAYING)
        self._begin_next(self._crossfade if self._heard() else self._fade_in)

    def set_level(self, level: float) -> None:
        reached = self.mix.set_level(level, self._clock())
        self._kick()
        self.level_changed.emit(reached)

    def step_level(self, direction: int) -> None:
        """One step quieter (-1) or louder (+1), on steps of the way to the cap."""
        steps = round(self.level_fraction * LEVEL_STEPS) + (1 if direction > 0 else -1)
        self.set_level(max(0, min(LEVEL_STEPS, steps)) / LEVEL_STEPS * self.mix.max_level)

    def lower_to(self, level: float, seconds: float) -> None:
        """Bring the level down slowly to `level` (never up)."""
        if self.mix.lower_to(level, self._clock(), seconds):
            self._kick()
            self.level_changed.emit(self.mix.level)

    def duck(self, reason: str, on: bool) -> None:
        """Lower the music while `reason` (the chime, a breathing cue) sounds."""
        self.mix.duck(reason, on, self._clock())
        self._kick()

    def shutdown(self) -> None:
        """Silence at once and let go of the files (the kiosk is closing). Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._timer.stop()
        self._watch.stop()
        self._retry.stop()
        self._devices.audioOutputsChanged.disconnect(self._on_outputs_changed)
        for deck in self._decks:
            deck.output.setVolume(0.0)
            deck.clear()

    # -- the volume clock ---------------------------------------------------------------
    @Slot()
    def tick(self) -> None:
        """Set both outputs from the mix at this moment; act on fades that have ended."""
        now = self._clock()
        volumes = self.mix.volumes(now)
        for deck, volume in zip(self._decks, volumes.decks, strict=True):
            if abs(deck.output.volume() - volume) > 1e-6:
                deck.output.setVolume(volume)
        for deck in self._decks:
            if deck.when_silent and self.mix.fader_target(deck.index) == 0 and self.mix.fader(deck.index, now) == 0:
                self._silent(deck)
        if not volumes.moving:
            self._timer.stop()

    # -- inside: changing tracks -------------------------------------------------------------
    def _begin_next(self, seconds: float) -> None:
        """Load the next track on the spare deck; it starts (fading in) once loaded."""
        spare = self._decks[1 - self._live]
        if self.mix.fader(spare.index, self._clock()) > 0 or self.mix.fader_target(spare.index) > 0:
            # still fading out the track before: clear it quickly, then start
            self._waiting = seconds
            self._fade(spare, 0.0, QUICK_SECONDS, then="stop")
            return
        self._waiting = None
        self._starting = seconds
        if spare.track is not None and spare.ready:
            self._start(spare)
            return
        track = self._take_track()
        if track is None:
            self._starting = None
            self._give_up()
            return
        spare.load(track)

    def _start(self, deck: Deck) -> None:
        seconds = self._starting or 0.0
        self._starting = None
        old = self._decks[self._live]
        self._live = deck.index
        deck.when_silent = ""
        call_without_gil(deck.player, "play")
        self._fade(deck, 1.0, seconds)
        if old is not deck and old.track is not None:
            self._fade(old, 0.0, seconds, then="stop")
        if deck.start_ms == 0:
            self.track_changed.emit(deck.track)
        else:  # a track resumed at its place is not a new track
            self.track_resumed.emit(deck.track)

    def _take_track(self) -> Track | None:
        """The next track that exists; missing ones are reported and dropped."""
        while self._queue is not None:
            track = self._queue.next()
            if track is None:
                return None
            if track.path.is_file():
                return track
            self._queue.failed(track)
            self.track_failed.emit(track, "file not found")
        return None

    def _preload(self, deck: Deck) -> None:
        if self._state == PLAYING and deck.index != self._live and deck.track is None:
            track = self._take_track()
            if track is not None:
                deck.load(track)

    def _silent(self, deck: Deck) -> None:
        action, deck.when_silent = deck.when_silent, ""
        if action == "pause":
            call_without_gil(deck.player, "pause")
        else:
            deck.clear()
            self.mix.silence(deck.index, self._clock())
            if self._waiting is not None and deck.index != self._live:
                self._begin_next(self._waiting)
            else:
                self._preload(deck)

    def _resume_held(self) -> None:
        """Play the held track again from its place, fading in (it was cut off with its output)."""
        held, self._held = self._held, None
        self._set_state(PLAYING)
        if held is None:
            self._begin_next(self._fade_in)
            return
        track, position = held
        spare = self._decks[1 - self._live]
        self._waiting = None
        self._starting = self._fade_in
        spare.load(track, position)

    def _give_up(self) -> None:
        """No track of the playlist can play."""
        self.stop()
        self.nothing_playable.emit()

    def _discard_spare(self) -> None:
        spare = self._decks[1 - self._live]
        if self.mix.fader_target(spare.index) == 0 and self.mix.fader(spare.index, self._clock()) == 0:
            spare.clear()

    def _heard(self) -> bool:
        now = self._clock()
        return any(self.mix.fader(d.index, now) > 0 for d in self._decks)

    # -- inside: deck signals ---------------------------------------------------------------
    @Slot(int, int)
    def _on_loaded(self, index: int, generation: int) -> None:
        deck = self._decks[index]
        if generation != deck.generation:
            return
        if self._starting is not None and index != self._live:
            self._start(deck)

    @Slot(int, int, str)
    def _on_failed(self, index: int, generation: int, reason: str) -> None:
        deck = self._decks[index]
        track = deck.track
        if track is None or generation != deck.generation:
            return
        was_live = index == self._live and deck.ready and self._starting is None
        deck.clear()
        self.mix.silence(index, self._clock())
        if self._queue is not None:
            self._queue.failed(track)
        self.track_failed.emit(track, reason)
        if self._state != PLAYING:
            return
        if self._starting is not None and index != self._live:
            seconds, self._starting = self._starting, None
            self._begin_next(seconds)
        elif was_live:
            self._begin_next(self._fade_in)
        else:
            self._preload(deck)

    @Slot(int, int)
    def _on_ended(self, index: int, generation: int) -> None:
        if generation != self._decks[index].generation:
            return
        if index == self._live and self._state == PLAYING and self._starting is None:
            self._begin_next(0.0)  # the crossfade did not come first (a very short track)
        elif index != self._live:
            self._decks[index].when_silent = "stop"
            self._silent(self._decks[index])

    @Slot(int, int)
    def _on_position(self, index: int, position: int) -> None:
        if index != self._live or self._state != PLAYING or self._starting is not None:
            return
        if self._waiting is not None:
            return
        duration = self._decks[index].duration_ms
        if duration <= 0 or self.mix.fader_target(index) == 0:
            return
        overlap = min(self._crossfade, duration / 3000)
        if overlap > 0 and duration - position <= overlap * 1000:
            self._begin_next(overlap)

    @Slot()
    def _on_outputs_changed(self) -> None:
        if self._closed:
            return
        if self._outputs():
            device = outputs.best_output()
            for deck in self._decks:
                deck.output.setDevice(device)
            if not self._available and (not self._stalled or self._takes_sound()):
                self._regain()
        elif self._available:
            self._lose_output("")

    def _hold(self) -> None:
        """Keep the place of the music heard now, silence both decks and let go of their streams."""
        live = self._decks[self._live]
        if self._state != STOPPED:
            if live.track is not None and live.ready:  # resumed at its place (1 ms: not a new track)
                self._held = (live.track, max(1, live.player.position()))
            elif self._starting is not None:
                spare = self._decks[1 - self._live]
                if spare.track is not None:  # a track was loading to start: hold its start
                    self._held = (spare.track, 0)
        self._starting = self._waiting = None
        now = self._clock()
        for deck in self._decks:
            deck.output.setVolume(0.0)
            self.mix.silence(deck.index, now)
            if deck.track is not None:
                deck.clear()
        self._watch_mark = None

    def _lose_output(self, stalled_fault: str) -> None:
        """No output takes sound: hold the place and say why (`stalled_fault`, or NO_OUTPUT)."""
        was = self._available
        self._available, self._stalled = False, stalled_fault
        self._hold()
        self._watch.stop()
        if stalled_fault:
            self._retry.start()  # the list of outputs may not tell when it is back
        if was:
            self.available_changed.emit(False)

    def _regain(self) -> None:
        """An output again: music that was playing resumes where it was, fading in."""
        self._available, self._stalled = True, ""
        self._retry.stop()
        self.available_changed.emit(True)
        if self._state == PLAYING and self.live.track is None and self._starting is None:
            self._resume_held()

    @Slot()
    def _try_again(self) -> None:
        """While a listed output takes no sound: ask it again."""
        if self._closed or self._available or not self._stalled:
            return
        if self._takes_sound():
            self._regain()
        else:
            self._retry.start()

    @Slot()
    def _check_moving(self) -> None:
        """Every WATCH_MS while playing: a live track that does not move on has lost its output."""
        deck = self._decks[self._live]
        playing = QMediaPlayer.PlaybackState.PlayingState
        if (self._state != PLAYING or deck.track is None or not deck.ready
                or deck.player.playbackState() != playing):
            self._watch_mark, self._watch_still = None, 0
            return
        mark = (deck.index, deck.generation, deck.player.position())
        if mark != self._watch_mark:
            same_track = self._watch_mark is not None and self._watch_mark[:2] == mark[:2]
            self._watch_moved = same_track  # a new position of the same load: it moved on
            self._watch_mark, self._watch_still = mark, 0
            return
        self._watch_still += 1
        limit = STALL_SECONDS if self._watch_moved else FIRST_MOVE_SECONDS
        if self._watch_still * WATCH_MS < limit * 1000:
            return
        self._watch_still = 0
        if self._takes_sound():  # the output is there: start the track afresh at its place
            self._hold()
            self._resume_held()
        else:
            self._lose_output(stalled(deck.output.device().description()))

    # -- inside: small things ---------------------------------------------------------------
    def _fade(self, deck: Deck, target: float, seconds: float, *, then: str = "") -> None:
        self.mix.fade(deck.index, target, seconds, self._clock())
        deck.when_silent = then
        self._kick()

    def _kick(self) -> None:
        self.tick()
        if self.mix.volumes(self._clock()).moving and not self._timer.isActive():
            self._timer.start()

    def _set_state(self, state: str) -> None:
        if state == PLAYING and not self._closed:
            if not self._watch.isActive():
                self._watch.start()
        elif state != PLAYING:
            self._watch.stop()
            self._watch_mark = None
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)
