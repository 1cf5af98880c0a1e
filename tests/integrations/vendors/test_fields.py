"""The readers every adapter shares: a name, an email or a date means the same whichever ATS sent it."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from careerrelay.integrations.vendors import fields


@pytest.mark.parametrize(
    ("full_name", "expected"),
    [
        ("山﨑　花子", ("山﨑", "花子")),
        ("髙橋 一郎", ("髙橋", "一郎")),
        ("  ヤマダ　タロウ ", ("ヤマダ", "タロウ")),
        ("Shane Smith", ("Smith", "Shane")),
        ("Mary Ann  O'Neil", ("O'Neil", "Mary Ann")),
        ("髙橋", ("髙橋", "")),
        ("", ("", "")),
        (None, ("", "")),
    ],
)
def test_a_one_field_name_is_split_in_its_own_order(full_name, expected):
    assert fields.split_full_name(full_name) == expected


@pytest.mark.parametrize(
    ("family", "given", "expected"),
    [
        ("髙橋", "一郎", ("髙橋", "一郎")),
        ("山﨑　花子", "", ("山﨑", "花子")),
        ("", "山﨑 花子", ("山﨑", "花子")),
        ("", "Hanako Yamazaki", ("Yamazaki", "Hanako")),
        ("Cher", None, ("Cher", "")),
        (None, None, ("", "")),
    ],
)
def test_two_name_fields_are_read_even_when_one_holds_the_whole_name(family, given, expected):
    assert fields.family_and_given(family, given) == expected


def test_compatibility_ideographs_are_kept_as_written():
    # NFKC would turn 﨑 (U+FA11) into 崎 (U+5D0E): a different spelling of someone's name.
    assert fields.name_part("山﨑") == "山\ufa11"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Taro@Example.JP ", "taro@example.jp"),
        ("ＴＡＲＯ＠ＥＸＡＭＰＬＥ．ＪＰ", "taro@example.jp"),
        (None, ""),
        (42, "42"),
    ],
)
def test_emails_are_stripped_lower_cased_and_half_width(value, expected):
    assert fields.email(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2015-02-11T15:50:41Z", datetime(2015, 2, 11, 15, 50, 41, tzinfo=UTC)),
        ("2026-12-03T09:00:00+09:00", datetime(2026, 12, 3, 9, tzinfo=timezone(timedelta(hours=9)))),
        ("2026-12-03T00:00:00", datetime(2026, 12, 3, tzinfo=UTC)),
        (1486154856534, datetime(2017, 2, 3, 20, 47, 36, 534000, tzinfo=UTC)),
        ("yesterday", None),
        (True, None),
        (None, None),
        ("", None),
    ],
)
def test_timestamps_are_aware(value, expected):
    assert fields.timestamp(value) == expected


def test_the_rejection_date_is_the_day_in_japan():
    assert fields.japan_date(datetime(2026, 12, 3, 14, 59, tzinfo=UTC)) == date(2026, 12, 3)
    assert fields.japan_date(datetime(2026, 12, 3, 15, 0, tzinfo=UTC)) == date(2026, 12, 4)
    assert fields.japan_date(None) is None


def test_hex_signatures_are_compared_whatever_their_case():
    signature = fields.hmac_sha256_hex(key="k", message=b"body")

    assert fields.hex_signature_matches(key="k", message=b"body", signature=signature.upper())
    assert not fields.hex_signature_matches(key="k", message=b"body!", signature=signature)
    assert not fields.hex_signature_matches(
        key="", message=b"body", signature=fields.hmac_sha256_hex(key="", message=b"body")
    )
