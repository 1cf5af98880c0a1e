"""「再アプローチ候補」: pool members worth contacting again for a job the company opens.

Who is suggested (the kind of the structured reason on the person's latest application):
- 条件不一致 (conditions), 他の候補者を採用 (other_candidate), 募集終了 (position_closed): yes —
  nothing about the person stood in the way.
- 経験・スキル不足 (skills_gap): only once settings.TALENT_REAPPROACH_SKILLS_GAP_DAYS have passed
  since the rejection (people grow; a few months rarely close the gap).
- 辞退 (declined) and その他 / no structured reason: only when the person agreed to be contacted
  again (recontact_ok) — they turned us down, or we do not know why, so only their own consent
  says a new approach is welcome.
- 社風・価値観の不一致 (culture): never; a new job does not change the company's culture.
Never suggested: anyone hired by the company in any application, anyone whose selection is still
in progress, and anyone who applied for this job since it opened (they are already in it).

A person must share at least one skill key with the job (or, for a job without skills, have
applied for the same job title). The list is ranked: those who may be contacted (recontact_ok)
first, then by shared skills, then the most recent rejection; each entry says why.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from careerrelay.common.japanese import parse_skills, skill_key
from careerrelay.talent.models import Applicant, Application, Job, RejectionReason
from careerrelay.talent.similar import shared_skill_count

Kind = RejectionReason.Kind
SUGGESTION_LIMIT = 50
ALWAYS = (Kind.CONDITIONS, Kind.OTHER_CANDIDATE, Kind.POSITION_CLOSED)
WITH_CONSENT_ONLY = (Kind.DECLINED, Kind.OTHER)


@dataclass
class Suggestion:
    applicant: Applicant
    shared_skills: list[str]
    reason_label: str
    reason_kind: str
    months_since_rejection: int | None
    may_contact: bool


def skills_gap_cutoff(today: date) -> date:
    return today - timedelta(days=settings.TALENT_REAPPROACH_SKILLS_GAP_DAYS)


def months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day)


def eligible_reasons(today: date) -> Q:
    return (
        Q(reason__kind__in=ALWAYS)
        | Q(reason__kind=Kind.SKILLS_GAP, rejected_on__lte=skills_gap_cutoff(today))
        | (Q(recontact_ok=True) & (Q(reason__kind__in=WITH_CONSENT_ONLY) | Q(reason__isnull=True)))
    )


def suggestions_for(job: Job, *, today: date | None = None, limit: int = SUGGESTION_LIMIT) -> list[Suggestion]:
    today = today or timezone.localdate()
    names = parse_skills(job.skills)
    keys = sorted({skill_key(name) for name in names})
    pool = Applicant.objects.filter(organisation_id=job.organisation_id).annotate(shared=shared_skill_count(keys))
    fits = Q(shared__gt=0) if keys else Q(job_title=job.title)
    hired_or_in_progress = Application.objects.filter(
        applicant=OuterRef("pk"), outcome__in=[Application.Outcome.HIRED, Application.Outcome.IN_PROGRESS]
    )
    applied_since_opening = Application.objects.filter(applicant=OuterRef("pk"), job=job).filter(
        Q(created_at__gte=job.opened_at) | Q(applied_on__gte=timezone.localdate(job.opened_at))
    )
    rows = list(
        pool.filter(fits)
        .filter(eligible_reasons(today))
        .exclude(Exists(hired_or_in_progress))
        .exclude(Exists(applied_since_opening))
        .select_related("reason")
        .prefetch_related("skill_set")
        .order_by("-recontact_ok", "-shared", F("rejected_on").desc(nulls_last=True), "-id")[:limit]
    )
    wanted = set(keys)
    return [
        Suggestion(
            applicant=row,
            shared_skills=[skill.name for skill in row.skill_set.all() if skill.key in wanted],
            reason_label=row.reason.label if row.reason else "",
            reason_kind=row.reason.kind if row.reason else "",
            months_since_rejection=months_between(row.rejected_on, today) if row.rejected_on else None,
            may_contact=row.recontact_ok,
        )
        for row in rows
    ]
