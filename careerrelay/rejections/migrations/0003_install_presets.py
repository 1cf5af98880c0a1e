"""Install the built-in rejection templates (presets.py). Until now the first page that listed
templates wrote them; apps.RejectionsConfig keeps them in step after every later `migrate`."""

from django.db import migrations


def install_presets(apps, schema_editor):
    from careerrelay.rejections.services import sync_presets

    sync_presets(apps.get_model("rejections", "RejectionTemplate"))


class Migration(migrations.Migration):
    dependencies = [
        ("rejections", "0002_one_body_for_text_and_html"),
    ]

    operations = [
        migrations.RunPython(install_presets, migrations.RunPython.noop),
    ]
