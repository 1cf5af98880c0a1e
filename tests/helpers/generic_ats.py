"""Signed deliveries of CareerRelay's own ATS webhook JSON (the `generic` kind), as an in-house
system would send them; the benchmark uses them too."""

import json

from careerrelay.integrations.vendors.generic import signature_for

SECRET = "s3cret-of-the-ats-integration"


def rejection(
    *,
    event_id="evt-1",
    person_id="c-1",
    email="hanako.yamada@example.jp",
    family_name="山田",
    given_name="花子",
    application_id="a-1",
    job_title="営業職",
    stage="一次面接",
    rejected_on="2026-12-04",
    reason="経験不足",
    occurred_at="2026-12-04T09:00:00+09:00",
) -> dict:
    return {
        "event_id": event_id,
        "type": "rejection",
        "occurred_at": occurred_at,
        "candidate": {"id": person_id, "email": email, "family_name": family_name, "given_name": given_name},
        "application": {
            "id": application_id,
            "job_title": job_title,
            "stage": stage,
            "rejected_on": rejected_on,
            "reason": reason,
        },
    }


def signed(payload: dict | bytes, secret: str = SECRET) -> tuple[bytes, dict]:
    """The body and the headers (for Django's test client and for urllib)."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
    return body, {"Signature": signature_for(secret=secret, body=body)}


def post(client, integration, payload, secret: str = SECRET):
    body, headers = signed(payload, secret)
    return client.post(
        f"/hooks/ats/{integration.public_id}/",
        body,
        content_type="application/json",
        headers=headers,
    )
