"""The inputs that once answered 500 from the API: each is now a JSON 422 naming the field, and
nothing is written."""

import json

import pytest

from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import Actor
from careerrelay.organisations.services import create_api_key
from careerrelay.rejections.services import templates_for_organisation
from careerrelay.sends.models import Send
from careerrelay.talent.models import Applicant
from tests.helpers.agencies import make_agency

pytestmark = pytest.mark.django_db


@pytest.fixture
def employer_auth(employer):
    return {
        "HTTP_AUTHORIZATION": f"Bearer {create_api_key(organisation=employer, name='ATS', actor=Actor.system())[1]}"
    }


@pytest.fixture
def agency_auth(db):
    agency, _admin = make_agency("株式会社みらい人材", "13-ユ-300001", "owner@mirai.example")
    return {"HTTP_AUTHORIZATION": f"Bearer {create_api_key(organisation=agency, name='CRM', actor=Actor.system())[1]}"}


def post(client, url, payload, auth):
    return client.post(url, json.dumps(payload), content_type="application/json", **auth)


def assert_field_error(response, *loc):
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert any(detail["loc"][-len(loc) :] == list(loc) for detail in error["details"]), error["details"]


@pytest.mark.parametrize("page", ["9223372036854775808", str(10**30), "100001"])
def test_a_page_number_beyond_any_page_is_a_field_error(client, agency_auth, page):
    response = client.get("/api/v1/agency/search", {"q": "Java", "page": page}, **agency_auth)
    assert_field_error(response, "page")


@pytest.mark.parametrize("q", ["Java\x00", "Java\r\nX-Injected: 1", "Java\x1b[31m"])
def test_a_search_with_control_characters_is_refused_before_it_is_audited(client, agency_auth, q):
    response = client.get("/api/v1/agency/search", {"q": q}, **agency_auth)
    assert_field_error(response, "q")
    assert not AuditEvent.objects.filter(action="search").exists()


def test_a_search_in_japanese_widths_is_accepted(client, agency_auth):
    response = client.get("/api/v1/agency/search", {"q": "ｊａｖａ ﾃﾞｰﾀ 髙﨑"}, **agency_auth)
    assert response.status_code == 200


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_an_updated_since_day_out_of_range_is_a_field_error(client, agency_auth, day):
    response = client.get("/api/v1/agency/search", {"updated_since": day}, **agency_auth)
    assert_field_error(response, "updated_since")


def test_applicant_ids_beyond_64_bits_are_a_field_error(client, employer, employer_auth):
    template = templates_for_organisation(employer)[0]
    response = post(client, "/api/v1/sends", {"template_id": template.pk, "applicant_ids": [10**30]}, employer_auth)
    assert_field_error(response, "applicant_ids", 0)
    response = post(client, "/api/v1/sends", {"template_id": 2**63, "applicant_ids": [1]}, employer_auth)
    assert_field_error(response, "template_id")
    assert not Send.objects.exists()


def test_a_send_id_beyond_64_bits_is_a_field_error(client, employer_auth):
    assert_field_error(client.get(f"/api/v1/sends/{2**64}", **employer_auth), "send_id")


@pytest.mark.parametrize("send_at", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59"])
def test_a_send_time_out_of_range_is_a_field_error(client, employer, employer_auth, send_at):
    template = templates_for_organisation(employer)[0]
    applicant = Applicant.objects.create(organisation=employer, family_name="髙橋", email="hanako@example.jp")
    payload = {"template_id": template.pk, "applicant_ids": [applicant.pk], "send_at": send_at}
    assert_field_error(post(client, "/api/v1/sends", payload, employer_auth), "send_at")
    assert not Send.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("sender_name", "人事部\r\nBcc: victim@example.com"), ("sender_name", "鈴木\x00"), ("signature", "株式会社\x00")],
)
def test_send_fields_with_control_characters_are_field_errors(client, employer, employer_auth, field, value):
    template = templates_for_organisation(employer)[0]
    applicant = Applicant.objects.create(organisation=employer, family_name="髙橋", email="hanako@example.jp")
    payload = {"template_id": template.pk, "applicant_ids": [applicant.pk], field: value}
    assert_field_error(post(client, "/api/v1/sends", payload, employer_auth), field)
    assert not Send.objects.exists()


def test_a_multi_line_signature_is_accepted(client, employer, employer_auth):
    template = templates_for_organisation(employer)[0]
    applicant = Applicant.objects.create(organisation=employer, family_name="髙橋", email="hanako@example.jp")
    payload = {"template_id": template.pk, "applicant_ids": [applicant.pk], "signature": "株式会社山﨑製作所\n人事部"}
    assert post(client, "/api/v1/sends", payload, employer_auth).status_code == 201


@pytest.mark.parametrize(
    ("field", "value"),
    [("family_name", "髙橋\x00"), ("family_name", "髙橋\n花子"), ("notes", "メモ\x00"), ("email", "a\x00@example.jp")],
)
def test_applicants_with_control_characters_are_refused_whole(client, employer_auth, field, value):
    items = [{"full_name": "山﨑 太郎", "email": "taro@example.jp"}, {"email": "hanako@example.jp", field: value}]
    response = post(client, "/api/v1/applicants", items, employer_auth)
    assert_field_error(response, 1, field)
    assert not Applicant.objects.exists()


def test_a_lone_surrogate_in_json_is_a_field_error(client, employer_auth):
    body = '[{"email": "hanako@example.jp", "notes": "\\ud800"}]'
    response = client.post("/api/v1/applicants", body, content_type="application/json", **employer_auth)
    assert_field_error(response, 0, "notes")
    assert not Applicant.objects.exists()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_rejection_day_out_of_range_is_an_item_error(client, employer_auth, day):
    response = post(
        client,
        "/api/v1/applicants",
        [{"full_name": "山﨑 太郎", "email": "taro@example.jp", "rejected_on": day}],
        employer_auth,
    )
    assert response.status_code == 422
    assert "不採用日" in response.json()["errors"][0]["messages"][0]
    assert not Applicant.objects.exists()
