"""Every list page and API list runs the same number of queries for one item as for three:
a query per row (N+1) shows up here as a difference. Each case builds its items through the
services, as the product does."""

from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careerrelay.agencies import services as agencies
from careerrelay.audit.services import Actor, ActorKind
from careerrelay.credits.services import adjust_credits
from careerrelay.matching import services as matching
from careerrelay.notifications.models import Kind
from careerrelay.notifications.services import notify
from careerrelay.organisations.services import create_api_key, invite_member
from careerrelay.rejections.services import create_template
from careerrelay.relay.services import create_campaign
from careerrelay.sends import services as sends
from tests.factories import MembershipFactory
from tests.helpers.agencies import bearer, make_agency
from tests.helpers.candidates import sign_in_candidate
from tests.helpers.employer import count_referrals
from tests.helpers.mail import TEXT, make_applicant
from tests.helpers.matching import REQUEST_DATA, make_candidate

pytestmark = pytest.mark.django_db

serial = count()


def queries(client, url, **headers) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url, **headers).status_code == 200
    return len(context.captured_queries)


def warm_up(client, url, **headers):
    # The first visit may create shared rows once (the preset rejection templates), not per item.
    client.get(url, **headers)


# --- Employer workspace ------------------------------------------------------------------------


def add_campaign(employer, owner):
    campaign = create_campaign(organisation=employer, name=f"キャンペーン{next(serial)}")
    count_referrals(employer, campaign, 1)


def add_member(employer, owner):
    MembershipFactory(organisation=employer, role="recruiter")
    invite_member(
        organisation=employer, email=f"invitee{next(serial)}@example.jp", role="admin", invited_by=owner, site_url=""
    )


def add_api_key(employer, owner):
    create_api_key(organisation=employer, name=f"キー{next(serial)}", actor=Actor.for_user(owner, ActorKind.EMPLOYER))


def add_applicant(employer, owner):
    make_applicant(employer, email=f"applicant{next(serial)}@example.jp")


def add_template(employer, owner):
    create_template(organisation=employer, name=f"テンプレート{next(serial)}", language="ja", subject="件名", body=TEXT)


def add_send(employer, owner):
    template = create_template(
        organisation=employer, name=f"送信用{next(serial)}", language="ja", subject="件名", body=TEXT
    )
    applicants = [make_applicant(employer, email=f"recipient{next(serial)}@example.jp") for _ in range(2)]
    sends.create_send(organisation=employer, template=template, applicants=applicants, created_by=owner)


def add_employer_notification(employer, owner):
    notify(kind=Kind.CREDIT_GRANTED, users=[owner], organisation=employer, params={"amount": "1"})


EMPLOYER_LISTS = {
    "employer:dashboard": add_campaign,
    "employer:campaigns": add_campaign,
    "employer:team": add_member,
    "employer:api_keys": add_api_key,
    "employer:applicants": add_applicant,
    "employer:template_list": add_template,
    "employer:sends": add_send,
    "employer:notifications": add_employer_notification,
}


@pytest.mark.parametrize("name", EMPLOYER_LISTS)
def test_an_employer_list_page_runs_no_query_per_item(owner_client, employer, owner, name):
    add = EMPLOYER_LISTS[name]
    url = reverse(name)
    add(employer, owner)
    warm_up(owner_client, url)
    one = queries(owner_client, url)
    add(employer, owner)
    add(employer, owner)
    assert queries(owner_client, url) == one


# --- Agency workspace --------------------------------------------------------------------------


@pytest.fixture
def agency_and_owner(db):
    return make_agency("株式会社みらい人材", "13-ユ-500001", "owner@mirai.example")


def add_job_order(agency, owner):
    agencies.create_job_order(
        organisation=agency, created_by=owner, data={"client_company": f"株式会社{next(serial)}", "title": "営業"}
    )


def add_agency_member(agency, owner):
    MembershipFactory(organisation=agency, role="recruiter")
    invite_member(
        organisation=agency, email=f"advisor{next(serial)}@example.jp", role="recruiter", invited_by=owner, site_url=""
    )


def add_agency_notification(agency, owner):
    notify(kind=Kind.AGENCY_APPROVED, users=[owner], organisation=agency)


AGENCY_LISTS = {
    "agency:job_orders": add_job_order,
    "agency:team": add_agency_member,
    "agency:notifications": add_agency_notification,
}


@pytest.mark.parametrize("name", AGENCY_LISTS)
def test_an_agency_list_page_runs_no_query_per_item(client, agency_and_owner, name):
    agency, owner = agency_and_owner
    client.force_login(owner)
    add = AGENCY_LISTS[name]
    url = reverse(name)
    add(agency, owner)
    warm_up(client, url)
    one = queries(client, url)
    add(agency, owner)
    add(agency, owner)
    assert queries(client, url) == one


# --- API ---------------------------------------------------------------------------------------


def test_the_template_list_in_the_api_runs_no_query_per_item(client, employer, owner):
    _key, secret = create_api_key(organisation=employer, name="ATS", actor=Actor.for_user(owner, ActorKind.EMPLOYER))
    add_template(employer, owner)
    warm_up(client, "/api/v1/templates", **bearer(secret))
    one = queries(client, "/api/v1/templates", **bearer(secret))
    add_template(employer, owner)
    add_template(employer, owner)
    assert queries(client, "/api/v1/templates", **bearer(secret)) == one


# --- Introductions, free referrals and search --------------------------------------------------


def introduce(agency, owner, candidate):
    return matching.propose_introduction(
        agency=agency,
        actor=Actor.for_user(owner, ActorKind.AGENCY),
        candidate_public_id=candidate.public_id,
        company_name=f"株式会社クライアント{next(serial)}",
        role="営業マネージャー",
    )


def shared_candidate(capture):
    # The search index follows the registration on commit.
    with capture(execute=True):
        return make_candidate(email=f"candidate{next(serial)}@example.jp", skills="Java")


def test_the_agency_introduction_list_runs_no_query_per_item(client, agency_and_owner):
    agency, owner = agency_and_owner
    client.force_login(owner)
    url = reverse("agency:introductions")
    introduce(agency, owner, make_candidate(email=f"c{next(serial)}@example.jp"))
    warm_up(client, url)
    one = queries(client, url)
    for _ in range(2):
        introduce(agency, owner, make_candidate(email=f"c{next(serial)}@example.jp"))
    assert queries(client, url) == one


def test_the_candidates_introduction_list_runs_no_query_per_item(client, agency_and_owner):
    agency, owner = agency_and_owner
    candidate = make_candidate(email="hanako@example.jp")
    sign_in_candidate(client, candidate)
    url = reverse("candidate:introductions")
    introduce(agency, owner, candidate)
    warm_up(client, url)
    one = queries(client, url)
    introduce(agency, owner, candidate)
    introduce(agency, owner, candidate)
    assert queries(client, url) == one


def test_the_employer_free_referral_list_runs_no_query_per_item(owner_client, employer, owner):
    adjust_credits(organisation=employer, amount=3, reason="テスト用の付与", actor=owner)
    url = reverse("employer:free_referrals")
    file = lambda: matching.file_free_referral_request(  # noqa: E731
        organisation=employer, actor=Actor.for_user(owner, ActorKind.EMPLOYER), data=dict(REQUEST_DATA)
    )
    file()
    warm_up(owner_client, url)
    one = queries(owner_client, url)
    file()
    file()
    assert queries(owner_client, url) == one


def test_agency_search_results_run_no_query_per_item(client, agency_and_owner, django_capture_on_commit_callbacks):
    agency, owner = agency_and_owner
    client.force_login(owner)
    _key, secret = create_api_key(organisation=agency, name="CRM", actor=Actor.system())
    page = reverse("agency:search") + "?q=Java"
    api = "/api/v1/agency/search?q=Java"
    shared_candidate(django_capture_on_commit_callbacks)
    warm_up(client, page)
    warm_up(client, api, **bearer(secret))
    one = queries(client, page), queries(client, api, **bearer(secret))
    shared_candidate(django_capture_on_commit_callbacks)
    shared_candidate(django_capture_on_commit_callbacks)
    assert (queries(client, page), queries(client, api, **bearer(secret))) == one
    assert len(client.get(api, **bearer(secret)).json()["results"]) == 3
