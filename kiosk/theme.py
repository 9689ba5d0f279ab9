"""The look of the kiosk: one stylesheet, built from the display config.

Dark and warm with low glare for the patient; sizes follow the principles in
the architecture notes (body text at least 28 px, headings at least 44 px at
1280×800), multiplied by `display.text_scale`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Palette:
    """The colours of one theme."""

    background: str
    surface: str
    text: str
    muted: str
    accent: str


THEMES: dict[str, Palette] = {
    # Warm charcoal, candle-light text: calm in a dimmed room, no pure white.
    "dusk": Palette("#1c1815", "#2a241f", "#f3e7d7", "#cdbba6", "#e0b476"),
    # For low vision: black and pale yellow, the strongest contrast we offer.
    "high_contrast": Palette("#000000", "#141414", "#fff6c2", "#fff6c2", "#ffd84d"),
}

BODY_PX = 32
HEADING_PX = 56


def stylesheet(theme: str, text_scale: float = 1.0) -> str:
    """The Qt stylesheet for `theme` at `text_scale`."""
    palette = THEMES[theme]
    body = round(BODY_PX * text_scale)
    heading = round(HEADING_PX * text_scale)
    return f"""
        QWidget#kiosk, QStackedWidget, QWidget#idle {{
            background-color: {palette.background};
            color: {palette.text};
        }}
        QLabel {{
            color: {palette.text};
            font-size: {body}px;
        }}
        QLabel#title {{
            color: {palette.accent};
            font-size: {heading}px;
            font-weight: 600;
        }}
        QLabel#message {{
            color: {palette.text};
            font-size: {round(body * 1.25)}px;
        }}
    """
