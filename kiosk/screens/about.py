"""About your treatment: a few short cards to read before the infusion.

What the infusion is, how you are watched and kept safe, what you may feel, and
after the visit. One card at a time in large type, with Back and Next; the last
card's Next is Done. The patient may leave at any card with the bar's Back
button, and finds the same card again on return within the visit.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from kiosk.content import Content
from kiosk.screens.base import Screen
from kiosk.widgets import BigButton, ScrollColumn


class AboutScreen(Screen):
    """Card title, card text, "n of 4", and Back / Next (Done on the last card).

    Signals (intents): `finished` when Done is pressed on the last card.
    """

    name = "about"

    finished = Signal()

    def __init__(self, content: Content, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._content = content
        self.index = 0
        self.heading = QLabel(self)
        self.heading.setObjectName("caption")
        self.title = QLabel(self)
        self.title.setObjectName("title")
        self.text = QLabel(self)
        self.text.setObjectName("lead")
        self.position = QLabel(self)
        self.position.setObjectName("caption")
        for label in (self.heading, self.title, self.text, self.position):
            label.setWordWrap(True)
        self.previous_button = BigButton("", self, accessible_name="Previous card",
                                         role="secondary")
        self.next_button = BigButton("", self, accessible_name="Next card", role="primary")
        for button in (self.previous_button, self.next_button):
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            button.setMinimumWidth(260)
        self.previous_button.clicked.connect(self._on_previous_clicked)
        self.next_button.clicked.connect(self._on_next_clicked)
        row = QHBoxLayout()
        row.setSpacing(24)
        row.addWidget(self.position, 1, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.previous_button)
        row.addWidget(self.next_button)
        # the card's words scroll if they do not fit (large text); the buttons stay put
        self.words = ScrollColumn(self)
        self.words.body.setSpacing(20)
        for label in (self.title, self.text):
            label.setParent(self.words.widget())
            self.words.body.addWidget(label)
        self.words.body.addStretch(1)
        column = QWidget(self)
        column.setMaximumWidth(1200)
        layout = QVBoxLayout(column)
        layout.setContentsMargins(72, 24, 40, 16)
        layout.setSpacing(16)
        layout.addWidget(self.heading)
        layout.addWidget(self.words, 1)
        layout.addLayout(row)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(column)
        self.set_content(content)

    @property
    def count(self) -> int:
        return len(self._content.about_cards)

    def restart(self) -> None:
        """Back to the first card (a new visit)."""
        self.show_card(0)

    def show_card(self, index: int) -> None:
        self.index = max(0, min(self.count - 1, index))
        card = self._content.about_cards[self.index]
        self.title.setText(card.title)
        self.text.setText(card.text)
        self.position.setText(self._content.about_text("card_of", number=self.index + 1,
                                                       count=self.count))
        last = self.index == self.count - 1
        self.previous_button.setVisible(self.index > 0)
        self.next_button.setText(self._content.about_text("done" if last else "next"))
        self.next_button.setAccessibleName("Done" if last else "Next card")
        self.words.to_top()

    def set_content(self, content: Content) -> None:
        self._content = content
        self.heading.setText(content.about_text("title"))
        self.previous_button.setText(content.about_text("previous"))
        self.show_card(self.index)

    @Slot()
    def _on_previous_clicked(self) -> None:
        self.show_card(self.index - 1)

    @Slot()
    def _on_next_clicked(self) -> None:
        if self.index == self.count - 1:
            self.finished.emit()
        else:
            self.show_card(self.index + 1)
