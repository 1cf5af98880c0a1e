"""Agency API: search and candidate detail with agency keys only."""

import pytest

from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import Actor
from careerrelay.privacy import services as privacy
from careerrelay.privacy.deletion import delete_candidate
from careerrelay.privacy.models import ProvisionRecord
from tests.helpers.agencies import SHARING, bearer

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/agency/search"


def detail_url(candidate_id):
    return f"/api/v1/agency/candidates/{candidate_id}"


def test_search_returns_ranked_explained_results_without_contact_data(client, agency_secret, candidate):
    response = client.get(SEARCH, {"q": "Java開発", "prefecture": "13"}, **bearer(agency_secret))
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    assert (body["page"], body["num_pages"]) == (1, 1)
    hit = body["results"][0]
    assert hit["id"] == str(candidate.public_id)
    assert hit["score"] > 0
    assert hit["explanation"]
    assert hit["skills"] == ["Java", "Spring"]
    text = response.content.decode()
    for private in ("髙橋", "花子", "hanako.takahashi@example.jp", "090-1234-5678", "+8190"):
        assert private not in text
    assert ProvisionRecord.objects.count() == 0


def test_search_is_audited_with_the_api_channel(client, agency, agency_secret, candidate):
    client.get(SEARCH, {"q": "Java", "min_years": "2"}, **bearer(agency_secret))
    event = AuditEvent.objects.get(action="search")
    assert event.organisation == agency
    assert event.detail["q"] == "Java"
    assert event.detail["min_years"] == 2
    assert event.detail["channel"] == "api"


def test_search_filters(client, agency_secret, make_candidate, candidate):
    make_candidate(skills="Java", summary="Java開発", years_experience=1, prefecture="27")
    assert client.get(SEARCH, {"q": "Java", "min_years": 3}, **bearer(agency_secret)).json()["total"] == 1
    assert client.get(SEARCH, {"q": "Java", "prefecture": "27"}, **bearer(agency_secret)).json()["total"] == 1
    assert client.get(SEARCH, {"q": "Java"}, **bearer(agency_secret)).json()["total"] == 2


def test_preferred_words_and_job_category_rank_without_leaving_anyone_out(client, agency_secret, make_candidate):
    plain = make_candidate(skills="Java", summary="Java開発", email="plain@example.jp")
    with_aws = make_candidate(skills="Java, AWS", summary="Java開発", job_category="sales", email="aws@example.jp")
    consultant = make_candidate(skills="Java", summary="Java開発", job_category="consulting", email="c@example.jp")
    response = client.get(
        SEARCH, {"q": "Java", "preferred": "AWS", "rank_job_category": "consulting"}, **bearer(agency_secret)
    )
    assert response.status_code == 200
    ids = [hit["id"] for hit in response.json()["results"]]
    assert ids[-1] == str(plain.public_id)
    assert set(ids) == {str(c.public_id) for c in (plain, with_aws, consultant)}


def test_bad_filters_are_a_json_validation_error(client, agency_secret, db):
    for params in ({"min_years": 5, "max_years": 1}, {"prefecture": "48"}, {"page": 0}, {"min_years": "abc"}):
        response = client.get(SEARCH, params, **bearer(agency_secret))
        assert response.status_code == 422, params
        assert response.json()["error"]["code"] == "validation_error"


def test_detail_returns_the_full_profile_and_writes_the_provision_record(client, agency, agency_secret, candidate):
    response = client.get(detail_url(candidate.public_id), **bearer(agency_secret))
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "hanako.takahashi@example.jp"
    assert body["family_name"] == "髙橋"
    assert body["skills"] == ["Java", "Spring"]
    record = ProvisionRecord.objects.get()
    assert record.channel == "api"
    assert record.recipient_organisation == agency
    assert record.recipient_user is None
    assert body["provision"]["record_id"] == record.pk
    assert body["provision"]["how_obtained"] == "本人登録・同意"
    assert AuditEvent.objects.filter(action="provide", subject_key=candidate.public_id).count() == 1


@pytest.mark.parametrize("how", ["unknown", "not_a_uuid", "withdrawn", "deleted", "unverified"])
def test_detail_is_404_json_for_a_candidate_not_visible(client, agency_secret, candidate, make_candidate, how):
    candidate_id = candidate.public_id
    if how == "unknown":
        candidate_id = "00000000-0000-0000-0000-000000000000"
    elif how == "not_a_uuid":
        candidate_id = "12345"
    elif how == "withdrawn":
        privacy.withdraw_consent(candidate=candidate, purpose=SHARING, actor=Actor.for_candidate(candidate))
    elif how == "deleted":
        delete_candidate(candidate, actor=Actor.for_candidate(candidate))
    elif how == "unverified":
        candidate_id = make_candidate(status="pending").public_id
    response = client.get(detail_url(candidate_id), **bearer(agency_secret))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert ProvisionRecord.objects.count() == 0


def test_withdrawn_consent_leaves_the_search_at_once(client, agency_secret, candidate):
    privacy.withdraw_consent(candidate=candidate, purpose=SHARING, actor=Actor.for_candidate(candidate))
    assert client.get(SEARCH, {"q": "Java"}, **bearer(agency_secret)).json()["total"] == 0


@pytest.mark.parametrize("url", [SEARCH, "detail"])
def test_an_employer_key_is_refused(client, employer_secret, candidate, url):
    url = detail_url(candidate.public_id) if url == "detail" else url
    response = client.get(url, **bearer(employer_secret))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert ProvisionRecord.objects.count() == 0


@pytest.mark.parametrize("url", [SEARCH, "detail"])
def test_no_key_is_refused(client, candidate, url):
    url = detail_url(candidate.public_id) if url == "detail" else url
    assert client.get(url).status_code == 401


@pytest.mark.parametrize("url", [SEARCH, "detail"])
def test_a_pending_agency_gets_403_json(client, pending_secret, candidate, url):
    url = detail_url(candidate.public_id) if url == "detail" else url
    response = client.get(url, **bearer(pending_secret))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert "髙橋" not in response.content.decode()
    assert ProvisionRecord.objects.count() == 0


def test_an_agency_key_cannot_use_employer_operations(client, agency_secret):
    assert client.get("/api/v1/me", **bearer(agency_secret)).status_code == 401


def test_openapi_document_has_the_agency_paths_with_the_bearer_scheme(client):
    document = client.get("/api/v1/openapi.json").json()
    search = document["paths"]["/api/v1/agency/search"]["get"]
    detail = document["paths"]["/api/v1/agency/candidates/{candidate_id}"]["get"]
    for operation in (search, detail):
        assert operation["security"] == [{"AgencyKeyAuth": []}]
        assert "403" in operation["responses"]
    assert "404" in detail["responses"]
    names = {p["name"] for p in search["parameters"]}
    assert {"q", "prefecture", "job_category", "min_years", "max_years", "salary_min", "salary_max"} <= names
    assert {"remote", "updated_since", "page"} <= names
    scheme = document["components"]["securitySchemes"]["AgencyKeyAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")


def test_search_says_when_the_total_is_capped(client, agency_secret, make_candidate, monkeypatch):
    # The limit is 1,000 candidates; two stand for it here.
    monkeypatch.setattr("careerrelay.search.services.MAX_EXACT_TOTAL", 2)
    for n in range(3):
        make_candidate(skills="Go", summary=f"Go開発{n}")
    body = client.get(SEARCH, {"q": "Go", "per_page": "1"}, **bearer(agency_secret)).json()
    assert (body["total"], body["total_capped"], body["num_pages"]) == (2, True, 2)
    beyond = client.get(SEARCH, {"q": "Go", "per_page": "1", "page": "3"}, **bearer(agency_secret)).json()
    assert (beyond["page"], len(beyond["results"])) == (2, 1)  # the pages end at the limit
    body = client.get(SEARCH, {"q": "Go開発0"}, **bearer(agency_secret)).json()
    assert (body["total"], body["total_capped"]) == (1, False)
