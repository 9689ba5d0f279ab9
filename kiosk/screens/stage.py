"""The stage guide: where the visit is, what is happening, what you may feel, what helps.

The heart of the product. It redraws from the visit state and the content it is
given; during the infusion it shows the minutes so far and an approximate time
to go, never a countdown that implies the infusion must end at zero.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.content import Content
from kiosk.screens.base import Screen
from kiosk.session import INFUSION, STAGES, SessionModel
from kiosk.widgets import StageStrip

COLUMN_MAX_PX = 1300


class StageScreen(Screen):
    """Title, three short paragraphs and the strip of six stages."""

    name = "stage"

    def __init__(self, session: SessionModel, content: Content, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._content = content
        self.strip = StageStrip([content.stages[s].short for s in STAGES], self)
        self.title = QLabel(self)
        self.title.setObjectName("stageTitle")
        self.timing = QLabel(self)
        self.timing.setObjectName("timing")
        self.now = QLabel(self)
        self.now.setObjectName("lead")
        self.feel = QLabel(self)
        self.feel.setObjectName("body")
        self.helps = QLabel(self)
        self.helps.setObjectName("body")
        for label in (self.title, self.timing, self.now, self.feel, self.helps):
            label.setWordWrap(True)
        rule = QFrame(self)
        rule.setObjectName("rule")
        rule.setFixedHeight(2)
        # Long lines are hard to follow: on wide screens the text keeps a readable column.
        column = QWidget(self)
        column.setMaximumWidth(COLUMN_MAX_PX)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(column)
        layout = QVBoxLayout(column)
        layout.setContentsMargins(72, 20, 72, 12)
        layout.setSpacing(20)
        layout.addWidget(self.strip)
        layout.addWidget(rule)
        layout.addSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.timing)
        layout.addSpacing(6)
        layout.addWidget(self.now)
        layout.addWidget(self.feel)
        layout.addWidget(self.helps)
        layout.addStretch(1)
        self.refresh()

    def set_content(self, content: Content) -> None:
        self._content = content
        self.strip.set_names([content.stages[s].short for s in STAGES])
        self.refresh()

    def on_enter(self) -> None:
        self.refresh()

    def set_compact(self, compact: bool) -> None:
        """Only the title, the timing and what is happening, to make room (for an open call)."""
        self.feel.setVisible(not compact)
        self.helps.setVisible(not compact)

    def refresh(self) -> None:
        """Redraw from the visit model (also called each minute during the infusion)."""
        stage = self._session.stage
        if stage not in STAGES:
            self._clear()  # no visit: nothing of the last one stays on screen
            return
        text = self._content.stages[stage]
        index = STAGES.index(stage)
        self.strip.set_current(index)
        self.strip.setAccessibleDescription(
            self._content.text("stage_of", number=index + 1, count=len(STAGES))
        )
        self.title.setText(text.title)
        self.now.setText(text.now)
        self.feel.setText(text.feel)
        self.helps.setText(text.helps)
        self.timing.setText(self._timing_text(stage))
        self.timing.setVisible(bool(self.timing.text()))

    def _clear(self) -> None:
        for label in (self.title, self.timing, self.now, self.feel, self.helps):
            label.clear()
        self.strip.setAccessibleDescription("")
        self.strip.set_current(-1)

    def _timing_text(self, stage: str) -> str:
        if stage != INFUSION:
            return ""
        minutes = self._session.infusion_elapsed_minutes() or 0
        left = self._session.infusion_minutes_left()
        so_far = self._content.text("minutes_so_far", minutes=minutes)
        if left is None or left <= 0:
            return f"{so_far}. {self._content.text('nearly_done')}."
        return f"{so_far}. {self._content.text('minutes_to_go', minutes=left)}."
