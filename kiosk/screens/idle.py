"""The screen shown when no visit is open: calm and dim, nothing to do but call a nurse."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk.content import Content
from kiosk.screens.base import Screen


class IdleScreen(Screen):
    """The clinic's name and one calm sentence."""

    name = "idle"

    def __init__(self, clinic_name: str, content: Content, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clinic = QLabel(clinic_name, self)
        self.clinic.setObjectName("clinic")
        self.title = QLabel(self)
        self.title.setObjectName("title")
        self.message = QLabel(self)
        self.message.setObjectName("lead")
        for label in (self.clinic, self.title, self.message):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(96, 64, 96, 32)
        layout.addStretch(2)
        layout.addWidget(self.clinic)
        layout.addSpacing(24)
        layout.addWidget(self.title)
        layout.addSpacing(40)
        layout.addWidget(self.message)
        layout.addStretch(3)
        self.set_content(content)

    def set_content(self, content: Content) -> None:
        self.title.setText(content.idle_title)
        self.message.setText(content.idle_message)
