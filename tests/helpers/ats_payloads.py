"""ATS webhook deliveries written from each vendor's documented schema (never recorded from an account),
their signatures, and a real local HTTP server that answers like Lever's API.

- Greenhouse: https://developers.greenhouse.io/webhooks.html ("Candidate/Prospect rejected", ping).
- Lever: https://hire.lever.co/developer/documentation#webhooks and #opportunities.
- Workable: https://workable.readme.io/reference/candidate-events.

Bodies are bytes, as posted; `sign_*` return the headers to post with them, except Lever, whose
signature is inside the body: `sign_lever` returns the signed body.
"""

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def _hex_hmac(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _bytes(payload: dict[str, Any], *, ascii_only: bool = False) -> bytes:
    return json.dumps(payload, ensure_ascii=ascii_only).encode()


# Greenhouse -----------------------------------------------------------------------------------


def greenhouse_rejection(
    *,
    application_id: int = 265293,
    candidate_id: int = 265788,
    first_name: str | None = "Hector",
    last_name: str | None = "Porter",
    emails: list[tuple[str, str]] | None = None,
    phones: list[tuple[str, str]] | None = None,
    job_names: list[str] | None = None,
    rejected_at: str | None = "2015-02-11T15:50:41Z",
    reason: str | None = "Too Junior",
    reason_type: str | None = "Wrong skill set",
    stage: str | None = "Offer",
    prospect: bool = False,
    can_email: bool = True,
) -> bytes:
    """A `reject_candidate` web hook; `emails`/`phones` are (value, type) pairs."""
    emails = [("hector.porter.265788@example.com", "personal")] if emails is None else emails
    phones = [("330-281-8004", "home")] if phones is None else phones
    job_names = ["Designer"] if job_names is None else job_names
    rejection_reason = (
        None
        if reason is None
        else {"id": 14, "name": reason, "type": None if reason_type is None else {"id": 3, "name": reason_type}}
    )
    payload = {
        "action": "reject_candidate",
        "payload": {
            "application": {
                "id": application_id,
                "rejected_at": rejected_at,
                "prospect": prospect,
                "status": "rejected",
                "applied_at": "2013-03-22T00:00:00Z",
                "last_activity_at": rejected_at,
                "url": f"https://app.greenhouse.io/people/{candidate_id}?application_id={application_id}",
                "source": {"id": 27, "public_name": "LinkedIn"},
                "credited_to": None,
                "rejection_reason": rejection_reason,
                "rejection_details": {"custom_fields": {}},
                "current_stage": None if stage is None else {"id": 2708728, "name": stage, "interviews": []},
                "custom_fields": {},
                "candidate": {
                    "id": candidate_id,
                    "first_name": first_name,
                    "last_name": last_name,
                    "title": None,
                    "company": None,
                    "created_at": "2013-10-04T01:24:48Z",
                    "external_id": None,
                    "photo_url": None,
                    "is_private": False,
                    "can_email": can_email,
                    "phone_numbers": [{"value": value, "type": kind} for value, kind in phones],
                    "email_addresses": [{"value": value, "type": kind} for value, kind in emails],
                    "addresses": [],
                    "website_addresses": [],
                    "social_media_addresses": [],
                    "educations": [],
                    "employments": [],
                    "recruiter": None,
                    "coordinator": None,
                    "attachments": [],
                    "tags": ["Imported"],
                    "custom_fields": {},
                },
                "jobs": [
                    {
                        "id": 371417 + index,
                        "name": name,
                        "requisition_id": None,
                        "confidential": False,
                        "status": "open",
                        "departments": [],
                        "offices": [],
                        "custom_fields": {},
                    }
                    for index, name in enumerate(job_names)
                ],
            }
        },
    }
    # Greenhouse escapes non-ASCII characters before it signs (its docs' "note on Unicode").
    return _bytes(payload, ascii_only=True)


def greenhouse_event(action: str, payload: dict[str, Any] | None = None) -> bytes:
    return _bytes({"action": action, "payload": payload or {}}, ascii_only=True)


def greenhouse_ping(web_hook_id: int = 12345) -> bytes:
    return greenhouse_event("ping", {"web_hook_id": web_hook_id})


def sign_greenhouse(secret: str, body: bytes) -> dict[str, str]:
    return {"Signature": f"sha256 {_hex_hmac(secret, body)}", "Content-Type": "application/json"}


# Lever ----------------------------------------------------------------------------------------


def lever_event(
    event: str,
    data: dict[str, Any],
    *,
    event_id: str = "3ed6ffd1-1fdb-4b1c-9c1b-02e1bc9e5e21",
    triggered_at: int | None = None,
    token: str = "6a2f3b7c9d1e4f5a8b0c2d4e6f8a0b1c",  # noqa: S107 (Lever's public per-delivery token, not a secret)
) -> bytes:
    """An unsigned Lever delivery (`signature` empty); pass it to `sign_lever`."""
    return _bytes(
        {
            "id": event_id,
            "event": event,
            "triggeredAt": int(time.time() * 1000) if triggered_at is None else triggered_at,
            "token": token,
            "signature": "",
            "data": data,
        }
    )


def lever_archive_change(
    *,
    opportunity_id: str = "250d8f03-738a-4bba-a671-8a3d73477145",
    contact_id: str = "8c8d0c1e-2f5a-4c77-a0b8-2c5a5d1f6e01",
    reason_id: str | None = "63dd55b2-a99f-4e7b-985f-22c7bf80ab42",
    archived: bool = True,
    archived_at: int = 1486154856534,
    **event: Any,
) -> bytes:
    to_archived = (
        {"archivedAt": archived_at, "archivedBy": "dd5f3a2e-1a11-4c6b-8b6e-4b4b1e0f7a10", "reason": reason_id}
        if archived
        else None
    )
    data = {
        "opportunityId": opportunity_id,
        "candidateId": opportunity_id,
        "contactId": contact_id,
        "fromArchived": None if archived else {"archivedAt": archived_at, "reason": reason_id},
        "toArchived": to_archived,
    }
    return lever_event("candidateArchiveChange", data, **event)


def lever_stage_change(*, opportunity_id: str = "250d8f03-738a-4bba-a671-8a3d73477145", **event: Any) -> bytes:
    data = {
        "opportunityId": opportunity_id,
        "candidateId": opportunity_id,
        "contactId": "8c8d0c1e-2f5a-4c77-a0b8-2c5a5d1f6e01",
        "fromStageId": "lead-new",
        "toStageId": "applicant-new",
    }
    return lever_event("candidateStageChange", data, **event)


def sign_lever(secret: str, body: bytes) -> bytes:
    """The body with `signature` = hex HMAC-SHA256 of token + triggeredAt under the signature token."""
    payload = json.loads(body)
    payload["signature"] = _hex_hmac(secret, f"{payload['token']}{payload['triggeredAt']}".encode())
    return _bytes(payload)


def lever_opportunity(
    *,
    opportunity_id: str = "250d8f03-738a-4bba-a671-8a3d73477145",
    contact_id: str = "8c8d0c1e-2f5a-4c77-a0b8-2c5a5d1f6e01",
    name: str = "Shane Smith",
    emails: list[str] | None = None,
    phones: list[tuple[str, str]] | None = None,
    archived_reason: str | dict[str, Any] | None = "63dd55b2-a99f-4e7b-985f-22c7bf80ab42",
    archived_at: int | None = 1486154856534,
    stage: str = "Phone screen",
    posting_id: str | None = "f2f01e16-27f8-4711-a728-7d49499795a0",
) -> dict[str, Any]:
    """`GET /opportunities/:id?expand=stage` as Lever documents it; `archived_at=None`: not archived."""
    emails = ["shane@example.com"] if emails is None else emails
    phones = [("(123) 456-7891", "mobile")] if phones is None else phones
    return {
        "data": {
            "id": opportunity_id,
            "name": name,
            "headline": "Brickly LLC, Vandelay Industries, Inc, Central Perk",
            "contact": contact_id,
            "emails": emails,
            "phones": [{"type": kind, "value": value} for value, kind in phones],
            "location": "Oakland",
            "stage": {"id": "00922a60-7c15-422b-b086-f62000824fd7", "text": stage},
            "archived": None if archived_at is None else {"archivedAt": archived_at, "reason": archived_reason},
            "confidentiality": "non-confidential",
            "createdAt": 1407460071043,
            "updatedAt": 1486154856534,
            "applications": ["cdb8ba17-8b3e-43ad-b7e4-9d2bf3dbd2b4"],
            "postings": [posting_id] if posting_id else [],
            "tags": [],
            "sources": ["linkedin"],
            "origin": "sourced",
            "links": [],
            "isAnonymized": False,
        }
    }


def lever_archive_reason(
    *, reason_id: str = "63dd55b2-a99f-4e7b-985f-22c7bf80ab42", text: str = "Underqualified", kind: str = "non-hired"
) -> dict[str, Any]:
    return {"data": {"id": reason_id, "text": text, "status": "active", "type": kind}}


def lever_posting(*, posting_id: str = "f2f01e16-27f8-4711-a728-7d49499795a0", text: str = "Office Manager"):
    return {"data": {"id": posting_id, "text": text, "state": "published"}}


@contextmanager
def lever_api(routes: dict[str, tuple[int, Any]], *, api_key: str = "lever-key") -> Iterator[dict[str, Any]]:
    """A real HTTP server on 127.0.0.1 answering Lever API paths (`/v1/opportunities/ID`) from
    `routes` (path → (status, JSON)); unknown paths 404, a wrong Basic-auth key 401. Yields
    {"base_url": ..., "requests": [(path, query, authorization), ...]}."""
    seen: list[tuple[str, str, str]] = []
    expected_auth = "Basic " + base64.b64encode(f"{api_key}:".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            path, _, query = self.path.partition("?")
            authorization = self.headers.get("Authorization", "")
            seen.append((path, query, authorization))
            if authorization != expected_auth:
                status, answer = 401, {"code": "UnauthorizedError", "message": "Invalid API key"}
            else:
                status, answer = routes.get(path, (404, {"code": "ResourceNotFound", "message": "Not found"}))
            raw = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield {"base_url": f"http://127.0.0.1:{server.server_address[1]}/v1", "requests": seen}
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# Workable -------------------------------------------------------------------------------------


def workable_candidate_moved(
    *,
    candidate_id: str = "ce4da98",
    firstname: str | None = "Lakita",
    lastname: str | None = "Marrero",
    name: str | None = None,
    email: str | None = "lakita.marrero@example.com",
    phone: str | None = "+1 (555) 123-4567",
    job_title: str = "Sales Intern",
    job_shortcode: str = "GROOV005",
    stage: str = "Interview",
    disqualified: bool = True,
    disqualification_reason: str | None = "Doesn’t have required experience",
    disqualified_at: str | None = "2026-12-03T16:30:00Z",
    updated_at: str = "2026-12-03T16:30:05Z",
    event_type: str = "candidate_moved",
) -> bytes:
    data = {
        "id": candidate_id,
        "name": name if name is not None else " ".join(part for part in (firstname, lastname) if part),
        "firstname": firstname,
        "lastname": lastname,
        "headline": "Sales",
        "account": {"subdomain": "groove-tech", "name": "Groove Tech"},
        "job": {"shortcode": job_shortcode, "title": job_title},
        "stage": stage,
        "disqualified": disqualified,
        "disqualification_reason": disqualification_reason if disqualified else None,
        "disqualified_at": disqualified_at if disqualified else None,
        "sourced": False,
        "profile_url": f"https://groove-tech.workable.com/backend/candidates/{candidate_id}",
        "email": email,
        "phone": phone,
        "domain": "indeed.com",
        "created_at": "2026-11-20T08:00:00Z",
        "updated_at": updated_at,
    }
    return _bytes({"event_type": event_type, "fired_at": updated_at, "resource_type": "candidate", "data": data})


def sign_workable(secret: str, body: bytes) -> dict[str, str]:
    return {"X-Workable-Signature": _hex_hmac(secret, body), "Content-Type": "application/json"}


def greenhouse_delivery(
    *, secret: str, event_id: str, person_id: str, email: str, application_id: str, reason: str, occurred_at: str
) -> tuple[bytes, dict[str, str]]:
    """A signed `reject_candidate` for the benchmark (bench/ats_bench.py --kind greenhouse): the
    same builder as the tests. Greenhouse's ids are integers; the event id is the body's SHA-256,
    so `event_id` only has to make the body distinct (it is the delivery's `Greenhouse-Event-ID`)."""
    body = greenhouse_rejection(
        application_id=_digits(application_id),
        candidate_id=_digits(person_id),
        first_name="花子",
        last_name="山﨑",
        emails=[(email, "personal")],
        rejected_at=occurred_at,
        reason=reason,
        stage="一次面接",
        job_names=["営業職"],
    )
    return body, {**sign_greenhouse(secret, body), "Greenhouse-Event-ID": event_id}


def _digits(value: str) -> int:
    """An integer id from a bench id such as "p-17" (Greenhouse's ids are integers)."""
    return int("".join(character for character in value if character.isdigit()) or 0) + 1000
