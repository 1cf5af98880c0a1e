import json

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from careerrelay.api.api import api
from careerrelay.audit.services import Actor, ActorKind
from careerrelay.credits.services import record_counted_referral
from careerrelay.organisations.models import ApiKey, Organisation
from careerrelay.organisations.services import create_api_key, revoke_api_key
from careerrelay.relay.services import create_campaign, record_landing_view, update_campaign
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def secret(employer, owner):
    return create_api_key(organisation=employer, name="ATS", actor=Actor.for_user(owner, ActorKind.EMPLOYER))[1]


def count_referrals(employer, n):
    campaign = employer.campaigns.get(is_default=True)
    for _ in range(n):
        candidate = CandidateFactory(source_campaign=campaign)
        record_counted_referral(organisation=employer, campaign=campaign, subject_key=candidate.public_id)


def test_me_returns_the_company_its_links_and_counters(client, employer, secret, settings):
    settings.REFERRALS_PER_CREDIT = 10
    default = employer.campaigns.get(is_default=True)
    record_landing_view(default)
    record_landing_view(default)
    extra = create_campaign(organisation=employer, name="エンジニア採用")
    update_campaign(extra, name="エンジニア採用", is_active=False)
    count_referrals(employer, 13)

    response = client.get("/api/v1/me", **bearer(secret))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["name"] == "株式会社山﨑製作所"
    assert body["counters"] == {
        "landing_views": 2,
        "registrations": 0,
        "verified": 0,
        "counted_referrals": 13,
        "credits_earned": 1,
        "credits_available": 1,
        "referrals_to_next_credit": 7,
    }
    links = {link["code"]: link for link in body["relay_links"]}
    assert links[default.code]["url"] == f"http://testserver/r/{default.code}/"
    assert links[default.code]["name"] == "標準リレーリンク"
    assert links[default.code]["active"] is True
    # Per link coarse: a multiple of 5 (10 stands for 10–14), null below 5.
    assert links[default.code]["counters"] == {
        "landing_views": {"value": None, "below_threshold": True},
        "registrations": {"value": None, "below_threshold": True},
        "verified": {"value": None, "below_threshold": True},
        "counted_referrals": {"value": 10, "below_threshold": False},
    }
    assert links[extra.code]["active"] is False
    assert links[extra.code]["name"] == "エンジニア採用"


def test_me_shows_only_the_keys_own_company(client, employer, secret, outsider):
    other = Organisation.objects.get(name="株式会社よそ")
    count_referrals(other, 3)
    body = client.get("/api/v1/me", **bearer(secret)).json()
    assert body["name"] == "株式会社山﨑製作所"
    assert body["counters"]["counted_referrals"] == 0
    assert {link["code"] for link in body["relay_links"]} == set(employer.campaigns.values_list("code", flat=True))


def test_a_key_records_when_it_was_last_used(client, employer, secret):
    client.get("/api/v1/me", **bearer(secret))
    assert ApiKey.objects.get(organisation=employer).last_used_at is not None


def assert_unauthorized(response):
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "unauthorized"
    assert response.json()["error"]["message"]


def test_a_missing_key_is_401(client):
    assert_unauthorized(client.get("/api/v1/me"))


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer ", "Token abc", "cr_abc", "Basic dXNlcjpwYXNz", "Bearer cr_unknown_key", "Bearer   "],
)
def test_a_malformed_or_unknown_key_is_401(client, employer, header):
    assert_unauthorized(client.get("/api/v1/me", HTTP_AUTHORIZATION=header))


def test_a_revoked_key_is_401(client, employer, secret):
    revoke_api_key(ApiKey.objects.get(organisation=employer), actor=Actor.system())
    assert_unauthorized(client.get("/api/v1/me", **bearer(secret)))


def test_a_key_of_a_deactivated_company_is_401(client, employer, secret):
    Organisation.objects.filter(pk=employer.pk).update(is_active=False)
    assert_unauthorized(client.get("/api/v1/me", **bearer(secret)))


def test_an_agency_key_is_not_an_employer_key(client):
    agency = Organisation.objects.create(kind=Organisation.Kind.AGENCY, name="株式会社ネクストキャリア")
    _key, secret = create_api_key(organisation=agency, name="agency", actor=Actor.system())
    assert_unauthorized(client.get("/api/v1/me", **bearer(secret)))


def test_an_unknown_endpoint_is_a_json_404(client, secret):
    for response in (client.get("/api/v1/nothing-here", **bearer(secret)), client.post("/api/v1/me/extra")):
        assert response.status_code == 404
        assert response.json() == {"error": {"code": "not_found", "message": "No such API endpoint."}}


def test_a_wrong_method_is_a_json_405(client, secret):
    response = client.post("/api/v1/me", **bearer(secret))
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_a_server_error_is_json_without_the_traceback(caplog):
    request = RequestFactory().get("/api/v1/me")
    response = api.on_exception(request, RuntimeError("secret detail"))
    assert response.status_code == 500
    assert json.loads(response.content) == {"error": {"code": "server_error", "message": "Internal server error."}}
    assert "secret detail" not in response.text
    assert "secret detail" in caplog.text


def test_validation_errors_are_422_in_the_same_shape():
    from ninja.errors import ValidationError

    request = RequestFactory().post("/api/v1/anything")
    exc = ValidationError([{"loc": ("body", "payload", "email"), "msg": "Field required", "type": "missing"}])
    response = api.on_exception(request, exc)
    assert response.status_code == 422
    assert json.loads(response.content) == {
        "error": {
            "code": "validation_error",
            "message": "The request is not valid.",
            "details": [{"loc": ["body", "payload", "email"], "message": "Field required", "type": "missing"}],
        }
    }


def test_openapi_document_describes_me_and_the_bearer_scheme(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    operation = document["paths"]["/api/v1/me"]["get"]
    assert operation["security"] == [{"EmployerKeyAuth": []}]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/MeOut"
    }
    assert operation["responses"]["401"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"
    }
    scheme = document["components"]["securitySchemes"]["EmployerKeyAuth"]
    assert scheme["type"] == "http"
    assert scheme["scheme"] == "bearer"
    counters = document["components"]["schemas"]["Counters"]
    assert set(counters["required"]) == {
        "landing_views",
        "registrations",
        "verified",
        "counted_referrals",
        "credits_earned",
        "credits_available",
        "referrals_to_next_credit",
    }
    assert counters["properties"]["referrals_to_next_credit"]["examples"] == [7]


def test_last_used_is_not_rewritten_on_every_call(client, employer, secret):
    client.get("/api/v1/me", **bearer(secret))
    first = ApiKey.objects.get(organisation=employer).last_used_at
    client.get("/api/v1/me", **bearer(secret))
    assert ApiKey.objects.get(organisation=employer).last_used_at == first
    assert first <= timezone.now()


def test_me_needs_the_same_number_of_queries_for_one_or_three_links(client, employer, secret):
    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get("/api/v1/me", **bearer(secret)).status_code == 200
        return len(context.captured_queries)

    queries()  # the first call also records last_used_at
    one = queries()
    create_campaign(organisation=employer, name="B")
    create_campaign(organisation=employer, name="C")
    assert queries() == one


def test_every_operation_in_the_document_needs_an_api_key(client):
    document = client.get("/api/v1/openapi.json").json()
    operations = [(path, method, op) for path, item in document["paths"].items() for method, op in item.items()]
    assert operations
    for path, method, operation in operations:
        assert operation.get("security"), f"{method.upper()} {path} is open to anybody"
