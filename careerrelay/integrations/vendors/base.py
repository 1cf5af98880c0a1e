"""The contract between the ATS adapters and the integrations app.

An adapter module (`greenhouse`, `lever`, `workable`, `generic`) has:

- `KIND`: its name as stored on the integration.
- `verify(*, secret: str, headers: Mapping[str, str], body: bytes) -> None`, raising
  `SignatureError` when the signature is missing or wrong (the view answers 401 and stores
  nothing). Header names are matched case-insensitively; comparisons are constant-time.
- `parse(body: bytes) -> Parsed`, raising `PayloadError` for a signed body it cannot read (stored
  as a failed delivery with the message, answered 400 — the vendor should not retry it).

Lever's webhooks name the opportunity but not the person; its adapter also has
`fetch_rejection(*, api_key: str, opportunity_id: str, base_url: str) -> Rejection | None`
(None when the opportunity is not archived), called by the worker, never in the request.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal


class SignatureError(Exception):
    """The delivery is not signed with the integration's secret: 401, nothing stored."""


class PayloadError(Exception):
    """The delivery is signed but cannot be read; the message says why (shown to the employer)."""


@dataclass(frozen=True)
class Person:
    ats_id: str  # the ATS's id of the candidate (stable across their applications)
    email: str = ""
    family_name: str = ""
    given_name: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Rejection:
    person: Person
    application_id: str = ""  # the ATS's id of this application / opportunity
    job_title: str = ""
    stage: str = ""  # the stage the person reached, in the ATS's words
    rejected_at: date | None = None
    reason: str = ""  # the ATS's rejection reason, verbatim: the key of the reason mapping
    reason_type: str = ""  # the ATS's category of the reason, if it has one
    occurred_at: datetime | None = None  # when the ATS says it happened (orders out-of-order deliveries)


@dataclass(frozen=True)
class Parsed:
    kind: Literal["ping", "rejection", "ignored"]
    # Stable across the vendor's retries of the same event: the vendor's own event or delivery id
    # where the contract has one, else the SHA-256 of the raw body.
    event_id: str
    rejections: tuple[Rejection, ...] = ()
    # Lever: opportunities to fetch with the employer's API key before anything can be stored.
    fetch_opportunities: tuple[str, ...] = ()
    ignored_because: str = ""  # for kind "ignored": e.g. "stage change that is not a rejection"
    extra: Mapping[str, str] = field(default_factory=dict)


def header(headers: Mapping[str, str], name: str) -> str:
    """A header's value by case-insensitive name ('' when absent)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return ""
