"""Checks of what a patient can read and touch: clipped text, overflow, touch targets.

A text is clipped when its font metrics need more room than its widget has:
a label that wraps needs `heightForWidth` of its width and each word on one line;
a label that does not wrap needs the advance of its whole text; a button needs
its size hint (text plus the stylesheet's padding). A widget overflows when it
reaches outside the visible part of a parent. Inside a scroll area only the width
counts: what is below the fold is reached by scrolling.
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QLabel, QWidget

TOUCH_PX = 120


def _name(widget: QWidget) -> str:
    text = widget.text() if isinstance(widget, (QLabel, QAbstractButton)) else ""
    return f"{type(widget).__name__}#{widget.objectName() or '-'} {text[:40]!r}"


def shown(root: QWidget) -> list[QWidget]:
    """Every widget of `root` a person can see now (not hidden, not under another page)."""
    return [w for w in root.findChildren(QWidget) if w.isVisibleTo(root) and w.width() > 0]


def clipped_text(root: QWidget) -> list[str]:
    """What text under `root` does not fit its widget, one line each ("" when all fits)."""
    problems = []
    for widget in shown(root):
        if isinstance(widget, QLabel) and widget.text() and widget.pixmap().isNull():
            metrics = widget.fontMetrics()
            room = widget.contentsRect()
            if widget.wordWrap():
                need = widget.heightForWidth(widget.width())
                if need > widget.height() + 1:
                    problems.append(f"{_name(widget)}: needs {need} px high, has {widget.height()}")
                longest = max((metrics.horizontalAdvance(w) for w in widget.text().split()), default=0)
                if longest > room.width() + 1:
                    problems.append(f"{_name(widget)}: a word needs {longest} px, has {room.width()}")
            else:
                need_w = max(metrics.horizontalAdvance(line) for line in widget.text().split("\n"))
                need_h = metrics.height() * (widget.text().count("\n") + 1)
                if need_w > room.width() + 1 or need_h > room.height() + 1:
                    problems.append(f"{_name(widget)}: needs {need_w}×{need_h} px, "
                                    f"has {room.width()}×{room.height()}")
        elif isinstance(widget, QAbstractButton) and widget.text():
            hint = widget.sizeHint()
            if hint.width() > widget.width() + 1 or hint.height() > widget.height() + 1:
                problems.append(f"{_name(widget)}: needs {hint.width()}×{hint.height()} px, "
                                f"has {widget.width()}×{widget.height()}")
    return problems


def overflowing(root: QWidget) -> list[str]:
    """Widgets that reach outside the visible part of one of their parents."""
    problems = []
    for widget in shown(root):
        rect = QRect(widget.rect())
        child: QWidget = widget
        parent = widget.parentWidget()
        while parent is not None and child is not root:
            rect.translate(child.pos())
            scrolled = isinstance(parent.parentWidget(), QAbstractScrollArea) and (
                parent is parent.parentWidget().viewport())  # type: ignore[union-attr]
            visible = parent.rect()
            if scrolled:
                if rect.left() < -1 or rect.right() > visible.right() + 1:
                    problems.append(f"{_name(widget)}: wider than the scrolled area")
                break
            if not visible.adjusted(-1, -1, 1, 1).contains(rect):
                problems.append(f"{_name(widget)}: {rect.getRect()} outside "
                                f"{_name(parent)} {visible.getRect()}")
                break
            child, parent = parent, parent.parentWidget()
    return problems


def small_targets(root: QWidget, minimum: int = TOUCH_PX) -> list[str]:
    """Buttons a person can see that are smaller than `minimum` px either way."""
    return [f"{_name(b)}: {b.width()}×{b.height()} px" for b in shown(root)
            if isinstance(b, QAbstractButton) and (b.width() < minimum or b.height() < minimum)]
