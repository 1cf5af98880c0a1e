"""CareerRelay's own webhook JSON, for ATSs without a contract of their own (HRMOS, HERP Hire,
jobcan) and in-house systems; docs/integrations/generic.md is the page for their developers.

Signed like Greenhouse: the header `Signature: sha256 <hex>`, the HMAC-SHA256 of the raw body
with the integration's secret. The body (JSON, UTF-8):

    {"event_id": "evt-123", "type": "rejection", "occurred_at": "2026-12-04T10:00:00+09:00",
     "candidate": {"id": "c-1", "email": "...", "family_name": "...", "given_name": "...", "phone": "..."},
     "application": {"id": "a-1", "job_title": "...", "stage": "...", "rejected_on": "2026-12-04",
                      "reason": "経験不足", "reason_type": ""}}

or several at once: {"event_id": ..., "type": "rejection", "rejections": [{"candidate": ...,
"application": ..., "occurred_at": ...}, ...]}. `type` "ping" checks the set-up; any other type
is ignored.
"""

import hashlib
import hmac
from collections.abc import Mapping
from datetime import date, datetime

from careerrelay.integrations.vendors import fields
from careerrelay.integrations.vendors.base import (
    Parsed,
    PayloadError,
    Person,
    Rejection,
    SignatureError,
    header,
)

KIND = "generic"
MAX_REJECTIONS = 500


def signature_for(*, secret: str, body: bytes) -> str:
    """The header value a sender puts in `Signature`."""
    return "sha256 " + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(*, secret: str, headers: Mapping[str, str], body: bytes) -> None:
    given = header(headers, "Signature").strip()
    if not secret or not given:
        raise SignatureError("missing signature")
    if not hmac.compare_digest(given.encode(), signature_for(secret=secret, body=body).encode()):
        raise SignatureError("wrong signature")


def _text(value, name: str, limit: int = 300) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise PayloadError(f"{name} must be a string")
    return value.strip()[:limit]


def _date(value, name: str) -> date | None:
    text = _text(value, name)
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise PayloadError(f"{name} is not a date (YYYY-MM-DD)") from None


def _moment(value, name: str) -> datetime | None:
    text = _text(value, name)
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise PayloadError(f"{name} is not an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        raise PayloadError(f"{name} needs a time zone (e.g. +09:00)")
    return moment


def _object(value, name: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PayloadError(f"{name} must be an object")
    return value


def _rejection(item: dict, *, occurred_at: datetime | None, where: str) -> Rejection:
    candidate = _object(item.get("candidate"), f"{where}candidate")
    application = _object(item.get("application"), f"{where}application")
    person_id = _text(candidate.get("id"), f"{where}candidate.id", 100)
    if not person_id:
        raise PayloadError(f"{where}candidate.id is required")
    return Rejection(
        person=Person(
            ats_id=person_id,
            email=_text(candidate.get("email"), f"{where}candidate.email", 254),
            family_name=_text(candidate.get("family_name"), f"{where}candidate.family_name", 100),
            given_name=_text(candidate.get("given_name"), f"{where}candidate.given_name", 100),
            phone=_text(candidate.get("phone"), f"{where}candidate.phone", 32),
        ),
        application_id=_text(application.get("id"), f"{where}application.id", 100),
        job_title=_text(application.get("job_title"), f"{where}application.job_title", 200),
        stage=_text(application.get("stage"), f"{where}application.stage", 100),
        rejected_at=_date(application.get("rejected_on"), f"{where}application.rejected_on"),
        reason=_text(application.get("reason"), f"{where}application.reason"),
        reason_type=_text(application.get("reason_type"), f"{where}application.reason_type", 100),
        occurred_at=_moment(item.get("occurred_at"), f"{where}occurred_at") or occurred_at,
    )


def parse(body: bytes) -> Parsed:
    try:
        data = fields.load_json(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise PayloadError("the body is not JSON in UTF-8") from None
    if not isinstance(data, dict):
        raise PayloadError("the body must be a JSON object")
    event_id = _text(data.get("event_id"), "event_id", 200) or hashlib.sha256(body).hexdigest()
    kind = _text(data.get("type"), "type", 50)
    if kind == "ping":
        return Parsed(kind="ping", event_id=event_id)
    if kind != "rejection":
        return Parsed(
            kind="ignored", event_id=event_id, ignored_because=f"type {kind or '(none)'!r} is not a rejection"
        )
    occurred_at = _moment(data.get("occurred_at"), "occurred_at")
    if "rejections" in data:
        items = data["rejections"]
        if not isinstance(items, list) or not items:
            raise PayloadError("rejections must be a non-empty list")
        if len(items) > MAX_REJECTIONS:
            raise PayloadError(f"at most {MAX_REJECTIONS} rejections per delivery")
        rejections = tuple(
            _rejection(_object(item, f"rejections[{n}]"), occurred_at=occurred_at, where=f"rejections[{n}].")
            for n, item in enumerate(items)
        )
    else:
        rejections = (_rejection(data, occurred_at=occurred_at, where=""),)
    return Parsed(kind="rejection", event_id=event_id, rejections=rejections)
