"""Shared widgets: big buttons, the Call nurse button and call keys, the long-press Staff control,
the PIN pad, the call strip.

Every control a person can touch is at least `TOUCH_PX` tall and carries an
accessible name. Widgets here hold no rules: they turn touches into signals.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from PySide6.QtCore import (
    Property,
    QAbstractAnimation,
    QEasingCurve,
    QEvent,
    QObject,
    Qt,
    QTimer,
    QVariantAnimation,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

TOUCH_PX = 120


def colour_property(attribute: str) -> Property:
    """A QColor Qt property kept in `attribute` that repaints its widget when set.

    For painted widgets that take their colours from the stylesheet
    (`qproperty-<name>: #rrggbb`), so that each theme lives in one place.
    """

    def get(widget: QWidget) -> QColor:
        return QColor(getattr(widget, attribute))

    def set_(widget: QWidget, colour: QColor) -> None:
        setattr(widget, attribute, QColor(colour))
        widget.update()

    return Property(QColor, get, set_)


class BigButton(QPushButton):
    """A large touch target with an accessible name (its text unless told otherwise)."""

    def __init__(
        self,
        text: str,
        parent: QWidget | None = None,
        *,
        accessible_name: str | None = None,
        role: str = "tile",
        min_height: int = TOUCH_PX,
    ) -> None:
        super().__init__(text, parent)
        self.setAccessibleName(accessible_name or text)
        self.setProperty("role", role)
        self.setMinimumHeight(min_height)
        self.setMinimumWidth(min_height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAutoDefault(False)


class CallNurseButton(BigButton):
    """The Call nurse button: discreet but obvious, always in the same place.

    Signals: `call_requested` on a tap (no confirmation: one tap calls).
    """

    call_requested = Signal()

    def __init__(self, text: str = "Call nurse", parent: QWidget | None = None) -> None:
        super().__init__(text, parent, accessible_name="Call nurse", role="call")
        self.setMinimumWidth(300)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(TOUCH_PX)
        self.clicked.connect(self.call_requested)

    def fit_label(self, text: str, widest: int) -> None:
        """Show `text`, on two lines when one line would be wider than `widest` px."""
        self.ensurePolished()
        self.setText(text)
        if self.sizeHint().width() <= widest or " " not in text:
            return
        # break at the space nearest the middle, so the two lines are about even
        middle = len(text) / 2
        spaces = [i for i, c in enumerate(text) if c == " "]
        cut = min(spaces, key=lambda i: abs(i - middle))
        self.setText(text[:cut] + "\n" + text[cut + 1:])


class LongPressButton(QPushButton):
    """A control that acts only when held for `hold_ms`; a short tap does nothing.

    Signals: `long_pressed` once the hold time has passed while still pressed.
    """

    long_pressed = Signal()

    def __init__(
        self, text: str, parent: QWidget | None = None, *, hold_ms: int = 2000, accessible_name: str
    ) -> None:
        super().__init__(text, parent)
        self.setAccessibleName(accessible_name)
        self.setProperty("role", "discreet")
        self.setMinimumSize(TOUCH_PX, TOUCH_PX)
        self.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self.setAutoDefault(False)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(hold_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.pressed.connect(self._timer.start)
        self.released.connect(self._timer.stop)

    @property
    def hold_timer(self) -> QTimer:
        return self._timer

    @Slot()
    def _on_timer_timeout(self) -> None:
        if self.isDown():
            self.setDown(False)
            self.long_pressed.emit()


class PinPad(QWidget):
    """Big digit keys and a display of dots; the PIN itself is never shown.

    Signals: `pin_entered(str)` when OK is pressed, `cancelled` on Cancel.
    """

    pin_entered = Signal(str)
    cancelled = Signal()

    MAX_DIGITS = 12

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._digits = ""
        self.display = QLabel(self)
        self.display.setObjectName("pinDisplay")
        self.display.setAccessibleName("PIN entered")
        self.message = QLabel(self)
        self.message.setObjectName("pinMessage")
        self.message.setWordWrap(True)
        grid = QGridLayout()
        grid.setSpacing(12)
        keys: Sequence[tuple[str, str]] = [
            *[(str(d), str(d)) for d in range(1, 10)],
            (self.tr("Clear"), "Clear"),
            ("0", "0"),
            (self.tr("OK"), "OK"),
        ]
        self.keys: dict[str, BigButton] = {}
        for index, (label, name) in enumerate(keys):
            button = BigButton(label, self, accessible_name=f"PIN {name}" if name.isdigit() else name,
                               role="key", min_height=90)
            button.clicked.connect(lambda _=False, key=name: self._on_key(key))
            grid.addWidget(button, index // 3, index % 3)
            self.keys[name] = button
        for column in range(3):
            grid.setColumnStretch(column, 1)
            grid.setColumnMinimumWidth(column, 180)
        self.cancel_button = BigButton(self.tr("Cancel"), self, accessible_name="Cancel", role="secondary")
        self.cancel_button.clicked.connect(self._on_cancel)
        layout = QGridLayout(self)
        layout.addWidget(self.display, 0, 0)
        layout.addWidget(self.message, 1, 0)
        layout.addLayout(grid, 2, 0)
        row = QHBoxLayout()
        row.addWidget(self.cancel_button)
        layout.addLayout(row, 3, 0)
        self._refresh()

    def type_digits(self, digits: str) -> None:
        """Press digit keys in turn (for tests and external keypads)."""
        for digit in digits:
            self.keys[digit].click()

    def clear(self) -> None:
        self._digits = ""
        self._refresh()

    def set_message(self, text: str) -> None:
        self.message.setText(text)

    def set_enabled_keys(self, enabled: bool) -> None:
        for button in self.keys.values():
            button.setEnabled(enabled)

    def _on_key(self, key: str) -> None:
        if key == "Clear":
            self._digits = ""
        elif key == "OK":
            pin, self._digits = self._digits, ""
            self._refresh()
            self.pin_entered.emit(pin)
            return
        elif len(self._digits) < self.MAX_DIGITS:
            self._digits += key
        self._refresh()

    @Slot()
    def _on_cancel(self) -> None:
        self.clear()
        self.cancelled.emit()

    def _refresh(self) -> None:
        self.display.setText("●  " * len(self._digits) if self._digits else " ")


class CallStrip(QWidget):
    """While a call is open: where it stands, in words above the bar, and Cancel call.

    Signals: `cancel_requested` on Cancel call.
    """

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("callStrip")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.status = QLabel(self)
        self.status.setObjectName("callStatus")
        self.status.setWordWrap(True)
        self.status.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.cancel_button = BigButton("Cancel call", self, accessible_name="Cancel call",
                                       role="secondary")
        self.cancel_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.cancel_button.setMinimumWidth(300)
        self.cancel_button.clicked.connect(self.cancel_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(32, 10, 24, 10)
        layout.setSpacing(24)
        layout.addWidget(self.status, 1)
        layout.addWidget(self.cancel_button)

    def show_status(self, text: str, cancel_label: str) -> None:
        self.status.setText(text)
        self.cancel_button.setText(cancel_label)


class CallKeyFilter(QObject):
    """Application-wide: a press of a configured call key calls a nurse.

    Clinics plug in a large push-button or a pendant that sends a key, so a
    patient wearing an eye mask can call. Held keys repeat nothing; keys with
    Ctrl or Alt are left alone. Signals: `pressed` once per press.
    """

    pressed = Signal()

    def __init__(self, key_names: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.keys = frozenset(key_code(name) for name in key_names)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            return False
        assert isinstance(event, QKeyEvent)
        both = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        if event.key() not in self.keys or event.modifiers() & both:
            return False
        if event.type() == QEvent.Type.KeyPress and not event.isAutoRepeat():
            self.pressed.emit()
        return True  # the call key is ours: no widget below should act on it too


class DimOverlay(QWidget):
    """Covers its parent window and dims it; the first touch on a dim screen only wakes it,
    except on the pass-through widget (the Call nurse button), which wakes and acts.

    Hidden, and so out of the way of every event, while the screen is not dim. While dim,
    and during the short fade-out after waking, it takes every press, release,
    double-click, move and wheel event, so nothing below acts and a double tap on a dim
    screen acts once at most; key presses are left alone (call keys are handled app-wide).
    The window acts on `pass_through` itself: the pass-through widget never sees the press.
    When the window is hidden (closed by `shutdown()`), a fade under way ends at once: no
    animation runs on for a window nobody sees.

    Signals: `woken` when a dim screen wakes (a touch, or `wake()`); `pass_through` when
    a press on a dim screen landed on the pass-through widget (after `woken`).
    """

    woken = Signal()
    pass_through = Signal()

    def __init__(
        self, parent: QWidget, *, level: float = 0.65, fade_ms: int = 1500, wake_ms: int = 250
    ) -> None:
        super().__init__(parent)
        self._level = min(max(float(level), 0.0), 1.0)
        self._fade_ms = max(int(fade_ms), 0)
        self._wake_ms = max(int(wake_ms), 0)
        self._alpha = 0.0
        self._dimmed = False
        self._pass_through: QWidget | None = None
        self.setAccessibleName("Wake screen")
        self._fade = QVariantAnimation(self)
        self._fade.setEasingCurve(QEasingCurve.Type.InOutQuad)
        self._fade.valueChanged.connect(self._on_fade_value_changed)
        self._fade.finished.connect(self._on_fade_finished)
        self.setGeometry(parent.rect())
        parent.installEventFilter(self)
        self.hide()

    @property
    def dimmed(self) -> bool:
        """True from `dim()` until the screen wakes."""
        return self._dimmed

    def set_pass_through(self, widget: QWidget | None) -> None:
        """The widget a press on a dim screen reaches as `pass_through` (None: no such widget)."""
        self._pass_through = widget

    def level_now(self) -> float:
        """The veil's current alpha, 0 (clear) to 1 (black)."""
        return self._alpha

    def dim(self) -> None:
        """Show on top and fade the veil in to `level` over `fade_ms`; harmless when dim."""
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.raise_()
        if self._dimmed:
            return
        self._dimmed = True
        self.show()
        self._fade_to(self._level, self._fade_ms)

    def wake(self) -> None:
        """Fade the veil out over `wake_ms`, then hide; emits `woken` if the screen was dim."""
        if not self._dimmed:
            return
        self._dimmed = False
        self._fade_to(0.0, self._wake_ms)
        self.woken.emit()

    def _fade_to(self, alpha: float, duration_ms: int) -> None:
        self._fade.stop()
        if duration_ms <= 0 or alpha == self._alpha:
            self._set_alpha(alpha)
            self._on_fade_finished()
            return
        self._fade.setDuration(duration_ms)
        self._fade.setStartValue(self._alpha)
        self._fade.setEndValue(alpha)
        self._fade.start()

    def _finish_fade(self) -> None:
        """End a fade under way where it was going (dim: at `level`; waking: clear and hidden)."""
        if self._fade.state() != QAbstractAnimation.State.Running:
            return
        self._fade.stop()
        self._set_alpha(float(cast(float, self._fade.endValue())))
        self._on_fade_finished()

    def _set_alpha(self, alpha: float) -> None:
        self._alpha = alpha
        self.update()

    @Slot(object)
    def _on_fade_value_changed(self, value: object) -> None:
        self._set_alpha(float(cast(float, value)))

    @Slot()
    def _on_fade_finished(self) -> None:
        if not self._dimmed:
            self.hide()

    def _on_pass_through(self, event: QMouseEvent) -> bool:
        widget = self._pass_through
        if widget is None or not isValid(widget) or not widget.isVisible():
            return False
        at = widget.mapFromGlobal(self.mapToGlobal(event.position().toPoint()))
        return widget.rect().contains(at)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        parent = self.parentWidget()
        if parent is not None and watched is parent:
            if event.type() == QEvent.Type.Resize:
                self.setGeometry(parent.rect())
            elif event.type() == QEvent.Type.ChildAdded and self._dimmed:
                self.raise_()  # a widget added while dim stays under the veil
            elif event.type() == QEvent.Type.Hide:
                self._finish_fade()
        return False

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(0, 0, 0, round(self._alpha * 255)))
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        event.accept()
        if not self._dimmed:
            return
        through = self._on_pass_through(event)
        self.wake()
        if through:
            self.pass_through.emit()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        event.accept()

    def wheelEvent(self, event: QWheelEvent) -> None:
        event.accept()


def key_code(name: str) -> int:
    """Qt's key code for a key name from `nurse_call.keys` (ValueError if Qt does not know it)."""
    sequence = QKeySequence.fromString(name, QKeySequence.SequenceFormat.PortableText)
    if sequence.count() != 1:
        raise ValueError(f"not a single key: {name!r}")
    combination = cast(Any, sequence)[0]  # the stubs lack QKeySequence.__getitem__
    if combination.keyboardModifiers() != Qt.KeyboardModifier.NoModifier:
        raise ValueError(f"not a single key: {name!r}")
    return int(combination.key().value)


class ScrollColumn(QScrollArea):
    """A column of words that scrolls up and down when it does not fit, by finger or by bar.

    Large `display.text_scale` or a clinic's longer texts must never cut a sentence
    off: what does not fit is reached by dragging, and the wide scroll bar says
    there is more. `body` holds the column's layout.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pageScroll")
        bar = self.verticalScrollBar()
        bar.setObjectName("pageScrollBar")
        # made under a styled window, the bar was styled before it had its name: again, now
        bar.style().unpolish(bar)
        bar.style().polish(bar)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        QScroller.grabGesture(self.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
        words = QWidget(self)
        words.setObjectName("pageWords")
        self.body = QVBoxLayout(words)
        self.body.setContentsMargins(0, 0, 8, 8)
        self.setWidget(words)

    def to_top(self) -> None:
        self.verticalScrollBar().setValue(0)
