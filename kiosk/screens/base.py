"""The base of every screen: a name, and hooks for when it is shown or left."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from kiosk.widgets import BigButton


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


class QuestionPage(Screen):
    """A question to the patient: a heading, a lead with the way on beside it, then the answers.

    The way on reads "Not now" until the patient has answered, then "Done"
    (`show_leave`). Subclasses add their answers to `layout`.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(self)
        self.title.setObjectName("stageTitle")
        self.lead = QLabel(self)
        self.lead.setObjectName("lead")
        for label in (self.title, self.lead):
            label.setWordWrap(True)
        self.leave_button = BigButton("", self, accessible_name="Not now", role="secondary")
        self.leave_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.leave_button.setMinimumWidth(300)
        under = QHBoxLayout()
        under.setSpacing(24)
        under.addWidget(self.lead, 1)
        under.addWidget(self.leave_button, 0, Qt.AlignmentFlag.AlignTop)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(48, 20, 48, 16)
        self.layout_.setSpacing(16)
        self.layout_.addWidget(self.title)
        self.layout_.addLayout(under)
        self.layout_.addSpacing(4)

    def show_leave(self, lead: str, leave: str, *, answered: bool) -> None:
        """The lead's words, and the way on: Done once answered, else Not now."""
        self.lead.setText(lead)
        button = self.leave_button
        button.setText(leave)
        button.setAccessibleName("Done" if answered else "Not now")
        button.setProperty("role", "primary" if answered else "secondary")
        button.style().unpolish(button)
        button.style().polish(button)
