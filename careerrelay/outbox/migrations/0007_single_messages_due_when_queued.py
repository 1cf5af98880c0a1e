from django.db import migrations
from django.db.models import F


def single_messages_due_when_queued(apps, schema_editor):
    # Single messages queued before they carried a due date: the periodic safety net only finds
    # rows with one, and their task may have been queued under a path that no longer exists.
    OutboundEmail = apps.get_model("mailings", "OutboundEmail")
    OutboundEmail.objects.filter(send__isnull=True, state="queued", due_at__isnull=True).update(due_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [("mailings", "0006_send_moved_to_sends")]

    operations = [migrations.RunPython(single_messages_due_when_queued, migrations.RunPython.noop)]
