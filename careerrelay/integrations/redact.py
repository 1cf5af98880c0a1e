"""A processed delivery keeps its body for the employer to inspect, without contact data: every
value under a key that names a person or a way to reach them, and every email address or phone
number anywhere else, is replaced."""

import json
import re

from careerrelay.integrations.vendors.base import PayloadError
from careerrelay.integrations.vendors.fields import load_json

REDACTED = "[redacted]"
PERSONAL_KEY = re.compile(
    r"(e-?mail|phone|mobile|tel|name|address|kana|birth|linkedin|resume|cover_letter|url)", re.IGNORECASE
)
# Keys whose value names a job, a stage or a reason, not a person, although they end in "name".
KEPT_KEYS = {"job_name", "stage_name", "reason_name", "department_name", "office_name", "type_name", "name_type"}
EMAIL = re.compile(r"[^\s@\"'<>]+@[^\s@\"'<>]+\.[^\s@\"'<>]+")
PHONE = re.compile(r"\+?\d[\d\-\s()]{8,}\d")


def _scrub(value):
    if isinstance(value, dict):
        return {
            key: (REDACTED if _personal(key) and value[key] not in (None, "", [], {}) else _scrub(value[key]))
            for key in value
        }
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    if isinstance(value, str):
        return PHONE.sub(REDACTED, EMAIL.sub(REDACTED, value))
    return value


def _personal(key) -> bool:
    key = str(key)
    return key.lower() not in KEPT_KEYS and bool(PERSONAL_KEY.search(key))


def redact_body(body: bytes) -> bytes:
    try:
        data = load_json(body)
    except PayloadError:
        return b""  # nothing readable to keep
    return json.dumps(_scrub(data), ensure_ascii=False, sort_keys=True).encode()
