"""Comfort plan: before the infusion, what would help if things feel like too much.

Five large tiles the patient may tap on and off (softer music, no music, lower
lights, someone to sit with them, help with breathing). Each tap is recorded at
once (`comfort_plan.recorded`, the choices only) by the window, so nothing is lost
if the patient never presses Done; staff see the plan with every call. "Not now"
leaves without a plan. Nothing here is timed.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QGridLayout,
    QWidget,
)

from kiosk.care import COMFORT_CHOICES
from kiosk.content import Content
from kiosk.screens.base import QuestionPage
from kiosk.widgets import BigButton, ScrollColumn

COLUMNS = 2


class ComfortScreen(QuestionPage):
    """The question, one toggle tile per choice, and Not now (Done once something is chosen).

    Signals (intents): `changed(choices)` with the whole plan as the patient now
    wants it, `skipped`, `finished`.
    """

    name = "comfort"

    changed = Signal(list)
    skipped = Signal()
    finished = Signal()

    def __init__(self, content: Content, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._content = content
        self._plan: tuple[str, ...] | None = None
        grid = QGridLayout()
        grid.setSpacing(12)
        self.tiles: dict[str, BigButton] = {}
        for index, choice in enumerate(COMFORT_CHOICES):
            tile = BigButton("", self, accessible_name="Comfort " + choice.replace("_", " "),
                             role="choice")
            tile.setObjectName("comfortTile")
            tile.setCheckable(True)
            tile.setProperty("choice", choice)
            tile.clicked.connect(self._on_tile_clicked)
            grid.addWidget(tile, index // COLUMNS, index % COLUMNS)
            self.tiles[choice] = tile
        self.leave_button.clicked.connect(self._on_leave_clicked)
        # the choices scroll if they do not fit (large text)
        self.choices = ScrollColumn(self)
        for tile in self.tiles.values():
            tile.setParent(self.choices.widget())
        self.choices.body.addLayout(grid)
        self.choices.body.addStretch(1)
        self.layout_.addWidget(self.choices, 1)
        self.set_content(content)

    def show_plan(self, plan: Iterable[str] | None) -> None:
        """Show the plan as recorded (None: nothing recorded yet)."""
        self._plan = None if plan is None else tuple(plan)
        chosen = set(self._plan or ())
        for choice, tile in self.tiles.items():
            tile.setChecked(choice in chosen)
        self._refresh()

    def set_content(self, content: Content) -> None:
        self._content = content
        self.title.setText(content.comfort_text("title"))
        for choice, tile in self.tiles.items():
            tile.setText(content.comfort_text(choice))
        self._refresh()

    def chosen(self) -> list[str]:
        """The tiles now checked, in the order they are offered."""
        return [choice for choice, tile in self.tiles.items() if tile.isChecked()]

    def _refresh(self) -> None:
        recorded = bool(self._plan)
        self.show_leave(self._content.comfort_text("thanks" if recorded else "question"),
                        self._content.comfort_text("done" if recorded else "skip"),
                        answered=recorded)

    @Slot()
    def _on_tile_clicked(self) -> None:
        # The window records the new plan, then shows it with show_plan().
        self.changed.emit(self.chosen())

    @Slot()
    def _on_leave_clicked(self) -> None:
        if self._plan:
            self.finished.emit()
        else:
            self.skipped.emit()
