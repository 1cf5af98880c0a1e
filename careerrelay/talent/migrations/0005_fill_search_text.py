"""Every applicant made before the pool's search document existed gets one.

A copy of talent.pool_search.document_for as it was when this migration was written, on the
historical models: a migration must not change meaning when that module changes later.
"""

import unicodedata

import jaconv
from django.db import migrations

BATCH = 500


def _search_form(text):
    # NFKC, white space collapsed, case folded, katakana as hiragana (pool_search.search_form).
    normalised = " ".join(unicodedata.normalize("NFKC", text or "").strip().split())
    return jaconv.kata2hira(normalised.casefold())


def _document(applicant):
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
    return "\n".join(_search_form(part) for part in parts if part)


def forwards(apps, schema_editor):
    Applicant = apps.get_model("talent", "Applicant")
    ids = list(Applicant.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        applicants = list(
            Applicant.objects.filter(pk__in=ids[start : start + BATCH]).prefetch_related(
                "skill_set", "tags", "evaluation_notes", "applications__reason"
            )
        )
        for applicant in applicants:
            applicant.search_text = _document(applicant)
        Applicant.objects.bulk_update(applicants, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [("talent", "0004_one_application_per_existing_applicant")]

    # Backwards there is nothing to undo: the column keeps its text, the code before this
    # migration never read it.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
