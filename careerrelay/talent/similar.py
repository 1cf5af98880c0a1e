"""「似ている応募者」: pool members ranked by how much they resemble one applicant.

Score: 3 per shared skill key, 2 for the same job title applied for, 1 for years of experience
within YEARS_CLOSE of the applicant's. Only people sharing a skill or the job title are listed,
so an applicant with nothing in common with anyone gets an empty list rather than noise.
"""

from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce

from careerrelay.talent.models import Applicant, ApplicantSkill

SIMILAR_LIMIT = 20
YEARS_CLOSE = 2


@dataclass
class Similar:
    applicant: Applicant
    score: int
    shared_skills: list[str]
    same_job: bool
    close_years: bool


def shared_skill_count(keys: list[str]) -> Coalesce:
    """How many of `keys` the outer applicant has (a correlated count, 0 when none)."""
    counted = (
        ApplicantSkill.objects.filter(applicant=OuterRef("pk"), key__in=keys)
        .order_by()
        .values("applicant")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def similar_applicants(applicant: Applicant, *, limit: int = SIMILAR_LIMIT) -> list[Similar]:
    keys = list(applicant.skill_set.values_list("key", flat=True))
    same_job = (
        Case(When(job_title=applicant.job_title, then=Value(1)), default=Value(0)) if applicant.job_title else Value(0)
    )
    close_years = (
        Case(
            When(
                years_experience__gte=applicant.years_experience - YEARS_CLOSE,
                years_experience__lte=applicant.years_experience + YEARS_CLOSE,
                then=Value(1),
            ),
            default=Value(0),
        )
        if applicant.years_experience is not None
        else Value(0)
    )
    rows = list(
        Applicant.objects.filter(organisation_id=applicant.organisation_id)
        .exclude(pk=applicant.pk)
        .annotate(
            shared=shared_skill_count(keys),
            same_job=Cast(same_job, IntegerField()),
            close_years=Cast(close_years, IntegerField()),
        )
        .filter(Q(shared__gt=0) | Q(same_job=1))
        .annotate(score=F("shared") * 3 + F("same_job") * 2 + F("close_years"))
        .order_by("-score", F("rejected_on").desc(nulls_last=True), "-id")
        .prefetch_related("skill_set")[:limit]
    )
    own = set(keys)
    return [
        Similar(
            applicant=row,
            score=row.score,
            shared_skills=[skill.name for skill in row.skill_set.all() if skill.key in own],
            same_job=bool(row.same_job),
            close_years=bool(row.close_years),
        )
        for row in rows
    ]
