"""The stage guide: where the visit is, what is happening, what you may feel, what helps.

The heart of the product. It redraws from the visit state and the content it is
given; during the infusion it shows the minutes so far and an approximate time
to go, never a countdown that implies the infusion must end at zero.

Before the infusion it offers "About your treatment". At `going_home` it shows
the going-home checklist, each item ticked as the nurse confirms it in the staff
panel. The words sit in a column that scrolls when they do not fit (large
`display.text_scale`, a long clinic text), with a wide scroll bar that says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.care import DISCHARGE_ITEMS
from kiosk.content import Content
from kiosk.screens.base import Screen
from kiosk.session import INFUSION, STAGES, SessionModel
from kiosk.widgets import BigButton, ScrollColumn

COLUMN_MAX_PX = 1300
ABOUT_STAGES = ("settling", "iv_placement")
"""Stages at which About your treatment is offered: before the infusion."""
GOING_HOME = "going_home"
TICK, OPEN = "✓", "○"


class StageStrip(QWidget):
    """The six stages in a row; the current one stands out, the past ones are dimmed.

    When the names do not fit across (large text, long words) it shows one line
    instead: "Step 3 of 6 · Medicine".
    """

    SPACING = 28

    def __init__(self, names: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Stages of your visit")
        self._names = list(names)
        self._current = -1
        self._step_text = ""
        self.row = QWidget(self)
        row = QHBoxLayout(self.row)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(self.SPACING)
        self.labels: list[QLabel] = []
        for name in names:
            label = QLabel(name, self.row)
            label.setProperty("step", "future")
            label.setWordWrap(True)
            row.addWidget(label, 1)
            self.labels.append(label)
        self.summary = QLabel(self)
        self.summary.setProperty("step", "current")
        self.summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.row)
        layout.addWidget(self.summary)
        self.summary.hide()

    def set_names(self, names: Sequence[str]) -> None:
        self._names = list(names)
        for label, name in zip(self.labels, names, strict=True):
            label.setText(name)
        self._fit()

    def set_current(self, index: int, step_text: str = "") -> None:
        """Mark stage `index` (-1: none); `step_text` is "Step 3 of 6", for the one-line form."""
        self._current, self._step_text = index, step_text
        for i, label in enumerate(self.labels):
            step = "past" if i < index else "current" if i == index else "future"
            if label.property("step") != step:
                label.setProperty("step", step)
                label.style().unpolish(label)
                label.style().polish(label)
        name = self._names[index] if 0 <= index < len(self._names) else ""
        self.summary.setText(" · ".join(t for t in (step_text, name) if t))
        self._fit()

    @property
    def compact(self) -> bool:
        """True when the one-line form is shown."""
        return self.summary.isVisibleTo(self)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """The row when every word of every name fits its share of the width, else one line."""
        if not self.labels or self.width() <= 0:
            return
        share = (self.width() - self.SPACING * (len(self.labels) - 1)) / len(self.labels)
        fits = True
        for label in self.labels:
            label.ensurePolished()
            font = QFont(label.font())
            font.setBold(True)  # the current name is bold: room for the widest case
            metrics = QFontMetrics(font)
            if any(metrics.horizontalAdvance(word) > share for word in label.text().split()):
                fits = False
                break
        self.row.setVisible(fits)
        self.summary.setVisible(not fits)


class Checklist(QWidget):
    """The going-home checklist: one line per item, ticked once the nurse confirms it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Going-home checklist")
        self.title = QLabel(self)
        self.title.setObjectName("timing")
        self.title.setWordWrap(True)
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(10)
        grid.setColumnStretch(1, 1)
        self.marks: dict[str, QLabel] = {}
        self.items: dict[str, QLabel] = {}
        for row, item in enumerate(DISCHARGE_ITEMS):
            mark = QLabel(OPEN, self)
            mark.setObjectName("checkMark")
            mark.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            text = QLabel(self)
            text.setObjectName("body")
            text.setWordWrap(True)
            grid.addWidget(mark, row, 0)
            grid.addWidget(text, row, 1)
            self.marks[item], self.items[item] = mark, text
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(self.title)
        layout.addLayout(grid)
        self._confirmed: frozenset[str] = frozenset()
        self._done_word = ""

    def set_content(self, content: Content) -> None:
        self.title.setText(content.discharge_text("title"))
        self._done_word = content.discharge_text("confirmed")
        for item, label in self.items.items():
            label.setText(content.discharge_text(item))
        self.set_confirmed(self._confirmed)

    def set_confirmed(self, confirmed: Iterable[str]) -> None:
        self._confirmed = frozenset(confirmed)
        for item, mark in self.marks.items():
            done = item in self._confirmed
            mark.setText(TICK if done else OPEN)
            mark.setProperty("done", done)
            mark.style().unpolish(mark)
            mark.style().polish(mark)
            mark.setAccessibleName(self._done_word if done else "")


class StageScreen(Screen):
    """Title, three short paragraphs and the strip of six stages.

    Signals (intents): `about_requested` (About your treatment, before the infusion).
    """

    name = "stage"

    about_requested = Signal()

    def __init__(self, session: SessionModel, content: Content, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._content = content
        self._compact = False
        self.strip = StageStrip([content.stages[s].short for s in STAGES], self)
        rule = QFrame(self)
        rule.setObjectName("rule")
        rule.setFixedHeight(2)

        # the words, in a column that scrolls when they do not fit
        self.words_area = ScrollColumn(self)
        words = self.words_area.widget()
        self.title = QLabel(words)
        self.title.setObjectName("stageTitle")
        self.timing = QLabel(words)
        self.timing.setObjectName("timing")
        self.now = QLabel(words)
        self.now.setObjectName("lead")
        self.feel = QLabel(words)
        self.feel.setObjectName("body")
        self.helps = QLabel(words)
        self.helps.setObjectName("body")
        for label in (self.title, self.timing, self.now, self.feel, self.helps):
            label.setWordWrap(True)
        self.checklist = Checklist(words)
        self.about_button = BigButton("", words, accessible_name="About your treatment",
                                      role="secondary")
        self.about_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.about_button.clicked.connect(self.about_requested)
        text = self.words_area.body
        text.setSpacing(20)
        text.addWidget(self.title)
        text.addWidget(self.timing)
        text.addSpacing(6)
        text.addWidget(self.now)
        text.addWidget(self.checklist)
        text.addWidget(self.feel)
        text.addWidget(self.helps)
        text.addWidget(self.about_button)
        text.addStretch(1)

        # Long lines are hard to follow: on wide screens the text keeps a readable column.
        column = QWidget(self)
        column.setMaximumWidth(COLUMN_MAX_PX)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(column)
        layout = QVBoxLayout(column)
        layout.setContentsMargins(72, 20, 40, 12)
        layout.setSpacing(16)
        layout.addWidget(self.strip)
        layout.addWidget(rule)
        layout.addWidget(self.words_area, 1)
        self.set_content(content)

    def set_content(self, content: Content) -> None:
        self._content = content
        self.strip.set_names([content.stages[s].short for s in STAGES])
        self.about_button.setText(content.text("about"))
        self.checklist.set_content(content)
        self.refresh()

    def set_discharge(self, confirmed: Iterable[str]) -> None:
        """The checklist items the nurse has confirmed."""
        self.checklist.set_confirmed(confirmed)

    def on_enter(self) -> None:
        self.refresh()
        self.words_area.to_top()

    def set_compact(self, compact: bool) -> None:
        """Only the title, the timing and what is happening, to make room (for an open call)."""
        self._compact = compact
        self.refresh()

    def refresh(self) -> None:
        """Redraw from the visit model (also called each minute during the infusion)."""
        stage = self._session.stage
        if stage not in STAGES:
            self._clear()  # no visit: nothing of the last one stays on screen
            return
        text = self._content.stages[stage]
        index = STAGES.index(stage)
        step = self._content.text("stage_of", number=index + 1, count=len(STAGES))
        self.strip.set_current(index, step)
        self.strip.setAccessibleDescription(step)
        self.title.setText(text.title)
        self.now.setText(text.now)
        self.feel.setText(text.feel)
        self.helps.setText(text.helps)
        self.timing.setText(self._timing_text(stage))
        self.timing.setVisible(bool(self.timing.text()))
        self.feel.setVisible(not self._compact)
        self.helps.setVisible(not self._compact)
        self.checklist.setVisible(stage == GOING_HOME)
        self.about_button.setVisible(stage in ABOUT_STAGES and not self._compact)

    def _clear(self) -> None:
        for label in (self.title, self.timing, self.now, self.feel, self.helps):
            label.clear()
        self.checklist.set_confirmed(())
        self.checklist.hide()
        self.about_button.hide()
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
