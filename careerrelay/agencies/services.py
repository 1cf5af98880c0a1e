"""Partner recruiting agencies (有料職業紹介事業者): signing up, approval, the tenant scope, searching
and opening candidates, and job orders.

The tenant scope: `organisations.services.membership_for(user, AGENCY)` is the one way a page finds
the agency of the person, `agency_job_orders(organisation)` the one way it finds job orders. An agency that is not
approved (pending or suspended) sees no candidate at all: every function here that touches a
candidate raises AgencyNotApproved first.
"""

import uuid
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from careerrelay.accounts.models import User
from careerrelay.agencies.licence import normalize_licence_number
from careerrelay.agencies.models import AgencyProfile, JobOrder
from careerrelay.audit.services import Action, Actor, ActorKind, record_event
from careerrelay.candidates.choices import JobCategory
from careerrelay.candidates.models import Candidate, Resume
from careerrelay.common.japanese import normalize_text, parse_skills
from careerrelay.common.text import validate_one_line
from careerrelay.notifications.models import Kind as NotificationKind
from careerrelay.notifications.services import members, notify, operators
from careerrelay.organisations.models import Membership, Organisation
from careerrelay.privacy.access import open_resume_for
from careerrelay.privacy.models import ProvisionRecord
from careerrelay.privacy.services import ProvisionRefused, agency_visible_candidates, record_provision
from careerrelay.search.services import search_candidates

Item = ProvisionRecord.Item
Channel = ProvisionRecord.Channel

# What opening a profile hands over: everything on the profile page, contact data included.
PROFILE_ITEMS = [Item.PROFILE, Item.CONTACT, Item.WORK_HISTORY]
RESUME_ITEMS = [Item.RESUME]


class AgencyNotApproved(Exception):
    """The agency is pending approval or suspended: it may see no candidate."""


class CandidateNotVisible(Exception):
    """Unknown, deleted, unverified, or without an active agency-sharing consent."""


# --- Organisations -----------------------------------------------------------------------------


@transaction.atomic
def create_agency(
    *,
    name: str,
    licence_number: str,
    address: str,
    representative: str,
    admin: User,
    approved_by: User | None = None,
    approve: bool = False,
) -> Organisation:
    """An agency organisation with its profile and its first admin; PENDING unless `approve`.
    Raises ValidationError for a name with control characters (it becomes a mail header)."""
    name = normalize_text(name)
    validate_one_line(name)
    organisation = Organisation.objects.create(kind=Organisation.Kind.AGENCY, name=name)
    AgencyProfile.objects.create(
        organisation=organisation,
        licence_number=normalize_licence_number(licence_number),
        address=normalize_text(address),
        representative=normalize_text(representative),
    )
    Membership.objects.create(organisation=organisation, user=admin, role=Membership.Role.ADMIN)
    if approve:
        actor = Actor.for_user(approved_by, ActorKind.STAFF) if approved_by is not None else Actor.system()
        approve_agency(organisation=organisation, actor=actor)
    else:
        _notify_operators_of_application(organisation)
    return organisation


def _notify_operators_of_application(organisation: Organisation) -> None:
    profile = organisation.agency_profile
    notify(
        kind=NotificationKind.AGENCY_APPLIED,
        users=operators(),
        url=reverse("admin:agencies_agencyprofile_change", args=[profile.pk]),
        params={"agency": organisation.name, "licence": profile.licence_number},
        context={"agency": organisation, "profile": profile},
    )


@transaction.atomic
def approve_agency(*, organisation: Organisation, actor: Actor) -> bool:
    """Approve a pending or suspended agency. False when it was approved already."""
    now = timezone.now()
    changed = (
        AgencyProfile.objects.filter(organisation=organisation)
        .exclude(state=AgencyProfile.State.APPROVED)
        .update(state=AgencyProfile.State.APPROVED, approved_at=now, approved_by=actor.user)
    )
    if changed:
        record_event(
            actor=actor,
            action=Action.STAFF_ACTION,
            organisation=organisation,
            object_type="agency",
            object_id=organisation.pk,
            operation="approve_agency",
        )
        _notify_agency_of_approval(organisation)
    return bool(changed)


def _notify_agency_of_approval(organisation: Organisation) -> None:
    notify(
        kind=NotificationKind.AGENCY_APPROVED,
        users=members(organisation),
        organisation=organisation,
        url=reverse("agency:home"),
        context={"agency": organisation},
    )


@transaction.atomic
def suspend_agency(*, organisation: Organisation, actor: Actor) -> bool:
    changed = (
        AgencyProfile.objects.filter(organisation=organisation)
        .exclude(state=AgencyProfile.State.SUSPENDED)
        .update(state=AgencyProfile.State.SUSPENDED)
    )
    if changed:
        record_event(
            actor=actor,
            action=Action.STAFF_ACTION,
            organisation=organisation,
            object_type="agency",
            object_id=organisation.pk,
            operation="suspend_agency",
        )
    return bool(changed)


def is_approved(organisation: Organisation) -> bool:
    return AgencyProfile.objects.filter(organisation=organisation, state=AgencyProfile.State.APPROVED).exists()


def require_approved(organisation: Organisation) -> None:
    if organisation.kind != Organisation.Kind.AGENCY or not organisation.is_active or not is_approved(organisation):
        raise AgencyNotApproved


# --- Tenant scope ------------------------------------------------------------------------------


def agency_job_orders(organisation: Organisation):
    return JobOrder.objects.filter(agency=organisation)


# --- Candidates --------------------------------------------------------------------------------


def search_for_agency(*, organisation: Organisation, actor: Actor, channel: str = Channel.PAGE, **params):
    """search_candidates() for an approved agency, audited (action search, with the query and the
    filters). The result list names nobody: public ids, no contact data."""
    require_approved(organisation)
    page = search_candidates(**params)
    detail = {k: _jsonable(v) for k, v in params.items() if v not in (None, "") and k not in ("page", "per_page")}
    record_event(
        actor=actor,
        action=Action.SEARCH,
        organisation=organisation,
        object_type="candidate_search",
        channel=str(channel),
        page=page.page,
        total=page.total,
        **detail,
    )
    return page


def _jsonable(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def find_visible_candidate(public_id) -> Candidate | None:
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return agency_visible_candidates().filter(public_id=public_id).first()


def summaries_for(hits) -> dict:
    """What the result list may show about each hit: nothing that identifies the person."""
    ids = [hit.candidate_id for hit in hits]
    candidates = agency_visible_candidates().filter(pk__in=ids).prefetch_related("skill_set")
    return {c.pk: CandidateSummary.of(c) for c in candidates}


@dataclass(frozen=True)
class CandidateSummary:
    """A search result: a reference, where, how long, which skills and the start of the summary.

    No name, initials, email, phone, employer names or dates of birth: the list is not a
    provision of personal data (it cannot single anyone out), so only opening a profile is."""

    reference: str
    prefecture: str
    job_categories: list[str]
    years_experience: int
    skills: list[str]
    summary_excerpt: str
    profile_updated_at: object

    @classmethod
    def of(cls, candidate: Candidate):
        labels = dict(JobCategory.choices)
        categories = candidate.desired_job_categories or [candidate.job_category]
        summary = normalize_text(candidate.summary)
        return cls(
            reference=reference_for(candidate.public_id),
            prefecture=candidate.get_prefecture_display(),
            job_categories=[str(labels.get(c, c)) for c in categories],
            years_experience=candidate.years_experience,
            skills=[s.name for s in candidate.skill_set.all()] or parse_skills(candidate.skills),
            summary_excerpt=summary[:80] + ("…" if len(summary) > 80 else ""),
            profile_updated_at=candidate.profile_updated_at,
        )


def reference_for(public_id) -> str:
    """A short reference an agency can say on the phone: CR-1A2B3C4D."""
    return "CR-" + str(public_id).replace("-", "")[:8].upper()


@transaction.atomic
def open_candidate_profile(
    *, organisation: Organisation, actor: Actor, public_id, channel: str
) -> tuple[Candidate, ProvisionRecord]:
    """The full profile with contact data: the provision record and the audit entry are written
    first, in one transaction; nothing is returned when the candidate may not be provided."""
    require_approved(organisation)
    candidate = find_visible_candidate(public_id)
    if candidate is None:
        raise CandidateNotVisible
    try:
        record = record_provision(
            candidate=candidate,
            recipient_organisation=organisation,
            items=list(PROFILE_ITEMS),
            channel=channel,
            actor=actor,
        )
    except ProvisionRefused:
        raise CandidateNotVisible from None
    return candidate, record


def open_candidate_resume(*, organisation: Organisation, actor: Actor, public_id):
    """The résumé file (an OpenedResume), after its provision record and audit entry."""
    require_approved(organisation)
    candidate = find_visible_candidate(public_id)
    if candidate is None or not Resume.objects.filter(candidate=candidate).exists():
        raise CandidateNotVisible
    with transaction.atomic():
        try:
            record = record_provision(
                candidate=candidate,
                recipient_organisation=organisation,
                items=list(RESUME_ITEMS),
                channel=Channel.PAGE,
                actor=actor,
            )
        except ProvisionRefused:
            raise CandidateNotVisible from None
        record_event(
            actor=actor,
            action=Action.DOWNLOAD,
            subject_key=candidate.public_id,
            organisation=organisation,
            object_type="resume",
            object_id=candidate.resume.pk,
            provision_record=record.pk,
        )
        # If the file cannot be opened, the record goes too: nothing was provided.
        return open_resume_for(candidate, actor.user)


def source_note(record: ProvisionRecord) -> dict:
    """What the agency must record on its side (職業安定法・個人情報保護法 確認記録): from whom, how the
    data was obtained, when, which items."""
    from django.utils.translation import gettext as _

    return {
        "provider": _("キャリアリレー(運営)"),
        "how_obtained": _("本人登録・同意"),
        "date": record.created_at,
        "items": record.item_labels,
        "consent_given_at": record.consent_given_at,
        "record_id": record.pk,
    }


# --- Job orders --------------------------------------------------------------------------------

JOB_ORDER_FIELDS = [
    "client_company",
    "title",
    "job_category",
    "requirements",
    "prefecture",
    "salary_min",
    "salary_max",
    "required_skills",
    "preferred_skills",
    "employment_type",
]


@transaction.atomic
def create_job_order(*, organisation: Organisation, created_by=None, data: dict) -> JobOrder:
    return JobOrder.objects.create(
        agency=organisation, created_by=created_by, **{f: data[f] for f in JOB_ORDER_FIELDS if f in data}
    )


@transaction.atomic
def update_job_order(*, job_order: JobOrder, data: dict) -> JobOrder:
    for name in JOB_ORDER_FIELDS:
        if name in data:
            setattr(job_order, name, data[name])
    job_order.save()
    return job_order


def set_job_order_status(*, job_order: JobOrder, status: str) -> None:
    job_order.status = status
    job_order.closed_at = timezone.now() if status == JobOrder.Status.CLOSED else None
    job_order.save(update_fields=["status", "closed_at", "updated_at"])


def _words(*texts) -> list[str]:
    """The comma- or 読点-separated parts of the texts, each once (however it is cased)."""
    words, seen = [], set()
    for text in texts:
        for part in parse_skills(text or ""):
            if part.casefold() not in seen:
                seen.add(part.casefold())
                words.append(part)
    return words


def job_order_search_params(job_order: JobOrder) -> dict:
    """The search a job order asks for: its required skills must all match; its title and preferred
    skills, and its job category, rank a profile higher without leaving anyone out; its location
    and salary range filter (the salary only profiles that state one)."""
    required = _words(job_order.required_skills)
    params: dict[str, str | int] = {"q": " ".join(required)}
    taken = {w.casefold() for w in required}
    preferred = [w for w in _words(job_order.title, job_order.preferred_skills) if w.casefold() not in taken]
    if preferred:
        params["preferred"] = " ".join(preferred)
    if job_order.job_category:
        params["rank_job_category"] = job_order.job_category
    if job_order.prefecture:
        params["prefecture"] = job_order.prefecture
    if job_order.salary_min is not None:
        params["salary_min"] = job_order.salary_min
    if job_order.salary_max is not None:
        params["salary_max"] = job_order.salary_max
    return params


# What the search form takes as preferred words (a request's requirements are free text).
MAX_PREFERRED_LENGTH = 500


def free_referral_search_params(free_referral) -> dict:
    """The search an employer's free-referral request asks for: its role and requirements rank
    (they are prose, so no word of them is required), its prefecture and salary range filter."""
    words, length = [], 0
    for word in _words(free_referral.role, free_referral.requirements):
        if length + len(word) + 1 > MAX_PREFERRED_LENGTH:
            break
        words.append(word)
        length += len(word) + 1
    params = {"preferred": " ".join(words), "prefecture": free_referral.prefecture}
    if free_referral.salary_min is not None:
        params["salary_min"] = free_referral.salary_min
    if free_referral.salary_max is not None:
        params["salary_max"] = free_referral.salary_max
    return params
