# Send now belongs to the sends app (sends/0001 takes it over with the same table). Here the
# outbox lets go of it: its messages point to sends.Send, and the model leaves this app's state.
# The table, its rows and the foreign key constraint stay exactly as they are; the content type
# (and with it the model's permissions) moves along to the new app label.

import django.db.models.deletion
from django.db import migrations, models


def _move_content_type(apps, schema_editor, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    if not types.filter(app_label=new, model="send").exists():
        types.filter(app_label=old, model="send").update(app_label=new)


def content_type_to_sends(apps, schema_editor):
    _move_content_type(apps, schema_editor, "mailings", "sends")


def content_type_to_mailings(apps, schema_editor):
    _move_content_type(apps, schema_editor, "sends", "mailings")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("mailings", "0005_send_held_until"),
        ("sends", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="outboundemail",
                    name="send",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="sends.send",
                    ),
                ),
                migrations.DeleteModel(name="Send"),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to_sends, content_type_to_mailings, elidable=True),
    ]
