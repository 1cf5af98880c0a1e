"""有料職業紹介事業 許可番号: "13-ユ-123456" (prefecture code, ユ for 有料, six digits).

People type it in full width (１３－ユ－１２３４５６), with half-width kana (ﾕ) or with whatever dash
their input method offers; NFKC and a dash fold make all of those the same number."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from careerrelay.common.japanese import nfkc

# Hyphens, dashes, minus signs and the katakana long-vowel mark that IMEs offer instead of "-".
_DASHES = str.maketrans(
    {c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u30fc\ufe58\ufe63\uff0d\uff70"}
)
_LICENCE = re.compile(r"^(0[1-9]|[1-3][0-9]|4[0-7])-ユ-([0-9]{6})$")


def normalize_licence_number(value: str) -> str:
    return "".join(nfkc(value).split()).translate(_DASHES)


def validate_licence_number(value: str) -> None:
    if not _LICENCE.match(normalize_licence_number(value)):
        raise ValidationError(
            _("許可番号は「13-ユ-123456」の形式で入力してください(都道府県番号2桁・ユ・6桁の数字)。"),
            code="invalid_licence",
        )
