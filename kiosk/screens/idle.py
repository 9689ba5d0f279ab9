"""The screen shown when no visit is open: calm, dim, nothing to do.

A placeholder for the full stage guide: it names the clinic and says that a
nurse will start the session, and shows the current stage once a visit is open.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk.session import IDLE, VisitState

STAGE_TITLES = {
    "settling": "Settling in",
    "iv_placement": "Placing your IV",
    "infusion": "Your infusion",
    "infusion_complete": "The infusion has finished",
    "recovery": "Resting and recovering",
    "going_home": "Going home",
}


class IdleScreen(QWidget):
    """Clinic name and one calm sentence; redraws from the visit state it is given."""

    def __init__(self, clinic_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("idle")
        self._title = QLabel(clinic_name, self)
        self._title.setObjectName("title")
        self._title.setAccessibleName("Clinic name")
        self._message = QLabel(self)
        self._message.setObjectName("message")
        self._message.setWordWrap(True)
        for label in (self._title, self._message):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(96, 96, 96, 96)
        layout.addStretch(2)
        layout.addWidget(self._title)
        layout.addSpacing(48)
        layout.addWidget(self._message)
        layout.addStretch(3)
        self.show_state(VisitState())

    def show_state(self, state: VisitState) -> None:
        if state.stage == IDLE:
            self._message.setText("Welcome. Your nurse will start your session.")
        else:
            self._message.setText(STAGE_TITLES.get(state.stage, state.stage))

    def message(self) -> str:
        return self._message.text()
