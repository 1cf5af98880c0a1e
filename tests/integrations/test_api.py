"""POST/GET /api/v1/integrations and GET .../deliveries with a real API key; a webhook URL from
the API accepts a signed delivery."""

import pytest

from careerrelay.audit.services import Actor, ActorKind
from careerrelay.integrations.models import Integration
from careerrelay.organisations.services import create_api_key
from tests.factories import EmployerFactory
from tests.helpers.generic_ats import SECRET, post, rejection

pytestmark = pytest.mark.django_db


def _auth(organisation, user=None):
    actor = Actor.for_user(user, ActorKind.EMPLOYER) if user else Actor.system()
    _key, secret = create_api_key(organisation=organisation, name="ATS", actor=actor)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def auth(employer, owner):
    return _auth(employer, owner)


def create(client, auth, **body):
    return client.post("/api/v1/integrations", body, content_type="application/json", **auth)


def test_it_creates_an_integration_and_answers_its_webhook_url_never_the_secret(
    client, auth, employer, django_capture_on_commit_callbacks
):
    response = create(client, auth, kind="generic", name="自社ATS", secret=SECRET)
    assert response.status_code == 201
    body = response.json()
    integration = Integration.objects.get(pk=body["id"])
    assert body["webhook_url"] == f"http://testserver/hooks/ats/{integration.public_id}/"
    assert (integration.organisation, integration.kind, integration.secret) == (employer, "generic", SECRET)
    listed = client.get("/api/v1/integrations", **auth)
    assert listed.status_code == 200
    assert SECRET not in listed.text and "secret" not in listed.text
    assert [row["id"] for row in listed.json()] == [integration.pk]

    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, integration, rejection()).status_code == 202
    deliveries = client.get(f"/api/v1/integrations/{integration.pk}/deliveries", **auth).json()
    assert [(d["event_id"], d["outcome"]) for d in deliveries] == [("evt-1", "processed")]


def test_lever_needs_an_api_key_and_bad_input_is_a_json_error(client, auth):
    response = create(client, auth, kind="lever", name="Lever", secret=SECRET)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"  # every vendor kind is available now
    response = create(client, auth, kind="taleo", name="x", secret=SECRET)
    assert response.status_code == 422
    response = create(client, auth, kind="generic", name="x", secret="short")
    assert response.status_code == 422
    assert Integration.objects.count() == 0


def test_another_companys_integration_is_not_found(client, auth):
    other = EmployerFactory(name="株式会社よそ")
    theirs = Integration.objects.create(organisation=other, kind="generic", name="よそATS", secret=SECRET)
    assert client.get(f"/api/v1/integrations/{theirs.pk}/deliveries", **auth).status_code == 404
    assert "よそATS" not in client.get("/api/v1/integrations", **auth).text


def test_without_a_key_it_is_401(client):
    assert client.get("/api/v1/integrations").status_code == 401
    assert client.post("/api/v1/integrations", {}, content_type="application/json").status_code == 401
