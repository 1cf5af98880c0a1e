"""Introductions and free referrals: every state change is one function, one transaction, with its
IntroductionEvent, ledger entry and audit event written in that transaction.

Who may see what:
- the agency: its own introductions (`agency_introductions`), with its internal notes;
- the company: introductions to it after the candidate accepted (`company_introductions`), the
  stages and dates, never the agency's notes;
- the candidate: their own (`candidate_introductions`), the company, the role, stage names and dates.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation

from careerrelay.agencies import services as agencies
from careerrelay.agencies.models import AgencyProfile, JobOrder
from careerrelay.audit.services import Action, Actor, record_event
from careerrelay.candidates.models import Candidate
from careerrelay.common.japanese import nfkc
from careerrelay.credits import services as credits
from careerrelay.matching.models import FreeReferralProposal, FreeReferralRequest, Introduction, IntroductionEvent
from careerrelay.notifications.models import Kind, Notification
from careerrelay.notifications.services import members, notify, operators
from careerrelay.organisations.models import Membership, Organisation
from careerrelay.outbox.services import queue_email
from careerrelay.privacy.models import ProvisionRecord
from careerrelay.privacy.services import ProvisionRefused, record_provision
from careerrelay.surveys.services import ask_candidate_about_service
from careerrelay.webhooks import services as webhooks
from careerrelay.webhooks.models import EventType

Stage = Introduction.Stage
Party = Introduction.Party
RequestState = FreeReferralRequest.State
ProposalState = FreeReferralProposal.State

# What the company receives when the candidate accepts: the profile as the agency sees it.
INTRODUCTION_ITEMS = [ProvisionRecord.Item.PROFILE, ProvisionRecord.Item.CONTACT, ProvisionRecord.Item.WORK_HISTORY]
# A free referral is put before the employer as an anonymised résumé (匿名レジュメ): no name, no
# contact. Name and contact follow only when the employer confirms the interview (and spends the
# credit), so declining is never a way to collect contacts.
FREE_REFERRAL_PROPOSAL_ITEMS = [ProvisionRecord.Item.PROFILE, ProvisionRecord.Item.WORK_HISTORY]
FREE_REFERRAL_CONFIRMED_ITEMS = [ProvisionRecord.Item.CONTACT]


def introduction_items(introduction: Introduction) -> list[str]:
    """What the company receives when the candidate accepts this introduction."""
    return list(FREE_REFERRAL_PROPOSAL_ITEMS if introduction.free_referral_id else INTRODUCTION_ITEMS)


# The stages the agency moves an accepted introduction through, and from where.
AGENCY_TRANSITIONS: dict[str, tuple[str, ...]] = {
    Stage.INTERVIEW_SCHEDULED: (Stage.ACCEPTED, Stage.INTERVIEW_SCHEDULED),  # also a new date
    Stage.INTERVIEWED: (Stage.INTERVIEW_SCHEDULED,),
    Stage.OFFER: (Stage.INTERVIEWED,),
    Stage.HIRED: (Stage.OFFER,),
    Stage.NOT_HIRED: (Stage.ACCEPTED, Stage.INTERVIEW_SCHEDULED, Stage.INTERVIEWED, Stage.OFFER),
    Stage.WITHDRAWN: tuple(Introduction.OPEN_STAGES),
}
# The candidate may withdraw once they accepted (before that, they decline).
CANDIDATE_WITHDRAWABLE = (Stage.ACCEPTED, Stage.INTERVIEW_SCHEDULED, Stage.INTERVIEWED, Stage.OFFER)


class MatchingError(Exception):
    """A refused step; `code` says which (for the page's message)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# --- Scopes -------------------------------------------------------------------------------------


def agency_introductions(organisation: Organisation):
    return Introduction.objects.filter(agency=organisation).select_related("candidate", "job_order", "company")


def company_introductions(organisation: Organisation):
    """What the company may open: introductions the candidate accepted; of free referrals only
    those whose interview the employer confirmed (a pending proposal is an anonymised résumé on the
    request's page, a declined or closed one is nothing)."""
    return (
        Introduction.objects.filter(company=organisation, stage__in=Introduction.AFTER_ACCEPTANCE)
        .filter(Q(free_referral__isnull=True) | Q(proposal__state=ProposalState.CONFIRMED))
        .select_related("candidate", "agency", "free_referral")
    )


_EMAIL_LIKE = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE_LIKE = re.compile(r"\+?\d[\d\s()-]{8,}\d")
HIDDEN = "＊＊＊"


def anonymised_text(text: str, candidate: Candidate) -> str:
    """A candidate's own words for an anonymised résumé: their name, email addresses and phone
    numbers written into it are masked, so the free text cannot hand over what the fields hide."""
    text = nfkc(text or "")
    text = _EMAIL_LIKE.sub(HIDDEN, text)
    text = _PHONE_LIKE.sub(HIDDEN, text)
    for name in (candidate.family_name, candidate.given_name, candidate.family_name_kana, candidate.given_name_kana):
        name = nfkc(name or "").strip()
        if name:
            text = text.replace(name, HIDDEN)
    return text


def company_sees_person(introduction: Introduction) -> bool:
    """Name, contact and profile: not after the candidate withdrew (nor before the interview of a
    free referral is confirmed, which company_introductions already leaves out)."""
    return introduction.stage != Stage.WITHDRAWN


def candidate_introductions(candidate: Candidate):
    return Introduction.objects.filter(candidate=candidate).select_related("agency", "free_referral")


def employer_requests(organisation: Organisation):
    return FreeReferralRequest.objects.filter(organisation=organisation)


def requests_for_agencies():
    """Open requests every approved agency may see: the role and terms, the employer's name."""
    return FreeReferralRequest.objects.filter(state=RequestState.OPEN).select_related("organisation", "claimed_by")


def visible_events(introduction: Introduction, party: str):
    """The events `party` may see: the agency sees all with notes; others see stages and dates."""
    events = list(introduction.events.all())
    if party == Party.COMPANY:
        events = [e for e in events if e.stage in Introduction.AFTER_ACCEPTANCE]
    if party != Party.AGENCY:
        for event in events:
            event.note = ""
    return events


def _event(
    introduction, *, stage, party, user=None, interview_at=None, interview_place="", note=""
) -> IntroductionEvent:
    event = IntroductionEvent.objects.create(
        introduction=introduction,
        stage=stage,
        party=party,
        actor_user=user if user is not None and user.is_authenticated else None,
        interview_at=interview_at,
        interview_place=interview_place,
        note=note,
    )
    _announce_stage(introduction, event)
    return event


def _announce_stage(introduction: Introduction, event: IntroductionEvent) -> None:
    """`introduction.stage_changed` for the organisations' own systems (docs/webhooks.md), sent
    when the change commits. Ids and the stage only: the agency gets the ids its workspace shows
    of its own introduction, and the employer of a free referral, to which the person is a
    marketplace candidate, never their name, contact or profile."""
    common = {
        "introduction_id": str(introduction.public_id),
        "stage": event.stage,
        "changed_by": event.party,
        "changed_at": event.created_at.isoformat(),
    }
    webhooks.emit(
        introduction.agency,
        EventType.INTRODUCTION_STAGE_CHANGED,
        {
            **common,
            "job_order_id": introduction.job_order_id,
            "free_referral_id": str(introduction.free_referral.public_id) if introduction.free_referral else None,
        },
    )
    # The employer is a party once the introduction was put before it as a proposal.
    proposal = (
        FreeReferralProposal.objects.filter(introduction=introduction).select_related("request__organisation").first()
        if introduction.free_referral_id
        else None
    )
    if proposal is not None:
        webhooks.emit(
            proposal.request.organisation,
            EventType.INTRODUCTION_STAGE_CHANGED,
            {**common, "free_referral_id": str(proposal.request.public_id), "proposal_id": proposal.pk},
        )


def _audit(*, introduction=None, free_referral=None, actor: Actor, operation, organisation=None, **detail):
    if introduction is not None:
        record_event(
            actor=actor,
            action=Action.CHANGE,
            subject_key=introduction.candidate.public_id,
            organisation=organisation,
            object_type="introduction",
            object_id=introduction.pk,
            operation=operation,
            **detail,
        )
    else:
        record_event(
            actor=actor,
            action=Action.CHANGE,
            organisation=organisation,
            object_type="free_referral_request",
            object_id=free_referral.pk,
            operation=operation,
            **detail,
        )


# --- Introductions ------------------------------------------------------------------------------


@transaction.atomic
def propose_introduction(
    *,
    agency: Organisation,
    actor: Actor,
    candidate_public_id,
    job_order: JobOrder | None = None,
    free_referral: FreeReferralRequest | None = None,
    company_name: str = "",
    role: str = "",
    message: str = "",
) -> Introduction:
    """The agency proposes a candidate it may see for one of its job orders, a named company, or a
    free-referral request it holds the claim on. The candidate is emailed; the company gets nothing
    yet."""
    agencies.require_approved(agency)
    candidate = agencies.find_visible_candidate(candidate_public_id)
    if candidate is None:
        raise MatchingError("candidate_not_visible")
    company = None
    commitment = False
    if free_referral is not None:
        free_referral = FreeReferralRequest.objects.select_for_update().get(pk=free_referral.pk)
        if not free_referral.is_open or free_referral.deadline < timezone.localdate():
            raise MatchingError("request_closed")
        if free_referral.claim_holder() != agency:
            raise MatchingError("not_claimed")
        company = free_referral.organisation
        company_name, role, commitment = company.name, free_referral.role, True
    elif job_order is not None:
        if job_order.agency_id != agency.pk:
            raise MatchingError("job_order_not_found")
        if not job_order.is_open:
            raise MatchingError("job_order_closed")
        company_name, role = job_order.client_company, job_order.title
    company_name, role = company_name.strip(), role.strip()
    if not company_name or not role:
        raise MatchingError("company_required")
    try:
        with transaction.atomic():
            introduction = Introduction.objects.create(
                agency=agency,
                candidate=candidate,
                job_order=job_order if free_referral is None else None,
                company=company,
                company_name=company_name,
                role=role,
                message=message.strip(),
                free_referral=free_referral,
                interview_commitment=commitment,
                created_by=actor.user,
            )
    except IntegrityError:
        raise MatchingError("already_introduced") from None
    _event(introduction, stage=Stage.PROPOSED, party=Party.AGENCY, user=actor.user)
    _audit(
        introduction=introduction,
        actor=actor,
        operation="introduction_proposed",
        organisation=agency,
    )
    _notify_candidate(introduction, "matching_introduction")
    return introduction


def _notify_candidate(introduction: Introduction, template: str = "matching_stage_changed") -> None:
    """Every stage change reaches the candidate, with the stage it is in now. The row is read again
    here, after the change, so the email never describes the state before it."""
    introduction = Introduction.objects.select_related("candidate", "agency").get(pk=introduction.pk)
    candidate = introduction.candidate
    queue_email(
        to=candidate.email,
        template=template,
        context={"candidate": candidate, "introduction": introduction},
        language=candidate.language or "ja",
    )


def _msgid(label) -> str:
    """A choice label as its Japanese msgid, stored with a notification and translated when shown."""
    with translation.override("ja"):
        return str(label)


def _introducers(introduction: Introduction):
    """The advisor who made the introduction, while they are still with the agency; else everyone there."""
    user = introduction.created_by
    if user is not None and user.is_active and user.memberships.filter(organisation=introduction.agency_id).exists():
        return [user]
    return members(introduction.agency)


def _notify_introducers(introduction: Introduction, *, kind: str, params: dict, context: dict) -> None:
    """Tell the agency of something that happened to one of its introductions."""
    notify(
        kind=kind,
        users=_introducers(introduction),
        organisation=introduction.agency,
        url=reverse("agency:introduction", args=[introduction.public_id]),
        params={"company": introduction.company_name, "role": introduction.role, **params},
        context={"introduction": introduction, **context},
    )


def _notify_agency_of_answer(introduction: Introduction) -> None:
    introduction = Introduction.objects.select_related("agency", "candidate", "created_by").get(pk=introduction.pk)
    _notify_introducers(
        introduction,
        kind=Kind.INTRODUCTION_ANSWERED,
        params={"stage_label": _msgid(introduction.get_stage_display())},
        context={"reference": agencies.reference_for(introduction.candidate.public_id)},
    )


def _notify_agency_of_decision(proposal: FreeReferralProposal) -> None:
    proposal = FreeReferralProposal.objects.select_related("request__organisation", "introduction__agency").get(
        pk=proposal.pk
    )
    _notify_introducers(
        proposal.introduction,
        kind=Kind.PROPOSAL_DECIDED,
        params={"state_label": _msgid(proposal.get_state_display())},
        context={"proposal": proposal},
    )


@transaction.atomic
def respond_to_introduction(*, candidate: Candidate, introduction: Introduction, accept: bool, actor: Actor) -> bool:
    """The candidate accepts or declines. Only on acceptance does the company receive the profile:
    the provision record goes to the company when it is an organisation on the platform, else to
    the agency (which hands the profile to its client, named on the introduction). A free-referral
    introduction, once accepted, is put before the employer. False when already answered."""
    if introduction.candidate_id != candidate.pk:
        raise MatchingError("not_found")
    stage = Stage.ACCEPTED if accept else Stage.DECLINED
    now = timezone.now()
    changed = Introduction.objects.filter(pk=introduction.pk, stage=Stage.PROPOSED).update(
        stage=stage, responded_at=now, updated_at=now
    )
    if not changed:
        return False
    introduction.refresh_from_db()
    if accept:
        recipient = introduction.company or introduction.agency
        try:
            record = record_provision(
                candidate=candidate,
                recipient_organisation=recipient,
                items=introduction_items(introduction),
                channel=ProvisionRecord.Channel.INTRODUCTION,
                actor=actor,
            )
        except ProvisionRefused:
            raise MatchingError("consent_missing") from None
        Introduction.objects.filter(pk=introduction.pk).update(provision_record=record)
        introduction.provision_record = record
        if introduction.free_referral_id:
            _propose_to_employer(introduction)
        # CareerRelay asks how the service was, once per person, after their first accepted
        # introduction; after the commit, so a survey never outlives a rolled-back acceptance.
        transaction.on_commit(lambda: ask_candidate_about_service(candidate=candidate))
    _event(introduction, stage=stage, party=Party.CANDIDATE)
    _notify_candidate(introduction)
    _notify_agency_of_answer(introduction)
    record_event(
        actor=actor,
        action=Action.CHANGE,
        subject_key=candidate.public_id,
        object_type="introduction",
        object_id=introduction.pk,
        operation="introduction_accepted" if accept else "introduction_declined",
    )
    return True


def _propose_to_employer(introduction: Introduction) -> FreeReferralProposal | None:
    free_referral = FreeReferralRequest.objects.select_for_update().get(pk=introduction.free_referral_id)  # type: ignore[misc]  # only free-referral introductions
    if not free_referral.is_open:
        return None
    proposal = FreeReferralProposal.objects.create(
        request=free_referral, introduction=introduction, agency=introduction.agency
    )
    # While the employer looks at the proposal, the agency keeps the request.
    FreeReferralRequest.objects.filter(pk=free_referral.pk, claimed_by=introduction.agency).update(
        claim_expires_at=max(free_referral.claim_expires_at or timezone.now(), _end_of(free_referral.deadline))
    )
    _audit(
        free_referral=free_referral,
        actor=Actor.system(),
        operation="free_referral_proposed",
        organisation=free_referral.organisation,
        proposal=proposal.pk,
        agency=introduction.agency_id,
    )
    _notify_employer(free_referral, Kind.PROPOSAL_WAITING)
    return proposal


def _notify_employer(free_referral: FreeReferralRequest, kind: str) -> None:
    free_referral = FreeReferralRequest.objects.select_related("organisation").get(pk=free_referral.pk)
    notify(
        kind=kind,
        users=members(free_referral.organisation),
        organisation=free_referral.organisation,
        url=reverse("employer:free_referral", args=[free_referral.public_id]),
        params={"role": free_referral.role, "deadline": free_referral.deadline.isoformat()},
        context={"free_referral": free_referral},
    )


@transaction.atomic
def change_stage(
    *,
    introduction: Introduction,
    stage: str,
    agency: Organisation,
    actor: Actor,
    interview_at=None,
    interview_place: str = "",
    note: str = "",
) -> bool:
    """The agency records the next stage (interview scheduled, interviewed, offer, hired, not hired,
    withdrawn). A conditional UPDATE from the allowed stages, so two clicks record it once. A
    scheduled interview carries its date and time and its place or URL."""
    if introduction.agency_id != agency.pk:
        raise MatchingError("not_found")
    allowed = AGENCY_TRANSITIONS.get(stage)
    if allowed is None:
        raise MatchingError("bad_stage")
    updates = {"stage": stage, "updated_at": timezone.now()}
    if stage == Stage.WITHDRAWN:
        updates["withdrawn_by"] = Party.AGENCY
    interview_place = interview_place.strip()
    if stage == Stage.INTERVIEW_SCHEDULED:
        updates.update(interview_at=interview_at, interview_place=interview_place)
    changed = Introduction.objects.filter(pk=introduction.pk, stage__in=allowed).update(**updates)
    if not changed:
        return False
    introduction.refresh_from_db()
    _event(
        introduction,
        stage=stage,
        party=Party.AGENCY,
        user=actor.user,
        interview_at=interview_at if stage == Stage.INTERVIEW_SCHEDULED else None,
        interview_place=interview_place if stage == Stage.INTERVIEW_SCHEDULED else "",
        note=note.strip(),
    )
    _close_pending_proposal(introduction)
    _audit(
        introduction=introduction,
        actor=actor,
        operation="introduction_stage",
        organisation=agency,
        stage=stage,
    )
    _notify_candidate(introduction)
    return True


@transaction.atomic
def withdraw_by_candidate(*, candidate: Candidate, introduction: Introduction, actor: Actor) -> bool:
    if introduction.candidate_id != candidate.pk:
        raise MatchingError("not_found")
    changed = Introduction.objects.filter(pk=introduction.pk, stage__in=CANDIDATE_WITHDRAWABLE).update(
        stage=Stage.WITHDRAWN, withdrawn_by=Party.CANDIDATE, updated_at=timezone.now()
    )
    if not changed:
        return False
    introduction.refresh_from_db()
    _event(introduction, stage=Stage.WITHDRAWN, party=Party.CANDIDATE)
    _close_pending_proposal(introduction)
    _notify_candidate(introduction)
    _notify_agency_of_answer(introduction)
    record_event(
        actor=actor,
        action=Action.CHANGE,
        subject_key=candidate.public_id,
        object_type="introduction",
        object_id=introduction.pk,
        operation="introduction_withdrawn",
    )
    return True


def _close_pending_proposal(introduction: Introduction) -> None:
    """A withdrawn or ended introduction is no longer before the employer."""
    if introduction.stage in (Stage.WITHDRAWN, Stage.NOT_HIRED):
        FreeReferralProposal.objects.filter(introduction=introduction, state=ProposalState.PENDING).update(
            state=ProposalState.CLOSED, decided_at=timezone.now()
        )


# --- Free referrals: the employer -------------------------------------------------------------


def default_deadline():
    return timezone.localdate() + timedelta(days=settings.FREE_REFERRAL_DEADLINE_DAYS)


def _end_of(day):
    """The last moment of `day` in the site's time zone: a deadline includes its day."""
    from datetime import datetime, time

    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min)) - timedelta(microseconds=1)


REQUEST_FIELDS = [
    "role",
    "requirements",
    "prefecture",
    "location_note",
    "salary_min",
    "salary_max",
    "desired_start",
    "deadline",
]


@transaction.atomic
def file_free_referral_request(*, organisation: Organisation, actor: Actor, data: dict) -> FreeReferralRequest:
    """The request and its reserved credit, together or not at all. Raises
    credits.NoCreditAvailable when the employer has no available credit (also when concurrent
    requests took the last one a moment ago)."""
    fields = {name: data.get(name) for name in REQUEST_FIELDS if data.get(name) not in (None, "")}
    fields.setdefault("deadline", default_deadline())
    free_referral = FreeReferralRequest(organisation=organisation, created_by=actor.user, **fields)
    credits.reserve_credit(organisation=organisation, request_key=free_referral.public_id, actor=actor)
    free_referral.save()
    record_event(
        actor=actor,
        action=Action.CHANGE,
        organisation=organisation,
        object_type="free_referral_request",
        object_id=free_referral.pk,
        operation="free_referral_filed",
        deadline=free_referral.deadline.isoformat(),
    )
    _notify_agencies_of_request(free_referral)
    return free_referral


def _notify_agencies_of_request(free_referral: FreeReferralRequest) -> None:
    """Every approved agency may take a request: all their people hear of it."""
    approved = AgencyProfile.objects.filter(
        state=AgencyProfile.State.APPROVED, organisation__is_active=True
    ).values_list("organisation", flat=True)
    path = reverse("agency:free_referral", args=[free_referral.public_id])
    memberships = (
        Membership.objects.filter(organisation__in=approved, user__is_active=True)
        .select_related("organisation", "user")
        .order_by("organisation", "pk")
    )
    for membership in memberships:
        notify(
            kind=Kind.FREE_REFERRAL_REQUESTED,
            users=[membership.user],
            organisation=membership.organisation,
            url=path,
            params={
                "company": free_referral.organisation.name,
                "role": free_referral.role,
                "deadline": free_referral.deadline.isoformat(),
            },
            context={"free_referral": free_referral},
        )


@transaction.atomic
def confirm_interview(
    *,
    proposal: FreeReferralProposal,
    organisation: Organisation,
    actor: Actor,
    interview_at=None,
    interview_place: str = "",
) -> bool:
    """The employer confirms the interview, with its date and time and its place or URL: the
    proposal is confirmed, the request fulfilled and its credit consumed, exactly once. The
    conditional UPDATEs decide the winner of two clicks; the ledger's unique settlement per
    request and the one-confirmed-proposal constraint back them."""
    if proposal.request.organisation_id != organisation.pk:
        raise MatchingError("not_found")
    now = timezone.now()
    # Past its deadline a request is about to expire (the job runs within seconds): no confirming.
    fulfilled = FreeReferralRequest.objects.filter(
        pk=proposal.request_id, state=RequestState.OPEN, deadline__gte=timezone.localdate()
    ).update(state=RequestState.FULFILLED, settled_at=now)
    if not fulfilled:
        return False
    confirmed = FreeReferralProposal.objects.filter(pk=proposal.pk, state=ProposalState.PENDING).update(
        state=ProposalState.CONFIRMED, decided_at=now, decided_by=actor.user
    )
    if not confirmed:
        transaction.set_rollback(True)
        return False
    free_referral = proposal.request
    entry = credits.consume_credit(organisation=organisation, request_key=free_referral.public_id, actor=actor)
    if entry is None:  # settled already (returned at the deadline a moment ago): nothing happens
        transaction.set_rollback(True)
        return False
    introduction = proposal.introduction
    try:
        # Name and contact reach the employer now, under the consent the candidate still holds.
        record_provision(
            candidate=introduction.candidate,
            recipient_organisation=organisation,
            items=list(FREE_REFERRAL_CONFIRMED_ITEMS),
            channel=ProvisionRecord.Channel.INTRODUCTION,
            actor=actor,
        )
    except ProvisionRefused:  # the candidate withdrew their consent meanwhile: no interview, no credit spent
        transaction.set_rollback(True)
        return False
    FreeReferralProposal.objects.filter(request=free_referral, state=ProposalState.PENDING).update(
        state=ProposalState.CLOSED, decided_at=now
    )
    interview_place = interview_place.strip()
    if Introduction.objects.filter(pk=introduction.pk, stage=Stage.ACCEPTED).update(
        stage=Stage.INTERVIEW_SCHEDULED, updated_at=now, interview_at=interview_at, interview_place=interview_place
    ):
        _event(
            introduction,
            stage=Stage.INTERVIEW_SCHEDULED,
            party=Party.COMPANY,
            user=actor.user,
            interview_at=interview_at,
            interview_place=interview_place,
        )
        _notify_candidate(introduction)
    _notify_agency_of_decision(proposal)
    record_event(
        actor=actor,
        action=Action.CHANGE,
        subject_key=introduction.candidate.public_id,
        organisation=organisation,
        object_type="free_referral_request",
        object_id=free_referral.pk,
        operation="free_referral_interview_confirmed",
        proposal=proposal.pk,
        ledger_entry=entry.pk,
    )
    return True


@transaction.atomic
def decline_proposal(
    *, proposal: FreeReferralProposal, organisation: Organisation, actor: Actor, category: str, reason: str
) -> bool:
    """The employer declines with a reason from the fixed list and a sentence; the request stays
    open and the agency may propose again. Operators hear of a company that declines often."""
    if proposal.request.organisation_id != organisation.pk:
        raise MatchingError("not_found")
    reason = reason.strip()
    if not reason or category not in FreeReferralProposal.DeclineCategory.values:
        raise MatchingError("reason_required")
    now = timezone.now()
    changed = FreeReferralProposal.objects.filter(
        pk=proposal.pk, state=ProposalState.PENDING, request__state=RequestState.OPEN
    ).update(
        state=ProposalState.DECLINED,
        decline_category=category,
        decline_reason=reason,
        decided_at=now,
        decided_by=actor.user,
    )
    if not changed:
        return False
    introduction = proposal.introduction
    if Introduction.objects.filter(pk=introduction.pk, stage=Stage.ACCEPTED).update(
        stage=Stage.NOT_HIRED, updated_at=now
    ):
        _event(introduction, stage=Stage.NOT_HIRED, party=Party.COMPANY, user=actor.user)
        _notify_candidate(introduction)
    _notify_agency_of_decision(proposal)
    # The agency gets a fresh claim period to propose someone else.
    free_referral = proposal.request
    FreeReferralRequest.objects.filter(pk=free_referral.pk, claimed_by=proposal.agency_id).update(
        claim_expires_at=now + timedelta(days=settings.FREE_REFERRAL_CLAIM_DAYS)
    )
    record_event(
        actor=actor,
        action=Action.CHANGE,
        subject_key=introduction.candidate.public_id,
        organisation=organisation,
        object_type="free_referral_request",
        object_id=free_referral.pk,
        operation="free_referral_proposal_declined",
        proposal=proposal.pk,
        category=category,
    )
    _notify_operators_of_declines(organisation, now)
    return True


def declines_in_window(now=None):
    """Declined proposals within FREE_REFERRAL_DECLINE_WINDOW_DAYS before `now`."""
    now = now or timezone.now()
    since = now - timedelta(days=settings.FREE_REFERRAL_DECLINE_WINDOW_DAYS)
    return FreeReferralProposal.objects.filter(state=ProposalState.DECLINED, decided_at__gte=since)


# One alert a week per company is enough for an operator to look; more would be noise.
DECLINE_ALERT_INTERVAL = timedelta(days=7)


def _notify_operators_of_declines(organisation: Organisation, now) -> None:
    count = declines_in_window(now).filter(request__organisation=organisation).count()
    if count < settings.FREE_REFERRAL_DECLINE_ALERT:
        return
    already = Notification.objects.filter(
        kind=Kind.DECLINES_REPEATED, organisation=organisation, created_at__gte=now - DECLINE_ALERT_INTERVAL
    )
    if already.exists():
        return
    days = settings.FREE_REFERRAL_DECLINE_WINDOW_DAYS
    notify(
        kind=Kind.DECLINES_REPEATED,
        users=operators(),
        organisation=organisation,
        url=reverse("admin:matching_decliningemployer_changelist") + "?o=-2",
        params={"company": organisation.name, "count": str(count), "days": str(days)},
        context={"company": organisation, "count": count, "days": days},
    )


# --- Free referrals: agencies ---------------------------------------------------------------------


@transaction.atomic
def claim_request(*, free_referral: FreeReferralRequest, agency: Organisation, actor: Actor) -> bool:
    """One agency at a time: the UPDATE wins only while the request is open and nobody else holds an
    unexpired claim (the same agency may renew its own)."""
    agencies.require_approved(agency)
    now = timezone.now()
    won = (
        FreeReferralRequest.objects.filter(
            pk=free_referral.pk, state=RequestState.OPEN, deadline__gte=timezone.localdate()
        )
        .filter(Q(claimed_by__isnull=True) | Q(claim_expires_at__lte=now) | Q(claimed_by=agency))
        .update(
            claimed_by=agency,
            claimed_at=now,
            claim_expires_at=min(
                now + timedelta(days=settings.FREE_REFERRAL_CLAIM_DAYS), _end_of(free_referral.deadline)
            ),
        )
    )
    if won:
        _audit(
            free_referral=free_referral,
            actor=actor,
            operation="free_referral_claimed",
            organisation=agency,
        )
    return bool(won)


@transaction.atomic
def release_claim(*, free_referral: FreeReferralRequest, agency: Organisation, actor: Actor) -> bool:
    released = FreeReferralRequest.objects.filter(pk=free_referral.pk, claimed_by=agency).update(
        claimed_by=None, claimed_at=None, claim_expires_at=None
    )
    if released:
        _audit(
            free_referral=free_referral,
            actor=actor,
            operation="free_referral_released",
            organisation=agency,
        )
    return bool(released)


# --- Free referrals: the deadline -----------------------------------------------------------------


def expire_due_requests(today=None) -> int:
    """Requests past their deadline with no confirmed interview expire and their credit returns.

    Each request is its own transaction: the conditional UPDATE from `open` decides which run
    expires it, and the ledger's one-settlement-per-request constraint makes a second return
    impossible even for a run that somehow got past it. Safe to run in several workers at once
    and as often as you like. Returns how many requests this run expired."""
    today = today or timezone.localdate()
    expired = 0
    due = FreeReferralRequest.objects.filter(state=RequestState.OPEN, deadline__lt=today).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            now = timezone.now()
            if not FreeReferralRequest.objects.filter(pk=pk, state=RequestState.OPEN, deadline__lt=today).update(
                state=RequestState.EXPIRED, settled_at=now, claimed_by=None, claimed_at=None, claim_expires_at=None
            ):
                continue
            free_referral = FreeReferralRequest.objects.select_related("organisation").get(pk=pk)
            entry = credits.return_credit(
                organisation=free_referral.organisation, request_key=free_referral.public_id, actor=Actor.system()
            )
            FreeReferralProposal.objects.filter(request=free_referral, state=ProposalState.PENDING).update(
                state=ProposalState.CLOSED, decided_at=now
            )
            _audit(
                free_referral=free_referral,
                actor=Actor.system(),
                operation="free_referral_expired",
                organisation=free_referral.organisation,
                ledger_entry=entry.pk if entry else None,
            )
            _notify_employer(free_referral, Kind.REQUEST_EXPIRED)
            expired += 1
    return expired


# --- Reminders: a claim or a request about to lapse -------------------------------------------------

LAPSE_NOTICE = timedelta(days=2)


def remind_lapsing(now=None) -> int:
    """Two days before a claim lapses, its agency hears of it; two days before a request's deadline,
    the employer does. The conditional UPDATE of the reminder column decides which run sends it,
    so each claim (each moment a claim ends) and each request is reminded exactly once, however
    many workers run this. Returns how many reminders this run sent."""
    now = now or timezone.now()
    sent = 0
    claims = FreeReferralRequest.objects.filter(
        state=RequestState.OPEN,
        claimed_by__isnull=False,
        claim_expires_at__gt=now,
        claim_expires_at__lte=now + LAPSE_NOTICE,
    ).filter(Q(claim_reminded_for__isnull=True) | ~Q(claim_reminded_for=F("claim_expires_at")))
    for pk, expires in list(claims.values_list("pk", "claim_expires_at")):
        with transaction.atomic():
            won = (
                FreeReferralRequest.objects.filter(pk=pk, state=RequestState.OPEN, claim_expires_at=expires)
                .filter(Q(claim_reminded_for__isnull=True) | ~Q(claim_reminded_for=expires))
                .update(claim_reminded_for=expires)
            )
            if not won:
                continue
            free_referral = FreeReferralRequest.objects.select_related("organisation", "claimed_by").get(pk=pk)
            notify(
                kind=Kind.CLAIM_LAPSING,
                users=members(free_referral.claimed_by),
                organisation=free_referral.claimed_by,
                url=reverse("agency:free_referral", args=[free_referral.public_id]),
                params={
                    "company": free_referral.organisation.name,
                    "role": free_referral.role,
                    "expires": timezone.localtime(expires).strftime("%Y-%m-%d %H:%M"),
                },
                context={"free_referral": free_referral},
            )
            sent += 1
    today = timezone.localdate(now)
    requests = FreeReferralRequest.objects.filter(
        state=RequestState.OPEN,
        deadline_reminded_at__isnull=True,
        deadline__gte=today,
        deadline__lte=today + LAPSE_NOTICE,
    )
    for pk in list(requests.values_list("pk", flat=True)):
        with transaction.atomic():
            if not FreeReferralRequest.objects.filter(
                pk=pk, state=RequestState.OPEN, deadline_reminded_at__isnull=True
            ).update(deadline_reminded_at=now):
                continue
            _notify_employer(FreeReferralRequest(pk=pk), Kind.REQUEST_EXPIRING)
            sent += 1
    return sent
