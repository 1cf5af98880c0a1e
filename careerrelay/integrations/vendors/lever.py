"""Lever webhooks: `candidateArchiveChange` names an archived opportunity; its person comes from the API.

Contract: https://hire.lever.co/developer/documentation#webhooks (events, signature) and
https://hire.lever.co/developer/documentation#opportunities, #archive-reasons, #postings (the API),
https://help.lever.co/hc/en-us/articles/20087284427677-Configuring-webhooks (where to click).

- A delivery's JSON body carries `id`, `event`, `triggeredAt` (milliseconds since the epoch),
  `token`, `signature` and `data`. The signature is the hex HMAC-SHA256 of `token + triggeredAt`
  keyed with the webhook's signature token: it covers neither `data` nor the rest of the body.
- `candidateArchiveChange` data: `opportunityId`, `contactId`, `fromArchived`, `toArchived`
  (`{archivedAt, archivedBy, reason}` with the archive reason's id, or null when un-archived).
- The body names the opportunity, not the person, so `parse` only says which opportunity to fetch;
  `fetch_rejection` (in the worker) reads it with the employer's API key. Because Lever's signature
  leaves `data` unsigned, nothing about the person is ever taken from the body: whatever it names,
  only what the employer's own Lever account says is stored.
- Lever documents no replay window. We refuse (401) a signature whose `triggeredAt` is older than
  `REPLAY_WINDOW` or more than `CLOCK_SKEW` in the future, so a captured signature cannot be reused
  with a forged body for long; Lever's retries of a failed delivery come well within it.
- `candidateStageChange` is read but ignored: in Lever a rejection is an archive, never a stage.
"""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from . import fields
from .base import Parsed, PayloadError, Person, Rejection, SignatureError

KIND = "lever"
PRODUCTION_API_URL = "https://api.lever.co/v1"
SANDBOX_API_URL = "https://api.sandbox.lever.co/v1"
REPLAY_WINDOW = timedelta(days=3)
CLOCK_SKEW = timedelta(minutes=10)
TIMEOUT_SECONDS = 10


class FetchError(Exception):
    """Lever's API did not give the opportunity. `retryable` is False when trying again cannot help
    until someone acts (a wrong or revoked key: 401/403; a deleted opportunity: 404)."""

    def __init__(self, message: str, *, status: int | None = None, retryable: bool = True):
        super().__init__(message)
        self.status = status
        self.retryable = retryable


def verify(*, secret: str, headers: Mapping[str, str], body: bytes, now: datetime | None = None) -> None:
    try:
        data = fields.json_object(body)
    except PayloadError as error:
        raise SignatureError("The body is not JSON, so it carries no Lever signature.") from error
    token = data.get("token")
    triggered_at = data.get("triggeredAt")
    signature = data.get("signature")
    if not isinstance(token, str) or not isinstance(signature, str) or not token or not signature:
        raise SignatureError("No token or signature in the body.")
    if not isinstance(triggered_at, int | str) or isinstance(triggered_at, bool) or triggered_at == "":
        raise SignatureError("No triggeredAt in the body.")
    message = f"{token}{triggered_at}".encode()
    if not fields.hex_signature_matches(key=secret, message=message, signature=signature):
        raise SignatureError("The signature does not match token + triggeredAt and the signature token.")
    moment = fields.timestamp(int(triggered_at) if str(triggered_at).isdigit() else triggered_at)
    now = now or datetime.now(UTC)
    if moment is None or moment < now - REPLAY_WINDOW or moment > now + CLOCK_SKEW:
        raise SignatureError("triggeredAt is outside the accepted window: a replayed or forged delivery.")


def parse(body: bytes) -> Parsed:
    envelope = fields.json_object(body)
    event = fields.text(envelope.get("event"))
    event_id = fields.text(envelope.get("id")) or fields.body_digest(body)
    data = fields.mapping(envelope.get("data"))
    if event == "candidateStageChange":
        return Parsed(kind="ignored", event_id=event_id, ignored_because="stage change that is not an archive")
    if event != "candidateArchiveChange":
        return Parsed(kind="ignored", event_id=event_id, ignored_because=f"Lever event '{event or '?'}'")
    opportunity_id = fields.text(data.get("opportunityId"))
    if not opportunity_id:
        raise PayloadError("A candidateArchiveChange without data.opportunityId.")
    if not fields.mapping(data.get("toArchived")):
        return Parsed(kind="ignored", event_id=event_id, ignored_because="opportunity un-archived")
    return Parsed(kind="rejection", event_id=event_id, fetch_opportunities=(opportunity_id,))


def fetch_rejection(*, api_key: str, opportunity_id: str, base_url: str) -> Rejection | None:
    """The archived opportunity as a rejection; None when it is not archived (any more) or was
    archived as hired."""
    with requests.Session() as session:
        # Lever's API key is the Basic-auth user name with an empty password (`curl -u KEY:`).
        session.auth = (api_key, "")
        session.headers["Accept"] = "application/json"
        api = base_url.rstrip("/")
        opportunity = _get(session, f"{api}/opportunities/{opportunity_id}", params={"expand": ["stage"]})
        if opportunity is None:
            raise FetchError(f"Lever has no opportunity {opportunity_id}.", status=404, retryable=False)
        archived = fields.mapping(opportunity.get("archived"))
        if not archived:
            return None
        reason = archived.get("reason")
        reason_text, reason_type = _archive_reason(session, api, reason)
        if reason_type == "hired":
            return None
        archived_at = fields.timestamp(archived.get("archivedAt"))
        family_name, given_name = fields.split_full_name(opportunity.get("name"))
        return Rejection(
            person=Person(
                # The contact is the person across all their opportunities.
                ats_id=fields.text(opportunity.get("contact")) or opportunity_id,
                email=_first_email(opportunity.get("emails")),
                family_name=family_name,
                given_name=given_name,
                phone=_phone(opportunity.get("phones")),
            ),
            application_id=opportunity_id,
            job_title=_posting_title(session, api, opportunity),
            stage=_stage(opportunity.get("stage")),
            rejected_at=fields.japan_date(archived_at),
            reason=reason_text,
            reason_type=reason_type,
            occurred_at=archived_at,
        )


def _get(session: requests.Session, url: str, *, params: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The `data` of a Lever API answer; None for 404."""
    try:
        response = session.get(url, params=params, timeout=TIMEOUT_SECONDS)
    except requests.RequestException as error:
        raise FetchError(f"Lever's API could not be reached: {error.__class__.__name__}.") from error
    if response.status_code == 404:
        return None
    if response.status_code in (401, 403):
        raise FetchError(
            f"Lever refused the API key ({response.status_code}): check it and its read scopes.",
            status=response.status_code,
            retryable=False,
        )
    if response.status_code != 200:
        # 429 (rate limit) and 5xx: Lever's own advice is to try again later.
        raise FetchError(f"Lever's API answered {response.status_code}.", status=response.status_code)
    try:
        answer = response.json()
    except ValueError as error:
        raise FetchError("Lever's API answered something that is not JSON.", status=200) from error
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, dict):
        raise FetchError("Lever's API answered without a data object.", status=200)
    return data


def _archive_reason(session: requests.Session, api: str, reason: Any) -> tuple[str, str]:
    """(text, type) of an archive reason, given inline or as an id; type is 'hired' or 'non-hired'."""
    if isinstance(reason, dict):
        return fields.text(reason.get("text")), fields.text(reason.get("type"))
    reason_id = fields.text(reason)
    if not reason_id:
        return "", ""
    found = _get(session, f"{api}/archive_reasons/{reason_id}")
    if found is None:
        return "", ""
    return fields.text(found.get("text")), fields.text(found.get("type"))


def _posting_title(session: requests.Session, api: str, opportunity: dict[str, Any]) -> str:
    postings = opportunity.get("postings")
    posting_id = fields.text(postings[0]) if isinstance(postings, list) and postings else ""
    if not posting_id:
        return ""
    posting = _get(session, f"{api}/postings/{posting_id}")
    return fields.text(posting.get("text")) if posting else ""


def _first_email(emails: Any) -> str:
    # Lever lists a contact's addresses with the one it shows first, the primary, first.
    for value in emails if isinstance(emails, list) else []:
        if cleaned := fields.email(value):
            return cleaned
    return ""


def _phone(phones: Any) -> str:
    entries = [entry for entry in (phones if isinstance(phones, list) else []) if isinstance(entry, dict)]
    entries = [entry for entry in entries if fields.text(entry.get("value"))]
    mobile = [entry for entry in entries if entry.get("type") == "mobile"]
    chosen = (mobile or entries or [{}])[0]
    return fields.text(chosen.get("value"))


def _stage(stage: Any) -> str:
    # With expand=stage the stage is {id, text}; without it, only an id nobody can read.
    return fields.text(stage.get("text")) if isinstance(stage, dict) else ""
