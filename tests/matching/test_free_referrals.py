from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import Actor, ActorKind
from careerrelay.credits.models import AvailableCredits, LedgerEntry
from careerrelay.credits.services import NoCreditAvailable, get_balance
from careerrelay.matching import services as matching
from careerrelay.matching.models import FreeReferralProposal, FreeReferralRequest, Introduction
from careerrelay.ops import periodic
from careerrelay.outbox.models import OutboundEmail
from careerrelay.privacy.models import ProvisionRecord
from tests.helpers.matching import REQUEST_DATA

INTERVIEW_AT = (timezone.localtime() + timedelta(days=7)).strftime("%Y-%m-%dT10:00")

pytestmark = pytest.mark.django_db

Kind = LedgerEntry.Kind
State = FreeReferralRequest.State


def kinds(organisation):
    return list(LedgerEntry.objects.filter(organisation=organisation).order_by("id").values_list("kind", "amount"))


# --- Filing -----------------------------------------------------------------------------------


def test_filing_a_request_reserves_one_credit_at_once(owner_client, employer, credits):
    form = owner_client.get(reverse("employer:free_referral_new"))
    default = (timezone.localdate() + timedelta(days=30)).isoformat()
    assert f'value="{default}"' in form.text
    response = owner_client.post(
        reverse("employer:free_referral_new"), {**REQUEST_DATA, "salary_min": "５００", "deadline": default}
    )
    free_referral = FreeReferralRequest.objects.get()
    assert response.url == reverse("employer:free_referral", args=[free_referral.public_id])
    assert (free_referral.state, free_referral.salary_min, free_referral.deadline.isoformat()) == (
        State.OPEN,
        500,
        default,
    )
    entry = LedgerEntry.objects.get(kind=Kind.CREDIT_RESERVED)
    assert (entry.amount, entry.request_key) == (-1, free_referral.public_id)
    balance = get_balance(employer)
    assert (balance.credits_available, balance.credits_reserved) == (1, 1)
    assert (
        AuditEvent.objects.filter(object_type="free_referral_request", detail__operation="free_referral_filed").count()
        == 1
    )


def test_without_an_available_credit_the_form_says_so_and_nothing_is_written(owner_client, employer):
    response = owner_client.post(
        reverse("employer:free_referral_new"),
        {**REQUEST_DATA, "deadline": (timezone.localdate() + timedelta(days=5)).isoformat()},
    )
    assert response.status_code == 200
    assert "利用できる無料紹介枠がありません" in response.text
    assert 'value="バックエンドエンジニア"' in response.text  # what the user typed is kept
    assert FreeReferralRequest.objects.count() == 0
    assert LedgerEntry.objects.count() == 0


def test_invalid_input_is_a_field_error(owner_client, credits):
    response = owner_client.post(
        reverse("employer:free_referral_new"),
        {**REQUEST_DATA, "salary_min": "900", "salary_max": "500", "deadline": "2020-01-01", "role": ""},
    )
    assert response.status_code == 200
    assert "募集職種を入力してください" in response.text
    assert "年収の上限は下限以上にしてください" in response.text
    assert "期限には今日以降の日付を入力してください" in response.text
    assert FreeReferralRequest.objects.count() == 0


def test_the_third_request_with_two_credits_is_refused(employer, owner, credits):
    for _ in range(2):
        matching.file_free_referral_request(
            organisation=employer, actor=Actor.for_user(owner, ActorKind.EMPLOYER), data=dict(REQUEST_DATA)
        )
    with pytest.raises(NoCreditAvailable):
        matching.file_free_referral_request(
            organisation=employer, actor=Actor.for_user(owner, ActorKind.EMPLOYER), data=dict(REQUEST_DATA)
        )
    assert FreeReferralRequest.objects.count() == 2
    assert get_balance(employer).credits_available == 0


def test_the_database_refuses_a_reservation_beyond_the_available_credits(employer, free_referral, owner):
    """Written past the service (no lock, no check): the trigger-kept AvailableCredits CHECK refuses it."""
    assert AvailableCredits.objects.get(organisation=employer).available == 1
    import uuid

    LedgerEntry.objects.create(organisation=employer, kind=Kind.CREDIT_RESERVED, amount=-1, request_key=uuid.uuid4())
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            organisation=employer, kind=Kind.CREDIT_RESERVED, amount=-1, request_key=uuid.uuid4()
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(organisation=employer, kind=Kind.ADJUSTMENT, amount=-1, reason="取り消し")
    assert get_balance(employer).credits_available == 0
    assert AvailableCredits.objects.get(organisation=employer).available == 0


def test_the_database_refuses_a_second_reservation_or_settlement_for_one_request(employer, free_referral):
    key = free_referral.public_id
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(organisation=employer, kind=Kind.CREDIT_RESERVED, amount=-1, request_key=key)
    LedgerEntry.objects.create(organisation=employer, kind=Kind.CREDIT_RETURNED, amount=1, request_key=key)
    for kind, amount in [(Kind.CREDIT_RETURNED, 1), (Kind.CREDIT_CONSUMED, 0)]:
        with pytest.raises(IntegrityError), transaction.atomic():
            LedgerEntry.objects.create(organisation=employer, kind=kind, amount=amount, request_key=key)
    assert kinds(employer)[-2:] == [(Kind.CREDIT_RESERVED, -1), (Kind.CREDIT_RETURNED, 1)]


# --- Agencies: claiming and proposing ------------------------------------------------------------


def test_one_agency_at_a_time_holds_a_request(free_referral, agency, agency_owner, other_agency, other_agency_owner):
    assert matching.claim_request(
        free_referral=free_referral, agency=agency, actor=Actor.for_user(agency_owner, ActorKind.AGENCY)
    )
    assert not matching.claim_request(
        free_referral=free_referral, agency=other_agency, actor=Actor.for_user(other_agency_owner, ActorKind.AGENCY)
    )
    free_referral.refresh_from_db()
    assert free_referral.claimed_by == agency
    assert matching.release_claim(
        free_referral=free_referral, agency=agency, actor=Actor.for_user(agency_owner, ActorKind.AGENCY)
    )
    assert matching.claim_request(
        free_referral=free_referral, agency=other_agency, actor=Actor.for_user(other_agency_owner, ActorKind.AGENCY)
    )


def test_a_lapsed_claim_lets_another_agency_claim(
    free_referral, agency, agency_owner, other_agency, other_agency_owner, candidate
):
    assert matching.claim_request(
        free_referral=free_referral, agency=agency, actor=Actor.for_user(agency_owner, ActorKind.AGENCY)
    )
    FreeReferralRequest.objects.filter(pk=free_referral.pk).update(
        claim_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert matching.claim_request(
        free_referral=free_referral, agency=other_agency, actor=Actor.for_user(other_agency_owner, ActorKind.AGENCY)
    )
    with pytest.raises(matching.MatchingError) as refused:
        matching.propose_introduction(
            agency=agency,
            actor=Actor.for_user(agency_owner, ActorKind.AGENCY),
            candidate_public_id=candidate.public_id,
            free_referral=free_referral,
        )
    assert refused.value.code == "not_claimed"


def test_only_the_claiming_agency_proposes_and_the_introduction_commits_to_an_interview(
    claimed, other_agency, other_agency_owner, agency, agency_owner, candidate, employer
):
    with pytest.raises(matching.MatchingError) as refused:
        matching.propose_introduction(
            agency=other_agency,
            actor=Actor.for_user(other_agency_owner, ActorKind.AGENCY),
            candidate_public_id=candidate.public_id,
            free_referral=claimed,
        )
    assert refused.value.code == "not_claimed"
    introduction = matching.propose_introduction(
        agency=agency,
        actor=Actor.for_user(agency_owner, ActorKind.AGENCY),
        candidate_public_id=candidate.public_id,
        free_referral=claimed,
    )
    assert (introduction.company, introduction.company_name, introduction.role) == (
        employer,
        employer.name,
        claimed.role,
    )
    assert introduction.interview_commitment is True
    mail = OutboundEmail.objects.get(to_email=candidate.email)
    assert "面接を確約" in mail.body_text
    # Until the candidate accepts, the employer has nothing.
    assert FreeReferralProposal.objects.count() == 0


def test_acceptance_puts_the_proposal_before_the_employer(proposal, employer, owner, candidate):
    assert proposal.state == FreeReferralProposal.State.PENDING
    assert OutboundEmail.objects.filter(to_email=owner.email, template="matching_free_referral_proposed").count() == 1
    record = ProvisionRecord.objects.get(channel=ProvisionRecord.Channel.INTRODUCTION)
    assert record.recipient_organisation == employer


def test_the_employer_sees_the_profile_and_confirms_the_interview_consuming_the_credit(
    owner_client, proposal, employer, owner
):
    detail = owner_client.get(reverse("employer:free_referral", args=[proposal.request.public_id]))
    assert "匿名レジュメ" in detail.text and "Java, Spring" in detail.text
    assert "髙橋" not in detail.text and "hanako.takahashi@example.jp" not in detail.text
    assert AuditEvent.objects.filter(action="view", organisation=employer, object_type="introduction").count() == 1
    url = reverse("employer:free_referral_confirm", args=[proposal.pk])
    assert "面接を確定して枠を消化する" in owner_client.get(url).text
    assert LedgerEntry.objects.filter(kind=Kind.CREDIT_CONSUMED).count() == 0  # the GET changes nothing
    interview = {"interview_at": INTERVIEW_AT, "interview_place": "本社 7階 会議室A"}
    owner_client.post(url, interview)
    owner_client.post(url, interview)  # a second click
    proposal.refresh_from_db()
    proposal.request.refresh_from_db()
    assert proposal.state == FreeReferralProposal.State.CONFIRMED
    assert proposal.request.state == State.FULFILLED
    assert LedgerEntry.objects.filter(kind=Kind.CREDIT_CONSUMED, request_key=proposal.request.public_id).count() == 1
    balance = get_balance(employer)
    assert (balance.credits_available, balance.credits_reserved, balance.credits_consumed) == (1, 1, 1)
    assert proposal.introduction.events.last().stage == Introduction.Stage.INTERVIEW_SCHEDULED
    # Name and contact now, each view audited; the provision record says contact went over now.
    detail = owner_client.get(reverse("employer:free_referral", args=[proposal.request.public_id]))
    assert "髙橋" in detail.text and "hanako.takahashi@example.jp" in detail.text and "090-1234-5678" in detail.text
    assert AuditEvent.objects.filter(action="view", organisation=employer, object_type="introduction").count() == 2
    items = [record.items for record in ProvisionRecord.objects.filter(recipient_organisation=employer).order_by("id")]
    assert items == [["profile", "work_history"], ["contact"]]
    page = owner_client.get(reverse("employer:free_referrals"))
    assert '<div class="value" id="stat-consumed">1</div>' in page.text
    # A fulfilled request never returns its credit at the deadline.
    assert matching.expire_due_requests(today=proposal.request.deadline + timedelta(days=1)) == 0
    assert get_balance(employer).credits_returned == 0


def test_declining_needs_a_reason_and_lets_the_agency_propose_again(
    owner_client, proposal, agency, agency_owner, other_candidate
):
    url = reverse("employer:free_referral_decline", args=[proposal.pk])
    assert "見送りの理由を入力してください" in owner_client.post(url, {"category": "skills", "reason": "  "}).text
    owner_client.post(url, {"category": "skills", "reason": "経験年数が要件に届きませんでした。"})
    proposal.refresh_from_db()
    assert (proposal.state, proposal.decline_category, proposal.decline_reason) == (
        FreeReferralProposal.State.DECLINED,
        FreeReferralProposal.DeclineCategory.SKILLS,
        "経験年数が要件に届きませんでした。",
    )
    assert proposal.request.state == State.OPEN
    assert LedgerEntry.objects.filter(kind__in=[Kind.CREDIT_CONSUMED, Kind.CREDIT_RETURNED]).count() == 0
    second = matching.propose_introduction(
        agency=agency,
        actor=Actor.for_user(agency_owner, ActorKind.AGENCY),
        candidate_public_id=other_candidate.public_id,
        free_referral=proposal.request,
    )
    matching.respond_to_introduction(
        candidate=other_candidate, introduction=second, accept=True, actor=Actor.for_candidate(other_candidate)
    )
    assert second.proposal.state == FreeReferralProposal.State.PENDING


# --- The deadline -------------------------------------------------------------------------------


def test_the_expiry_job_returns_the_credit_once_even_when_run_twice(employer, proposal, owner):
    free_referral = proposal.request
    day_after = free_referral.deadline + timedelta(days=1)
    assert matching.expire_due_requests(today=free_referral.deadline) == 0  # the deadline day still counts
    assert matching.expire_due_requests(today=day_after) == 1
    assert matching.expire_due_requests(today=day_after) == 0
    free_referral.refresh_from_db()
    proposal.refresh_from_db()
    assert free_referral.state == State.EXPIRED
    assert proposal.state == FreeReferralProposal.State.CLOSED
    returns = LedgerEntry.objects.filter(kind=Kind.CREDIT_RETURNED, request_key=free_referral.public_id)
    assert [(e.amount) for e in returns] == [1]
    assert get_balance(employer).credits_available == 2
    assert OutboundEmail.objects.filter(to_email=owner.email, template="matching_free_referral_expired").count() == 1
    # A proposal of an expired request can no longer be confirmed.
    assert not matching.confirm_interview(
        proposal=proposal, organisation=employer, actor=Actor.for_user(owner, ActorKind.EMPLOYER)
    )
    assert LedgerEntry.objects.filter(kind=Kind.CREDIT_CONSUMED).count() == 0


def test_the_worker_loop_runs_the_expiry(employer, free_referral):
    FreeReferralRequest.objects.filter(pk=free_referral.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    assert periodic.run_once()["free_referrals_expired"] == 1
    assert periodic.run_once()["free_referrals_expired"] == 0
    assert get_balance(employer).credits_returned == 1


def test_every_step_writes_ledger_and_audit(employer, owner, proposal):
    matching.confirm_interview(
        proposal=proposal, organisation=employer, actor=Actor.for_user(owner, ActorKind.EMPLOYER)
    )
    assert kinds(employer) == [(Kind.ADJUSTMENT, 2), (Kind.CREDIT_RESERVED, -1), (Kind.CREDIT_CONSUMED, 0)]
    operations = list(
        AuditEvent.objects.filter(object_type__in=["free_referral_request", "introduction"])
        .order_by("id")
        .values_list("detail__operation", flat=True)
    )
    assert operations == [
        "free_referral_filed",
        "free_referral_claimed",
        "introduction_proposed",
        "free_referral_proposed",
        "introduction_accepted",
        "free_referral_interview_confirmed",
    ]


def test_past_the_deadline_nothing_is_confirmed_or_proposed_even_before_the_job_runs(
    employer, owner, proposal, agency, agency_owner, other_candidate
):
    FreeReferralRequest.objects.filter(pk=proposal.request_id).update(deadline=timezone.localdate() - timedelta(days=1))
    proposal.request.refresh_from_db()
    assert not matching.confirm_interview(
        proposal=proposal, organisation=employer, actor=Actor.for_user(owner, ActorKind.EMPLOYER)
    )
    with pytest.raises(matching.MatchingError) as refused:
        matching.propose_introduction(
            agency=agency,
            actor=Actor.for_user(agency_owner, ActorKind.AGENCY),
            candidate_public_id=other_candidate.public_id,
            free_referral=proposal.request,
        )
    assert refused.value.code == "request_closed"
    assert LedgerEntry.objects.filter(kind=Kind.CREDIT_CONSUMED).count() == 0
    assert matching.expire_due_requests() == 1
    assert get_balance(employer).credits_available == 2
