"""Each event from where it starts: candidates register through a relay link and confirm (a credit
is earned), an introduction moves through its stages (the agency's and the employer's systems
hear of it, the employer never of the person), follow-up mails go out. What arrives is read as
the receiver reads it: the raw JSON its server got."""

import re
import uuid
from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from careerrelay.audit.actor import Actor, ActorKind
from careerrelay.credits.services import adjust_credits
from careerrelay.followups import services as followups
from careerrelay.matching import services as matching
from careerrelay.ops.periodic import run_once
from careerrelay.talent.models import Applicant, Application
from tests.factories import registration_data
from tests.helpers.agencies import make_agency
from tests.helpers.matching import REQUEST_DATA, make_candidate
from tests.webhooks.helpers import Receiver, shown_secret, signature_is_valid

pytestmark = pytest.mark.django_db


def register_endpoint(user, namespace, url, events) -> str:
    """The organisation's admin adds the endpoint in its workspace; returns the secret shown."""
    client = Client()
    client.force_login(user)
    response = client.post(reverse(f"{namespace}:webhook_new"), {"url": url, "event_types": events})
    assert response.status_code == 302, response.text
    return shown_secret(client.get(response["Location"]).text)


# --- credit.earned -------------------------------------------------------------------------------


def register_and_confirm(campaign, capture, n):
    client = Client()
    data = registration_data(email=f"person{n}@example.jp", phone=f"090-1111-{n:04d}")
    with capture(execute=True):
        assert client.post(campaign.get_absolute_url(), data, REMOTE_ADDR=f"203.0.113.{n}").status_code == 302
    link = re.search(r"http://testserver(/verify/[^\s/]+/)", mail.outbox[-1].body).group(1)
    with capture(execute=True):
        assert client.post(link).status_code == 302


def test_a_credit_earned_through_the_relay_link_reaches_the_employers_system(
    settings, employer, owner, receiver, django_capture_on_commit_callbacks
):
    settings.REFERRALS_PER_CREDIT = 2
    secret = register_endpoint(owner, "employer", receiver.url, ["credit.earned"])
    campaign = employer.campaigns.get(is_default=True)
    register_and_confirm(campaign, django_capture_on_commit_callbacks, 1)
    assert receiver.received == []  # one counted referral is no credit yet
    register_and_confirm(campaign, django_capture_on_commit_callbacks, 2)
    [received] = receiver.received
    assert signature_is_valid(secret, received)
    body = received.json
    assert body["type"] == "credit.earned"
    assert body["data"] == {
        "credit_number": 1,
        "campaign_id": campaign.pk,
        "campaign_code": campaign.code,
        "credits_available": 1,
        "credits_earned": 1,
        "counted_referrals": 2,
        "referrals_per_credit": 2,
    }
    # Counts only: nothing of who registered.
    raw = received.body.decode()
    for personal in ("person1@example.jp", "person2@example.jp", "髙橋", "花子", "090-1111"):
        assert personal not in raw


# --- introduction.stage_changed ------------------------------------------------------------------


@pytest.fixture
def agency():
    return make_agency("株式会社みらい人材", "13-ユ-400001", "owner@mirai.example")


@pytest.fixture
def candidate():
    return make_candidate(
        family_name="髙橋",
        given_name="花子",
        family_name_kana="タカハシ",
        email="hanako.takahashi@example.jp",
        phone="090-1234-5678",
        skills="Java, Spring",
        summary="Javaでの開発経験が5年あります。",
    )


def test_an_introductions_stages_reach_the_agency_and_the_employer_without_the_person(
    employer, owner, agency, candidate, django_capture_on_commit_callbacks
):
    agency, agency_admin = agency
    agency_actor = Actor.for_user(agency_admin, ActorKind.AGENCY)
    with Receiver() as employer_system, Receiver() as agency_system:
        register_endpoint(owner, "employer", employer_system.url, ["introduction.stage_changed"])
        register_endpoint(agency_admin, "agency", agency_system.url, ["introduction.stage_changed"])
        # The employer files a free referral, the agency claims it and proposes the candidate, who accepts.
        owner_actor = Actor.for_user(owner, ActorKind.EMPLOYER)
        adjust_credits(organisation=employer, amount=1, reason="テスト", actor=owner_actor)
        free_referral = matching.file_free_referral_request(
            organisation=employer, actor=owner_actor, data=dict(REQUEST_DATA)
        )
        matching.claim_request(free_referral=free_referral, agency=agency, actor=agency_actor)
        with django_capture_on_commit_callbacks(execute=True):
            introduction = matching.propose_introduction(
                agency=agency, actor=agency_actor, candidate_public_id=candidate.public_id, free_referral=free_referral
            )
        with django_capture_on_commit_callbacks(execute=True):
            matching.respond_to_introduction(
                candidate=candidate, introduction=introduction, accept=True, actor=Actor.for_candidate(candidate)
            )
        # The employer confirms the interview in its workspace …
        employer_client = Client()
        employer_client.force_login(owner)
        interview_at = (timezone.localtime() + timedelta(days=7)).strftime("%Y-%m-%dT10:00")
        with django_capture_on_commit_callbacks(execute=True):
            response = employer_client.post(
                reverse("employer:free_referral_confirm", args=[introduction.proposal.pk]),
                {"interview_at": interview_at, "interview_place": "本社 7階 会議室A"},
            )
        assert response.status_code == 302
        # … and after it, the agency records the interview in its own.
        agency_client = Client()
        agency_client.force_login(agency_admin)
        with django_capture_on_commit_callbacks(execute=True):
            response = agency_client.post(
                reverse("agency:introduction_stage", args=[introduction.public_id]), {"stage": "interviewed"}
            )
        assert response.status_code == 302

    introduction_id = str(introduction.public_id)
    agency_events = [body["data"] for body in agency_system.bodies("introduction.stage_changed")]
    assert [(e["stage"], e["changed_by"]) for e in agency_events] == [
        ("proposed", "agency"),
        ("accepted", "candidate"),
        ("interview_scheduled", "company"),
        ("interviewed", "agency"),
    ]
    assert {e["introduction_id"] for e in agency_events} == {introduction_id}
    assert set(agency_events[0]) == {
        "introduction_id",
        "stage",
        "changed_by",
        "changed_at",
        "job_order_id",
        "free_referral_id",
    }
    # The employer is a party from the moment the proposal is put before it.
    employer_events = [body["data"] for body in employer_system.bodies("introduction.stage_changed")]
    assert [e["stage"] for e in employer_events] == ["accepted", "interview_scheduled", "interviewed"]
    for event in employer_events:
        assert set(event) == {"introduction_id", "stage", "changed_by", "changed_at", "free_referral_id", "proposal_id"}
        assert event["free_referral_id"] == str(free_referral.public_id)
        assert event["proposal_id"] == introduction.proposal.pk
    # Never the marketplace candidate's name, contact, profile or id, to either side.
    for received in employer_system.received + agency_system.received:
        raw = received.body.decode()
        for personal in (
            "髙橋",
            "花子",
            "タカハシ",
            "hanako.takahashi@example.jp",
            "090-1234-5678",
            "Java",
            "開発経験",
            str(candidate.public_id),
            "本社 7階",
        ):
            assert personal not in raw, personal


def test_an_introduction_to_a_named_company_goes_to_the_agency_only(
    employer, owner, agency, candidate, django_capture_on_commit_callbacks
):
    agency, agency_admin = agency
    with Receiver() as employer_system, Receiver() as agency_system:
        register_endpoint(owner, "employer", employer_system.url, ["introduction.stage_changed"])
        register_endpoint(agency_admin, "agency", agency_system.url, ["introduction.stage_changed"])
        with django_capture_on_commit_callbacks(execute=True):
            matching.propose_introduction(
                agency=agency,
                actor=Actor.for_user(agency_admin, ActorKind.AGENCY),
                candidate_public_id=candidate.public_id,
                company_name=employer.name,
                role="営業",
            )
    assert [b["data"]["stage"] for b in agency_system.bodies()] == ["proposed"]
    assert employer_system.received == []


# --- followup.sent -------------------------------------------------------------------------------


def rejected(employer, email, rejected_on):
    applicant = Applicant.objects.create(
        organisation=employer,
        family_name="山﨑",
        given_name="花子",
        email=email,
        email_normalized=email,
        job_title="経理スタッフ",
        rejected_on=rejected_on,
        recontact_ok=True,
    )
    Application.objects.create(
        applicant=applicant,
        job_title="経理スタッフ",
        outcome=Application.Outcome.REJECTED,
        rejected_on=rejected_on,
        created_at=timezone.make_aware(datetime.combine(rejected_on, datetime.min.time())),
    )
    return applicant


def test_follow_ups_sent_by_the_worker_reach_the_employers_system_with_applicant_ids_only(
    owner_client, employer, owner, django_capture_on_commit_callbacks
):
    first = rejected(employer, f"a-{uuid.uuid4().hex[:6]}@example.jp", date(2026, 1, 15))
    second = rejected(employer, f"b-{uuid.uuid4().hex[:6]}@example.jp", date(2026, 1, 15))
    step = followups.steps_for(employer).get(default_key="6_months")
    with Receiver() as system:
        secret = register_endpoint(owner, "employer", system.url, ["followup.sent"])
        response = owner_client.post(reverse("employer:followup_set_active", args=[step.pk]), {"active": "1"})
        assert response.status_code == 302
        # 182 days after the rejection, a Thursday morning, the worker's loop runs.
        with freeze_time(timezone.make_aware(datetime(2026, 7, 16, 11, 0)), real_asyncio=True):
            with django_capture_on_commit_callbacks(execute=True):
                run_once()
    [received] = system.received
    assert signature_is_valid(secret, received)
    data = received.json["data"]
    assert received.json["type"] == "followup.sent"
    assert data["step_id"] == step.pk
    assert data["count"] == 2
    assert sorted(data["applicant_ids"]) == sorted([first.pk, second.pk])
    assert data["send_id"] is not None and data["scheduled_at"]
    raw = received.body.decode()
    assert first.email not in raw and second.email not in raw and "山﨑" not in raw
