"""After a tap of Call nurse: where the call stands, an optional reason, and Cancel call.

A thin view. The window shows it once the call is in the event log (or has
failed to get there), so the words above the buttons are already true; the
patient may pick a reason, cancel, or go back with the bar's Back button.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.screens.base import Screen
from kiosk.widgets import BigButton, ScrollColumn

COLUMN_MAX_PX = 1200


class CallScreen(Screen):
    """The call's status in large words, the reasons as big buttons, and Cancel call.

    Signals (intents): `reason_chosen(configured_reason)`, `cancel_requested`.
    """

    name = "call"

    reason_chosen = Signal(str)
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QWidget(self)
        column.setMaximumWidth(COLUMN_MAX_PX)
        self.status = QLabel(column)
        self.status.setObjectName("callLead")
        self.status.setWordWrap(True)
        self.status.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.cancel_button = BigButton("Cancel call", column, accessible_name="Cancel call",
                                       role="secondary")
        self.cancel_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.cancel_button.setMinimumWidth(300)
        self.cancel_button.clicked.connect(self.cancel_requested)
        # the prompt until a reason is picked, then what the patient told us
        self.prompt = QLabel(column)
        self.prompt.setObjectName("body")
        self.prompt.setWordWrap(True)
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._prompt_text = ""
        self._reasons = QGridLayout()
        self._reasons.setSpacing(16)
        self.reason_buttons: dict[str, BigButton] = {}
        self._offered: list[tuple[str, str]] = []
        top = QHBoxLayout()
        top.setSpacing(32)
        top.addWidget(self.status, 1)
        top.addWidget(self.cancel_button)
        layout = QVBoxLayout(column)
        layout.setContentsMargins(48, 24, 48, 12)
        layout.setSpacing(16)
        layout.addLayout(top)
        layout.addSpacing(8)
        # the reasons scroll if they do not fit (large text); the status and Cancel stay put
        self.reasons_area = ScrollColumn(column)
        self.prompt.setParent(self.reasons_area.widget())
        self.reasons_area.body.setSpacing(16)
        self.reasons_area.body.addWidget(self.prompt)
        self.reasons_area.body.addLayout(self._reasons)
        self.reasons_area.body.addStretch(1)
        layout.addWidget(self.reasons_area, 1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(column, 0, Qt.AlignmentFlag.AlignHCenter)

    def set_reasons(self, reasons: Sequence[tuple[str, str]], prompt: str) -> None:
        """The reasons to offer: (configured text, text shown in the visit's language)."""
        self._prompt_text = prompt
        if list(reasons) == self._offered:
            return
        self._offered = list(reasons)
        for button in self.reason_buttons.values():
            self._reasons.removeWidget(button)
            button.hide()  # gone at once, though deleted later
            button.deleteLater()
        self.reason_buttons = {}
        for index, (configured, shown) in enumerate(reasons):
            button = BigButton(shown, self, accessible_name=shown, role="choice")
            button.setCheckable(True)
            button.clicked.connect(lambda _=False, r=configured: self._on_reason(r))
            self._reasons.addWidget(button, index // 2, index % 2)
            self.reason_buttons[configured] = button

    def show_call(self, status: str, reason: str | None, told: str) -> None:
        """Redraw for the open call: its status sentence and the reason picked, if any."""
        self.status.setText(status)
        for configured, button in self.reason_buttons.items():
            button.setChecked(configured == reason)
        self.prompt.setText(told or self._prompt_text)

    def _on_reason(self, reason: str) -> None:
        self.reason_chosen.emit(reason)
