"""Every applicant made before applications existed gets one, copied from its own fields."""

from django.db import migrations

BATCH = 1000


def forwards(apps, schema_editor):
    Applicant = apps.get_model("talent", "Applicant")
    Application = apps.get_model("talent", "Application")
    pending = []
    for applicant in Applicant.objects.filter(applications__isnull=True).iterator(chunk_size=BATCH):
        pending.append(
            Application(
                applicant_id=applicant.pk,
                job_title=applicant.job_title,
                stage=applicant.stage,
                outcome="rejected",
                rejected_on=applicant.rejected_on,
                rejection_reason=applicant.rejection_reason,
                created_at=applicant.created_at,
            )
        )
        if len(pending) >= BATCH:
            Application.objects.bulk_create(pending)
            pending = []
    Application.objects.bulk_create(pending)


class Migration(migrations.Migration):
    dependencies = [("talent", "0003_pool_reasons_jobs_applications")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
