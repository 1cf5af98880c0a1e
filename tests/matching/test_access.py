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


def page_after(client, response):
    """The page the user ends up on: the response itself, or where a POST sends them."""
    if response.status_code == 302:
        response = client.get(response["Location"])
    assert response.status_code == 200
    return response.text


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

# What the employer's people see on each URL, or after it for a POST.
EMPLOYER_SHOWS = {
    "list": "依頼の一覧",
    "new": "無料紹介を依頼する",
    "detail": "株式会社みらい人材 からの提案",
    "confirm_page": "面接を確定して枠を消化する",
    "confirm": "面接を確定しました。",
    "decline": "提案を見送りました。",
    "introductions": "佐藤 次郎",
    "introduction": "jiro.sato@example.jp",
}


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
    assert not login_url_in(response)
    assert EMPLOYER_SHOWS[name] in page_after(client, response)


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

# What the agency's people see on each URL (or after it), and what another agency sees there.
AGENCY_SHOWS = {
    "introductions": "株式会社クライアント",
    "introduction_new": "株式会社山﨑製作所 / バックエンドエンジニア",  # the request it holds, to choose
    "introduction": "状況を更新する",
    "stage": "状況を更新しました。",
    "free_referrals": "貴社が担当中",
    "free_referral": "貴社が担当中",
    "claim": "この依頼を担当しました。",
    "release": "担当を外れました。",
}
OTHER_AGENCY_SHOWS = {
    "introductions": "まだ紹介はありません。",
    "introduction_new": "を紹介する",
    "free_referrals": "他社が担当中",
    "free_referral": "他社が担当中",
    "claim": "この依頼は、ほかの人材紹介会社が担当しています。",
    "release": "他社が担当中",
}


def _agency_call(client, method, url):
    return client.post(url, {"stage": "withdrawn"}) if method == "post" else client.get(url)


@pytest.mark.parametrize(("name", "method", "build", "kind"), AGENCY_URLS, ids=AGENCY_IDS)
@pytest.mark.parametrize("who", ["agency_owner", "agency_member"])
def test_the_agencys_people_use_every_url(client, objects, request, who, name, method, build, kind):
    client.force_login(request.getfixturevalue(who))
    response = _agency_call(client, method, build(objects))
    assert not login_url_in(response)
    assert AGENCY_SHOWS[name] in page_after(client, response)


@pytest.mark.parametrize(("name", "method", "build", "kind"), AGENCY_URLS, ids=AGENCY_IDS)
def test_another_agency_finds_nothing_of_this_agency(
    client, objects, other_agency_owner, agency, name, method, build, kind
):
    client.force_login(other_agency_owner)
    response = _agency_call(client, method, build(objects))
    if kind == "own":
        assert response.status_code == 404
    else:
        text = page_after(client, response)
        assert OTHER_AGENCY_SHOWS[name] in text
        assert AGENCY_SHOWS[name] not in text
        assert objects["fresh"].public_id.hex not in text
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

CANDIDATE_SHOWS = {
    "list": "株式会社クライアント",
    "detail": "承諾するまで、あなたの情報が 株式会社クライアント に渡ることはありません。",
    "accept": "紹介を承諾しました。",
    "decline": "紹介を辞退しました。",
    "withdraw": "選考を辞退しました。",
}


@pytest.mark.parametrize(("name", "method", "build", "kind"), CANDIDATE_URLS, ids=CANDIDATE_IDS)
def test_the_candidate_uses_every_url(client, objects, candidate, name, method, build, kind):
    sign_in_candidate(client, candidate)
    response = getattr(client, method)(build(objects))
    assert "/me/signin/" not in response.get("Location", "")
    assert CANDIDATE_SHOWS[name] in page_after(client, response)


@pytest.mark.parametrize(("name", "method", "build", "kind"), CANDIDATE_URLS, ids=CANDIDATE_IDS)
def test_another_candidate_finds_nothing(client, objects, other_candidate, name, method, build, kind):
    sign_in_candidate(client, other_candidate)
    response = getattr(client, method)(build(objects))
    if kind == "own":
        assert response.status_code == 404
    else:
        text = page_after(client, response)
        assert "人材紹介会社からの紹介" in text
        assert "株式会社クライアント" not in text
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
