"""The text the talent pool's search reads, one document per applicant.

Every write that changes what a pool search can match (the applicant's fields, its skills,
tags, evaluation notes or applications) calls `reindex_applicants` in the same transaction.
"""

from collections.abc import Iterable

import jaconv

from careerrelay.common.japanese import normalize_text
from careerrelay.talent.models import Applicant


def search_form(text: str) -> str:
    """NFKC, case folded, katakana as hiragana: how both documents and queries are compared."""
    return jaconv.kata2hira(normalize_text(text).casefold())


def document_for(applicant: Applicant) -> str:
    parts = [
        applicant.family_name,
        applicant.given_name,
        applicant.family_name_kana,
        applicant.given_name_kana,
        applicant.email_normalized,
        applicant.source,
        applicant.notes,
        *(skill.name for skill in applicant.skill_set.all()),
        *(tag.name for tag in applicant.tags.all()),
        *(note.body for note in applicant.evaluation_notes.all()),
    ]
    for application in applicant.applications.all():
        parts += [application.job_title, application.rejection_reason]
        if application.reason is not None:
            parts.append(application.reason.label)
    return "\n".join(search_form(part) for part in parts if part)


def reindex_applicants(applicant_ids: Iterable[int]) -> None:
    applicants = Applicant.objects.filter(pk__in=list(applicant_ids)).prefetch_related(
        "skill_set", "tags", "evaluation_notes", "applications__reason"
    )
    for applicant in applicants:
        Applicant.objects.filter(pk=applicant.pk).update(search_text=document_for(applicant))
