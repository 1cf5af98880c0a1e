"""Greenhouse Recruiting web hooks: "Candidate or Prospect rejected" (`reject_candidate`) and ping.

Contract: https://developers.greenhouse.io/webhooks.html (source: github.com/grnhse/greenhouse-api-docs,
source/includes/webhooks/_introduction.md and _candidate_events.md).

- Every delivery has the header `Signature: sha256 <hex>`, the HMAC-SHA256 of the whole raw body
  (not only `payload`) keyed with the web hook's secret key. Greenhouse escapes non-ASCII characters
  in the JSON before signing, so the raw bytes are what we check, never a re-encoding.
- Saving a web hook pings its endpoint (`"action": "ping"`); if the ping fails the hook is created
  disabled. The ping is signed like any delivery.
- A bulk rejection fires one web hook per candidate or prospect.
- Greenhouse also sends a `Greenhouse-Event-ID` header per delivery; `parse` sees only the body, so
  the event id is the body's SHA-256, which is stable across Greenhouse's retries of the same body.
"""

from collections.abc import Mapping
from typing import Any

from . import fields
from .base import Parsed, PayloadError, Person, Rejection, SignatureError, header

KIND = "greenhouse"
SIGNATURE_HEADER = "Signature"
_ALGORITHM = "sha256"


def verify(*, secret: str, headers: Mapping[str, str], body: bytes) -> None:
    value = header(headers, SIGNATURE_HEADER).strip()
    if not value:
        raise SignatureError("No Signature header.")
    algorithm, _, signature = value.partition(" ")
    if algorithm.lower() != _ALGORITHM:
        raise SignatureError(f"The Signature header is not '{_ALGORITHM} <hex>'.")
    if not fields.hex_signature_matches(key=secret, message=body, signature=signature):
        raise SignatureError("The signature does not match the body and the secret key.")


def parse(body: bytes) -> Parsed:
    data = fields.json_object(body)
    event_id = fields.body_digest(body)
    action = fields.text(data.get("action"))
    if action == "ping":
        return Parsed(kind="ping", event_id=event_id)
    if action != "reject_candidate":
        return Parsed(kind="ignored", event_id=event_id, ignored_because=f"Greenhouse action '{action or '?'}'")
    application = fields.mapping(fields.mapping(data.get("payload")).get("application"))
    candidate = fields.mapping(application.get("candidate"))
    application_id = fields.text(application.get("id"))
    candidate_id = fields.text(candidate.get("id"))
    if not application_id or not candidate_id:
        raise PayloadError("A reject_candidate web hook without payload.application.id or its candidate.id.")
    reason = fields.mapping(application.get("rejection_reason"))
    # Greenhouse's last_name is the family name (姓), first_name the given name (名).
    family_name, given_name = fields.family_and_given(candidate.get("last_name"), candidate.get("first_name"))
    rejected_at = fields.timestamp(application.get("rejected_at")) or fields.timestamp(
        application.get("last_activity_at")
    )
    rejection = Rejection(
        person=Person(
            ats_id=candidate_id,
            email=_chosen_email(candidate.get("email_addresses")),
            family_name=family_name,
            given_name=given_name,
            phone=_chosen_phone(candidate.get("phone_numbers")),
        ),
        application_id=application_id,
        job_title=_job_title(application.get("jobs")),
        stage=fields.text(fields.mapping(application.get("current_stage")).get("name")),
        rejected_at=fields.japan_date(rejected_at),
        reason=fields.text(reason.get("name")),
        reason_type=fields.text(fields.mapping(reason.get("type")).get("name")),
        occurred_at=rejected_at,
    )
    # Greenhouse's `can_email: false` is the candidate's opt-out of email: the app should pool, not send.
    extra = {"can_email": "false"} if candidate.get("can_email") is False else {}
    return Parsed(kind="rejection", event_id=event_id, rejections=(rejection,), extra=extra)


def _chosen(entries: Any, preferred_type: str, clean) -> str:
    """The first entry of the preferred type, else the first at all: Greenhouse's lists have no
    'primary' flag, and a personal address outlives the job of a work one."""
    values = [
        (fields.text(entry.get("type")), clean(entry.get("value")))
        for entry in (entries if isinstance(entries, list) else [])
        if isinstance(entry, dict)
    ]
    values = [(kind, value) for kind, value in values if value]
    for kind, value in values:
        if kind == preferred_type:
            return value
    return values[0][1] if values else ""


def _chosen_email(entries: Any) -> str:
    return _chosen(entries, "personal", fields.email)


def _chosen_phone(entries: Any) -> str:
    return _chosen(entries, "mobile", fields.text)


def _job_title(jobs: Any) -> str:
    # A candidate has one job; a prospect has none or several, all of which they were rejected for.
    names = [fields.text(job.get("name")) for job in (jobs if isinstance(jobs, list) else []) if isinstance(job, dict)]
    return " / ".join(name for name in names if name)
