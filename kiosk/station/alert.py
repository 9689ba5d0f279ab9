"""The desk alert: the kiosk's call chime, sounded at the nurse station.

A new call sounds the chime once; an escalated one sounds it twice, the second
`AGAIN_MS` after the first, so a nurse at the desk can tell them apart without
looking. When to sound is the model's business (`StationModel.alert_due`); this
only plays. A chime that cannot sound (no speaker) says so in `fault`.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from kiosk.media.chime import Chime

AGAIN_MS: Final = 1500
"""How long after the first chime an escalated call's second one starts."""
VOLUME: Final = 0.8


class DeskAlert(QObject):
    """Plays the chime for a call: once for "new", twice for "escalated".

    Signals: `played(str)` with the kind, each time `play()` is asked to sound.
    """

    played = Signal(str)

    def __init__(self, volume: float = VOLUME, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.chime = Chime(volume, self)
        self.again_timer = QTimer(self)
        self.again_timer.setSingleShot(True)
        self.again_timer.setInterval(AGAIN_MS)
        self.again_timer.timeout.connect(self._again)
        self._closed = False

    @property
    def fault(self) -> str:
        """"" when the chime can sound; otherwise one sentence saying why not."""
        return self.chime.fault

    @Slot(str)
    def play(self, kind: str) -> None:
        """Sound the chime for a call of `kind` ("new" or "escalated"). Never raises."""
        if self._closed:
            return
        self.again_timer.stop()
        self.chime.play()
        if kind == "escalated":
            self.again_timer.start()
        self.played.emit(kind)

    @Slot()
    def stop(self) -> None:
        """Silence it now, the second chime too."""
        self.again_timer.stop()
        self.chime.stop()

    def close(self) -> None:
        """Stop for good and remove the chime's file. Safe to call more than once."""
        self._closed = True
        self.again_timer.stop()
        self.chime.close()

    @Slot()
    def _again(self) -> None:
        if not self._closed:
            self.chime.play()
