"""Music: the playlists as big tiles, Play/Pause, Next track, the volume and what is playing.

A thin view. The window owns the player and the rules (which playlist Play starts,
how far the volume may go); it tells this screen what to show with `set_playlists`
and `show_player`, and the screen turns touches into signals. A tapped tile stays
as the window last said until the window says otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QScroller,
    QScrollerProperties,
    QSizePolicy,
    QSpacerItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.content import Content
from kiosk.screens.base import Screen
from kiosk.widgets import TOUCH_PX, BigButton, colour_property

STATES = ("stopped", "playing", "paused")
COLUMNS = 3  # tiles in a row
ROWS_SHOWN = 2  # rows on screen at once; more playlists scroll
TILE_SPACING = 20
MARGINS = (48, 16, 48, 24)  # left, top, right, bottom
PEEK_PX = 30  # this much of the next row shows when the tiles scroll, as a hint there is more
LEVEL_BARS = 10
_EDGE = 1e-6  # a level this close to 0 or 1 counts as the end


def _sentence(text: str) -> str:
    """Content labels end without a full stop (see the content files): add one."""
    return text if not text or text.endswith((".", "?", "…")) else f"{text}."


class PlaylistTile(BigButton):
    """One playlist: a big checkable tile named after it. Signals: `chosen(index)` on a tap."""

    chosen = Signal(int)

    def __init__(self, index: int, name: str, parent: QWidget | None = None) -> None:
        super().__init__(name, parent, accessible_name=name, role="choice")
        self.setObjectName("playlistTile")
        self.index = index
        self.full_name = name
        self.setCheckable(True)
        self.clicked.connect(self._on_clicked)

    @Slot()
    def _on_clicked(self) -> None:
        self.chosen.emit(self.index)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # A long name is shortened with "…" rather than cut; its accessible name stays whole.
        # Measured in bold, as the chosen tile is written, so the words fit either way.
        bold = QFont(self.font())
        bold.setBold(True)
        room = max(0, event.size().width() - 72)
        self.setText(QFontMetrics(bold).elidedText(self.full_name, Qt.TextElideMode.ElideRight, room))


class VolumeLevel(QWidget):
    """A row of soft bars, rising left to right, filled up to the level. Not a control.

    Its colours come from the stylesheet (`qproperty-fillColor`, `qproperty-emptyColor`).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("volumeLevel")
        self.setAccessibleName("Volume")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setMinimumSize(220, 72)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._level = 0.0
        self._fill = QColor("#e6bd82")
        self._empty = QColor("#4a3f36")
        self._update_description()

    def set_level(self, level: float) -> None:
        level = min(1.0, max(0.0, float(level)))
        if level != self._level:
            self._level = level
            self._update_description()
            self.update()

    def level(self) -> float:
        return self._level

    def filled(self) -> int:
        """How many of the `LEVEL_BARS` bars are lit: at least one unless silent, all only at the top."""
        if self._level <= _EDGE:
            return 0
        if self._level >= 1.0 - _EDGE:
            return LEVEL_BARS
        return min(LEVEL_BARS - 1, max(1, round(self._level * LEVEL_BARS)))

    def _update_description(self) -> None:
        self.setAccessibleDescription(f"{self.filled()} of {LEVEL_BARS}")

    fillColor = colour_property("_fill")  # Qt property names, for the stylesheet
    emptyColor = colour_property("_empty")

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(Qt.PenStyle.NoPen)
        if not self.isEnabled():
            painter.setOpacity(0.45)  # no music to turn up or down
        width, height = float(self.width()), float(self.height())
        gap = max(6.0, width / (LEVEL_BARS * 4))
        bar = (width - gap * (LEVEL_BARS - 1)) / LEVEL_BARS
        lit = self.filled()
        for i in range(LEVEL_BARS):
            # from a third of the height up to all of it: louder looks bigger
            bar_height = height * (0.34 + 0.66 * (i + 1) / LEVEL_BARS)
            rect = QRectF(i * (bar + gap), height - bar_height, bar, bar_height)
            painter.setBrush(self._fill if i < lit else self._empty)
            radius = min(bar / 2, 10.0)
            painter.drawRoundedRect(rect, radius, radius)
        painter.end()


class MusicScreen(Screen):
    """Playlists as big tiles, Play/Pause, Next track, volume down/up and what is playing.

    Signals (intents): `playlist_chosen(index)`, `play_requested`, `pause_requested`,
    `next_requested`, `volume_step(-1 | +1)`.
    """

    name = "music"

    playlist_chosen = Signal(int)  # index into the names given to set_playlists
    play_requested = Signal()
    pause_requested = Signal()
    next_requested = Signal()
    volume_step = Signal(int)  # -1 quieter, +1 louder

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._content: Content | None = None
        self._names: tuple[str, ...] = ()
        self._chosen: int | None = None
        self._state = "stopped"
        self._title = ""
        self._level = 0.0
        self._available = True
        self._message = ""

        self.title = QLabel("Music", self)
        self.title.setObjectName("title")
        self.choose = QLabel("Choose some music", self)
        self.choose.setObjectName("lead")

        # the tiles: in a scroll area that only scrolls when there are more than fit
        self.tiles: list[PlaylistTile] = []
        # made without a parent, so that its scroll bars are styled as #musicTiles (a child
        # made under a styled parent is polished before its name is set)
        self.tile_area = QScrollArea()
        self.tile_area.setObjectName("musicTiles")
        self.tile_area.setFrameShape(QFrame.Shape.NoFrame)
        self.tile_area.setWidgetResizable(True)
        self.tile_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tile_area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tile_area.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustIgnored)
        self.tile_area.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.tile_area.viewport().setAutoFillBackground(False)
        grid_widget = QWidget()
        grid_widget.setObjectName("musicTileGrid")
        grid_widget.setAutoFillBackground(False)
        self._grid = QGridLayout(grid_widget)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(TILE_SPACING)
        for column in range(COLUMNS):
            self._grid.setColumnStretch(column, 1)
        self._grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.tile_area.setWidget(grid_widget)
        self._scrolls = False
        self._touch_scroll = False

        self.now_playing = QLabel(self)
        self.now_playing.setObjectName("nowPlaying")
        self.now_playing.setWordWrap(True)

        # the controls: fixed English accessible names, shown words from the content
        self.play_button = BigButton("Play", self, accessible_name="Play", role="primary")
        self.next_button = BigButton("Next track", self, accessible_name="Next track")
        self.quieter_button = BigButton("Quieter", self, accessible_name="Volume down")
        self.louder_button = BigButton("Louder", self, accessible_name="Volume up")
        for button in (self.play_button, self.next_button, self.quieter_button, self.louder_button):
            button.setFixedHeight(TOUCH_PX)
            # no fixed minimum width: a button is never narrower than its words (in any language)
            button.setMinimumWidth(0)
        self.play_button.clicked.connect(self._on_play_clicked)
        self.next_button.clicked.connect(self._on_next_clicked)
        self.quieter_button.clicked.connect(self._on_quieter_clicked)
        self.louder_button.clicked.connect(self._on_louder_clicked)
        self.volume_caption = QLabel("Volume", self)
        self.volume_caption.setObjectName("volumeCaption")
        self.volume_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.volume_level = VolumeLevel(self)
        volume_box = QWidget(self)
        volume_box.setFixedHeight(TOUCH_PX)
        volume_box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        volume_column = QVBoxLayout(volume_box)
        volume_column.setContentsMargins(0, 0, 0, 0)
        volume_column.setSpacing(4)
        volume_column.addWidget(self.volume_caption)
        volume_column.addWidget(self.volume_level, 1)

        header = QHBoxLayout()
        header.setSpacing(40)
        header.addWidget(self.title, 0, Qt.AlignmentFlag.AlignBottom)
        header.addWidget(self.choose, 1, Qt.AlignmentFlag.AlignBottom)
        self._header = header
        self.choose.setContentsMargins(0, 0, 0, 8)  # nearer the heading's baseline

        # Play and Next beside the volume; when their words need more room (large text),
        # they take the place of the heading and the volume has the row to itself.
        playing = QHBoxLayout()
        playing.setSpacing(16)
        playing.addWidget(self.play_button)
        playing.addWidget(self.next_button)
        volume = QHBoxLayout()
        volume.setSpacing(16)
        volume.addWidget(self.quieter_button)
        volume.addWidget(volume_box)
        volume.addWidget(self.louder_button)
        self._volume_box = volume_box
        controls = QHBoxLayout()
        controls.setSpacing(48)  # the volume is a group of its own
        controls.addLayout(playing, 2)
        controls.addLayout(volume, 3)
        self._controls, self._playing = controls, playing
        self._narrow = False

        # Between the tiles and what is playing: free space (taken by the tiles when they scroll).
        self._gap = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(*MARGINS)
        self._layout.setSpacing(12)
        self._layout.addLayout(header)
        self._layout.addSpacing(8)
        self._layout.addWidget(self.tile_area)
        self._layout.addItem(self._gap)
        self._layout.addSpacing(8)
        self._layout.addWidget(self.now_playing)
        self._layout.addSpacing(4)
        self._layout.addLayout(controls)

        self._fit_tile_area()
        self._redraw()

    # -- what the window tells the screen ------------------------------------------
    def set_content(self, content: Content) -> None:
        """All words from the content file (the visit's language)."""
        self._content = content
        self.title.setText(content.text("music"))
        self.choose.setText(content.text("choose_music"))
        self.next_button.setText(content.text("next_track"))
        self.quieter_button.setText(content.text("quieter"))
        self.louder_button.setText(content.text("louder"))
        self.volume_caption.setText(content.text("volume"))
        self._redraw()

    def set_playlists(self, names: Sequence[str], chosen: int | None) -> None:
        """One big tile per playlist, `chosen` checked; tiles are rebuilt only when names change."""
        names = tuple(names)
        if names != self._names:
            self._names = names
            self._rebuild_tiles()
        self._chosen = chosen if chosen is not None and 0 <= chosen < len(names) else None
        self._redraw()

    def show_player(self, *, state: str, title: str, level: float, available: bool,
                    message: str = "") -> None:
        """Redraw the player: its state, the track playing, the volume (0..1 of the cap)."""
        if state not in STATES:
            raise ValueError(f"unknown player state {state!r} (one of: {', '.join(STATES)})")
        self._state = state
        self._title = title
        self._level = min(1.0, max(0.0, float(level)))
        self._available = available
        self._message = message
        self._redraw()

    @property
    def scrolls(self) -> bool:
        """More tiles than fit: they scroll, dragged by a finger."""
        return self._touch_scroll

    def on_enter(self) -> None:
        if self._chosen is not None and self._scrolls:
            self.tile_area.ensureWidgetVisible(self.tiles[self._chosen], 0, TILE_SPACING)

    # -- what is on screen ---------------------------------------------------------
    def _text(self, key: str, fallback: str, **values: object) -> str:
        if self._content is None:
            return fallback.format(**values)
        return self._content.text(key, **values)

    def _rebuild_tiles(self) -> None:
        for tile in self.tiles:
            self._grid.removeWidget(tile)
            tile.hide()  # gone at once, though deleted later (it may be the one being tapped)
            tile.deleteLater()
        self.tiles = []
        parent = self.tile_area.widget()
        for index, name in enumerate(self._names):
            tile = PlaylistTile(index, name, parent)
            tile.setFixedHeight(TOUCH_PX)
            tile.chosen.connect(self._on_tile_chosen)
            self._grid.addWidget(tile, index // COLUMNS, index % COLUMNS)
            tile.show()
            self.tiles.append(tile)
        self._fit_tile_area()

    def _fit_tile_area(self) -> None:
        rows = -(-len(self._names) // COLUMNS)
        self._scrolls = rows > ROWS_SHOWN
        all_rows = rows * TOUCH_PX + max(0, rows - 1) * TILE_SPACING
        area = self.tile_area
        area.setVisible(rows > 0)
        if self._scrolls:
            # the tiles take the free space; a part of the next row and the bar show there is more
            # (the tops of the next row peek out, without their words: no half-cut text)
            shown = ROWS_SHOWN * (TOUCH_PX + TILE_SPACING)
            area.setMinimumHeight(TOUCH_PX + TILE_SPACING + PEEK_PX)
            area.setMaximumHeight(shown + PEEK_PX)
            area.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        else:
            area.setFixedHeight(all_rows)
            area.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._layout.setStretchFactor(area, 1 if self._scrolls else 0)
        viewport = area.viewport()
        if self._scrolls and not self._touch_scroll:
            self._touch_scroll = True
            QScroller.grabGesture(viewport, QScroller.ScrollerGestureType.LeftMouseButtonGesture)
            scroller = QScroller.scroller(viewport)
            properties = scroller.scrollerProperties()
            off = QScrollerProperties.OvershootPolicy.OvershootAlwaysOff
            properties.setScrollMetric(QScrollerProperties.ScrollMetric.HorizontalOvershootPolicy, off)
            properties.setScrollMetric(QScrollerProperties.ScrollMetric.VerticalOvershootPolicy, off)
            scroller.setScrollerProperties(properties)
        elif not self._scrolls and self._touch_scroll:
            self._touch_scroll = False  # a few tiles: a tap needs no telling apart from a drag
            QScroller.ungrabGesture(viewport)
        area.verticalScrollBar().setValue(0)

    def _redraw(self) -> None:
        playing = self._state == "playing" and self._available  # without an output nothing is heard
        self.play_button.setText(self._text("pause", "Pause") if playing else self._text("play", "Play"))
        self.play_button.setAccessibleName("Pause" if playing else "Play")

        for tile in self.tiles:
            tile.setChecked(tile.index == self._chosen)
            tile.setEnabled(self._available)
        self.play_button.setEnabled(self._available and (bool(self._names) or playing))
        self.next_button.setEnabled(self._available and self._state != "stopped")
        self.volume_level.set_level(self._level)
        self.volume_level.setEnabled(self._available)
        self.quieter_button.setEnabled(self._available and self._level > _EDGE)
        self.louder_button.setEnabled(self._available and self._level < 1.0 - _EDGE)
        self._show_now_playing()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show_now_playing()

    def _fit_controls(self) -> None:
        """All controls in one row when their words fit across; else Play and Next move up."""
        widgets = (self.play_button, self.next_button, self.quieter_button, self.louder_button)
        need = sum(w.sizeHint().width() for w in widgets) + self._volume_box.minimumSizeHint().width()
        need += 16 * 3 + self._controls.spacing()
        margins = self._layout.contentsMargins()
        narrow = need > self.width() - margins.left() - margins.right()
        if narrow == self._narrow:
            return
        self._narrow = narrow
        self.title.setVisible(not narrow)  # the bar's Back and these controls say where we are
        if narrow:
            self._controls.removeItem(self._playing)
            self._header.addLayout(self._playing)
        else:
            self._header.removeItem(self._playing)
            self._controls.insertLayout(0, self._playing, 2)

    def _show_now_playing(self) -> None:
        """What is playing on one line (a long title is shortened); a sentence may wrap."""
        self._fit_controls()
        self.choose.setVisible(self._available)  # not while there is nothing to choose
        sentence = self._sentence_shown()
        if sentence is not None:
            self.now_playing.setText(sentence)
            return
        title = self._title or (self._names[self._chosen] if self._chosen is not None else "")
        if not title:
            self.now_playing.clear()
            return
        text = self._text("now_playing", "Now playing: {title}", title=title)
        self.now_playing.ensurePolished()
        metrics = self.now_playing.fontMetrics()
        margins = self._layout.contentsMargins()
        room = self.width() - margins.left() - margins.right()
        if room > 0 and metrics.horizontalAdvance(text) > room:
            words = metrics.horizontalAdvance(self._text("now_playing", "Now playing: {title}",
                                                         title=""))
            short = metrics.elidedText(title, Qt.TextElideMode.ElideRight, max(0, room - words))
            text = self._text("now_playing", "Now playing: {title}", title=short)
        self.now_playing.setText(text)

    def _sentence_shown(self) -> str | None:
        """The calm sentence shown instead of what is playing, if any."""
        if not self._available:
            return _sentence(self._text("music_unavailable",
                                        "Music is not available just now. Your nurse knows"))
        if self._message:
            return _sentence(self._message)
        if self._state == "stopped":
            return _sentence(self._text("music_off",
                                        "Music is off. Choose some music and press Play"))
        return None

    # -- touches -------------------------------------------------------------------
    @Slot(int)
    def _on_tile_chosen(self, index: int) -> None:
        self._redraw()  # the tile shows what the window says, not the tap's own toggle
        self.playlist_chosen.emit(index)

    @Slot()
    def _on_play_clicked(self) -> None:
        if self._state == "playing":
            self.pause_requested.emit()
        else:
            self.play_requested.emit()

    @Slot()
    def _on_next_clicked(self) -> None:
        self.next_requested.emit()

    @Slot()
    def _on_quieter_clicked(self) -> None:
        self.volume_step.emit(-1)

    @Slot()
    def _on_louder_clicked(self) -> None:
        self.volume_step.emit(1)
