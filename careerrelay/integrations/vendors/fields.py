"""Reading the fields every ATS sends in its own shape: signatures, JSON, names, emails, times.

Shared by the adapters so that a name, an email or a rejection date means the same thing whichever
ATS it came from.
"""

import hashlib
import hmac
import json
import re
import unicodedata
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from .base import PayloadError

# The rejection date is the day in Japan: a rejection at 01:00 JST is 16:00 UTC the day before.
JAPAN = ZoneInfo("Asia/Tokyo")

# Any run of ASCII or ideographic (full-width, U+3000) spaces separates the parts of a name.
_NAME_SPACE = re.compile(r"[\s\u3000]+")
# Kanji, kana and the CJK compatibility ideographs (﨑 is U+FA11): a name written in Japanese order.
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")


def hmac_sha256_hex(*, key: str, message: bytes) -> str:
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def hex_signature_matches(*, key: str, message: bytes, signature: str) -> bool:
    """Constant-time: whether `signature` is the hex HMAC-SHA256 of `message` under `key`."""
    if not key or not signature:
        return False
    expected = hmac_sha256_hex(key=key, message=message)
    # Vendors write hex in lower case; compare_digest on ASCII bytes never leaks where they differ.
    given = signature.strip().lower().encode("ascii", "replace")
    return hmac.compare_digest(expected.encode("ascii"), given)


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


# No vendor nests its payload this deep. A deeper body (signed, so from someone holding the
# secret) would exhaust the recursion of json.loads or of the redaction that walks it: a 500 the
# vendor retries for days instead of an unreadable delivery.
MAX_JSON_DEPTH = 64


def load_json(body: bytes) -> Any:
    """The body's JSON, at most MAX_JSON_DEPTH arrays and objects deep; PayloadError otherwise."""
    try:
        data = json.loads(body)
    except RecursionError:
        raise PayloadError(f"The body nests deeper than {MAX_JSON_DEPTH} levels.") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise PayloadError(f"The body is not JSON ({error}).") from error
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise PayloadError(f"The body nests deeper than {MAX_JSON_DEPTH} levels.")
            children = value.values() if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children)
    return data


def json_object(body: bytes) -> dict[str, Any]:
    data = load_json(body)
    if not isinstance(data, dict):
        raise PayloadError("The body is JSON but not an object.")
    return data


def mapping(value: Any) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one: optional parts of a payload may be null."""
    return value if isinstance(value, dict) else {}


def text(value: Any) -> str:
    """A string field, stripped; '' for null, numbers as their digits (ids), anything else ''."""
    if isinstance(value, str):
        return value.strip()  # str.strip also strips the ideographic space U+3000
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""


def email(value: Any) -> str:
    # NFKC turns full-width letters (ＴＡＲＯ＠ＥＸＡＭＰＬＥ．ＪＰ, typed with the IME on) into ASCII.
    return unicodedata.normalize("NFKC", text(value)).strip().lower()


def name_part(value: Any) -> str:
    # Not NFKC: it would turn 﨑 (U+FA11) into 崎 and change the person's name.
    return _NAME_SPACE.sub(" ", text(value)).strip()


def split_full_name(value: Any) -> tuple[str, str]:
    """(family, given) from a one-field name: Japanese order (山﨑　花子) when written in Japanese,
    else Western order (Hanako Yamazaki). A single word is taken as the family name."""
    parts = name_part(value).split(" ")
    parts = [part for part in parts if part]
    if not parts:
        return "", ""
    if len(parts) == 1:
        return parts[0], ""
    if _JAPANESE.search(parts[0]):
        return parts[0], " ".join(parts[1:])
    return parts[-1], " ".join(parts[:-1])


def family_and_given(family: Any, given: Any) -> tuple[str, str]:
    """(family, given) from an ATS's two name fields, or from the one that holds the whole name
    (「山田　太郎」 typed into the last-name field)."""
    family_name, given_name = name_part(family), name_part(given)
    if family_name and given_name:
        return family_name, given_name
    whole = family_name or given_name
    return split_full_name(whole) if " " in whole else (whole, "")


def timestamp(value: Any) -> datetime | None:
    """An aware datetime from an ISO 8601 string or from milliseconds since the epoch (Lever);
    None for anything else. A time without an offset is taken as UTC, as the vendors send UTC."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None


def japan_date(moment: datetime | None) -> date | None:
    return moment.astimezone(JAPAN).date() if moment else None
