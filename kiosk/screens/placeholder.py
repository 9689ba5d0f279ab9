"""A calm page for a feature still to come (Music, Breathe); the bar's Back leaves it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk.screens.base import Screen


class PlaceholderScreen(Screen):
    """Says, calmly, that the feature is not here yet."""

    def __init__(self, name: str, title: str, message: str, parent: QWidget | None = None) -> None:
        self.name = name
        super().__init__(parent)
        self.title = QLabel(title, self)
        self.title.setObjectName("title")
        self.message = QLabel(message, self)
        self.message.setObjectName("lead")
        self.message.setWordWrap(True)
        for label in (self.title, self.message):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(96, 64, 96, 32)
        layout.addStretch(2)
        layout.addWidget(self.title)
        layout.addSpacing(32)
        layout.addWidget(self.message)
        layout.addStretch(3)
