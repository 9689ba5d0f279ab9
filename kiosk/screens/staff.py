"""Staff mode: a PIN pad, then the panel to run the visit.

A thin view: it turns taps into intent signals and redraws from what the window
tells it. The window checks the PIN, changes the visit and writes the log.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.care import COMFORT_CHOICES, DISCHARGE_ITEMS, CareState
from kiosk.screens.base import Screen
from kiosk.session import VisitState
from kiosk.widgets import BigButton, PinPad, ScrollColumn

MINUTES_STEP = 5
BANNER_LINES = 2  # faults past two lines scroll, so the PIN pad keeps its size
BANNER_TOP_PX = 12  # the banner's top padding in the stylesheet
CHECK_PX = 76  # the checklist's rows: large, but six of them share the panel with the visit


def feeling_word(value: int) -> str:
    """A check-in value in the staff's words."""
    words = {
        1: QCoreApplication.translate("StaffScreen", "very bad"),
        2: QCoreApplication.translate("StaffScreen", "not good"),
        3: QCoreApplication.translate("StaffScreen", "okay"),
        4: QCoreApplication.translate("StaffScreen", "good"),
        5: QCoreApplication.translate("StaffScreen", "very good"),
    }
    return f"{words.get(value, '?')} ({value}/5)"


def comfort_words(choices: Iterable[str]) -> str:
    """A comfort plan in the staff's words ("" for none)."""
    words = {
        "music_softer": QCoreApplication.translate("StaffScreen", "softer music"),
        "music_off": QCoreApplication.translate("StaffScreen", "no music"),
        "lights_lower": QCoreApplication.translate("StaffScreen", "lower lights"),
        "sit_with_me": QCoreApplication.translate("StaffScreen", "someone to sit with them"),
        "talk_me_through": QCoreApplication.translate("StaffScreen", "help with breathing"),
    }
    return ", ".join(words[c] for c in COMFORT_CHOICES if c in set(choices))


def discharge_label(item: str) -> str:
    """A going-home checklist item, as the nurse confirms it."""
    labels = {
        "adult_home": QCoreApplication.translate("StaffScreen", "An adult takes them home"),
        "no_driving": QCoreApplication.translate("StaffScreen", "No driving or machines today"),
        "rest": QCoreApplication.translate("StaffScreen", "Rest for the day"),
        "water": QCoreApplication.translate("StaffScreen", "Drink water"),
        "eat_lightly": QCoreApplication.translate("StaffScreen", "Eat lightly"),
        "who_to_call": QCoreApplication.translate("StaffScreen", "Knows whom to call"),
    }
    return labels[item]


def care_summary(care: CareState) -> str:
    """What the patient told us this visit, one line each ("" when nothing)."""
    lines = []
    moments = (("before", QCoreApplication.translate("StaffScreen", "before:")),
               ("after", QCoreApplication.translate("StaffScreen", "after:")))
    checkins = [f"{label} {feeling_word(care.checkins[moment])}"
                for moment, label in moments if moment in care.checkins]
    if checkins:
        lines.append(QCoreApplication.translate("StaffScreen", "How they feel: {feelings}")
                     .format(feelings=" · ".join(checkins)))
    if care.comfort:
        lines.append(QCoreApplication.translate("StaffScreen", "Comfort plan: {plan}")
                     .format(plan=comfort_words(care.comfort)))
    return "\n".join(lines)


class StaffScreen(Screen):
    """PIN page and staff panel.

    Signals (intents): `unlock_requested(pin)`, `start_requested(minutes, language)`,
    `next_requested`, `back_requested`, `end_requested`, `exit_requested`, `close_requested`,
    `acknowledge_requested` (offered on the PIN page too: it needs no PIN),
    `resolve_requested`, `discharge_toggled(item, confirmed)`.
    """

    name = "staff"
    patient = False

    unlock_requested = Signal(str)
    start_requested = Signal(int, str)
    next_requested = Signal()
    back_requested = Signal()
    end_requested = Signal()
    exit_requested = Signal()
    close_requested = Signal()
    acknowledge_requested = Signal()
    resolve_requested = Signal()
    discharge_toggled = Signal(str, bool)

    def __init__(
        self,
        room: str,
        languages: Sequence[tuple[str, str]],
        default_language: str,
        default_minutes: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._pages = QStackedWidget(self)
        self._default_minutes = default_minutes
        self._minutes = default_minutes
        self._default_language = default_language

        # --- PIN page ---------------------------------------------------------
        pin_page = QWidget(self._pages)
        self.banner_scroll = ScrollColumn(pin_page)
        self.banner_scroll.body.setContentsMargins(0, 0, 0, 0)
        self.banner = QLabel(self.banner_scroll.widget())
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner_scroll.body.addWidget(self.banner)
        self.banner_scroll.hide()
        heading = QLabel(self.tr("Staff · {room}").format(room=room), pin_page)
        heading.setObjectName("staffTitle")
        # an open call can be acknowledged without the PIN: that one action only
        self.pin_call_info = QLabel(pin_page)
        self.pin_call_info.setObjectName("staffStatus")
        self.pin_call_info.setWordWrap(True)
        self.pin_ack_button = BigButton(self.tr("Acknowledge call"), pin_page,
                                        accessible_name="Acknowledge call", role="primary")
        self.pin_ack_button.clicked.connect(self.acknowledge_requested)
        self.pin_call_box = QWidget(pin_page)
        self.pin_call_box.setMinimumWidth(400)
        self.pin_call_box.setMaximumWidth(480)
        pin_call_layout = QVBoxLayout(self.pin_call_box)
        pin_call_layout.setContentsMargins(0, 0, 0, 0)
        pin_call_layout.setSpacing(16)
        pin_call_layout.addStretch(1)
        pin_call_layout.addWidget(self.pin_call_info)
        pin_call_layout.addWidget(self.pin_ack_button)
        pin_call_layout.addStretch(2)
        self.pin_pad = PinPad(pin_page)
        self.pin_pad.setMaximumWidth(640)
        self.pin_pad.pin_entered.connect(self.unlock_requested)
        self.pin_pad.cancelled.connect(self.close_requested)
        pin_layout = QVBoxLayout(pin_page)
        pin_layout.setContentsMargins(48, 24, 48, 24)
        pin_layout.addWidget(heading, 0, Qt.AlignmentFlag.AlignHCenter)
        pin_layout.addWidget(self.banner_scroll)
        # an open call sits beside the PIN pad: acknowledging it needs no PIN
        pin_row = QHBoxLayout()
        pin_row.setSpacing(48)
        pin_row.addStretch(1)
        pin_row.addWidget(self.pin_call_box, 3)
        pin_row.addWidget(self.pin_pad, 4)
        pin_row.addStretch(1)
        pin_layout.addLayout(pin_row, 1)

        # --- panel --------------------------------------------------------------
        panel = QWidget(self._pages)
        title = QLabel(self.tr("Staff · {room}").format(room=room), panel)
        title.setObjectName("staffTitle")
        self.close_button = BigButton(self.tr("Done"), panel, accessible_name="Close staff panel", role="secondary")
        self.close_button.setMaximumWidth(260)
        self.close_button.clicked.connect(self.close_requested)
        self.status = QLabel(panel)
        self.status.setObjectName("staffStatus")
        self.status.setWordWrap(True)

        # the open call
        self.call_box = QWidget(panel)
        self.call_info = QLabel(self.call_box)
        self.call_info.setObjectName("staffCall")
        self.call_info.setWordWrap(True)
        self.ack_button = BigButton(self.tr("Acknowledge call"), self.call_box,
                                    accessible_name="Acknowledge call", role="primary")
        self.resolve_button = BigButton(self.tr("Resolve call"), self.call_box,
                                        accessible_name="Resolve call", role="secondary")
        self.ack_button.clicked.connect(self.acknowledge_requested)
        self.resolve_button.clicked.connect(self.resolve_requested)
        call_layout = QGridLayout(self.call_box)
        call_layout.setContentsMargins(0, 0, 0, 0)
        call_layout.addWidget(self.call_info, 0, 0, 1, 2)
        call_layout.addWidget(self.ack_button, 1, 0)
        call_layout.addWidget(self.resolve_button, 1, 1)
        call_layout.setColumnStretch(0, 1)
        call_layout.setColumnStretch(1, 1)
        call_layout.setRowStretch(2, 1)

        # start a visit
        self.start_box = QWidget(panel)
        self.minutes_label = QLabel(self.start_box)
        self.minutes_label.setObjectName("staffValue")
        self.fewer = BigButton("−5", self.start_box, accessible_name="Fewer minutes", role="secondary")
        self.more = BigButton("+5", self.start_box, accessible_name="More minutes", role="secondary")
        self.fewer.clicked.connect(lambda: self._change_minutes(-MINUTES_STEP))
        self.more.clicked.connect(lambda: self._change_minutes(MINUTES_STEP))
        self.language_group = QButtonGroup(self.start_box)
        self.language_buttons: dict[str, BigButton] = {}
        language_row = QHBoxLayout()
        for code, name in languages:
            button = BigButton(name, self.start_box, accessible_name=f"Language {name}", role="choice")
            button.setCheckable(True)
            self.language_group.addButton(button)
            self.language_buttons[code] = button
            language_row.addWidget(button)
        self.start_button = BigButton(self.tr("Start session"), self.start_box,
                                      accessible_name="Start session", role="primary")
        self.start_button.clicked.connect(self._on_start_clicked)
        start_layout = QGridLayout(self.start_box)
        start_layout.setContentsMargins(0, 0, 0, 0)
        start_layout.addWidget(QLabel(self.tr("Planned infusion"), self.start_box), 0, 0, 1, 3)
        start_layout.addWidget(self.fewer, 1, 0)
        start_layout.addWidget(self.minutes_label, 1, 1, Qt.AlignmentFlag.AlignCenter)
        start_layout.addWidget(self.more, 1, 2)
        start_layout.addLayout(language_row, 2, 0, 1, 3)
        start_layout.addWidget(self.start_button, 3, 0, 1, 3)

        # run the open visit
        self.visit_box = QWidget(panel)
        self.next_button = BigButton(self.tr("Next stage"), self.visit_box,
                                     accessible_name="Next stage", role="primary")
        self.step_back_button = BigButton(self.tr("Step back"), self.visit_box,
                                          accessible_name="Previous stage", role="secondary")
        self.end_button = BigButton(self.tr("End session"), self.visit_box,
                                    accessible_name="End session", role="secondary")
        self.next_button.clicked.connect(self.next_requested)
        self.step_back_button.clicked.connect(self.back_requested)
        self.end_button.clicked.connect(lambda: self._confirm("end"))
        visit_layout = QGridLayout(self.visit_box)
        visit_layout.setContentsMargins(0, 0, 0, 0)
        visit_layout.addWidget(self.next_button, 0, 0, 1, 2)
        visit_layout.addWidget(self.step_back_button, 1, 0)
        visit_layout.addWidget(self.end_button, 1, 1)

        # confirmation for ending a visit or leaving the kiosk
        self.confirm_box = QWidget(panel)
        self.confirm_text = QLabel(self.confirm_box)
        self.confirm_text.setObjectName("staffStatus")
        self.confirm_yes = BigButton(self.tr("Yes"), self.confirm_box, accessible_name="Confirm",
                                     role="primary")
        self.confirm_no = BigButton(self.tr("No"), self.confirm_box, accessible_name="Do not confirm",
                                    role="secondary")
        self.confirm_yes.clicked.connect(self._on_confirm_yes)
        self.confirm_no.clicked.connect(self._hide_confirm)
        confirm_layout = QGridLayout(self.confirm_box)
        confirm_layout.setContentsMargins(0, 0, 0, 0)
        confirm_layout.addWidget(self.confirm_text, 0, 0, 1, 2)
        confirm_layout.addWidget(self.confirm_yes, 1, 0)
        confirm_layout.addWidget(self.confirm_no, 1, 1)
        self._pending: str | None = None
        self._visit_open = False

        self.exit_button = BigButton(self.tr("Exit kiosk"), panel, accessible_name="Exit kiosk",
                                     role="secondary")
        self.exit_button.clicked.connect(lambda: self._confirm("exit"))
        self.exit_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

        # the going-home checklist, confirmed item by item
        self.discharge_box = QWidget(panel)
        discharge_title = QLabel(self.tr("Before they go home"), self.discharge_box)
        discharge_title.setObjectName("staffCall")
        discharge_title.setWordWrap(True)
        discharge_layout = QVBoxLayout(self.discharge_box)
        discharge_layout.setContentsMargins(0, 0, 0, 0)
        discharge_layout.setSpacing(8)
        discharge_layout.addWidget(discharge_title)
        self.discharge_buttons: dict[str, BigButton] = {}
        for item in DISCHARGE_ITEMS:
            button = BigButton(discharge_label(item), self.discharge_box,
                               accessible_name=f"Confirm {item.replace('_', ' ')}", role="check",
                               min_height=CHECK_PX)
            button.setObjectName("dischargeItem")
            button.setCheckable(True)
            button.setProperty("item", item)
            button.clicked.connect(self._on_discharge_clicked)
            discharge_layout.addWidget(button)
            self.discharge_buttons[item] = button
        self.discharge_box.hide()

        self.events = QListWidget(panel)
        self.events.setAccessibleName("Today's events")
        self.events.setObjectName("events")
        self.events.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        left = QVBoxLayout()
        left.setSpacing(16)
        left.addWidget(self.status)
        left.addWidget(self.call_box)
        left.addWidget(self.start_box)
        left.addWidget(self.visit_box)
        left.addWidget(self.confirm_box)
        left.addStretch(1)
        # what the patient told us this visit: how they feel, what helps them
        self.care_info = QLabel(panel)
        self.care_info.setObjectName("staffCare")
        self.care_info.setWordWrap(True)
        self.care_info.hide()
        right = QVBoxLayout()
        right.setSpacing(12)
        right.addWidget(self.care_info)
        right.addWidget(self.discharge_box)
        self.events_title = QLabel(self.tr("Today in this room"), panel)
        right.addWidget(self.events_title)
        right.addWidget(self.events, 1)
        self._discharge_stretch = QWidget(panel)  # keeps the checklist at the top
        right.addWidget(self._discharge_stretch, 1)
        header = QHBoxLayout()
        header.setSpacing(20)
        header.addWidget(title, 1)
        header.addWidget(self.exit_button)
        header.addWidget(self.close_button)
        body = QHBoxLayout()
        body.setSpacing(40)
        body.addLayout(left, 5)
        body.addLayout(right, 4)
        panel_layout = QVBoxLayout(panel)
        panel_layout.setContentsMargins(48, 24, 48, 24)
        panel_layout.addLayout(header)
        panel_layout.addLayout(body, 1)

        self._pages.addWidget(pin_page)
        self._pages.addWidget(panel)
        self._pin_page, self._panel = pin_page, panel
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self._pages)
        self.show_pin_page()

    # -- what the window tells it ------------------------------------------------
    @property
    def unlocked(self) -> bool:
        return self._pages.currentWidget() is self._panel

    def set_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner_scroll.setVisible(bool(text))
        self._fit_banner()

    def _fit_banner(self) -> None:
        """As tall as the faults' words, up to BANNER_LINES lines; longer ones scroll."""
        width = self.banner_scroll.viewport().width() or self.width() - 96
        needed = max(self.banner.heightForWidth(max(width, 200)), 0)
        most = BANNER_LINES * self.banner.fontMetrics().lineSpacing() + BANNER_TOP_PX
        self.banner_scroll.setFixedHeight(min(most, needed))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_banner()

    def set_call(self, summary: str, *, can_acknowledge: bool) -> None:
        """The open call as staff see it ("" = none); both pages show it."""
        for label in (self.pin_call_info, self.call_info):
            label.setText(summary)
            label.setVisible(bool(summary))
        self.pin_call_box.setVisible(bool(summary))
        self.pin_ack_button.setVisible(can_acknowledge)
        self.ack_button.setVisible(can_acknowledge)
        self.resolve_button.setVisible(bool(summary))
        self.call_box.setVisible(bool(summary))

    def show_pin_page(self, message: str | None = None, *, locked: bool = False) -> None:
        self.pin_pad.clear()
        self.pin_pad.set_message(self.tr("Enter the staff PIN.") if message is None else message)
        self.pin_pad.set_enabled_keys(not locked)
        self._pages.setCurrentWidget(self._pin_page)

    def show_panel(self, state: VisitState, status: str, events: Sequence[str],
                   care: CareState | None = None) -> None:
        self._visit_open = state.is_open
        self._hide_confirm()
        summary = care_summary(care) if care is not None and state.is_open else ""
        self.status.setText(status)
        self.care_info.setText(summary)
        self.care_info.setVisible(bool(summary))
        going_home = state.stage == "going_home"
        # At the end of the visit the checklist takes the place of the day's events.
        self.discharge_box.setVisible(going_home)
        self._discharge_stretch.setVisible(going_home)
        self.events_title.setVisible(not going_home)
        self.events.setVisible(not going_home)
        self.set_discharge(care.discharge if care is not None else frozenset())
        if not state.is_open:
            self._minutes = self._default_minutes
            self._refresh_minutes()
            button = self.language_buttons.get(self._default_language)
            if button is not None:
                button.setChecked(True)
        self.step_back_button.setEnabled(state.is_open and state.stage != "settling")
        self.next_button.setEnabled(state.is_open and state.stage != "going_home")
        self.events.clear()
        self.events.addItems(list(events))
        self.events.scrollToBottom()
        self._pages.setCurrentWidget(self._panel)

    def set_discharge(self, confirmed: Iterable[str]) -> None:
        """Show which checklist items are confirmed (as recorded)."""
        done = set(confirmed)
        for item, button in self.discharge_buttons.items():
            button.setChecked(item in done)
            button.setText(("✓  " if item in done else "") + discharge_label(item))

    # -- inside ------------------------------------------------------------------
    @Slot()
    def _on_discharge_clicked(self) -> None:
        button = self.sender()
        if isinstance(button, BigButton):
            item = str(button.property("item"))
            # The window records it and redraws; until then the tick follows the tap.
            self.discharge_toggled.emit(item, button.isChecked())

    def _change_minutes(self, delta: int) -> None:
        self._minutes = max(5, min(240, self._minutes + delta))
        self._refresh_minutes()

    def _refresh_minutes(self) -> None:
        self.minutes_label.setText(self.tr("{minutes} min").format(minutes=self._minutes))

    @Slot()
    def _on_start_clicked(self) -> None:
        checked = self.language_group.checkedButton()
        language = next(
            (code for code, b in self.language_buttons.items() if b is checked), self._default_language
        )
        self.start_requested.emit(self._minutes, language)

    def _confirm(self, what: str) -> None:
        self._pending = what
        if what == "end":
            self.confirm_text.setText(self.tr("End this visit? Everything of it leaves the screen."))
            self.confirm_yes.setText(self.tr("Yes, end visit"))
        else:
            self.confirm_text.setText(self.tr("Close the kiosk? The patient loses the screen."))
            self.confirm_yes.setText(self.tr("Yes, exit"))
        # One question at a time: the other controls step aside while it is asked.
        self.start_box.hide()
        self.visit_box.hide()
        self.confirm_box.show()

    @Slot()
    def _hide_confirm(self) -> None:
        self._pending = None
        self.confirm_box.hide()
        self.start_box.setVisible(not self._visit_open)
        self.visit_box.setVisible(self._visit_open)

    @Slot()
    def _on_confirm_yes(self) -> None:
        pending = self._pending
        self._hide_confirm()
        if pending == "end":
            self.end_requested.emit()
        elif pending == "exit":
            self.exit_requested.emit()
