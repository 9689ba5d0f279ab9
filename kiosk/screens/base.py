"""The base of every screen: a name, and hooks for when it is shown or left."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


class Screen(QWidget):
    """A page of the kiosk. `patient` screens show the Call nurse bar; staff screens do not."""

    name = "screen"
    patient = True

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(self.name)

    def on_enter(self) -> None:
        """Called when the screen becomes visible."""

    def on_leave(self) -> None:
        """Called when another screen replaces it."""
