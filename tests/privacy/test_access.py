"""Every privacy URL with the owner, another candidate, an agency user, an employer user and
nobody: only a signed-in candidate gets in, and only ever to their own data."""

import json

import pytest

from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import Actor, ActorKind
from careerrelay.candidates.models import Candidate, Consent
from careerrelay.privacy import services as privacy
from tests.helpers.candidates import sign_in_candidate

pytestmark = pytest.mark.django_db

PAGES = [
    "/me/consents/",
    "/me/consents/agency_sharing/withdraw/",
    "/me/provisions/",
    "/me/data/",
    "/me/delete/",
]
ACTIONS = [
    ("/me/consents/employer_recontact/grant/", {}),
    ("/me/consents/agency_sharing/withdraw/", {}),
    ("/me/data/export.json", {}),
    ("/me/data/export.html", {}),
    ("/me/delete/", {"confirm": "削除"}),
    ("/me/consents/renew/", {"agency_sharing": "on"}),
]


@pytest.fixture
def shared(candidate, agency):
    privacy.record_provision(
        candidate=candidate,
        recipient_organisation=agency,
        items=["profile"],
        channel="page",
        actor=Actor(ActorKind.AGENCY),
    )
    return candidate


def test_the_owner_sees_each_page(candidate_client, shared):
    for url in PAGES:
        response = candidate_client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"].startswith("max-age=0"), url
    assert "株式会社みらい人材" in candidate_client.get("/me/provisions/").text


def test_another_candidate_only_ever_sees_their_own_data(client, shared, other_candidate):
    sign_in_candidate(client, other_candidate)
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "鈴木" not in response.text, url
        assert "株式会社みらい人材" not in response.text, url
    data = json.loads(client.post("/me/data/export.json").content)
    assert data["profile"]["family_name"] == "佐藤"
    assert data["provision_records"] == []
    client.post("/me/consents/agency_sharing/withdraw/")
    assert privacy.active_grant(shared, "agency_sharing") is not None
    assert privacy.active_grant(other_candidate, "agency_sharing") is None


@pytest.mark.parametrize("who", ["agency", "employer", "anonymous"])
def test_non_candidates_are_sent_to_the_candidate_sign_in_and_change_nothing(client, shared, agency_user, owner, who):
    if who == "agency":
        client.force_login(agency_user)
    elif who == "employer":
        client.force_login(owner)
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/me/signin/"), url
    consents_before = Consent.objects.count()
    for url, data in ACTIONS:
        response = client.post(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/me/signin/"), url
    assert Consent.objects.count() == consents_before
    assert Candidate.objects.filter(pk=shared.pk).exists()
    assert AuditEvent.objects.filter(action__in=["export", "delete", "consent_withdraw"]).count() == 0


def test_the_goodbye_page_needs_no_session(client):
    assert client.get("/me/deleted/").status_code == 200
