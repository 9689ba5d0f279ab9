"""The look of the kiosk: one stylesheet, built from the display config.

Dark and warm with low glare for the patient; no pure white areas and no red.
Every colour of text on every background it is drawn on reaches a contrast
ratio of at least 7:1 (WCAG AAA): see `text_pairs` and tests/test_theme.py.
Sizes follow the principles in the architecture notes (body text at least 28 px,
headings at least 44 px, touch targets at least 120 px at 1280×800), with text
multiplied by `display.text_scale`.
"""

from __future__ import annotations

import re
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
    # Warm charcoal and candle-light text: calm in a dimmed room. Every text pair is
    # at least 7:1 (tests/test_theme.py); the closest are faint on bar, text on call and
    # accent on surface_pressed, so check those first when changing a colour.
    "dusk": Palette(
        background="#1c1815",
        bar="#231e1a",
        surface="#332b25",
        surface_pressed="#40362e",
        text="#f3e7d7",
        muted="#cdbba6",
        faint="#b2a89d",
        accent="#e8c38d",
        on_accent="#1c1815",
        call="#295254",
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
BUTTON_SCALE_MAX = 1.3
"""Button labels grow with `text_scale` up to this, reading text all the way. Buttons are
already large (120 px, 30 px type); beyond 1.3 the bar's Call nurse (its Spanish label is
long) and the choice tiles would push each other off a 1280 px screen."""


def stylesheet(theme: str, text_scale: float = 1.0) -> str:
    """The Qt stylesheet for `theme` at `text_scale`."""
    p = THEMES[theme]

    def px(size: float) -> int:
        return round(size * text_scale)

    def button_px(size: float) -> int:
        return round(size * min(text_scale, BUTTON_SCALE_MAX))

    # The staff screens keep their sizes: text_scale is for the patient, and the panel
    # must keep every control of a busy nurse on one screen.
    return f"""
        QWidget#kiosk, QStackedWidget, QWidget#idle, QWidget#stage, QWidget#staff,
        QWidget#music, QWidget#breathe, QWidget#call, QWidget#checkin, QWidget#comfort,
        QWidget#about {{
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
            font-size: {button_px(BODY_PX)}px;
        }}
        QPushButton:pressed {{ background-color: {p.surface_pressed}; }}
        QPushButton:disabled {{ color: {p.faint}; border-color: {p.bar}; background-color: {p.bar}; }}
        QPushButton[role="call"] {{
            background-color: {p.call};
            border: 3px solid {p.call_border};
            padding: 2px 24px;
            font-size: {button_px(34)}px;
            font-weight: 600;
        }}
        QPushButton[role="discreet"] {{
            background-color: transparent;
            border: none;
            color: {p.faint};
            font-size: {button_px(22)}px;
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
        QLabel#volumeCaption {{ color: {p.muted}; font-size: {button_px(28)}px; }}
        QWidget#volumeLevel {{ qproperty-fillColor: {p.accent}; qproperty-emptyColor: {p.surface_pressed}; }}
        QScrollArea#musicTiles, QWidget#musicTileGrid, QScrollArea#pageScroll,
        QWidget#pageWords {{ background: transparent; border: none; }}
        QScrollArea#musicTiles QScrollBar:vertical, QScrollBar#pageScrollBar:vertical {{
            background: {p.bar};
            width: 28px;
            margin: 0 0 0 16px;
            border-radius: 6px;
        }}
        QScrollArea#musicTiles QScrollBar::handle:vertical,
        QScrollBar#pageScrollBar::handle:vertical {{
            background: {p.faint};
            border-radius: 6px;
            min-height: 80px;
        }}
        QScrollBar#pageScrollBar::handle:vertical {{ min-height: 28px; }}
        QScrollArea#musicTiles QScrollBar::add-line:vertical,
        QScrollArea#musicTiles QScrollBar::sub-line:vertical,
        QScrollBar#pageScrollBar::add-line:vertical,
        QScrollBar#pageScrollBar::sub-line:vertical {{ height: 0; border: none; }}
        QLabel#checkMark {{ color: {p.faint}; font-size: {px(30)}px; min-width: {px(36)}px; }}
        QLabel#checkMark[done="true"] {{ color: {p.accent}; font-weight: 700; }}

        QPushButton#faceTile {{ border: 4px solid {p.surface}; }}
        QPushButton#faceTile:checked {{
            background-color: {p.surface_pressed};
            border: 4px solid {p.accent};
        }}
        QWidget#face {{ qproperty-faceColor: {p.accent}; }}
        QLabel#faceWord {{ color: {p.text}; font-size: {button_px(30)}px; background: transparent; }}
        QPushButton#comfortTile {{ font-size: {button_px(30)}px; padding: 8px 16px; }}
        QPushButton#comfortTile:checked {{
            background-color: {p.surface_pressed};
            border: 4px solid {p.accent};
            color: {p.accent};
        }}

        QLabel#caption {{ color: {p.muted}; font-size: {px(28)}px; }}
        QPushButton#breathChoice {{ font-size: {button_px(28)}px; padding: 8px 12px; }}
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


        QWidget#staff QLabel {{ font-size: 28px; }}
        QWidget#staff QPushButton {{ font-size: 28px; padding: 8px 16px; }}
        QWidget#staff QPushButton[role="key"] {{ font-size: 40px; }}
        QWidget#staff QLabel#staffTitle {{ color: {p.accent}; font-size: 40px; font-weight: 600; }}
        QWidget#staff QLabel#staffStatus {{ font-size: 28px; }}
        QWidget#staff QLabel#staffCall {{ color: {p.accent}; font-size: 28px; font-weight: 600; }}
        QWidget#staff QLabel#staffCare {{ color: {p.text}; font-size: 26px; }}
        QWidget#staff QLabel#staffValue {{ color: {p.accent}; font-size: 40px; }}
        QWidget#staff QLabel#pinDisplay {{ color: {p.accent}; font-size: 40px; qproperty-alignment: AlignCenter; }}
        QWidget#staff QLabel#pinMessage {{ color: {p.muted}; font-size: 28px; qproperty-alignment: AlignCenter; }}
        QWidget#staff QPushButton#dischargeItem {{ font-size: 26px; text-align: left; padding: 4px 20px; }}
        QWidget#staff QPushButton#dischargeItem:checked {{
            background-color: {p.surface_pressed};
            border: 3px solid {p.accent};
            color: {p.accent};
        }}
        QWidget#staff QLabel#banner {{
            background-color: {p.accent};
            color: {p.on_accent};
            border-radius: 12px;
            padding: 12px 20px;
            font-size: 26px;
        }}
        QWidget#staff QListWidget#events {{
            background-color: {p.bar};
            color: {p.muted};
            border: 2px solid {p.surface};
            border-radius: 12px;
            font-size: 24px;
        }}
    """


# Every colour of readable text on every background `stylesheet` draws it on. Keep in step
# with the stylesheet above: tests/test_theme.py checks each pair for 7:1 and that every
# `color:` of the stylesheet is a foreground here. Left out on purpose: the text of disabled
# buttons (WCAG 1.4.6 exempts inactive controls; it is faint on bar, which passes anyway as
# the Staff button), and what is not text (borders, the scroll bar, the pacer, the volume
# and breathing bars), for which WCAG 1.4.11 asks only 3:1.
def text_pairs(theme: str) -> list[tuple[str, str, str]]:
    """(what, foreground, background) for each text colour on each background it appears on."""
    p = THEMES[theme]
    return [
        ("text on the screens (labels, secondary buttons, staff status)", p.text, p.background),
        ("muted text on the screens (clinic, captions, hints, future stages, PIN message)",
         p.muted, p.background),
        ("faint text on the screens (past stage names, open checklist marks)", p.faint,
         p.background),
        ("accent text on the screens (titles, timing, current stage, staff values)",
         p.accent, p.background),
        ("text on the bar", p.text, p.bar),
        ("muted text on the bar (the staff event list)", p.muted, p.bar),
        ("faint text on the bar (the discreet Staff button)", p.faint, p.bar),
        ("accent text on the bar", p.accent, p.bar),
        ("text on buttons and unchecked tiles", p.text, p.surface),
        ("accent text on checked choice buttons", p.accent, p.surface),
        ("text on pressed buttons", p.text, p.surface_pressed),
        ("accent text on checked playlist tiles and breathing choices", p.accent, p.surface_pressed),
        ("on-accent text on primary buttons and the staff banner", p.on_accent, p.accent),
        ("text on the Call nurse button and the call strip", p.text, p.call),
    ]


_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of "#rrggbb": 0 for black, 1 for white."""
    if not _HEX.match(colour):
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    r, g, b = (_channel(int(colour[i:i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.x contrast ratio of two "#rrggbb" colours, from 1 (same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)),
                             reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
