"""The look of the kiosk: one stylesheet, built from the display config.

Dark and warm with low glare for the patient; no pure white areas and no red.
Sizes follow the principles in the architecture notes (body text at least 28 px,
headings at least 44 px, touch targets at least 120 px at 1280×800), with text
multiplied by `display.text_scale`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Palette:
    """The colours of one theme."""

    background: str
    bar: str
    surface: str
    surface_pressed: str
    text: str
    muted: str
    faint: str
    accent: str
    on_accent: str
    call: str
    call_border: str


THEMES: dict[str, Palette] = {
    # Warm charcoal and candle-light text: calm in a dimmed room.
    "dusk": Palette(
        background="#1c1815",
        bar="#231e1a",
        surface="#332b25",
        surface_pressed="#4a3f36",
        text="#f3e7d7",
        muted="#cdbba6",
        faint="#8f8172",
        accent="#e6bd82",
        on_accent="#1c1815",
        call="#2d5a5c",
        call_border="#8cc4bd",
    ),
    # For low vision: black, pale yellow and white-ish text; the strongest contrast we offer.
    "high_contrast": Palette(
        background="#000000",
        bar="#000000",
        surface="#1a1a1a",
        surface_pressed="#3a3a3a",
        text="#fff8d6",
        muted="#fff8d6",
        faint="#d9d2b0",
        accent="#ffd84d",
        on_accent="#000000",
        call="#003f46",
        call_border="#7ff0e6",
    ),
}

BODY_PX = 30
LEAD_PX = 32
HEADING_PX = 56


def stylesheet(theme: str, text_scale: float = 1.0) -> str:
    """The Qt stylesheet for `theme` at `text_scale`."""
    p = THEMES[theme]

    def px(size: float) -> int:
        return round(size * text_scale)

    return f"""
        QWidget#kiosk, QStackedWidget, QWidget#idle, QWidget#stage, QWidget#staff,
        QWidget#music, QWidget#breathe, QWidget#call {{
            background-color: {p.background};
            color: {p.text};
        }}
        QLabel {{ color: {p.text}; font-size: {px(BODY_PX)}px; }}
        QLabel#clinic {{ color: {p.muted}; font-size: {px(34)}px; }}
        QLabel#title {{ color: {p.accent}; font-size: {px(HEADING_PX)}px; font-weight: 600; }}
        QLabel#lead {{ color: {p.text}; font-size: {px(LEAD_PX)}px; }}
        QLabel#stageTitle {{ color: {p.accent}; font-size: {px(50)}px; font-weight: 600; }}
        QLabel#body {{ color: {p.text}; font-size: {px(28)}px; }}
        QLabel#timing {{ color: {p.accent}; font-size: {px(32)}px; }}
        QLabel[step="past"] {{ color: {p.faint}; font-size: {px(28)}px; }}
        QLabel[step="current"] {{ color: {p.accent}; font-size: {px(28)}px; font-weight: 700; }}
        QLabel[step="future"] {{ color: {p.muted}; font-size: {px(28)}px; }}
        QFrame#rule {{ background-color: {p.surface}; }}
        QWidget#bar {{ background-color: {p.bar}; border-top: 2px solid {p.surface}; }}
        QWidget#callStrip {{ background-color: {p.call}; border-top: 3px solid {p.call_border}; }}
        QLabel#callStatus {{ color: {p.text}; font-size: {px(LEAD_PX)}px; }}
        QLabel#callLead {{ color: {p.text}; font-size: {px(40)}px; font-weight: 600; }}

        QPushButton {{
            background-color: {p.surface};
            color: {p.text};
            border: 2px solid {p.surface};
            border-radius: 22px;
            padding: 8px 28px;
            font-size: {px(BODY_PX)}px;
        }}
        QPushButton:pressed {{ background-color: {p.surface_pressed}; }}
        QPushButton:disabled {{ color: {p.faint}; border-color: {p.bar}; background-color: {p.bar}; }}
        QPushButton[role="call"] {{
            background-color: {p.call};
            border: 3px solid {p.call_border};
            font-size: {px(34)}px;
            font-weight: 600;
        }}
        QPushButton[role="discreet"] {{
            background-color: transparent;
            border: none;
            color: {p.faint};
            font-size: {px(22)}px;
        }}
        QPushButton[role="primary"] {{
            background-color: {p.accent};
            border-color: {p.accent};
            color: {p.on_accent};
            font-weight: 600;
        }}
        QPushButton[role="secondary"] {{ background-color: {p.background}; border-color: {p.surface_pressed}; }}
        QPushButton[role="key"] {{ font-size: {px(40)}px; }}
        QPushButton[role="choice"]:checked {{ border: 3px solid {p.accent}; color: {p.accent}; }}

        QPushButton[role="primary"]:disabled {{
            background-color: {p.bar};
            border-color: {p.bar};
            color: {p.faint};
        }}

        QPushButton#playlistTile:checked {{
            background-color: {p.surface_pressed};
            border: 4px solid {p.accent};
            color: {p.accent};
            font-weight: 600;
        }}
        QLabel#nowPlaying {{ color: {p.text}; font-size: {px(34)}px; }}
        QLabel#volumeCaption {{ color: {p.muted}; font-size: {px(28)}px; }}
        QWidget#volumeLevel {{ qproperty-fillColor: {p.accent}; qproperty-emptyColor: {p.surface_pressed}; }}
        QScrollArea#musicTiles, QWidget#musicTileGrid {{ background: transparent; border: none; }}
        QScrollArea#musicTiles QScrollBar:vertical {{
            background: {p.bar};
            width: 28px;
            margin: 0 0 0 16px;
            border-radius: 6px;
        }}
        QScrollArea#musicTiles QScrollBar::handle:vertical {{
            background: {p.faint};
            border-radius: 6px;
            min-height: 80px;
        }}
        QScrollArea#musicTiles QScrollBar::add-line:vertical,
        QScrollArea#musicTiles QScrollBar::sub-line:vertical {{ height: 0; border: none; }}

        QLabel#caption {{ color: {p.muted}; font-size: {px(28)}px; }}
        QPushButton#breathChoice {{ font-size: {px(28)}px; padding: 8px 12px; }}
        QPushButton#breathChoice:checked {{
            background-color: {p.surface_pressed};
            border: 4px solid {p.accent};
            color: {p.accent};
        }}
        QLabel#phaseWord {{ color: {p.accent}; font-size: {px(72)}px; font-weight: 600; }}
        QLabel#phaseHint {{ color: {p.muted}; font-size: {px(LEAD_PX)}px; }}
        QWidget#pacer {{
            qproperty-fillColor: {p.accent};
            qproperty-backColor: {p.background};
            qproperty-ringColor: {p.surface_pressed};
        }}
        QWidget#breathProgress {{ qproperty-fillColor: {p.faint}; qproperty-emptyColor: {p.surface}; }}

        QLabel#staffTitle {{ color: {p.accent}; font-size: {px(40)}px; font-weight: 600; }}
        QLabel#staffStatus {{ font-size: {px(30)}px; }}
        QLabel#staffCall {{ color: {p.accent}; font-size: {px(30)}px; font-weight: 600; }}
        QLabel#staffValue {{ color: {p.accent}; font-size: {px(40)}px; }}
        QLabel#pinDisplay {{ color: {p.accent}; font-size: {px(40)}px; qproperty-alignment: AlignCenter; }}
        QLabel#pinMessage {{ color: {p.muted}; font-size: {px(28)}px; qproperty-alignment: AlignCenter; }}
        QLabel#banner {{
            background-color: {p.accent};
            color: {p.on_accent};
            border-radius: 12px;
            padding: 12px 20px;
            font-size: {px(26)}px;
        }}
        QListWidget#events {{
            background-color: {p.bar};
            color: {p.muted};
            border: 2px solid {p.surface};
            border-radius: 12px;
            font-size: {px(24)}px;
        }}
    """
