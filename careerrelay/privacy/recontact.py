"""The 「再応募歓迎」 list: people who registered through an employer's relay link and agreed that
this company — and only this company — may contact them again about new openings.

The pattern is the agencies' (agencies.services): the list shows nothing that identifies anyone
(a reference, where, what kind of work, since when); opening a person writes the provision record
(APPI Art. 29, purpose employer_recontact, the consent it rests on) and the audit entry first, in
one transaction, and shows nothing when the consent is gone. Putting the person into the
company's talent pool is a provision too (the name and contact are copied into the employer's own
records), recorded the same way. Withdrawal: privacy.services.withdraw_consent.
"""

import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet

from careerrelay.audit.services import Action, Actor, record_event
from careerrelay.candidates.choices import JobCategory
from careerrelay.candidates.models import Candidate
from careerrelay.common.japanese import parse_skills
from careerrelay.organisations.models import Organisation
from careerrelay.privacy.models import ProvisionRecord, StopUseNotice
from careerrelay.privacy.services import (
    EMPLOYER_RECONTACT,
    ProvisionRefused,
    recontact_visible_candidates,
    record_provision,
    reference_for,
)
from careerrelay.talent import services as talent
from careerrelay.talent.models import Applicant

Item = ProvisionRecord.Item
Channel = ProvisionRecord.Channel

# What opening a person hands over: the same as an agency's profile page, without the résumé.
PROFILE_ITEMS = [Item.PROFILE, Item.CONTACT, Item.WORK_HISTORY]
# What goes into the company's own pool row: name, contact and the profile's experience.
POOL_ITEMS = [Item.CONTACT, Item.PROFILE]


class NotOnTheList(Exception):
    """Unknown, another company's, unconfirmed, or without an active re-contact consent."""


@dataclass(frozen=True)
class ListEntry:
    """A row of the list: nothing that names the person or reaches them."""

    public_id: uuid.UUID
    reference: str
    prefecture: str
    job_categories: list[str]
    years_experience: int
    registered_on: object

    @classmethod
    def of(cls, candidate: Candidate) -> "ListEntry":
        labels = dict(JobCategory.choices)
        categories = candidate.desired_job_categories or [candidate.job_category]
        return cls(
            public_id=candidate.public_id,
            reference=reference_for(candidate.public_id),
            prefecture=candidate.get_prefecture_display(),
            job_categories=[str(labels.get(c, c)) for c in categories],
            years_experience=candidate.years_experience,
            registered_on=candidate.verified_at,
        )


def recontact_list(*, organisation: Organisation, actor: Actor) -> list[ListEntry]:
    """The company's list, newest confirmation first, audited as a list view (no subject)."""
    people = recontact_visible_candidates(organisation).order_by("-verified_at", "-id")
    entries = [ListEntry.of(c) for c in people]
    record_event(
        actor=actor,
        action=Action.LIST,
        organisation=organisation,
        object_type="recontact_list",
        total=len(entries),
    )
    return entries


def _find(organisation: Organisation, public_id) -> Candidate:
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        raise NotOnTheList from None
    candidate = recontact_visible_candidates(organisation).filter(public_id=public_id).first()
    if candidate is None:
        raise NotOnTheList
    return candidate


@transaction.atomic
def open_recontact_profile(
    *, organisation: Organisation, actor: Actor, public_id, channel: str = Channel.PAGE
) -> tuple[Candidate, ProvisionRecord]:
    """Name, contact, profile and work history, after the provision record and the audit entry."""
    candidate = _find(organisation, public_id)
    try:
        record = record_provision(
            candidate=candidate,
            recipient_organisation=organisation,
            items=list(PROFILE_ITEMS),
            channel=channel,
            actor=actor,
            purpose=EMPLOYER_RECONTACT,
        )
    except ProvisionRefused:
        raise NotOnTheList from None
    record_event(
        actor=actor,
        action=Action.VIEW,
        subject_key=candidate.public_id,
        organisation=organisation,
        object_type="recontact_candidate",
        object_id=candidate.public_id,
        provision_record=record.pk,
    )
    return candidate, record


def skill_list(candidate: Candidate) -> list[str]:
    return [s.name for s in candidate.skill_set.all()] or parse_skills(candidate.skills)


@dataclass(frozen=True)
class PoolResult:
    applicant: Applicant
    created: bool
    record: ProvisionRecord


@transaction.atomic
def add_to_talent_pool(*, organisation: Organisation, actor: Actor, public_id) -> PoolResult:
    """The person becomes (or updates) the company's own applicant, found by email: name, kana,
    contact, recontact_ok and the link to the candidate (candidate_public_id, not a foreign key),
    after the provision record. Fields the company keeps about its applicant (stage, notes, tags,
    reasons) are left as they are."""
    candidate = _find(organisation, public_id)
    try:
        record = record_provision(
            candidate=candidate,
            recipient_organisation=organisation,
            items=list(POOL_ITEMS),
            channel=Channel.PAGE,
            actor=actor,
            purpose=EMPLOYER_RECONTACT,
        )
    except ProvisionRefused:
        raise NotOnTheList from None
    data = {
        "family_name": candidate.family_name,
        "given_name": candidate.given_name,
        "family_name_kana": candidate.family_name_kana,
        "given_name_kana": candidate.given_name_kana,
        "email": candidate.email,
        "phone": candidate.phone,
        "years_experience": candidate.years_experience,
        "recontact_ok": True,
    }
    existing = talent.applicants_for(organisation).filter(email_normalized=candidate.email_normalized).first()
    if existing is None:
        data["source"] = "キャリアリレー(再応募歓迎)"
        applicant = talent.create_applicant(organisation=organisation, data=data, actor=actor)
        created = True
    else:
        applicant = talent.update_applicant(applicant=existing, data=data, actor=actor)
        created = False
    # The link is not a field a form or an import may set: written here, on its own.
    # So is recontact_ok for a linked person (talent.services locks it against other writers).
    Applicant.objects.filter(pk=applicant.pk).update(candidate_public_id=candidate.public_id, recontact_ok=True)
    applicant.candidate_public_id, applicant.recontact_ok = candidate.public_id, True
    record_event(
        actor=actor,
        action=Action.CHANGE,
        subject_key=candidate.public_id,
        organisation=organisation,
        object_type="applicant",
        object_id=applicant.pk,
        operation="recontact_added_to_pool",
        created=created,
        provision_record=record.pk,
    )
    return PoolResult(applicant=applicant, created=created, record=record)


def pool_applicant_for(*, organisation: Organisation, candidate: Candidate) -> Applicant | None:
    return talent.applicants_for(organisation).filter(candidate_public_id=candidate.public_id).first()


def open_stop_use_notices(organisation: Organisation) -> QuerySet[StopUseNotice]:
    return StopUseNotice.objects.filter(
        agency=organisation, purpose=EMPLOYER_RECONTACT, acknowledged_at__isnull=True
    ).order_by("-created_at", "-id")


@dataclass(frozen=True)
class StopUseEntry:
    notice: StopUseNotice
    reference: str
    # The company's own pool row linked to the person, so it knows what to stop using.
    applicant: Applicant | None


def stop_use_entries(organisation: Organisation) -> list[StopUseEntry]:
    notices = list(open_stop_use_notices(organisation))
    keys = [n.subject_key for n in notices]
    linked = {
        a.candidate_public_id: a for a in talent.applicants_for(organisation).filter(candidate_public_id__in=keys)
    }
    return [StopUseEntry(n, reference_for(n.subject_key), linked.get(n.subject_key)) for n in notices]


def get_stop_use_notice(*, organisation: Organisation, pk) -> StopUseNotice | None:
    return open_stop_use_notices(organisation).filter(pk=pk).first()
