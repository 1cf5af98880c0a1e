"""Normalisation of what Japanese users type.

NFKC folds full-width Latin letters and digits (ｔａｒｏ＠ＥＸＡＭＰＬＥ．ｃｏｍ) and half-width
katakana (ｶﾀｶﾅ) to their usual forms. It leaves 髙 and 﨑 alone: they are real characters in
people's names, not variants to be "fixed".
"""

import re
import unicodedata

import jaconv
import phonenumbers


def nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip()


def normalize_text(value: str) -> str:
    """NFKC and collapsed white space (the ideographic space U+3000 included)."""
    return " ".join(nfkc(value).split())


def normalize_email(value: str) -> str:
    return nfkc(value).replace(" ", "").lower()


def normalize_kana(value: str) -> str:
    """Furigana is stored in full-width katakana, whether typed in hiragana or half-width."""
    return hira2kata(normalize_text(value))


# jaconv's conversions are str.translate over a dict, which costs tens of microseconds even for
# a string with no kana; ASCII text (an email address, an empty cell, "Python") has none.
def hira2kata(text: str) -> str:
    return text if text.isascii() else jaconv.hira2kata(text)


def kata2hira(text: str) -> str:
    return text if text.isascii() else jaconv.kata2hira(text)


def normalize_phone(value: str) -> str:
    """A Japanese phone number in E.164 (+819012345678), or "" when it is not one."""
    raw = nfkc(value)
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, "JP")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


SKILL_SEPARATORS = re.compile(r"[,、,;;\n]")
MAX_SKILLS = 50


def skill_key(name: str) -> str:
    """One key for every spelling of a skill: ＰＹＴＨＯＮ, python and Python; ﾊﾟｲｿﾝ, パイソン and ぱいそん."""
    return kata2hira(normalize_text(name).casefold())


def parse_skills(text: str) -> list[str]:
    """Skills in the order typed, each spelling kept as first typed, duplicates (by key) dropped."""
    seen, names = set(), []
    for part in SKILL_SEPARATORS.split(normalize_text(text or "")):
        name = part.strip()[:50]
        key = skill_key(name)
        if key and key not in seen:
            seen.add(key)
            names.append(name)
    return names
