"""The pool's search documents move from Applicant.search_text to a narrow table of their own,
so list filters scanning applicants do not read every document; existing documents are copied."""

import django.db.models.deletion
from django.db import migrations, models


BATCH = 1000


def copy_documents(apps, schema_editor):
    Applicant = apps.get_model("talent", "Applicant")
    PoolDocument = apps.get_model("talent", "PoolDocument")
    pending = []
    for pk, organisation_id, text in Applicant.objects.values_list("pk", "organisation_id", "search_text").iterator(
        chunk_size=BATCH
    ):
        pending.append(PoolDocument(applicant_id=pk, organisation_id=organisation_id, text=text))
        if len(pending) >= BATCH:
            PoolDocument.objects.bulk_create(pending)
            pending = []
    PoolDocument.objects.bulk_create(pending)


class Migration(migrations.Migration):

    dependencies = [
        ('organisations', '0004_invitation_accepted_at_is_used_at'),
        ('talent', '0005_fill_search_text'),
    ]

    operations = [
        migrations.CreateModel(
            name='PoolDocument',
            fields=[
                ('applicant', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='pool_document', serialize=False, to='talent.applicant')),
                ('text', models.TextField(blank=True)),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organisations.organisation')),
            ],
        ),
        migrations.RunPython(copy_documents, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='applicant',
            name='search_text',
        ),
    ]
