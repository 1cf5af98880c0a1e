"""/hooks/ats/<public id>/ attacked with signed bodies that are valid JSON but hostile: deep
nesting answers 400 (stored as unreadable), never a 500 the vendor would retry for days; endless
distinct reasons stop being learned at MAX_REASON_MAPPINGS."""

import hashlib
import hmac
import json

import pytest
from django.urls import reverse

from careerrelay.integrations.models import Delivery, Integration, ReasonMapping
from careerrelay.integrations.services import MAX_REASON_MAPPINGS
from careerrelay.integrations.vendors.fields import hmac_sha256_hex
from careerrelay.integrations.vendors.generic import signature_for
from careerrelay.talent import services as talent
from careerrelay.talent.models import Applicant

pytestmark = pytest.mark.django_db
SECRET = "s3cret-of-the-ats-integration"


def _signed_headers(kind: str, body: bytes) -> dict:
    if kind == "greenhouse":
        return {"Signature": "sha256 " + hmac_sha256_hex(key=SECRET, message=body)}
    if kind == "workable":
        return {"X-Workable-Signature": hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()}
    return {"Signature": signature_for(secret=SECRET, body=body)}


@pytest.mark.parametrize("kind", ["generic", "greenhouse", "workable"])
@pytest.mark.parametrize("depth", [500, 100_000])
def test_a_deeply_nested_signed_body_is_unreadable_not_a_server_error(
    client, employer, kind, depth, django_capture_on_commit_callbacks
):
    integration = Integration.objects.create(organisation=employer, kind=kind, secret=SECRET, name="ATS")
    body = ('{"event_id": "e-1", "type": "other", "action": "other", "x": ' + "[" * depth + "]" * depth + "}").encode()
    client.raise_request_exception = False
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/hooks/ats/{integration.public_id}/",
            body,
            content_type="application/json",
            headers=_signed_headers(kind, body),
        )
    assert response.status_code == 400
    assert response.json()["status"] == "unreadable"
    assert "64" in response.json()["message"]
    assert list(Delivery.objects.values_list("outcome", flat=True)) == [Delivery.Outcome.FAILED]


def test_a_shallow_ignored_event_is_still_accepted_and_redacted(client, employer):
    integration = Integration.objects.create(organisation=employer, kind="generic", secret=SECRET, name="ATS")
    body = b'{"event_id": "e-2", "type": "hired", "candidate": {"email": "taro@example.jp", "tags": [[["a"]]]}}'
    response = client.post(
        f"/hooks/ats/{integration.public_id}/",
        body,
        content_type="application/json",
        headers=_signed_headers("generic", body),
    )
    assert response.status_code == 200
    stored = bytes(Delivery.objects.get().body)
    assert b"taro@example.jp" not in stored and b'[["a"]]' in stored.replace(b" ", b"")


def _rejection_body(event_id: str, reason: str) -> bytes:
    return json.dumps(
        {
            "event_id": event_id,
            "type": "rejection",
            "candidate": {"id": f"c-{event_id}", "email": f"{event_id}@example.jp", "family_name": "山田"},
            "application": {"id": f"a-{event_id}", "job_title": "営業職", "reason": reason},
        },
        ensure_ascii=False,
    ).encode()


def test_reasons_past_the_limit_pool_the_person_without_growing_the_mappings(
    client, owner_client, employer, django_capture_on_commit_callbacks
):
    integration = Integration.objects.create(organisation=employer, kind="generic", secret=SECRET, name="ATS")
    ReasonMapping.objects.bulk_create(
        ReasonMapping(integration=integration, ats_reason=f"自由記述の理由 {n}") for n in range(MAX_REASON_MAPPINGS)
    )
    body = _rejection_body("evt-new-reason", "また別の自由記述")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/hooks/ats/{integration.public_id}/",
            body,
            content_type="application/json",
            headers=_signed_headers("generic", body),
        )
    assert response.status_code == 202
    assert ReasonMapping.objects.filter(integration=integration).count() == MAX_REASON_MAPPINGS
    assert Delivery.objects.get().outcome == Delivery.Outcome.PROCESSED
    pooled = Applicant.objects.get(organisation=employer, ats_id="c-evt-new-reason")
    assert talent.latest_application(pooled).rejection_reason == "また別の自由記述"
    page = owner_client.get(reverse("employer:integration_detail", args=[integration.pk]))
    assert page.status_code == 200
