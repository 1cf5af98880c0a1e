"""Colour contrast as WCAG 2.x defines it, for colours employers choose.

Relative luminance and contrast ratio follow WCAG 2.2's definitions (sRGB, linearised with the
0.04045 threshold; ratio (L1 + 0.05) / (L2 + 0.05)). Text must reach AA for normal text, 4.5:1,
whatever colour a company picks: on its colour we write white or a dark text colour, and where
its colour is itself text on white (links), we darken it until it reaches 4.5:1.
"""

import re

AA_NORMAL_TEXT = 4.5
WHITE = "#ffffff"
BLACK = "#000000"
DARK_TEXT = "#1f2937"  # the site's own body text colour, used when it is readable enough

HEX_COLOUR_RE = re.compile(r"#[0-9a-fA-F]{6}")


def parse_hex(colour: str) -> tuple[int, int, int]:
    if not HEX_COLOUR_RE.fullmatch(colour or ""):
        raise ValueError(f"not a #RRGGBB colour: {colour!r}")
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def to_hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    r, g, b = parse_hex(colour)
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour_on(background: str) -> str:
    """White if it reaches 4.5:1 on the background, else the dark text colour if that does, else
    black, which always does then: white falls short only on a background with luminance above
    0.183, where black reaches at least 4.67:1."""
    for candidate in (WHITE, DARK_TEXT, BLACK):
        if contrast_ratio(candidate, background) >= AA_NORMAL_TEXT:
            return candidate
    return BLACK  # not reached (see above); kept so the function always answers


def readable_on_white(colour: str) -> str:
    """The colour itself if it reaches 4.5:1 as text on white, else the lightest darker shade of
    the same hue that does (every channel scaled by one factor, found by bisection)."""
    if contrast_ratio(colour, WHITE) >= AA_NORMAL_TEXT:
        return colour.lower()
    r, g, b = parse_hex(colour)

    def shade(factor: float) -> str:
        return to_hex((int(r * factor), int(g * factor), int(b * factor)))

    low, high = 0.0, 1.0  # shade(low) is readable (black), shade(high) is not
    for _ in range(20):
        middle = (low + high) / 2
        if contrast_ratio(shade(middle), WHITE) >= AA_NORMAL_TEXT:
            low = middle
        else:
            high = middle
    return shade(low)
