# The kept rows as zlib-compressed JSON instead of jsonb (0.2 s to write 10,000 rows). Removed and
# added rather than altered: there is no jsonb -> bytea cast, and kept rows are only a shortcut
# (an upload without them is cleaned again at the import).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("talent", "0012_pool_bigrams_column"),
    ]

    operations = [
        migrations.RemoveField(model_name="importupload", name="cleaned"),
        migrations.AddField(
            model_name="importupload",
            name="cleaned",
            field=models.BinaryField(blank=True, null=True),
        ),
    ]
