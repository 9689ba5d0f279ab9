"""Breathe: a guided breathing exercise with a soft shape to follow.

Four pages, one at a time:

- choosing: the patterns and the lengths as big tiles, and Start, which starts
  the kiosk's default with a single tap;
- the exercise: the pacer, the phase in large words with a few gentle ones under
  it, a thin line that fills as the exercise goes on, Stop and I feel dizzy;
- after "I feel dizzy": "Breathe normally. You are safe." and Call nurse;
- the end of the exercise, with Breathe again.

The exercise itself is `kiosk.breathing.Guide` (plain Python); this screen only
shows it and passes the patient's taps to it. While an exercise runs and the
screen is shown, a timer asks the guide where it stands about sixty times a
second. The answer is a function of the time elapsed, so a late frame shows the
right moment a little late and never puts the pacer out of step; and the pacer
repaints only the ring where its edge moved.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRect, QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QPainter,
    QPaintEvent,
    QPen,
    QRadialGradient,
    QRegion,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.breathing import (
    CHOOSING,
    DIZZY,
    FINISHED,
    LENGTHS,
    PAUSED,
    RUNNING,
    Guide,
    Moment,
)
from kiosk.content import Content
from kiosk.screens.base import Screen
from kiosk.widgets import BigButton, ScrollColumn, colour_property

FRAME_MS = 16
"""How often a running exercise is drawn: about 60 frames a second."""
PAGES = (CHOOSING, RUNNING, DIZZY, FINISHED)
"""The screen's pages, named after the guide's states (a paused exercise shows as running)."""
MARGINS = (48, 20, 48, 24)


def _nothing() -> None:
    pass


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    """The colour `t` of the way from `a` to `b`."""
    t = min(1.0, max(0.0, t))
    return QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * t,
                           a.greenF() + (b.greenF() - a.greenF()) * t,
                           a.blueF() + (b.blueF() - a.blueF()) * t)


class Pacer(QWidget):
    """The shape to breathe with: a soft disc that grows on the in-breath and shrinks on the out-breath.

    With `still` (display.reduce_motion) the disc keeps one size and slowly
    brightens and dims instead. `set_size(0..1)` moves it; only the area that
    changes is repainted: the ring between the old and the new edge, or (still)
    the disc when its shade has changed by a visible step. Its colours come from
    the stylesheet (`qproperty-fillColor`, `qproperty-backColor`, `qproperty-ringColor`).
    """

    MIN_SCALE = 0.4  # the smallest disc, as a share of the largest
    STILL_SCALE = 0.8  # with reduce motion: the disc's one size
    FEATHER = 30  # px of soft edge
    SHADES = 96  # with reduce motion: the visible steps between dim and bright
    SOFT = 0.62  # the disc at its brightest, as a share of the fill colour over the background
    DIM = 0.3  # with reduce motion: the faintest shade, as a share of SOFT
    MIN_STEP_PX = 0.05  # a smaller move of the edge is not worth a frame

    def __init__(self, still: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pacer")
        self.still = still
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(360, 360)
        self.setAccessibleName("Breathing guide")
        self._fill = QColor("#e6bd82")
        self._back = QColor("#1c1815")
        self._ring = QColor("#4a3f36")
        self._size = 0.0
        self._shade = 0
        self.frames = 0  # paint events since the pacer was made: frames shown, for make bench

    # -- what it shows -------------------------------------------------------------------
    def set_size(self, size: float) -> None:
        """Show the breath at `size`, 0 (lungs empty) to 1 (full)."""
        size = min(1.0, max(0.0, size))
        if self.still:
            shade = round(size * self.SHADES)
            self._size = size
            if shade != self._shade:
                self._shade = shade
                self.update(self._square(self.radius() + 2))
            return
        old, new = self.radius(), self._radius_at(size)
        if abs(new - old) < self.MIN_STEP_PX and size not in (0.0, 1.0):
            return
        self._size = size
        if new != old:
            self.update(self.changed_region(old, new))

    def radius(self) -> float:
        """The disc's radius on screen now, in px."""
        return self._radius_at(self._size)

    def shade(self) -> float:
        """How bright the disc is now: 0 is the background, 1 the fill colour itself."""
        share = self.DIM + (1 - self.DIM) * self._shade / self.SHADES if self.still else 1.0
        return self.SOFT * share

    def changed_region(self, old: float, new: float) -> QRegion:
        """The area that differs between a disc of radius `old` and one of `new`."""
        outer = QRegion(self._square(max(old, new) + 2))
        inner = (min(old, new) - self.FEATHER - 2) / math.sqrt(2)  # inside the feather: unchanged
        return outer.subtracted(QRegion(self._square(inner))) if inner > 1 else outer

    # -- inside ------------------------------------------------------------------------
    def _largest(self) -> float:
        return max(10.0, min(self.width(), self.height()) / 2 - 8)

    def _radius_at(self, size: float) -> float:
        largest = self._largest()
        if self.still:
            return largest * self.STILL_SCALE
        return largest * (self.MIN_SCALE + (1 - self.MIN_SCALE) * size)

    def _center(self) -> QPointF:
        return QPointF(self.width() / 2, self.height() / 2)

    def _square(self, half: float) -> QRect:
        c = self._center()
        return QRectF(c.x() - half, c.y() - half, 2 * half, 2 * half).toAlignedRect()

    def paintEvent(self, event: QPaintEvent) -> None:
        self.frames += 1
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.fillRect(event.rect(), self._back)
        center = self._center()
        if not self.still:  # a faint ring where the full breath reaches
            painter.setPen(QPen(self._ring, 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            largest = self._largest()
            painter.drawEllipse(center, largest, largest)
        radius = self.radius()
        colour = _mix(self._back, self._fill, self.shade())
        edge = QColor(colour)
        edge.setAlphaF(0.0)
        gradient = QRadialGradient(center, radius)
        gradient.setColorAt(0.0, colour)
        gradient.setColorAt(max(0.0, (radius - self.FEATHER) / radius), colour)
        gradient.setColorAt(1.0, edge)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(gradient)
        painter.drawEllipse(center, radius, radius)
        painter.end()

    fillColor = colour_property("_fill")  # Qt property names, for the stylesheet
    backColor = colour_property("_back")
    ringColor = colour_property("_ring")


class ChoiceTile(BigButton):
    """A checkable tile for one choice. Signals: `chosen(value)` on a tap."""

    chosen = Signal(str)

    def __init__(self, value: str, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__("", parent, accessible_name=accessible_name, role="choice")
        self.setObjectName("breathChoice")
        self.value = value
        self.setCheckable(True)
        self.clicked.connect(self._on_clicked)

    @Slot()
    def _on_clicked(self) -> None:
        self.chosen.emit(self.value)


class ProgressLine(QWidget):
    """A thin line that fills from the left as the exercise goes on. Not a control."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("breathProgress")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setFixedHeight(14)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Progress of the exercise")
        self._done = 0.0
        self._filled_px = 0
        self._fill = QColor("#8f8172")
        self._empty = QColor("#332b25")

    def set_done(self, done: float) -> None:
        self._done = min(1.0, max(0.0, done))
        filled = round(self._done * self.width())
        if filled != self._filled_px:
            self._filled_px = filled
            self.setAccessibleDescription(f"{round(self._done * 100)} %")
            self.update()

    def done(self) -> float:
        return self._done

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(Qt.PenStyle.NoPen)
        radius = self.height() / 2
        painter.setBrush(self._empty)
        painter.drawRoundedRect(QRectF(self.rect()), radius, radius)
        filled = round(self._done * self.width())
        if filled > 0:
            painter.setBrush(self._fill)
            painter.drawRoundedRect(QRectF(0, 0, max(filled, self.height()), self.height()),
                                    radius, radius)
        painter.end()

    fillColor = colour_property("_fill")
    emptyColor = colour_property("_empty")


class BreatheScreen(Screen):
    """The breathing exercise. Signals: `call_requested` (Call nurse after "I feel dizzy"),
    `running_changed(bool)` when an exercise starts or stops running, and `phase_started(kind)`
    at the start of each phase of a running exercise (for the cue tone).
    """

    name = "breathe"
    call_requested = Signal()
    running_changed = Signal(bool)
    phase_started = Signal(str)

    def __init__(self, guide: Guide, content: Content, *, reduce_motion: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.guide = guide
        self.reduce_motion = reduce_motion
        self._content = content
        self._shown = False
        self._running = False
        self._phase: tuple[int, int] | None = None  # (breath, phase index) on screen
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._on_frame)

        self.pages = QStackedWidget(self)
        self._page: dict[str, QWidget] = {}
        self._build_choose()
        self._build_run()
        self._build_dizzy()
        self._build_finished()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self._unsubscribe = guide.subscribe(self._on_guide_changed)
        self.set_content(content)
        self._on_guide_changed(guide.state)

    # -- building ------------------------------------------------------------------------
    def _add_page(self, name: str) -> QWidget:
        page = QWidget(self.pages)
        page.setObjectName(f"breathe-{name}")
        self.pages.addWidget(page)
        self._page[name] = page
        return page

    def _build_choose(self) -> None:
        page = self._add_page(CHOOSING)
        self.title = self._label("title", page)
        self.lead = self._label("lead", page)
        self.pace_caption = self._label("caption", page)
        self.length_caption = self._label("caption", page)
        self.pattern_tiles: dict[str, ChoiceTile] = {}
        self.length_tiles: dict[int, ChoiceTile] = {}
        patterns = QButtonGroup(page)
        lengths = QButtonGroup(page)
        # the tiles scroll if they do not fit (large text); Start stays put
        self.choices = ScrollColumn(page)
        self._grid = QGridLayout()
        self._grid.setHorizontalSpacing(20)
        self._grid.setVerticalSpacing(20)
        self._columns = 0
        for name in self.guide.patterns:
            tile = ChoiceTile(name, f"Pattern {name}", page)
            tile.chosen.connect(self._on_pattern_chosen)
            patterns.addButton(tile)
            self.pattern_tiles[name] = tile
        for minutes in LENGTHS:
            name = f"Length {minutes} min" if minutes else "Length open-ended"
            tile = ChoiceTile(str(minutes), name, page)
            tile.chosen.connect(self._on_length_chosen)
            lengths.addButton(tile)
            self.length_tiles[minutes] = tile
        self._arrange_tiles(len(LENGTHS))
        self.choices.body.addLayout(self._grid)
        self.choices.body.addStretch(1)
        self.start_button = BigButton("Start", page, accessible_name="Start breathing", role="primary")
        self.start_button.clicked.connect(self._on_start_clicked)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(*MARGINS)
        layout.setSpacing(0)
        layout.addWidget(self.title)
        layout.addSpacing(8)
        layout.addWidget(self.lead)
        layout.addSpacing(24)
        layout.addWidget(self.choices, 1)
        layout.addSpacing(12)
        layout.addWidget(self.start_button)

    def _build_run(self) -> None:
        page = self._add_page(RUNNING)
        self.pacer = Pacer(self.reduce_motion, page)
        self.phase_word = self._label("phaseWord", page)
        self.phase_hint = self._label("phaseHint", page)
        self.phase_word.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom)
        self.phase_hint.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.progress = ProgressLine(page)
        self.dizzy_button = BigButton("I feel dizzy", page, accessible_name="I feel dizzy")
        self.stop_button = BigButton("Stop", page, accessible_name="Stop breathing", role="secondary")
        self.dizzy_button.clicked.connect(self._on_dizzy_clicked)
        self.stop_button.clicked.connect(self._on_stop_clicked)
        side = QVBoxLayout()
        side.setSpacing(0)
        side.addStretch(2)
        side.addWidget(self.phase_word)
        side.addSpacing(12)
        side.addWidget(self.phase_hint)
        side.addSpacing(40)
        side.addWidget(self.progress)
        side.addStretch(3)
        buttons = QHBoxLayout()
        buttons.setSpacing(20)
        buttons.addWidget(self.dizzy_button)
        buttons.addWidget(self.stop_button)
        side.addLayout(buttons)
        layout = QHBoxLayout(page)
        layout.setContentsMargins(*MARGINS)
        layout.setSpacing(48)
        layout.addWidget(self.pacer, 1)
        layout.addLayout(side, 1)

    def _build_dizzy(self) -> None:
        page = self._add_page(DIZZY)
        self.safe_title = self._label("title", page)
        self.safe_lead = self._label("lead", page)
        self.call_button = BigButton("Call nurse", page, accessible_name="Call nurse", role="call")
        self.call_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.call_button.setMinimumWidth(380)
        self.call_button.clicked.connect(self.call_requested)
        self.better_button = BigButton("I feel better", page, accessible_name="I feel better",
                                       role="secondary")
        self.better_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.better_button.setMinimumWidth(380)
        self.better_button.clicked.connect(self._on_better_clicked)
        self._centred_page(page, self.safe_title, self.safe_lead, self.call_button, self.better_button)

    def _build_finished(self) -> None:
        page = self._add_page(FINISHED)
        self.end_title = self._label("title", page)
        self.end_lead = self._label("lead", page)
        self.again_button = BigButton("Breathe again", page, accessible_name="Breathe again",
                                      role="primary")
        self.again_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.again_button.setMinimumWidth(420)
        self.again_button.clicked.connect(self._on_start_clicked)
        self._centred_page(page, self.end_title, self.end_lead, self.again_button)

    def _centred_page(self, page: QWidget, title: QLabel, lead: QLabel, *buttons: BigButton) -> None:
        for label in (title, lead):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row = QHBoxLayout()
        row.setSpacing(32)
        row.addStretch(1)
        for button in buttons:
            row.addWidget(button)
        row.addStretch(1)
        # the words scroll if they do not fit (large text); the buttons stay put
        words = ScrollColumn(page)
        for label in (title, lead):
            label.setParent(words.widget())
        words.body.addStretch(2)
        words.body.addWidget(title)
        words.body.addSpacing(32)
        words.body.addWidget(lead)
        words.body.addStretch(1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(96, 48, 96, 32)
        layout.setSpacing(0)
        layout.addWidget(words, 3)
        layout.addSpacing(40)
        layout.addLayout(row)
        layout.addStretch(1)

    @staticmethod
    def _label(name: str, parent: QWidget) -> QLabel:
        label = QLabel(parent)
        label.setObjectName(name)
        label.setWordWrap(True)
        return label

    # -- what the window tells it ----------------------------------------------------------
    def set_content(self, content: Content) -> None:
        """Show the words of `content`'s language (accessible names stay fixed)."""
        self._content = content
        text = content.breathe_text
        self.title.setText(text("title"))
        self.lead.setText(text("lead_still" if self.reduce_motion else "lead"))
        self.pace_caption.setText(text("pace"))
        self.length_caption.setText(text("length"))
        for name, tile in self.pattern_tiles.items():
            tile.setText(content.pattern(name))
        for minutes, tile in self.length_tiles.items():
            tile.setText(text("minutes", minutes=minutes) if minutes else text("open_ended"))
        self.start_button.setText(text("start"))
        self.dizzy_button.setText(text("dizzy"))
        self.stop_button.setText(text("stop"))
        self.safe_title.setText(text("safe"))
        self.safe_lead.setText(text("safe_more"))
        self.call_button.setText(content.text("call_nurse"))
        self.better_button.setText(text("better"))
        self.end_title.setText(text("finished"))
        self.end_lead.setText(text("finished_more"))
        self.again_button.setText(text("again"))
        now = self.guide.moment()
        if now is not None:
            self._show_phase(now)

    def page(self) -> str:
        """The page on screen: one of PAGES."""
        current = self.pages.currentWidget()
        return next(name for name, page in self._page.items() if page is current)

    def _arrange_tiles(self, columns: int) -> None:
        """The captions in the first column, the tiles in `columns` beside them."""
        if columns == self._columns:
            return
        self._columns = columns
        grid = self._grid
        for widget in (self.pace_caption, self.length_caption, *self.pattern_tiles.values(),
                       *self.length_tiles.values()):
            grid.removeWidget(widget)
        row = 0
        for caption, tiles in ((self.pace_caption, list(self.pattern_tiles.values())),
                               (self.length_caption, list(self.length_tiles.values()))):
            grid.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignVCenter)
            for i, tile in enumerate(tiles):
                grid.addWidget(tile, row + i // columns, 1 + i % columns)
            row += -(-len(tiles) // columns)
        for column in range(1, len(LENGTHS) + 1):
            grid.setColumnStretch(column, 0)  # each column as its words need, the rest shared

    def _fit_tiles(self) -> None:
        """Four tiles across when the words of each row fit side by side, else two."""
        def need(tile: ChoiceTile) -> int:  # the words, the padding and a chosen tile's border
            return tile.fontMetrics().horizontalAdvance(tile.text()) + 2 * (12 + 4) + 8

        caption = max(self.pace_caption.sizeHint().width(), self.length_caption.sizeHint().width())
        room = self.width() - MARGINS[0] - MARGINS[2] - caption - 20
        across = len(LENGTHS)
        widths = [need(tile) for tile in self.pattern_tiles.values()]
        rows = [widths[i:i + across] for i in range(0, len(widths), across)]
        rows.append([need(tile) for tile in self.length_tiles.values()])
        # the columns are shared by both rows: each as wide as its widest tile
        columns = [max(row[i] for row in rows if i < len(row)) for i in range(across)]
        self._arrange_tiles(across if sum(columns) + 20 * (across - 1) <= room else 2)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_tiles()

    def on_enter(self) -> None:
        self._shown = True
        self._fit_tiles()
        self._keep_words_still()
        self.guide.come_back()  # carries on, or back to choosing after a long while
        self._on_guide_changed(self.guide.state)

    def on_leave(self) -> None:
        self._shown = False
        self.guide.leave()
        self._timer.stop()

    # -- patient's taps --------------------------------------------------------------------
    @Slot(str)
    def _on_pattern_chosen(self, name: str) -> None:
        self.guide.choose(pattern_name=name)

    @Slot(str)
    def _on_length_chosen(self, minutes: str) -> None:
        self.guide.choose(minutes=int(minutes))

    @Slot()
    def _on_start_clicked(self) -> None:
        self.guide.start()

    @Slot()
    def _on_stop_clicked(self) -> None:
        self.guide.stop()

    @Slot()
    def _on_dizzy_clicked(self) -> None:
        self.guide.dizzy()

    @Slot()
    def _on_better_clicked(self) -> None:
        self.guide.dismiss()

    # -- showing the guide ----------------------------------------------------------------
    def _on_guide_changed(self, state: str) -> None:
        self.pages.setCurrentWidget(self._page[RUNNING if state == PAUSED else state])
        for name, tile in self.pattern_tiles.items():
            tile.setChecked(name == self.guide.pattern.name)
        for minutes, tile in self.length_tiles.items():
            tile.setChecked(minutes == self.guide.minutes)
        running = state == RUNNING
        if running and self._shown:
            if not self._timer.isActive():
                self._phase = None
                self.progress.setVisible(self.guide.minutes > 0)
                self._timer.start()
                self._on_frame()
        else:
            self._timer.stop()
        if running != self._running:
            self._running = running
            self.running_changed.emit(running)

    @Slot()
    def _on_frame(self) -> None:
        now = self.guide.moment()  # may end the exercise, which changes the page
        if now is None or now.finished:
            return
        self.pacer.set_size(now.size)
        self.progress.set_done(now.done)
        key = (now.breath, now.phase_index)
        if key != self._phase:
            self._phase = key
            self._show_phase(now)
            self.phase_started.emit(now.kind)

    def _keep_words_still(self) -> None:
        # Room for two lines each, whatever the phase says, so nothing moves at a change.
        for label in (self.phase_word, self.phase_hint):
            label.ensurePolished()
            label.setMinimumHeight(2 * label.fontMetrics().lineSpacing())

    def _show_phase(self, now: Moment) -> None:
        text = self._content.breathe_text
        self.phase_word.setText(text(now.kind))
        self.phase_hint.setText(text(f"{now.kind}_hint"))

    def shutdown(self) -> None:
        """Stop drawing and stop listening to the guide (idempotent)."""
        self._timer.stop()
        self._unsubscribe()
        self._unsubscribe = _nothing

    @property
    def frame_timer(self) -> QTimer:
        """Draws the running exercise; active only while it runs on screen."""
        return self._timer
