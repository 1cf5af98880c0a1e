"""Tenant isolation for every URL of introductions and free referrals: the employer's owner, member
and an outsider; the agency's owner, member, another agency, a pending agency; the candidate and
another candidate; anonymous visitors."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from careerrelay.audit.services import Actor, ActorKind
from careerrelay.matching import services as matching
from careerrelay.matching.models import FreeReferralProposal, Introduction
from tests.helpers.candidates import sign_in_candidate
from tests.helpers.matching import REQUEST_DATA

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(proposal, introduce, other_candidate, candidate, employer, owner, agency, agency_owner):
    """A pending proposal (the candidate accepted a free-referral introduction), a fresh
    introduction of the same candidate to a named company, still awaiting their answer, and a
    second request whose interview the employer confirmed (the only kind it may open as an
    introduction)."""
    fresh = introduce(candidate)
    second = matching.file_free_referral_request(
        organisation=employer, actor=Actor.for_user(owner, ActorKind.EMPLOYER), data=dict(REQUEST_DATA)
    )
    assert matching.claim_request(
        free_referral=second, agency=agency, actor=Actor.for_user(agency_owner, ActorKind.AGENCY)
    )
    confirmed = matching.propose_introduction(
        agency=agency,
        actor=Actor.for_user(agency_owner, ActorKind.AGENCY),
        candidate_public_id=other_candidate.public_id,
        free_referral=second,
    )
    assert matching.respond_to_introduction(
        candidate=other_candidate, introduction=confirmed, accept=True, actor=Actor.for_candidate(other_candidate)
    )
    assert matching.confirm_interview(
        proposal=confirmed.proposal, organisation=employer, actor=Actor.for_user(owner, ActorKind.EMPLOYER)
    )
    return {
        "proposal": proposal,
        "request": proposal.request,
        "accepted": proposal.introduction,
        "fresh": fresh,
        "confirmed": confirmed,
    }


def login_url_in(response):
    return response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Employer pages -----------------------------------------------------------------------------

EMPLOYER_URLS = [
    ("list", "get", lambda o: reverse("employer:free_referrals"), "shared"),
    ("new", "get", lambda o: reverse("employer:free_referral_new"), "shared"),
    ("detail", "get", lambda o: reverse("employer:free_referral", args=[o["request"].public_id]), "own"),
    ("confirm_page", "get", lambda o: reverse("employer:free_referral_confirm", args=[o["proposal"].pk]), "own"),
    ("confirm", "post", lambda o: reverse("employer:free_referral_confirm", args=[o["proposal"].pk]), "own"),
    ("decline", "post", lambda o: reverse("employer:free_referral_decline", args=[o["proposal"].pk]), "own"),
    ("introductions", "get", lambda o: reverse("employer:company_introductions"), "shared"),
    (
        "introduction",
        "get",
        lambda o: reverse("employer:company_introduction", args=[o["confirmed"].public_id]),
        "own",
    ),
]
EMPLOYER_IDS = [u[0] for u in EMPLOYER_URLS]


def _employer_call(client, method, url):
    if method == "get":
        return client.get(url)
    interview = (timezone.localtime() + timedelta(days=7)).strftime("%Y-%m-%dT10:00")
    return client.post(
        url,
        {
            "category": "conditions",
            "reason": "条件が合いませんでした。",
            "interview_at": interview,
            "interview_place": "本社 会議室A",
        },
    )


@pytest.mark.parametrize(("name", "method", "build", "kind"), EMPLOYER_URLS, ids=EMPLOYER_IDS)
@pytest.mark.parametrize("who", ["owner", "member"])
def test_the_employers_people_use_every_url(client, objects, request, who, name, method, build, kind):
    client.force_login(request.getfixturevalue(who))
    response = _employer_call(client, method, build(objects))
    assert response.status_code in (200, 302)
    assert not login_url_in(response)


@pytest.mark.parametrize(("name", "method", "build", "kind"), EMPLOYER_URLS, ids=EMPLOYER_IDS)
def test_an_outsider_finds_nothing_of_this_employer(client, objects, outsider, name, method, build, kind):
    client.force_login(outsider)
    response = _employer_call(client, method, build(objects))
    if kind == "own":
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert "バックエンドエンジニア" not in response.text and "髙橋" not in response.text
    objects["proposal"].refresh_from_db()
    assert objects["proposal"].state == FreeReferralProposal.State.PENDING


@pytest.mark.parametrize(("name", "method", "build", "kind"), EMPLOYER_URLS, ids=EMPLOYER_IDS)
def test_agency_staff_and_anonymous_visitors_get_no_employer_page(
    client, objects, agency_owner, name, method, build, kind
):
    assert login_url_in(_employer_call(client, method, build(objects)))
    client.force_login(agency_owner)
    response = _employer_call(client, method, build(objects))
    assert response.status_code == 302 and response["Location"] == reverse("agency:home")
    objects["proposal"].refresh_from_db()
    assert objects["proposal"].state == FreeReferralProposal.State.PENDING


def test_the_employer_never_sees_an_introduction_made_to_another_company(client, objects, outsider, owner):
    client.force_login(owner)
    assert client.get(reverse("employer:company_introduction", args=[objects["fresh"].public_id])).status_code == 404


# --- Agency pages ---------------------------------------------------------------------------------

AGENCY_URLS = [
    ("introductions", "get", lambda o: reverse("agency:introductions"), "shared"),
    (
        "introduction_new",
        "get",
        lambda o: reverse("agency:introduction_new", args=[o["accepted"].candidate.public_id]),
        "shared",
    ),
    ("introduction", "get", lambda o: reverse("agency:introduction", args=[o["accepted"].public_id]), "own"),
    ("stage", "post", lambda o: reverse("agency:introduction_stage", args=[o["accepted"].public_id]), "own"),
    ("free_referrals", "get", lambda o: reverse("agency:free_referrals"), "shared"),
    ("free_referral", "get", lambda o: reverse("agency:free_referral", args=[o["request"].public_id]), "shared"),
    ("claim", "post", lambda o: reverse("agency:free_referral_claim", args=[o["request"].public_id]), "shared"),
    ("release", "post", lambda o: reverse("agency:free_referral_release", args=[o["request"].public_id]), "shared"),
]
AGENCY_IDS = [u[0] for u in AGENCY_URLS]


def _agency_call(client, method, url):
    return client.post(url, {"stage": "withdrawn"}) if method == "post" else client.get(url)


@pytest.mark.parametrize(("name", "method", "build", "kind"), AGENCY_URLS, ids=AGENCY_IDS)
@pytest.mark.parametrize("who", ["agency_owner", "agency_member"])
def test_the_agencys_people_use_every_url(client, objects, request, who, name, method, build, kind):
    client.force_login(request.getfixturevalue(who))
    response = _agency_call(client, method, build(objects))
    assert response.status_code in (200, 302)
    assert not login_url_in(response)


@pytest.mark.parametrize(("name", "method", "build", "kind"), AGENCY_URLS, ids=AGENCY_IDS)
def test_another_agency_finds_nothing_of_this_agency(
    client, objects, other_agency_owner, agency, name, method, build, kind
):
    client.force_login(other_agency_owner)
    response = _agency_call(client, method, build(objects))
    if kind == "own":
        assert response.status_code == 404
    else:
        assert response.status_code in (200, 302)
        assert objects["fresh"].public_id.hex not in response.text
    objects["request"].refresh_from_db()
    assert objects["request"].claimed_by == agency  # neither taken over nor released
    assert Introduction.objects.get(pk=objects["accepted"].pk).stage == Introduction.Stage.ACCEPTED


def test_another_agency_does_not_see_this_agencys_introductions_listed(client, objects, other_agency_owner):
    client.force_login(other_agency_owner)
    page = client.get(reverse("agency:introductions"))
    assert "株式会社クライアント" not in page.text
    assert "まだ紹介はありません" in page.text


@pytest.mark.parametrize(("name", "method", "build", "kind"), AGENCY_URLS, ids=AGENCY_IDS)
def test_pending_agencies_employers_and_anonymous_visitors_get_no_agency_page(
    client, objects, pending_agency, owner, name, method, build, kind
):
    assert login_url_in(_agency_call(client, method, build(objects)))
    for user in (pending_agency.memberships.get().user, owner):
        client.force_login(user)
        assert _agency_call(client, method, build(objects)).status_code == 403
    assert Introduction.objects.get(pk=objects["accepted"].pk).stage == Introduction.Stage.ACCEPTED


# --- Candidate pages ------------------------------------------------------------------------------

CANDIDATE_URLS = [
    ("list", "get", lambda o: reverse("candidate:introductions"), "shared"),
    ("detail", "get", lambda o: reverse("candidate:introduction", args=[o["fresh"].public_id]), "own"),
    ("accept", "post", lambda o: reverse("candidate:introduction_accept", args=[o["fresh"].public_id]), "own"),
    ("decline", "post", lambda o: reverse("candidate:introduction_decline", args=[o["fresh"].public_id]), "own"),
    ("withdraw", "post", lambda o: reverse("candidate:introduction_withdraw", args=[o["accepted"].public_id]), "own"),
]
CANDIDATE_IDS = [u[0] for u in CANDIDATE_URLS]


@pytest.mark.parametrize(("name", "method", "build", "kind"), CANDIDATE_URLS, ids=CANDIDATE_IDS)
def test_the_candidate_uses_every_url(client, objects, candidate, name, method, build, kind):
    sign_in_candidate(client, candidate)
    response = getattr(client, method)(build(objects))
    assert response.status_code in (200, 302)
    assert "/me/signin/" not in response.get("Location", "")


@pytest.mark.parametrize(("name", "method", "build", "kind"), CANDIDATE_URLS, ids=CANDIDATE_IDS)
def test_another_candidate_finds_nothing(client, objects, other_candidate, name, method, build, kind):
    sign_in_candidate(client, other_candidate)
    response = getattr(client, method)(build(objects))
    if kind == "own":
        assert response.status_code == 404
    else:
        assert "株式会社クライアント" not in response.text
    assert Introduction.objects.get(pk=objects["fresh"].pk).stage == Introduction.Stage.PROPOSED
    assert Introduction.objects.get(pk=objects["accepted"].pk).stage == Introduction.Stage.ACCEPTED


@pytest.mark.parametrize(("name", "method", "build", "kind"), CANDIDATE_URLS, ids=CANDIDATE_IDS)
def test_anonymous_visitors_and_staff_are_sent_to_the_candidate_sign_in(
    client, objects, owner, agency_owner, name, method, build, kind
):
    for user in (None, owner, agency_owner):
        if user is not None:
            client.force_login(user)
        response = getattr(client, method)(build(objects))
        assert response.status_code == 302 and response["Location"].startswith(reverse("candidate:signin"))
    assert Introduction.objects.get(pk=objects["fresh"].pk).stage == Introduction.Stage.PROPOSED


def test_the_free_referral_list_shows_only_open_requests_to_agencies(
    client, objects, other_agency_owner, employer, owner
):
    matching.confirm_interview(
        proposal=objects["proposal"], organisation=employer, actor=Actor.for_user(owner, ActorKind.EMPLOYER)
    )
    client.force_login(other_agency_owner)
    assert "バックエンドエンジニア" not in client.get(reverse("agency:free_referrals")).text
    assert client.get(reverse("agency:free_referral", args=[objects["request"].public_id])).status_code == 404
