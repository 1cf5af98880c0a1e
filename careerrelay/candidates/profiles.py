"""The candidate's own profile on the my page: skills and saving an edit."""

from django.db import transaction
from django.utils import timezone

from careerrelay.candidates.models import Candidate, CandidateSkill, WorkHistory
from careerrelay.common.japanese import normalize_phone, parse_skills, skill_key
from careerrelay.search.tasks import index_after_commit


def set_skills(candidate: Candidate, names: list[str]) -> bool:
    """Replace the skills; an existing skill keeps its first display form. True when anything changed."""
    existing = {s.key: s for s in candidate.skill_set.all()}
    wanted = []
    for name in names:
        key = skill_key(name)
        wanted.append((key, existing[key].name if key in existing else name))
    before = [(s.key, s.name) for s in sorted(existing.values(), key=lambda s: (s.position, s.id))]
    if before == wanted:
        return False
    candidate.skill_set.exclude(key__in=[k for k, _ in wanted]).delete()
    for position, (key, name) in enumerate(wanted):
        CandidateSkill.objects.update_or_create(
            candidate=candidate, key=key, defaults={"name": name, "position": position}
        )
    candidate.skills = ", ".join(name for _, name in wanted)
    Candidate.objects.filter(pk=candidate.pk).update(skills=candidate.skills)
    return True


def skill_names(candidate: Candidate) -> list[str]:
    names = [s.name for s in candidate.skill_set.all()]
    return names or parse_skills(candidate.skills)


PROFILE_FIELDS = [
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "phone",
    "prefecture",
    "desired_job_categories",
    "desired_prefectures",
    "remote_preference",
    "desired_salary_min",
    "desired_salary_max",
    "years_experience",
    "summary",
]
HISTORY_FIELDS = ["company", "role", "started_on", "ended_on", "description"]


def _history_rows(candidate):
    return [tuple(getattr(w, f) for f in HISTORY_FIELDS) for w in candidate.work_history.order_by("id")]


@transaction.atomic
def update_profile(*, candidate: Candidate, data: dict, skills: list[str], work_history: list[dict]) -> bool:
    """Save the my-page form in one transaction. "最終更新日" moves only when something changed."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    changed = [name for name in PROFILE_FIELDS if getattr(candidate, name) != data[name]]
    for name in changed:
        setattr(candidate, name, data[name])
    if "phone" in changed:
        candidate.phone_normalized = normalize_phone(candidate.phone)
    if data["desired_job_categories"]:
        candidate.job_category = data["desired_job_categories"][0]

    skills_changed = set_skills(candidate, skills)
    wanted_history = [tuple(row[f] for f in HISTORY_FIELDS) for row in work_history]
    history_changed = sorted(_history_rows(candidate), key=repr) != sorted(wanted_history, key=repr)
    if history_changed:
        candidate.work_history.all().delete()
        WorkHistory.objects.bulk_create(WorkHistory(candidate=candidate, **row) for row in work_history)

    if changed or skills_changed or history_changed:
        candidate.profile_updated_at = timezone.now()
    candidate.save()
    if changed or skills_changed or history_changed:
        index_after_commit(candidate.pk)
    return bool(changed or skills_changed or history_changed)
