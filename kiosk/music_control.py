"""Music with the visit: which playlists are offered, what the patient's taps do, what is logged.

The player (`kiosk.media.player`) makes the sound; the Music screen shows it;
this object joins them to the visit and the event log:

- music is off until the patient (or a nurse, on the same screen) starts it,
  or until the stage named by `music.autoplay_at` begins;
- the playlists tied to the current stage are offered first, then those for
  every stage, then the kiosk's own (`music.bundled`);
- when the nurse marks the infusion complete, music lowers gently to
  `music.reentry_volume`; when the visit ends it fades out;
- the call chime lowers the music while it sounds;
- the log gets `music.started`, `music.track`, `music.paused`, `music.stopped`
  (at most one per change), an `error` for each track that could not play and
  one when the audio output goes while music is on (it resumes by itself when
  an output is back: see `kiosk.media.player`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from kiosk.config_schema import MusicConfig
from kiosk.content import Content
from kiosk.media.player import PAUSED, PLAYING, STOPPED, AudioPlayer
from kiosk.media.playlist import BUNDLED_DIR, Queue, Track, offered, scan
from kiosk.screens.music import MusicScreen
from kiosk.session import INFUSION_COMPLETE, SessionModel, VisitState

log = logging.getLogger(__name__)

BUNDLED_ID = "bundled"
"""How the log names the kiosk's own playlist (its shown name depends on the language)."""
REENTRY_SECONDS = 20.0
"""How slowly the music lowers when the infusion ends: too slow to notice as a change."""

Record = Callable[[str, dict[str, object]], None]


@dataclass(frozen=True)
class Choice:
    """A playlist the patient may pick: where its tracks are and when it is offered."""

    id: str  # the configured name, or BUNDLED_ID
    path: Path
    shuffle: bool = False
    stages: tuple[str, ...] = ()


class MusicControl(QObject):
    """Runs the music of one kiosk. Signals: `fault_changed` when the player's fault changes."""

    fault_changed = Signal()

    def __init__(
        self,
        config: MusicConfig,
        session: SessionModel,
        screen: MusicScreen,
        record: Record,
        content: Content,
        *,
        player: AudioPlayer | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._config = config
        self._session = session
        self._screen = screen
        self._record = record
        self.player = player or AudioPlayer(
            level=config.volume, max_level=config.max_volume,
            fade_in_seconds=config.fade_in_seconds, fade_out_seconds=config.fade_out_seconds,
            crossfade_seconds=config.crossfade_seconds, parent=self,
        )
        choices = [Choice(p.name, p.path, p.shuffle, p.stages) for p in config.playlists]
        if config.bundled:
            choices.append(Choice(BUNDLED_ID, BUNDLED_DIR))
        self._choices = choices
        self._offered: list[Choice] = []
        self._playing: Choice | None = None  # the playlist the player holds
        self._content = content
        self._message = ""
        self._announce = ""  # "" or how the next track change is logged: music.started
        self._stage = session.state.stage
        self.player.state_changed.connect(self._on_player_changed)
        self.player.track_changed.connect(self._on_track_changed)
        self.player.track_resumed.connect(self._on_player_changed)
        self.player.track_failed.connect(self._on_track_failed)
        self.player.nothing_playable.connect(self._on_nothing_playable)
        self.player.level_changed.connect(self._on_player_changed)
        self.player.available_changed.connect(self._on_available_changed)
        screen.playlist_chosen.connect(self._on_playlist_chosen)
        screen.play_requested.connect(self._on_play_requested)
        screen.pause_requested.connect(self._on_pause_requested)
        screen.next_requested.connect(self._on_next_requested)
        screen.volume_step.connect(self._on_volume_step)
        self._unsubscribe = session.subscribe(self._on_visit_changed)
        self.set_content(content)

    # -- for the window --------------------------------------------------------------
    @property
    def offered(self) -> list[str]:
        """The ids of the playlists offered now, in the order shown."""
        return [c.id for c in self._offered]

    def fault(self) -> str:
        return self.player.fault

    def set_content(self, content: Content) -> None:
        self._content = content
        self._screen.set_content(content)
        self._refresh()

    @Slot(bool)
    def duck_for_chime(self, sounding: bool) -> None:
        self.player.duck("chime", sounding)

    def start(self, index: int | None = None, *, by: str = "patient") -> bool:
        """Play the offered playlist `index` (the first when None). False if it cannot start."""
        if not self._offered:
            return False
        choice = self._offered[0 if index is None else index]
        if choice == self._playing and self.player.state != STOPPED:
            if self.player.state == PAUSED:
                self._on_play_requested()
            return True  # the playlist playing: a second tap on its tile changes nothing
        result = scan(choice.path)
        if result.problem:
            self._error(choice.path.name, result.problem)
        for missing in result.missing:
            self._error(missing.path.name, missing.reason)
        self._message = ""
        if not self.player.play(Queue(result.tracks, shuffle=choice.shuffle), choice.id):
            self._refresh()
            return False
        self._playing = choice
        self._announce = by
        self._refresh()
        return True

    def shutdown(self) -> None:
        self._unsubscribe()
        self.player.shutdown()

    # -- what the patient asks -------------------------------------------------------------
    @Slot(int)
    def _on_playlist_chosen(self, index: int) -> None:
        if 0 <= index < len(self._offered):
            self.start(index)

    @Slot()
    def _on_play_requested(self) -> None:
        if self.player.state == PAUSED and self._playing is not None:
            self.player.play()
            self._record("music.started", {"playlist": self._playing.id, "track": self._title(),
                                           "by": "patient", "resumed": True})
        else:
            index = self._offered.index(self._playing) if self._playing in self._offered else None
            self.start(index)

    @Slot()
    def _on_pause_requested(self) -> None:
        if self.player.state == PLAYING and self._playing is not None:
            self.player.pause()
            self._record("music.paused", {"playlist": self._playing.id, "track": self._title()})

    @Slot()
    def _on_next_requested(self) -> None:
        self.player.next_track()

    @Slot(int)
    def _on_volume_step(self, direction: int) -> None:
        self.player.step_level(direction)

    # -- the visit ---------------------------------------------------------------------------
    def _on_visit_changed(self, state: VisitState) -> None:
        stage, self._stage = self._stage, state.stage
        if not state.is_open:
            self._stop("visit_end")
            self._playing = None
            self._message = ""
        elif state.stage != stage:
            self._offered = self._offer()
            if state.stage == INFUSION_COMPLETE:
                self.player.lower_to(self._config.reentry_volume, REENTRY_SECONDS)
            if state.stage == self._config.autoplay_at and self.player.state == STOPPED:
                self.start(by="autoplay")
        self._refresh()

    def _stop(self, reason: str) -> None:
        if self.player.state != STOPPED and self._playing is not None:
            self.player.stop()
            self._record("music.stopped", {"playlist": self._playing.id, "reason": reason})

    # -- what the player says -------------------------------------------------------------------
    @Slot(object)
    def _on_track_changed(self, track: Track) -> None:
        if self._playing is None:
            return
        data: dict[str, object] = {"playlist": self._playing.id, "track": track.title}
        if self._announce:
            self._record("music.started", {**data, "by": self._announce})
            self._announce = ""
        else:
            self._record("music.track", data)
        self._refresh()

    @Slot(object, str)
    def _on_track_failed(self, track: Track, why: str) -> None:
        self._error(track.path.name, why)

    @Slot()
    def _on_nothing_playable(self) -> None:
        if self._playing is not None:
            self._record("music.stopped", {"playlist": self._playing.id, "reason": "nothing_playable"})
        self._announce = ""
        self._message = "nothing_playable"
        self._refresh()

    @Slot(bool)
    def _on_available_changed(self, available: bool) -> None:
        if available:
            log.info("music: an audio output is available")
        else:
            log.error("%s", self.player.fault)
            if self._playing is not None and self.player.state != STOPPED:  # music the patient hears
                self._record("error", {"source": "music", "problem": self.player.fault})
        self.fault_changed.emit()
        self._refresh()

    @Slot()
    def _on_player_changed(self) -> None:
        self._refresh()

    # -- inside ----------------------------------------------------------------------------------
    def _error(self, file: str, why: str) -> None:
        log.warning("music: skipped %s: %s", file, why)
        self._record("error", {"source": "music", "file": file, "problem": why})

    def _title(self) -> str:
        track = self.player.track
        return track.title if track is not None else ""

    def _offer(self) -> list[Choice]:
        """The playlists offered now: the stage's own first, and the one playing, if any."""
        stage = self._session.state.stage if self._session.is_open else None
        shown = offered(self._choices, stage)
        if self._playing is not None and self._playing not in shown:
            shown.append(self._playing)  # still playing from an earlier stage: keep it in view
        return shown

    def _refresh(self) -> None:
        self._offered = shown = self._offer()
        names = [self._content.text("bundled_playlist") if c.id == BUNDLED_ID else c.id for c in shown]
        chosen = shown.index(self._playing) if self._playing in shown else None
        self._screen.set_playlists(names, chosen)
        message = ""
        if self._message and self.player.state == STOPPED:
            message = self._content.text(self._message)
        self._screen.show_player(
            state=self.player.state,
            title=self._title() if self.player.state != STOPPED else "",
            level=self.player.level_fraction,
            available=self.player.available,
            message=message,
        )
