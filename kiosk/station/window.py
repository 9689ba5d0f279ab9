"""The nurse station's desk window: every room on one screen, and today's calls.

A thin view over `StationModel`: `refresh()` redraws from it (the owner calls it
after feeding messages; a 1 s timer calls it for the waiting clocks and silences).
The window sends nothing itself: Acknowledge emits `acknowledge_requested(kiosk)`,
and whoever owns the link to the broker acknowledges through the model and
publishes the Ack. The desk alert is sounded when the model says one is due.

Made to be read from a desk a metre away: room names at 32 px, every other word
on a tile at 20 px or more, the open call in a strong box whose border thickens
and turns red the longer the call waits.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Final

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.clock import Clock
from kiosk.station.alert import DeskAlert
from kiosk.station.model import CallRecord, RoomView, StationModel
from kiosk.theme import THEMES

REFRESH_MS: Final = 1000
BUTTON_PX: Final = 64
TILE_MIN_WIDTH: Final = 380
MAX_COLUMNS: Final = 4
ALERT_MIN_MS: Final = 100
SIDE_MARGIN: Final = 18
TABLE_MIN_PX: Final = 160
TABLE_MAX_PX: Final = 260  # the header and about six calls; the rooms come first

RED: Final = "#ff8a80"  # text and borders: 7:1 and more on the dark background
RED_FILL: Final = "#7a1f1a"
GREY: Final = "#2a2622"


def stylesheet() -> str:
    """The station's look: the kiosk's warm dark colours, with red for a call left waiting."""
    p = THEMES["dusk"]
    return f"""
        QWidget#station {{ background-color: {p.background}; color: {p.text}; }}
        QLabel {{ color: {p.text}; font-size: 20px; }}
        QLabel#stationTitle {{ color: {p.accent}; font-size: 28px; font-weight: 600; }}
        QLabel#stationClock {{ color: {p.muted}; font-size: 28px; }}
        QLabel#stationBanner {{
            background-color: {p.accent}; color: {p.on_accent};
            border-radius: 10px; padding: 10px 18px; font-size: 22px; font-weight: 600;
        }}
        QLabel#sectionTitle {{ color: {p.accent}; font-size: 22px; font-weight: 600; }}
        QLabel#noRooms {{ color: {p.muted}; font-size: 22px; }}
        QScrollArea#roomScroll, QWidget#roomGrid {{ background: transparent; border: none; }}
        QScrollBar:vertical {{
            background: {p.bar}; width: 18px; margin: 0 0 0 4px; border-radius: 6px;
        }}
        QScrollBar::handle:vertical {{ background: {p.faint}; border-radius: 6px; min-height: 40px; }}
        QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical {{ height: 0; border: none; }}
        QScrollBar::add-page:vertical, QScrollBar::sub-page:vertical {{ background: none; }}

        QFrame[role="roomTile"] {{
            background-color: {p.surface}; border: 2px solid {p.surface}; border-radius: 14px;
        }}
        QFrame[role="roomTile"][silent="true"] {{ background-color: {GREY}; border: 3px dashed {p.faint}; }}
        QFrame[role="roomTile"] QLabel {{ background: transparent; border: none; }}
        QLabel#roomName {{ font-size: 32px; font-weight: 700; }}
        QFrame[role="roomTile"][silent="true"] QLabel#roomName {{ color: {p.faint}; }}
        QLabel#roomStage {{ color: {p.accent}; font-size: 22px; }}
        QFrame[role="roomTile"][silent="true"] QLabel#roomStage {{ color: {p.faint}; }}
        QLabel#roomComfort {{ color: {p.muted}; font-size: 20px; }}
        QLabel#roomFaults {{ color: {p.accent}; font-size: 20px; font-weight: 600; }}
        QLabel#roomSilent {{
            color: {p.on_accent}; background-color: {p.accent}; border-radius: 8px;
            padding: 6px 10px; font-size: 22px; font-weight: 700;
        }}

        QFrame#callBox {{
            background-color: {p.call}; border: 3px solid {p.call_border}; border-radius: 12px;
        }}
        QFrame#callBox[emphasis="1"] {{ border: 4px solid {p.accent}; }}
        QFrame#callBox[emphasis="2"] {{ border: 5px solid {RED}; }}
        QFrame#callBox[emphasis="3"] {{ background-color: {RED_FILL}; border: 8px solid {RED}; }}
        QLabel#callTitle {{ font-size: 26px; font-weight: 700; }}
        QLabel#callEscalated {{
            background-color: {RED}; color: {p.on_accent}; border-radius: 6px;
            padding: 1px 8px; font-size: 20px; font-weight: 700;
        }}
        QLabel#callReason {{ font-size: 24px; }}
        QLabel#callWait {{ font-size: 22px; }}
        QFrame#callBox[emphasis="2"] QLabel#callWait,
        QFrame#callBox[emphasis="3"] QLabel#callWait {{ font-weight: 700; }}
        QLabel#callStatus {{ font-size: 20px; }}

        QPushButton#acknowledge {{
            background-color: {p.accent}; color: {p.on_accent}; border: 2px solid {p.accent};
            border-radius: 12px; padding: 6px 18px; font-size: 24px; font-weight: 700;
        }}
        QPushButton#acknowledge:pressed {{ background-color: {p.muted}; }}
        QPushButton#acknowledge:disabled {{
            background-color: {p.bar}; color: {p.faint}; border-color: {p.bar};
        }}

        QTableWidget#callsToday {{
            background-color: {p.bar}; color: {p.text}; gridline-color: {p.surface};
            border: 2px solid {p.surface}; border-radius: 10px; font-size: 20px;
        }}
        QTableWidget#callsToday::item {{ padding: 0 10px; }}
        QHeaderView::section {{
            background-color: {p.surface}; color: {p.muted}; border: none;
            padding: 6px 10px; font-size: 20px; font-weight: 600;
        }}
        QHeaderView {{ background-color: {p.surface}; }}
    """


def repolish(widget: QWidget) -> None:
    """Apply the stylesheet again after a dynamic property changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class RoomTile(QFrame):
    """One room: its name, stage, open call with Acknowledge, comfort plan, faults, silence.

    Signals: `acknowledge_requested(kiosk)` when Acknowledge is pressed.
    """

    acknowledge_requested = Signal(str)

    def __init__(self, kiosk: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kiosk = kiosk
        self.setObjectName(f"Room {kiosk}")
        self.setProperty("role", "roomTile")
        self.setProperty("emphasis", 0)
        self.setProperty("silent", False)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 14)
        layout.setSpacing(6)
        self.room_label = self._label("roomName", layout)
        self.stage_label = self._label("roomStage", layout)
        self.silent_label = self._label("roomSilent", layout)

        self.call_box = QFrame(self)
        self.call_box.setObjectName("callBox")
        self.call_box.setProperty("emphasis", 0)
        box = QVBoxLayout(self.call_box)
        box.setContentsMargins(14, 10, 14, 12)
        box.setSpacing(4)
        title_row = QHBoxLayout()
        title_row.setSpacing(10)
        self.call_title = QLabel(self.call_box)
        self.call_title.setObjectName("callTitle")
        self.escalated_label = QLabel(self.tr("ESCALATED"), self.call_box)
        self.escalated_label.setObjectName("callEscalated")
        title_row.addWidget(self.call_title)
        title_row.addWidget(self.escalated_label)
        title_row.addStretch(1)
        box.addLayout(title_row)
        self.call_reason = self._label("callReason", box, self.call_box)
        self.call_wait = self._label("callWait", box, self.call_box)
        self.call_status = self._label("callStatus", box, self.call_box)
        self.ack_button = QPushButton(self.tr("Acknowledge"), self.call_box)
        self.ack_button.setObjectName("acknowledge")
        self.ack_button.setAccessibleName("Acknowledge call")
        self.ack_button.setMinimumHeight(BUTTON_PX)
        self.ack_button.setAutoDefault(False)
        self.ack_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.ack_button.clicked.connect(self._acknowledge)
        box.addSpacing(4)
        box.addWidget(self.ack_button)
        layout.addWidget(self.call_box)

        self.comfort_label = self._label("roomComfort", layout)
        self.faults_label = self._label("roomFaults", layout)
        layout.addStretch(1)

    def _label(self, name: str, layout: QVBoxLayout, parent: QWidget | None = None) -> QLabel:
        label = QLabel(parent or self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(label)
        return label

    def show_view(self, view: RoomView, words: StationWords) -> None:
        """Draw the tile from the model's view of the room."""
        name = view.room or view.kiosk
        self.setObjectName(f"Room {name}")
        self.setAccessibleName(f"Room {name}")
        self.room_label.setText(name)
        self.stage_label.setText(words.stage(view))

        silent_text = words.silent(view) if view.silent else ""
        _set(self.silent_label, silent_text)
        self._set_property(self, "silent", view.silent)

        call = view.call
        self.call_box.setVisible(call is not None)
        emphasis = view.emphasis
        if call is not None:
            self.call_title.setText(words.call_title(call))
            self.escalated_label.setVisible(emphasis >= 2)
            self.call_reason.setText(words.reason(call))
            if call.acknowledged:
                _set(self.call_wait, "")
                _set(self.call_status, words.acknowledged(call))
            else:
                _set(self.call_wait, words.waiting(view.waited_seconds or 0.0))
                _set(self.call_status, words.ack_pending() if call.ack_sent else "")
            self.ack_button.setVisible(not call.acknowledged)
            self.ack_button.setEnabled(not call.ack_sent and not call.acknowledged)
        self._set_property(self.call_box, "emphasis", emphasis)
        self._set_property(self, "emphasis", emphasis)

        state = view.state
        comfort = state.comfort if state is not None else ()
        faults = state.faults if state is not None else ()
        _set(self.comfort_label, words.comfort(comfort) if comfort else "")
        _set(self.faults_label, "\n".join(f"⚠ {fault}" for fault in faults))

    def forget_sizes(self) -> None:
        """Drop the layouts' remembered sizes, so that new words are measured at once."""
        for layout in (self.call_box.layout(), self.layout()):
            if layout is not None:
                layout.invalidate()
        self.call_box.updateGeometry()  # the tile's layout keeps the box's heights too

    @staticmethod
    def _set_property(widget: QWidget, name: str, value: object) -> None:
        if widget.property(name) != value:
            widget.setProperty(name, value)
            repolish(widget)
            for child in widget.findChildren(QWidget):
                repolish(child)

    @Slot()
    def _acknowledge(self) -> None:
        self.ack_button.setEnabled(False)  # until the model says otherwise: no double press
        self.acknowledge_requested.emit(self.kiosk)


def _set(label: QLabel, text: str) -> None:
    """Show `text` in `label`, hiding the label when there is nothing to say."""
    label.setText(text)
    label.setVisible(bool(text))


class StationWords(QObject):
    """The station's sentences for staff, translatable (context "StationWords")."""

    def __init__(self, model: StationModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._model = model

    def stage_names(self) -> dict[str, str]:
        return {
            "settling": self.tr("Settling in"),
            "iv_placement": self.tr("IV placement"),
            "infusion": self.tr("Infusion"),
            "infusion_complete": self.tr("End of infusion"),
            "recovery": self.tr("Recovery"),
            "going_home": self.tr("Going home"),
        }

    def stage(self, view: RoomView) -> str:
        state = view.state
        if state is None:
            return self.tr("Waiting for the kiosk's state")
        if not state.visit_open:
            return self.tr("No visit")
        if state.stage is None:
            return self.tr("Visit open")
        name = self.stage_names().get(state.stage, state.stage)
        if state.infusion_minutes is None:
            return name
        if state.planned_minutes:
            minutes = self.tr("{minutes} of {planned} min").format(
                minutes=state.infusion_minutes, planned=state.planned_minutes)
        else:
            minutes = self.tr("{minutes} min").format(minutes=state.infusion_minutes)
        return f"{name} · {minutes}"

    def duration(self, seconds: float) -> str:
        whole = max(0, int(seconds))
        if whole < 60:
            return self.tr("{seconds} s").format(seconds=whole)
        if whole < 3600:
            return self.tr("{minutes} min {seconds} s").format(minutes=whole // 60, seconds=whole % 60)
        return self.tr("{hours} h {minutes} min").format(hours=whole // 3600, minutes=whole % 3600 // 60)

    def reason(self, call: CallRecord) -> str:
        return call.reason or self.tr("No reason given")

    def ack_pending(self) -> str:
        return self.tr("Acknowledgement sent, waiting for the kiosk…")

    def comfort(self, choices: tuple[str, ...]) -> str:
        return self.tr("Comfort plan: {choices}").format(choices=", ".join(choices))

    def call_title(self, call: CallRecord) -> str:
        return self.tr("ACKNOWLEDGED") if call.acknowledged else self.tr("CALLING")

    def waiting(self, seconds: float) -> str:
        waited = self.duration(seconds).replace(" ", "\u00a0")  # "2 min 10 s" stays on one line
        return self.tr("waiting {time}").format(time=waited)

    def acknowledged(self, call: CallRecord) -> str:
        response = call.response_seconds
        by = call.acknowledged_by or ""
        if response is None:
            return self.tr("Acknowledged (by {by})").format(by=by) if by else self.tr("Acknowledged")
        if by:
            return self.tr("Acknowledged (by {by}) after {time}").format(by=by, time=self.duration(response))
        return self.tr("Acknowledged after {time}").format(time=self.duration(response))

    def clock_time(self, when: datetime, seconds: bool = False) -> str:
        return self._model.local(when).strftime("%H:%M:%S" if seconds else "%H:%M")

    def silent(self, view: RoomView) -> str:
        if view.silent_since is None:
            return self.tr("No word from this kiosk — check the room")
        return self.tr("No word from this kiosk since {time} — check the room").format(
            time=self.clock_time(view.silent_since))

    def banner(self) -> str:
        problem = self._model.connection_problem.strip().rstrip(".")
        if problem:
            return self.tr("Not connected to the broker: {problem}. Calls still chime in each room.").format(
                problem=problem)
        return self.tr("Not connected to the broker. Calls still chime in each room.")

    def response(self, call: CallRecord) -> str:
        seconds = call.response_seconds
        return "—" if seconds is None else self.duration(seconds)

    def outcome(self, call: CallRecord) -> str:
        if call.acknowledged:
            answered = self.tr("Acknowledged at desk") if call.at_desk else self.tr("Acknowledged in room")
            if call.closed_how == "resolved":
                return self.tr("{answered}, resolved").format(answered=answered)
            if call.closed_how == "cancelled":
                return self.tr("{answered}, cancelled").format(answered=answered)
            return answered
        if call.closed_how == "resolved":
            return self.tr("Resolved")
        if call.closed_how == "cancelled":
            return self.tr("Cancelled")
        return self.tr("Open")


class StationWindow(QWidget):
    """Every room on one screen, today's calls, and the desk alert.

    Signals: `acknowledge_requested(kiosk)` when Acknowledge is pressed on a room's call;
    `alert_sounded(kind)` each time the desk alert sounds ("new" or "escalated").
    `alert=False` runs without sound (tests); a `DeskAlert` may be given instead.
    """

    acknowledge_requested = Signal(str)
    alert_sounded = Signal(str)

    def __init__(
        self,
        model: StationModel,
        clock: Clock,
        parent: QWidget | None = None,
        *,
        alert: DeskAlert | bool = True,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self._clock = clock
        self.words = StationWords(model, self)
        self.alerts_played = 0
        self._closed = False
        self._columns = 0
        self._table_version = -1
        self.setObjectName("station")
        self.setWindowTitle(self.tr("Nurse station — infusion-kiosk"))
        self.setStyleSheet(stylesheet())
        self.setMinimumSize(800, 600)
        self.resize(1280, 800)

        if isinstance(alert, DeskAlert):
            self.desk_alert: DeskAlert | None = alert
        else:
            self.desk_alert = DeskAlert(parent=self) if alert else None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(SIDE_MARGIN, 12, SIDE_MARGIN, 14)
        layout.setSpacing(10)

        header = QHBoxLayout()
        self.title = QLabel(self.tr("Nurse station"), self)
        self.title.setObjectName("stationTitle")
        self.clock_label = QLabel(self)
        self.clock_label.setObjectName("stationClock")
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.clock_label)
        layout.addLayout(header)

        self.banner = QLabel(self)
        self.banner.setObjectName("stationBanner")
        self.banner.setWordWrap(True)
        self.banner.setAccessibleName("Connection problem")
        self.banner.hide()
        layout.addWidget(self.banner)

        self.room_scroll = QScrollArea(self)
        self.room_scroll.setObjectName("roomScroll")
        self.room_scroll.setWidgetResizable(True)
        self.room_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.room_grid = QWidget(self.room_scroll)
        self.room_grid.setObjectName("roomGrid")
        self.grid = QGridLayout(self.room_grid)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(14)
        self.no_rooms = QLabel(self.tr("No kiosk has been heard from yet."), self.room_grid)
        self.no_rooms.setObjectName("noRooms")
        self.grid.addWidget(self.no_rooms, 0, 0)
        self.room_scroll.setWidget(self.room_grid)
        layout.addWidget(self.room_scroll, 1)

        self.calls_title = QLabel(self.tr("Today's calls"), self)
        self.calls_title.setObjectName("sectionTitle")
        layout.addWidget(self.calls_title)
        self.calls_table = QTableWidget(0, 5, self)
        self.calls_table.setObjectName("callsToday")
        self.calls_table.setAccessibleName("Today's calls")
        self.calls_table.setHorizontalHeaderLabels(
            [self.tr("Time"), self.tr("Room"), self.tr("Reason"), self.tr("Response"), self.tr("Outcome")])
        self.calls_table.verticalHeader().hide()
        self.calls_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.calls_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.calls_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.calls_table.setWordWrap(False)
        self.calls_table.verticalHeader().setDefaultSectionSize(36)
        head = self.calls_table.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        head.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.calls_table.setMinimumHeight(TABLE_MIN_PX)
        self.calls_table.setMaximumHeight(TABLE_MAX_PX)
        layout.addWidget(self.calls_table)

        self.tiles: dict[str, RoomTile] = {}

        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(REFRESH_MS)
        self.refresh_timer.timeout.connect(self.refresh)
        self.alert_timer = QTimer(self)
        self.alert_timer.setSingleShot(True)
        self.alert_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.alert_timer.timeout.connect(self.check_alert)
        self.refresh()
        self.refresh_timer.start()

    # -- drawing ---------------------------------------------------------------------------
    def tile(self, kiosk: str) -> RoomTile:
        return self.tiles[kiosk]

    @Slot()
    def refresh(self) -> None:
        """Redraw everything from the model, then sound the alert if one is due."""
        if self._closed:
            return
        self._redraw()
        self.check_alert()

    def _redraw(self) -> None:
        views = self.model.rooms()
        self.clock_label.setText(self.words.clock_time(self._clock.now()))
        connected = self.model.connected
        self.banner.setVisible(not connected)
        if not connected:
            self.banner.setText(self.words.banner())
        if [v.kiosk for v in views] != list(self.tiles) or self._columns != self._fit_columns():
            self._place_tiles(views)
        for view in views:
            self.tiles[view.kiosk].show_view(view, self.words)
        self._fit_heights()
        if self._table_version != self.model.version:
            self._fill_table()

    def _fit_columns(self) -> int:
        width = self.width() - 2 * SIDE_MARGIN
        return max(1, min(MAX_COLUMNS, width // TILE_MIN_WIDTH))

    def _place_tiles(self, views: list[RoomView]) -> None:
        """Lay the tiles out in the model's order, making and removing tiles as kiosks come."""
        for kiosk in [k for k in self.tiles if k not in {v.kiosk for v in views}]:
            gone = self.tiles.pop(kiosk)
            gone.hide()
            gone.deleteLater()
        for view in views:
            if view.kiosk not in self.tiles:
                tile = RoomTile(view.kiosk, self.room_grid)
                tile.acknowledge_requested.connect(self.acknowledge_requested)
                self.tiles[view.kiosk] = tile
        ordered = {v.kiosk: self.tiles[v.kiosk] for v in views}
        self.tiles = ordered
        while self.grid.count():
            self.grid.takeAt(0)
        self._columns = columns = self._fit_columns()
        self.no_rooms.setVisible(not views)
        if not views:
            self.grid.addWidget(self.no_rooms, 0, 0)
        for index, tile in enumerate(ordered.values()):
            self.grid.addWidget(tile, index // columns, index % columns)
            tile.show()
        for column in range(MAX_COLUMNS):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)
        rows = max(1, math.ceil(len(views) / columns))
        self.grid.setRowStretch(rows, 1)

    def _fit_heights(self) -> None:
        """Give each tile the height its wrapped words need at its column's width.

        A grid in a scroll area sizes rows by the tiles' size hints, which do not know
        how many lines a wrapped label takes: without this a long reason or wait
        would push the Acknowledge button out of its box.
        """
        if not self.tiles or not self._columns:
            return
        width = self.room_grid.width() if self.room_grid.isVisible() else 0
        if width <= 0:
            width = self.width() - 2 * SIDE_MARGIN
        spacing = self.grid.horizontalSpacing()
        column = max(1, (width - spacing * (self._columns - 1)) // self._columns)
        for tile in self.tiles.values():
            tile.forget_sizes()
            needed = tile.heightForWidth(column)
            if needed > 0 and needed != tile.minimumHeight():
                tile.setMinimumHeight(needed)

    def _fill_table(self) -> None:
        self._table_version = self.model.version
        calls = self.model.calls_today()
        table = self.calls_table
        table.setRowCount(len(calls))
        cells: list[Callable[[CallRecord], str]] = [
            lambda c: self.words.clock_time(c.requested_at, seconds=True),
            lambda c: c.room or c.kiosk,
            self.words.reason,
            self.words.response,
            self.words.outcome,
        ]
        for row, call in enumerate(calls):
            for column, cell in enumerate(cells):
                item = QTableWidgetItem(cell(call))
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                table.setItem(row, column, item)
        if calls:
            table.scrollToBottom()  # the newest call in sight

    # -- the desk alert ------------------------------------------------------------------------
    @Slot()
    def check_alert(self) -> None:
        """Sound the desk alert if the model says one is due; set the timer for the next."""
        if self._closed:
            return
        kind = self.model.alert_due()
        if kind is not None:
            if self.desk_alert is not None:
                self.desk_alert.play(kind)
            self.model.alert_played()
            self.alerts_played += 1
            self.alert_sounded.emit(kind)
        seconds = self.model.seconds_until_alert()
        if seconds is None:
            self.alert_timer.stop()
        else:
            self.alert_timer.start(max(ALERT_MIN_MS, math.ceil(seconds * 1000)))

    # -- the end -----------------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop the timers and the alert, and close (safe to call more than once)."""
        self._stop()
        self.close()

    def _stop(self) -> None:
        self._closed = True
        self.refresh_timer.stop()
        self.alert_timer.stop()
        if self.desk_alert is not None:
            self.desk_alert.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._stop()
        super().closeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self._closed and self._columns and self._columns != self._fit_columns():
            self._redraw()
        elif not self._closed:
            self._fit_heights()
