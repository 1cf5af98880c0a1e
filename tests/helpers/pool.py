"""Pool members with skills, tags, notes and applications, built as the write side leaves them:
the applicant through talent.services, the rest as rows, then the search document rebuilt."""

from datetime import date
from itertools import count

from careerrelay.common.japanese import parse_skills, skill_key
from careerrelay.talent import services
from careerrelay.talent.models import ApplicantNote, ApplicantSkill, Application, PoolDocument, Tag
from careerrelay.talent.pool_search import reindex_applicants
from tests.helpers.talent import SYSTEM

serial = count(1)


def reason_of(organisation, kind):
    return services.rejection_reasons_for(organisation).get(kind=kind)


def tag_of(organisation, name):
    tag, _created = Tag.objects.get_or_create(organisation=organisation, key=name.casefold(), defaults={"name": name})
    return tag


def pool_member(
    organisation,
    family_name="佐藤",
    *,
    skills="",
    tags=(),
    notes=(),
    reason_kind=None,
    outcome=None,
    job=None,
    **fields,
):
    n = next(serial)
    fields.setdefault("email", f"member{n}@example.jp")
    fields.setdefault("rejected_on", date(2026, 6, 1))
    if reason_kind is not None:
        fields["reason"] = reason_of(organisation, reason_kind)
    applicant = services.create_applicant(
        organisation=organisation, data={"family_name": family_name, **fields}, actor=SYSTEM
    )
    for position, name in enumerate(parse_skills(skills)):
        ApplicantSkill.objects.create(applicant=applicant, name=name, key=skill_key(name), position=position)
    for name in tags:
        applicant.tags.add(tag_of(organisation, name))
    for body in notes:
        ApplicantNote.objects.create(applicant=applicant, author_name="面接官", body=body)
    if outcome is not None or job is not None:
        application = applicant.applications.get()
        if outcome is not None:
            application.outcome = outcome
        if job is not None:
            application.job = job
        application.save()
    reindex_applicants([applicant.pk])
    return applicant


def add_application(applicant, **fields):
    application = Application.objects.create(applicant=applicant, **fields)
    reindex_applicants([applicant.pk])
    return application


def document_of(applicant) -> str:
    """The applicant's search document as stored now."""
    return PoolDocument.objects.get(applicant=applicant).text
