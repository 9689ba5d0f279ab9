"""Check-in: "How are you feeling right now?", answered with one of five large faces.

Asked once before the infusion and once in recovery (`session.checkins`). It is
optional: "Not now" leaves it, and so does the bar's Back button. A tap on a
face is the answer; the window records it (`checkin.recorded`) and only then
shows it, with thanks and Done. Another face may still be tapped: the
latest answer counts. Nothing here is timed.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.care import FEELINGS
from kiosk.content import Content
from kiosk.screens.base import QuestionPage
from kiosk.widgets import BigButton, colour_property

FACE_PX = 104


class Face(QWidget):
    """A simple drawn face: a circle, two eyes and a mouth from a frown (1) to a smile (5).

    Drawn rather than taken from an emoji font, so it looks the same on every
    machine. Its colour comes from the stylesheet (`qproperty-faceColor`).
    """

    def __init__(self, value: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("face")
        self.value = value
        self._face = QColor("#e6bd82")
        self.setFixedSize(FACE_PX, FACE_PX)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)

    faceColor = colour_property("_face")

    def curve(self) -> float:
        """How much the mouth smiles: -1 (a frown) to 1 (a wide smile)."""
        return (self.value - 3) / 2

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        size = min(self.width(), self.height())
        pen = QPen(self._face, max(4.0, size / 18))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        margin = pen.widthF()
        ring = QRectF(margin, margin, size - 2 * margin, size - 2 * margin)
        painter.drawEllipse(ring)
        cx, cy, r = ring.center().x(), ring.center().y(), ring.width() / 2
        painter.setBrush(self._face)
        eye = r * 0.09
        for dx in (-0.33, 0.33):
            painter.drawEllipse(QPointF(cx + dx * r, cy - 0.22 * r), eye, eye)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        mouth = QPainterPath()
        left, right, y = cx - 0.42 * r, cx + 0.42 * r, cy + 0.32 * r
        bend = self.curve() * 0.28 * r
        mouth.moveTo(left, y - bend / 2)
        mouth.quadTo(cx, y + bend * 1.5, right, y - bend / 2)
        painter.drawPath(mouth)


class FaceTile(BigButton):
    """One answer: a face above its word. Signals `chosen(value)` when tapped."""

    chosen = Signal(int)

    def __init__(self, value: int, parent: QWidget | None = None) -> None:
        super().__init__("", parent, accessible_name=f"Feeling {value} of {len(FEELINGS)}",
                         role="face", min_height=FACE_PX + 90)
        self.setObjectName("faceTile")
        self.value = value
        self.setCheckable(True)
        self.face = Face(value, self)
        self.word = QLabel(self)
        self.word.setObjectName("faceWord")
        self.word.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.word.setWordWrap(True)
        self.word.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 16, 8, 12)
        layout.setSpacing(8)
        layout.addWidget(self.face, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.word, 1)
        self.clicked.connect(self._on_clicked)

    def set_word(self, word: str) -> None:
        self.word.setText(word)
        self.setAccessibleDescription(word)

    @Slot()
    def _on_clicked(self) -> None:
        self.chosen.emit(self.value)


class CheckinScreen(QuestionPage):
    """The question, five faces with words, and Not now (Done once answered).

    Signals (intents): `answered(moment, value)`, `skipped(moment)`, `finished(moment)`.
    """

    name = "checkin"

    answered = Signal(str, int)
    skipped = Signal(str)
    finished = Signal(str)

    def __init__(self, content: Content, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.moment = "before"
        self._answer: int | None = None
        self.question = self.title
        self.group = QButtonGroup(self)
        self.tiles: dict[int, FaceTile] = {}
        row = QHBoxLayout()
        row.setSpacing(16)
        for value in FEELINGS:
            tile = FaceTile(value, self)
            tile.chosen.connect(self._on_chosen)
            self.group.addButton(tile)
            self.tiles[value] = tile
            row.addWidget(tile)
        self.leave_button.clicked.connect(self._on_leave_clicked)
        self.layout_.addLayout(row, 1)
        self._content = content
        self.set_content(content)

    def ask(self, moment: str, answer: int | None = None) -> None:
        """Ask afresh for `moment` ("before" or "after"), showing an earlier `answer` if any."""
        self.moment = moment
        self._answer = answer
        self.group.setExclusive(False)
        for value, tile in self.tiles.items():
            tile.setChecked(value == answer)
        self.group.setExclusive(True)
        self._refresh()

    def set_content(self, content: Content) -> None:
        self._content = content
        self.question.setText(content.checkin_text("question"))
        for value, tile in self.tiles.items():
            tile.set_word(content.checkin_text(f"feel_{value}"))
        self._refresh()

    def answer(self) -> int | None:
        return self._answer

    def _refresh(self) -> None:
        answered = self._answer is not None
        self.show_leave(self._content.checkin_text("thanks" if answered else "lead"),
                        self._content.checkin_text("done" if answered else "skip"),
                        answered=answered)

    @Slot(int)
    def _on_chosen(self, value: int) -> None:
        # The window records the answer and then shows it with ask(): the thanks
        # ("your nurse can see this") appears only once it is true.
        self.answered.emit(self.moment, value)

    @Slot()
    def _on_leave_clicked(self) -> None:
        if self._answer is None:
            self.skipped.emit(self.moment)
        else:
            self.finished.emit(self.moment)
