import pytest

from careerrelay.common.japanese import normalize_email, normalize_kana, normalize_phone, normalize_text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ＨＡＮＡＫＯ＠ＥＸＡＭＰＬＥ．ＪＰ", "hanako@example.jp"),
        ("  Hanako@Example.JP ", "hanako@example.jp"),
        ("hanako　@example.jp", "hanako@example.jp"),  # ideographic space from an IME
    ],
)
def test_email_addresses_are_folded_to_one_form(typed, expected):
    assert normalize_email(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("たかはし", "タカハシ"),
        ("ﾀｶﾊｼ", "タカハシ"),
        ("ヤマザキ", "ヤマザキ"),
        ("ﾔﾏｻﾞｷ", "ヤマザキ"),  # half-width dakuten joins its letter
    ],
)
def test_furigana_is_stored_in_full_width_katakana(typed, expected):
    assert normalize_kana(typed) == expected


def test_names_keep_their_own_characters():
    # 髙 (はしご高) and 﨑 (たつさき) are people's real names, not variants to replace.
    assert normalize_text("髙橋") == "髙橋"
    assert normalize_text("山﨑") == "山﨑"
    assert normalize_text("　山田　 太郎 ") == "山田 太郎"
    assert normalize_text("ＡＢＣ１２３") == "ABC123"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("090-1234-5678", "+819012345678"),
        ("０９０ー１２３４ー５６７８", "+819012345678"),  # IMEs turn "-" into the long-vowel mark
        ("０９０－１２３４－５６７８", "+819012345678"),
        ("03(1234)5678", "+81312345678"),
        ("+81 90 1234 5678", "+819012345678"),
        ("12", ""),
        ("", ""),
    ],
)
def test_phone_numbers_are_normalised_to_e164(typed, expected):
    assert normalize_phone(typed) == expected
