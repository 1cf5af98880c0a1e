"""Every list page and API list runs the same number of queries for one item as for three:
a query per row (N+1) shows up here as a difference. Each case builds its items through the
services, as the product does, visits the page as the user who would see it, and checks that the
items are on the page, so that an empty page cannot pass for a cheap one."""

import json
from datetime import date
from itertools import count
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careerrelay.agencies import services as agencies
from careerrelay.audit.services import Actor, ActorKind
from careerrelay.candidates.models import WorkHistory
from careerrelay.credits.services import adjust_credits
from careerrelay.integrations.services import create_integration
from careerrelay.matching import services as matching
from careerrelay.notifications.models import Kind
from careerrelay.notifications.services import notify
from careerrelay.organisations.models import LinkDomain
from careerrelay.organisations.services import create_api_key, invite_member
from careerrelay.privacy.models import ProvisionRecord
from careerrelay.rejections.services import create_template
from careerrelay.relay.services import create_campaign
from careerrelay.sends import services as sends
from careerrelay.sends.models import SendingPause
from careerrelay.talent.models import Job, RejectionReason
from careerrelay.webhooks import services as webhooks
from tests.factories import MembershipFactory, OperatorFactory
from tests.helpers.agencies import bearer, make_agency
from tests.helpers.candidates import sign_in_candidate
from tests.helpers.employer import count_referrals
from tests.helpers.generic_ats import post as post_ats_delivery
from tests.helpers.generic_ats import rejection as ats_rejection
from tests.helpers.mail import TEXT, make_applicant
from tests.helpers.matching import REQUEST_DATA, make_candidate
from tests.helpers.pool import pool_member

pytestmark = pytest.mark.django_db

serial = count(1001)


def fetch(client, url, method="get", **headers):
    with CaptureQueriesContext(connection) as context:
        response = getattr(client, method)(url, **headers)
    assert response.status_code == 200
    return response, len(context.captured_queries)


def queries(client, url, **headers) -> int:
    return fetch(client, url, **headers)[1]


def warm_up(client, url, method="get", **headers):
    # The first visit may create shared rows once (the preset rejection templates), not per item.
    getattr(client, method)(url, **headers)


def text_of(response) -> str:
    if response["Content-Type"].startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


def assert_shows(response, texts):
    content = text_of(response)
    missing = [text for text in texts if text not in content]
    assert not missing, f"not on the page: {missing}"


def assert_no_query_per_item(client, url, add, method="get", **headers):
    """`add()` makes one item and returns the texts by which the page shows it."""
    shown = list(add())
    warm_up(client, url, method, **headers)
    response, one = fetch(client, url, method, **headers)
    assert_shows(response, shown)
    shown += add()
    shown += add()
    response, three = fetch(client, url, method, **headers)
    assert_shows(response, shown)
    assert three == one


# --- Employer workspace ------------------------------------------------------------------------


def add_campaign(employer, owner):
    campaign = create_campaign(organisation=employer, name=f"キャンペーン{next(serial)}")
    count_referrals(employer, campaign, 1)
    return [campaign.name]


def add_member(employer, owner):
    member = MembershipFactory(organisation=employer, role="recruiter").user
    email = f"invitee{next(serial)}@example.jp"
    invite_member(organisation=employer, email=email, role="admin", invited_by=owner, site_url="")
    return [member.email, email]


def add_api_key(organisation, owner):
    key, _secret = create_api_key(
        organisation=organisation, name=f"キー{next(serial)}", actor=Actor.for_user(owner, ActorKind(organisation.kind))
    )
    return [key.name]


def add_applicant(employer, owner):
    applicant = make_applicant(employer, email=f"applicant{next(serial)}@example.jp")
    return [applicant.email]


def add_template(employer, owner):
    template = create_template(
        organisation=employer, name=f"テンプレート{next(serial)}", language="ja", subject="件名", body=TEXT
    )
    return [template.name]


def add_send(employer, owner):
    template = create_template(
        organisation=employer, name=f"送信用{next(serial)}", language="ja", subject="件名", body=TEXT
    )
    applicants = [make_applicant(employer, email=f"recipient{next(serial)}@example.jp") for _ in range(2)]
    sends.create_send(organisation=employer, template=template, applicants=applicants, created_by=owner)
    return [template.name]


def add_employer_notification(employer, owner):
    role = f"営業{next(serial)}"
    notify(
        kind=Kind.REQUEST_EXPIRING,
        users=[owner],
        organisation=employer,
        params={"role": role, "deadline": "2026-12-31"},
    )
    return [role]


def add_job(employer, owner):
    job = Job.objects.create(organisation=employer, title=f"求人{next(serial)}", skills="Python")
    return [job.title]


EMPLOYER_LISTS = {
    "employer:dashboard": add_campaign,
    "employer:campaigns": add_campaign,
    "employer:team": add_member,
    "employer:api_keys": add_api_key,
    "employer:applicants": add_applicant,
    "employer:template_list": add_template,
    "employer:sends": add_send,
    "employer:notifications": add_employer_notification,
    "employer:jobs": add_job,
}


@pytest.mark.parametrize("name", EMPLOYER_LISTS)
def test_an_employer_list_page_runs_no_query_per_item(owner_client, employer, owner, name):
    add = EMPLOYER_LISTS[name]
    assert_no_query_per_item(owner_client, reverse(name), lambda: add(employer, owner))


def test_a_sends_recipient_list_runs_no_query_per_recipient(owner_client, employer, owner):
    """The recipients of one send are listed on its page: a send to one and a send to three."""
    template = create_template(organisation=employer, name="不採用通知", language="ja", subject="件名", body=TEXT)

    def send_to(how_many):
        applicants = [make_applicant(employer, email=f"to{next(serial)}@example.jp") for _ in range(how_many)]
        send = sends.create_send(organisation=employer, template=template, applicants=applicants, created_by=owner)
        return reverse("employer:send_detail", args=[send.pk]), [a.email for a in applicants]

    (to_one, one_shown), (to_three, three_shown) = send_to(1), send_to(3)
    warm_up(owner_client, to_one)
    response, one = fetch(owner_client, to_one)
    assert_shows(response, one_shown)
    response, three = fetch(owner_client, to_three)
    assert_shows(response, three_shown)
    assert three == one


def add_pool_member(employer, **extra):
    n = next(serial)
    applicant = pool_member(
        employer,
        "髙橋",
        given_name=f"{n}号",
        family_name_kana="タカハシ",
        email=f"pool{n}@example.jp",
        skills="Python, AWS",
        tags=["エンジニア候補"],
        notes=["再アプローチしたい"],
        reason_kind=RejectionReason.Kind.CONDITIONS,
        recontact_ok=True,
        **extra,
    )
    return [applicant.full_name]


def test_a_searched_and_filtered_pool_list_runs_no_query_per_applicant(owner_client, employer):
    """Every filter at once, and the rows show their skills, tags and structured reason."""
    add_pool_member(employer)  # makes the tag and the company's reasons, so their ids can be in the URL
    reason = RejectionReason.objects.get(organisation=employer, kind=RejectionReason.Kind.CONDITIONS)
    tag = employer.applicant_tags.get()
    query = {
        "q": "ﾀｶﾊｼ 再アプローチ",
        "skills": "python",
        "skills_mode": "all",
        "tag": tag.pk,
        "reason": reason.pk,
        "recontact": "yes",
        "has_notes": "yes",
        "rejected_from": "2020-01-01",
        "sort": "kana",
    }
    url = reverse("employer:applicants") + "?" + urlencode(query)
    assert_no_query_per_item(owner_client, url, lambda: add_pool_member(employer))


def test_the_similar_applicants_page_runs_no_query_per_applicant(owner_client, employer):
    subject = pool_member(employer, "基準", skills="Python, AWS", job_title="エンジニア")
    url = reverse("employer:applicant_similar", args=[subject.pk])
    assert_no_query_per_item(owner_client, url, lambda: add_pool_member(employer))


def test_a_jobs_reapproach_suggestions_run_no_query_per_applicant(owner_client, employer):
    job = Job.objects.create(organisation=employer, title="エンジニア", skills="Python")
    url = reverse("employer:job_detail", args=[job.pk])
    assert_no_query_per_item(owner_client, url, lambda: add_pool_member(employer))


# --- Agency workspace --------------------------------------------------------------------------


@pytest.fixture
def agency_and_owner(db):
    return make_agency("株式会社みらい人材", "13-ユ-500001", "owner@mirai.example")


def add_job_order(agency, owner):
    company = f"株式会社{next(serial)}"
    agencies.create_job_order(organisation=agency, created_by=owner, data={"client_company": company, "title": "営業"})
    return [company]


def add_agency_member(agency, owner):
    member = MembershipFactory(organisation=agency, role="recruiter").user
    email = f"advisor{next(serial)}@example.jp"
    invite_member(organisation=agency, email=email, role="recruiter", invited_by=owner, site_url="")
    return [member.email, email]


def add_agency_notification(agency, owner):
    company = f"株式会社依頼元{next(serial)}"
    notify(
        kind=Kind.FREE_REFERRAL_REQUESTED,
        users=[owner],
        organisation=agency,
        params={"company": company, "role": "営業", "deadline": "2026-12-31"},
    )
    return [company]


def add_order_and_provision(agency, owner):
    """The agency home lists its open job orders and the profiles it opened last."""
    candidate = make_candidate(email=f"opened{next(serial)}@example.jp")
    agencies.open_candidate_profile(
        organisation=agency,
        actor=Actor.for_user(owner, ActorKind.AGENCY),
        public_id=candidate.public_id,
        channel=ProvisionRecord.Channel.PAGE,
    )
    return [*add_job_order(agency, owner), str(candidate.public_id)[:8].upper()]


AGENCY_LISTS = {
    "agency:home": add_order_and_provision,
    "agency:job_orders": add_job_order,
    "agency:team": add_agency_member,
    "agency:api_keys": add_api_key,
    "agency:notifications": add_agency_notification,
}


@pytest.mark.parametrize("name", AGENCY_LISTS)
def test_an_agency_list_page_runs_no_query_per_item(client, agency_and_owner, name):
    agency, owner = agency_and_owner
    client.force_login(owner)
    add = AGENCY_LISTS[name]
    assert_no_query_per_item(client, reverse(name), lambda: add(agency, owner))


# --- API ---------------------------------------------------------------------------------------


def test_the_template_list_in_the_api_runs_no_query_per_item(client, employer, owner):
    _key, secret = create_api_key(organisation=employer, name="ATS", actor=Actor.for_user(owner, ActorKind.EMPLOYER))
    assert_no_query_per_item(client, "/api/v1/templates", lambda: add_template(employer, owner), **bearer(secret))


def test_the_relay_links_in_the_api_run_no_query_per_link(client, employer, owner):
    _key, secret = create_api_key(organisation=employer, name="ATS", actor=Actor.for_user(owner, ActorKind.EMPLOYER))
    assert_no_query_per_item(client, "/api/v1/me", lambda: add_campaign(employer, owner), **bearer(secret))


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

    def add():
        return [introduce(agency, owner, make_candidate(email=f"c{next(serial)}@example.jp")).company_name]

    assert_no_query_per_item(client, reverse("agency:introductions"), add)


def test_the_candidates_introduction_list_runs_no_query_per_item(client, agency_and_owner):
    agency, owner = agency_and_owner
    candidate = make_candidate(email="hanako@example.jp")
    sign_in_candidate(client, candidate)
    assert_no_query_per_item(
        client, reverse("candidate:introductions"), lambda: [introduce(agency, owner, candidate).company_name]
    )


@pytest.fixture
def file_request(employer, owner):
    """file_request() -> an open free-referral request of the employer, under a role of its own."""
    adjust_credits(
        organisation=employer, amount=10, reason="テスト用の付与", actor=Actor.for_user(owner, ActorKind.EMPLOYER)
    )

    def file():
        data = {**REQUEST_DATA, "role": f"バックエンドエンジニア{next(serial)}"}
        return matching.file_free_referral_request(
            organisation=employer, actor=Actor.for_user(owner, ActorKind.EMPLOYER), data=data
        )

    return file


def propose(free_referral, agency, owner, *, claim=True):
    """An introduction to the request that the candidate accepted: a proposal before the employer."""
    if claim:
        assert matching.claim_request(
            free_referral=free_referral, agency=agency, actor=Actor.for_user(owner, ActorKind.AGENCY)
        )
    candidate = make_candidate(email=f"proposed{next(serial)}@example.jp")
    introduction = matching.propose_introduction(
        agency=agency,
        actor=Actor.for_user(owner, ActorKind.AGENCY),
        candidate_public_id=candidate.public_id,
        free_referral=free_referral,
    )
    assert matching.respond_to_introduction(
        candidate=candidate, introduction=introduction, accept=True, actor=Actor.for_candidate(candidate)
    )
    introduction.refresh_from_db()
    return introduction.proposal


def test_the_employer_free_referral_list_runs_no_query_per_item(owner_client, file_request):
    assert_no_query_per_item(owner_client, reverse("employer:free_referrals"), lambda: [file_request().role])


def test_the_proposals_on_a_free_referral_run_no_query_per_proposal(owner_client, file_request, agency_and_owner):
    agency, owner = agency_and_owner
    with_one, with_three = file_request(), file_request()
    one_shown = [f"proposal-{propose(with_one, agency, owner).pk}"]
    three_shown = [f"proposal-{propose(with_three, agency, owner, claim=i == 0).pk}" for i in range(3)]
    url_one = reverse("employer:free_referral", args=[with_one.public_id])
    url_three = reverse("employer:free_referral", args=[with_three.public_id])
    warm_up(owner_client, url_one)
    response, one = fetch(owner_client, url_one)
    assert_shows(response, one_shown)
    response, three = fetch(owner_client, url_three)
    assert_shows(response, three_shown)
    assert three == one


def test_the_employers_introduction_list_runs_no_query_per_item(
    owner_client, employer, owner, file_request, agency_and_owner
):
    agency, agency_owner = agency_and_owner

    def add():
        free_referral = file_request()
        proposal = propose(free_referral, agency, agency_owner)
        assert matching.confirm_interview(
            proposal=proposal, organisation=employer, actor=Actor.for_user(owner, ActorKind.EMPLOYER)
        )
        return [free_referral.role]

    assert_no_query_per_item(owner_client, reverse("employer:company_introductions"), add)


def test_the_agencys_free_referral_list_runs_no_query_per_item(client, file_request, agency_and_owner):
    _agency, owner = agency_and_owner
    client.force_login(owner)
    assert_no_query_per_item(client, reverse("agency:free_referrals"), lambda: [file_request().role])


def test_the_agencys_introductions_to_a_free_referral_run_no_query_per_item(client, file_request, agency_and_owner):
    agency, owner = agency_and_owner
    client.force_login(owner)
    free_referral = file_request()
    assert matching.claim_request(
        free_referral=free_referral, agency=agency, actor=Actor.for_user(owner, ActorKind.AGENCY)
    )

    def add():
        introduction = propose(free_referral, agency, owner, claim=False).introduction
        return [agencies.reference_for(introduction.candidate.public_id)]

    assert_no_query_per_item(client, reverse("agency:free_referral", args=[free_referral.public_id]), add)


def test_a_candidates_work_history_for_an_agency_runs_no_query_per_entry(client, agency_and_owner):
    """The profile page and the API both list the candidate's work history (each look is recorded)."""
    agency, owner = agency_and_owner
    client.force_login(owner)
    _key, secret = create_api_key(organisation=agency, name="CRM", actor=Actor.system())
    candidate = make_candidate(email="hanako@example.jp")

    def add():
        entry = WorkHistory.objects.create(
            candidate=candidate, company=f"株式会社前職{next(serial)}", started_on=date(2020, 4, 1)
        )
        return [entry.company]

    assert_no_query_per_item(client, reverse("agency:candidate", args=[candidate.public_id]), add)
    assert_no_query_per_item(client, f"/api/v1/agency/candidates/{candidate.public_id}", add, **bearer(secret))


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


# --- Candidate's my page -----------------------------------------------------------------------


def test_the_candidates_provision_list_runs_no_query_per_record(client):
    candidate = make_candidate(email="hanako@example.jp")
    sign_in_candidate(client, candidate)

    def add():
        number = next(serial)
        agency, owner = make_agency(f"株式会社紹介{number}", f"13-ユ-{number}", f"owner{number}@agency.example")
        agencies.open_candidate_profile(
            organisation=agency,
            actor=Actor.for_user(owner, ActorKind.AGENCY),
            public_id=candidate.public_id,
            channel=ProvisionRecord.Channel.PAGE,
        )
        return [agency.name]

    assert_no_query_per_item(client, reverse("candidate:provisions"), add)


def test_the_candidates_data_export_runs_no_query_per_record(client):
    """The export lists every introduction and every provision of the candidate's data."""
    candidate = make_candidate(email="hanako@example.jp")
    sign_in_candidate(client, candidate)

    def add():
        number = next(serial)
        agency, owner = make_agency(f"株式会社紹介{number}", f"13-ユ-{number}", f"owner{number}@agency.example")
        agencies.open_candidate_profile(
            organisation=agency,
            actor=Actor.for_user(owner, ActorKind.AGENCY),
            public_id=candidate.public_id,
            channel=ProvisionRecord.Channel.PAGE,
        )
        return [agency.name, introduce(agency, owner, candidate).company_name]

    assert_no_query_per_item(client, reverse("candidate:data_json"), add, method="post")


def test_the_candidates_work_history_runs_no_query_per_entry(client):
    candidate = make_candidate(email="hanako@example.jp")
    sign_in_candidate(client, candidate)

    def add():
        entry = WorkHistory.objects.create(
            candidate=candidate, company=f"株式会社前職{next(serial)}", started_on=date(2020, 4, 1)
        )
        return [entry.company]

    assert_no_query_per_item(client, reverse("candidate:home"), add)


# --- Operator console --------------------------------------------------------------------------


def answer_service_survey(candidate):
    from careerrelay.surveys import services as surveys

    invitation = surveys.ask_candidate_about_service(candidate=candidate)
    surveys.save_answer(invitation=invitation, score=8, comment="使いやすかったです")


def everything_once(number, operator):
    """One of each kind of row the console lists: a company with its link, domain, key, invitation,
    credit, send and notification; an agency that opened and introduced a candidate; a free-referral
    request with a proposal; a notification for the operator."""
    employer_owner = MembershipFactory(
        organisation__name=f"株式会社採用{number}", user__email=f"owner{number}@employer.example"
    )
    employer, owner = employer_owner.organisation, employer_owner.user
    campaign = create_campaign(organisation=employer, name=f"キャンペーン{number}")
    count_referrals(employer, campaign, 1)
    LinkDomain.objects.create(organisation=employer, domain=f"saiyo{number}.example")
    add_api_key(employer, owner)
    invite_member(
        organisation=employer, email=f"invitee{number}@example.jp", role="admin", invited_by=owner, site_url=""
    )
    adjust_credits(
        organisation=employer, amount=2, reason="テスト用の付与", actor=Actor.for_user(owner, ActorKind.EMPLOYER)
    )
    add_send(employer, owner)
    # The complaint job (sends.trust.pause_for_complaints) makes these; its own tests build the
    # complaints that lead to one (tests/sends/test_complaint_pause.py).
    SendingPause.objects.create(organisation=employer, complaints=4, sent=1000)
    add_employer_notification(employer, owner)
    add_integration_and_webhook(employer, owner, number)
    agency, agency_owner = make_agency(f"株式会社紹介{number}", f"13-ユ-{number}", f"owner{number}@agency.example")
    add_order_and_provision(agency, agency_owner)
    introduced = make_candidate(email=f"introduced{number}@example.jp")
    introduce(agency, agency_owner, introduced)
    answer_service_survey(introduced)
    free_referral = matching.file_free_referral_request(
        organisation=employer,
        actor=Actor.for_user(owner, ActorKind.EMPLOYER),
        data={**REQUEST_DATA, "role": f"エンジニア{number}"},
    )
    propose(free_referral, agency, agency_owner)
    notify(kind=Kind.AGENCY_APPLIED, users=[operator], params={"agency": agency.name, "licence": f"13-ユ-{number}"})


def add_integration_and_webhook(employer, owner, number):
    """An ATS integration with a delivery its ATS posted (processed by the inline task), and an
    outbound webhook endpoint with a test event whose one attempt failed (nothing listens)."""
    actor = Actor.for_user(owner, ActorKind.EMPLOYER)
    integration = create_integration(
        organisation=employer, kind="generic", name=f"自社ATS{number}", secret=SECRET_OF_ATS, actor=actor
    )
    payload = ats_rejection(event_id=f"evt-{number}", person_id=f"c-{number}", email=f"ats{number}@example.jp")
    assert post_ats_delivery(Client(), integration, payload, secret=SECRET_OF_ATS).status_code == 202
    endpoint, _secret = webhooks.create_endpoint(
        organisation=employer, url="https://127.0.0.1:9/hook", event_types=["credit.earned"], actor=actor
    )
    webhooks.deliver(webhooks.send_test(endpoint=endpoint, actor=actor).pk)


SECRET_OF_ATS = "a-long-enough-secret-of-the-ats-0123"


# Lists that everything_once adds nothing to: rows made only by jobs (retention runs, task results,
# decline counts), by a candidate's stop-use request or by operators themselves (groups, synonyms,
# their own authenticators).
NOT_BUILT_HERE = {
    "auth.group",
    "django_tasks_database.dbtaskresult",
    "mfa.authenticator",
    "privacy.stopusenotice",
    "privacy.retentionrun",
    "matching.decliningemployer",
    "search.synonym",
}


def test_the_operator_console_lists_run_no_query_per_row(client, settings):
    # The webhook endpoint of everything_once points at this machine, where nothing listens.
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    operator = OperatorFactory(email="operator@careerrelay.example")
    client.force_login(operator)
    lists = {
        f"{model._meta.app_label}.{model._meta.model_name}": reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        )
        for model in admin.site._registry
    }
    assert NOT_BUILT_HERE < lists.keys()
    everything_once(next(serial), operator)
    rows, one = {}, {}
    for name, url in lists.items():
        warm_up(client, url)
        response, one[name] = fetch(client, url)
        rows[name] = len(response.context["cl"].result_list)
    everything_once(next(serial), operator)
    everything_once(next(serial), operator)
    grown, three = set(), {}
    for name, url in lists.items():
        response, three[name] = fetch(client, url)
        if len(response.context["cl"].result_list) > rows[name]:
            grown.add(name)
    assert grown == lists.keys() - NOT_BUILT_HERE
    assert three == one
