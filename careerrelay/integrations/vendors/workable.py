"""Workable webhook subscriptions: a disqualified candidate in a `candidate_moved` event.

Contract: https://workable.readme.io/reference/webhook-subscriptions-candidates-employees (events,
signature) and https://workable.readme.io/reference/candidate-events (the candidate in `data`).

- Subscriptions are made with `POST /spi/v3/subscriptions` (event `candidate_moved`, optionally
  filtered by job shortcode and stage); Workable then POSTs the candidate to the target URL.
- Each request is signed: `X-Workable-Signature` is the hex HMAC-SHA256 of the raw body keyed with
  the account's API access token (or an OAuth app's secret).
- The body reflects the candidate *when Workable sends it*, not when the event fired, and Workable
  sends it again until it gets a 200. So a retry may differ from the first try; the event id is
  therefore the candidate and the time they were disqualified, which a retry repeats.
- Rejections are `data.disqualified: true` with `disqualification_reason`. Disqualification does not
  always move a candidate to another stage; a `candidate_created` with `disqualified: true` (an
  applicant disqualified by a knock-out question) is read the same way.
"""

from collections.abc import Mapping

from . import fields
from .base import Parsed, PayloadError, Person, Rejection, SignatureError, header

KIND = "workable"
SIGNATURE_HEADER = "X-Workable-Signature"
_CANDIDATE_EVENTS = {"candidate_moved", "candidate_created"}


def verify(*, secret: str, headers: Mapping[str, str], body: bytes) -> None:
    signature = header(headers, SIGNATURE_HEADER).strip()
    if not signature:
        raise SignatureError(f"No {SIGNATURE_HEADER} header.")
    if not fields.hex_signature_matches(key=secret, message=body, signature=signature):
        raise SignatureError("The signature does not match the body and the subscription token.")


def parse(body: bytes) -> Parsed:
    envelope = fields.json_object(body)
    # The documented payload wraps the candidate in `data`; the event's own keys sit beside it.
    candidate = fields.mapping(envelope.get("data")) if "data" in envelope else envelope
    event_type = fields.text(envelope.get("event_type") or envelope.get("event"))
    body_id = fields.body_digest(body)
    if event_type and event_type not in _CANDIDATE_EVENTS:
        return Parsed(kind="ignored", event_id=body_id, ignored_because=f"Workable event '{event_type}'")
    candidate_id = fields.text(candidate.get("id"))
    if not candidate_id:
        raise PayloadError("A Workable candidate event without data.id.")
    if candidate.get("disqualified") is not True:
        return Parsed(kind="ignored", event_id=body_id, ignored_because="candidate moved, not disqualified")
    disqualified_at = fields.timestamp(candidate.get("disqualified_at"))
    occurred_at = disqualified_at or fields.timestamp(candidate.get("updated_at"))
    event_id = f"workable:{candidate_id}:disqualified:{disqualified_at.isoformat()}" if disqualified_at else body_id
    family_name, given_name = fields.family_and_given(candidate.get("lastname"), candidate.get("firstname"))
    if not family_name:
        family_name, given_name = fields.split_full_name(candidate.get("name"))
    job = fields.mapping(candidate.get("job"))
    rejection = Rejection(
        person=Person(
            ats_id=candidate_id,
            email=fields.email(candidate.get("email")),
            family_name=family_name,
            given_name=given_name,
            phone=fields.text(candidate.get("phone")),
        ),
        # Workable's candidate id is per job application; the job shortcode says which job.
        application_id=candidate_id,
        job_title=fields.text(job.get("title")),
        stage=fields.text(candidate.get("stage")),
        rejected_at=fields.japan_date(occurred_at),
        reason=fields.text(candidate.get("disqualification_reason")),
        occurred_at=occurred_at,
    )
    extra = {"job_shortcode": fields.text(job.get("shortcode"))} if job.get("shortcode") else {}
    return Parsed(kind="rejection", event_id=event_id, rejections=(rejection,), extra=extra)
