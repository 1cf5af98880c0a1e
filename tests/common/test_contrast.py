import pytest
from hypothesis import given
from hypothesis import strategies as st

from careerrelay.common.contrast import (
    AA_NORMAL_TEXT,
    WHITE,
    contrast_ratio,
    parse_hex,
    readable_on_white,
    relative_luminance,
    text_colour_on,
)

colours = st.integers(min_value=0, max_value=0xFFFFFF).map(lambda n: f"#{n:06x}")


@pytest.mark.parametrize(
    ("first", "second", "ratio"),
    [
        # The extremes of WCAG's scale: 21:1 and 1:1.
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        # Pairs whose ratios are widely published from WCAG's formula (WebAIM's checker and the
        # W3C's own techniques G18/G145 use the same numbers).
        ("#767676", "#ffffff", 4.54),  # the lightest grey that passes AA on white
        ("#777777", "#ffffff", 4.48),  # one step lighter fails
        ("#0000ff", "#ffffff", 8.59),
        ("#ff0000", "#ffffff", 4.0),
        ("#00ff00", "#000000", 15.3),
        ("#0f766e", "#ffffff", 5.47),
    ],
)
def test_contrast_ratio_matches_known_wcag_values(first, second, ratio):
    assert contrast_ratio(first, second) == pytest.approx(ratio, abs=0.01)
    assert contrast_ratio(second, first) == pytest.approx(ratio, abs=0.01)


def test_relative_luminance_of_the_primaries():
    assert relative_luminance("#ffffff") == pytest.approx(1.0)
    assert relative_luminance("#000000") == 0.0
    assert relative_luminance("#ff0000") == pytest.approx(0.2126)
    assert relative_luminance("#00ff00") == pytest.approx(0.7152)
    assert relative_luminance("#0000ff") == pytest.approx(0.0722)


@pytest.mark.parametrize("bad", ["", "fff", "#fff", "#12345g", "#1234567", " #123456", "red"])
def test_only_six_digit_hex_colours_are_colours(bad):
    with pytest.raises(ValueError):
        parse_hex(bad)


@pytest.mark.parametrize(
    ("background", "text"),
    [("#0f766e", "#ffffff"), ("#000000", "#ffffff"), ("#ffffff", "#1f2937"), ("#ffd700", "#1f2937")],
)
def test_text_on_a_colour_is_white_or_dark(background, text):
    assert text_colour_on(background) == text


@given(colours)
def test_text_on_any_colour_reaches_aa(background):
    assert contrast_ratio(text_colour_on(background), background) >= AA_NORMAL_TEXT


@given(colours)
def test_any_colour_as_text_on_white_is_darkened_until_it_reaches_aa(colour):
    readable = readable_on_white(colour)
    assert contrast_ratio(readable, WHITE) >= AA_NORMAL_TEXT
    assert relative_luminance(readable) <= relative_luminance(colour)


def test_a_readable_colour_is_kept_and_a_light_one_keeps_its_hue():
    assert readable_on_white("#0F766E") == "#0f766e"
    darker = readable_on_white("#ffcc00")  # gold: 1.6:1 on white
    r, g, b = parse_hex(darker)
    assert r > g > b == 0  # still a yellow-orange, only darker
    assert contrast_ratio(darker, WHITE) < 4.6  # no darker than it needs to be
