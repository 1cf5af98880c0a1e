"""GET/POST /api/v1/webhooks, DELETE /api/v1/webhooks/<id>, GET /api/v1/webhooks/<id>/deliveries,
with employer and agency keys; errors are JSON; another organisation's webhook is not found."""

import pytest
from django.db import transaction

from careerrelay.audit.actor import Actor, ActorKind
from careerrelay.organisations.services import create_api_key
from careerrelay.webhooks.models import Endpoint
from careerrelay.webhooks.services import emit
from tests.helpers.agencies import bearer, make_agency
from tests.webhooks.helpers import signature_is_valid

pytestmark = pytest.mark.django_db


def key_for(organisation, user, kind):
    return create_api_key(organisation=organisation, name="連携", actor=Actor.for_user(user, kind))[1]


@pytest.fixture
def employer_key(employer, owner):
    return key_for(employer, owner, ActorKind.EMPLOYER)


@pytest.fixture
def outsider_key(outsider):
    return key_for(outsider.memberships.get().organisation, outsider, ActorKind.EMPLOYER)


def post(client, key, data):
    return client.post("/api/v1/webhooks", data, content_type="application/json", **bearer(key))


def test_an_employer_registers_lists_reads_deliveries_and_deletes(
    client, employer_key, receiver, employer, django_capture_on_commit_callbacks
):
    created = post(client, employer_key, {"url": receiver.url, "event_types": ["credit.earned", "followup.sent"]})
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["event_types"] == ["credit.earned", "followup.sent"]
    listed = client.get("/api/v1/webhooks", **bearer(employer_key)).json()
    assert [e["id"] for e in listed] == [body["id"]]
    assert "secret" not in listed[0]

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event = emit(employer, "credit.earned", {"counted_referrals": 20})
    assert signature_is_valid(body["secret"], receiver.received[0])
    deliveries = client.get(f"/api/v1/webhooks/{body['id']}/deliveries", **bearer(employer_key)).json()
    assert [(d["event_id"], d["event_type"], d["state"]) for d in deliveries] == [
        (event.webhook_id, "credit.earned", "succeeded")
    ]
    assert deliveries[0]["attempts"][0]["status_code"] == 200
    assert deliveries[0]["attempts"][0]["response_excerpt"] == '{"ok": true}'

    assert client.delete(f"/api/v1/webhooks/{body['id']}", **bearer(employer_key)).status_code == 204
    assert not Endpoint.objects.exists()


def test_an_agency_key_may_subscribe_to_introductions_only(client, receiver):
    agency, admin = make_agency("株式会社みらい人材", "13-ユ-400001", "owner@mirai.example")
    key = key_for(agency, admin, ActorKind.AGENCY)
    refused = post(client, key, {"url": receiver.url, "event_types": ["credit.earned"]})
    assert refused.status_code == 422
    assert "introduction.stage_changed" in refused.json()["error"]["message"]
    created = post(client, key, {"url": receiver.url, "event_types": ["introduction.stage_changed"]})
    assert created.status_code == 201
    assert Endpoint.objects.get().organisation == agency


def test_errors_are_json(client, employer_key, receiver):
    unauthenticated = client.get("/api/v1/webhooks")
    assert unauthenticated.status_code == 401 and unauthenticated.json()["error"]["code"] == "unauthorized"
    missing = post(client, employer_key, {"url": receiver.url})
    assert missing.status_code == 422 and missing.json()["error"]["code"] == "validation_error"
    unknown = post(client, employer_key, {"url": receiver.url, "event_types": ["candidate.created"]})
    assert unknown.status_code == 422
    assert client.delete("/api/v1/webhooks/999999", **bearer(employer_key)).json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/webhooks/999999/deliveries", **bearer(employer_key)).status_code == 404
    assert not Endpoint.objects.exists()


def test_another_organisations_webhook_is_not_found(client, employer_key, outsider_key, receiver):
    created = post(client, employer_key, {"url": receiver.url, "event_types": ["credit.earned"]}).json()
    assert client.get("/api/v1/webhooks", **bearer(outsider_key)).json() == []
    for response in (
        client.get(f"/api/v1/webhooks/{created['id']}/deliveries", **bearer(outsider_key)),
        client.delete(f"/api/v1/webhooks/{created['id']}", **bearer(outsider_key)),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert Endpoint.objects.filter(pk=created["id"]).exists()
