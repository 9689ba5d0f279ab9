"""The themes are readable: every text colour on every background it is drawn on reaches
WCAG AAA (7:1), and the patient's theme stays dark, warm and free of white and red."""

from __future__ import annotations

import colorsys
import re
from dataclasses import fields

import pytest

from kiosk.theme import (
    THEMES,
    Palette,
    contrast_ratio,
    relative_luminance,
    stylesheet,
    text_pairs,
)

AAA = 7.0


@pytest.mark.parametrize(
    ("foreground", "background", "expected"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#000000", 21.0),  # the order does not matter
        ("#1c1815", "#1c1815", 1.0),
        ("#FFFFFF", "#ffffff", 1.0),
        # By hand: 0x76/255 = 0.46275 → ((0.46275 + 0.055) / 1.055) ** 2.4 = 0.18116;
        # (1 + 0.05) / (0.18116 + 0.05) = 4.542 (WebAIM's "4.54:1" for #767676 on white).
        ("#767676", "#ffffff", 4.542),
        # Pure blue: luminance is its weight alone, 0.0722 → 1.05 / 0.1222 = 8.592.
        ("#0000ff", "#ffffff", 8.592),
        # Below the 0.03928 threshold a channel is linear: 0x0a/255 / 12.92 = 0.003035;
        # luminance 0.003035 → 1.05 / 0.053035 = 19.798.
        ("#0a0a0a", "#ffffff", 19.798),
    ],
)
def test_contrast_ratio_matches_reference_values(foreground: str, background: str, expected: float) -> None:
    assert contrast_ratio(foreground, background) == pytest.approx(expected, abs=0.001)


@pytest.mark.parametrize("colour", ["fff", "#fff", "ffffff", "#gggggg", "#1234567"])
def test_contrast_ratio_rejects_colours_that_are_not_rrggbb(colour: str) -> None:
    with pytest.raises(ValueError):
        contrast_ratio(colour, "#000000")


PAIRS = [
    pytest.param(theme, what, foreground, background, id=f"{theme}: {what}")
    for theme in THEMES
    for what, foreground, background in text_pairs(theme)
]


@pytest.mark.parametrize(("theme", "what", "foreground", "background"), PAIRS)
def test_every_text_pair_reaches_aaa(theme: str, what: str, foreground: str, background: str) -> None:
    ratio = contrast_ratio(foreground, background)
    assert ratio >= AAA, (
        f"{theme}: {what}: {foreground} on {background} is {ratio:.2f}:1, below {AAA}:1"
    )


def test_high_contrast_body_text_is_stronger_than_dusk() -> None:
    def body(theme: str) -> float:
        p = THEMES[theme]
        return contrast_ratio(p.text, p.background)

    assert body("high_contrast") > body("dusk")
    lowest = {theme: min(contrast_ratio(f, b) for _, f, b in text_pairs(theme)) for theme in THEMES}
    assert lowest["high_contrast"] > lowest["dusk"]


RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
# `color:` on its own: not background-color, border-color, qproperty-fillColor...
COLOR = re.compile(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{6})")
BACKGROUND = re.compile(r"(?<![-\w])background-color:\s*(#[0-9a-fA-F]{6})")


def rules(theme: str) -> list[tuple[str, str]]:
    """(selector, declarations) of each rule of the theme's stylesheet."""
    found = [(m.group(1).strip(), m.group(2)) for m in RULE.finditer(stylesheet(theme))]
    assert len(found) > 30  # the parser saw the stylesheet
    return found


@pytest.mark.parametrize("theme", list(THEMES))
def test_every_text_colour_of_the_stylesheet_is_checked(theme: str) -> None:
    foregrounds = {foreground.lower() for _, foreground, _ in text_pairs(theme)}
    unchecked = [
        (selector, colour)
        for selector, body in rules(theme)
        if ":disabled" not in selector
        for colour in COLOR.findall(body)
        if colour.lower() not in foregrounds
    ]
    assert not unchecked, f"text colours missing from text_pairs({theme!r}): {unchecked}"


@pytest.mark.parametrize("theme", list(THEMES))
def test_rules_that_set_text_and_background_together_are_checked(theme: str) -> None:
    pairs = {(foreground.lower(), background.lower()) for _, foreground, background in text_pairs(theme)}
    unchecked = []
    for selector, body in rules(theme):
        colours, backgrounds = COLOR.findall(body), BACKGROUND.findall(body)
        if ":disabled" in selector or not colours or not backgrounds:
            continue
        pair = (colours[0].lower(), backgrounds[0].lower())
        if pair not in pairs:
            unchecked.append((selector, pair))
    assert not unchecked, f"text on background missing from text_pairs({theme!r}): {unchecked}"


def test_every_palette_colour_is_rrggbb() -> None:
    for theme, palette in THEMES.items():
        for field in fields(Palette):
            assert re.fullmatch(r"#[0-9a-f]{6}", getattr(palette, field.name)), (theme, field.name)


DUSK = [pytest.param(f.name, getattr(THEMES["dusk"], f.name), id=f.name) for f in fields(Palette)]


@pytest.mark.parametrize(("name", "colour"), DUSK)
def test_dusk_has_no_pure_white(name: str, colour: str) -> None:
    assert colour.lower() != "#ffffff", f"dusk.{name} is pure white"


@pytest.mark.parametrize(("name", "colour"), DUSK)
def test_dusk_has_no_red(name: str, colour: str) -> None:
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    hue, _lightness, saturation = colorsys.rgb_to_hls(r, g, b)
    degrees = hue * 360
    distance_from_red = min(degrees, 360 - degrees)
    assert saturation <= 0.35 or distance_from_red > 20, (
        f"dusk.{name} {colour} is red: hue {degrees:.0f}°, saturation {saturation:.2f}"
    )


def test_dusk_stays_dark() -> None:
    """Its backgrounds stay dark (low glare): light text on dark, never the other way round."""
    p = THEMES["dusk"]
    for name in ("background", "bar", "surface", "surface_pressed", "call"):
        assert relative_luminance(getattr(p, name)) < 0.1, name
