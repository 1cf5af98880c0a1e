"""A template had a text body and an HTML body that could drift apart (most recipients read the
HTML one, so edits to the text went unseen). Now there is one body and both parts are made from
it. The body that the employer edited is the one kept: when only the HTML differs from the
preset it was copied from, that HTML, turned into plain text, becomes the body."""

import html
import re

from django.db import migrations, models

BLOCK_END = re.compile(r"</(p|div|ul|ol|h[1-6]|table|tr)\s*>", re.I)


def html_to_text(source: str) -> str:
    # A link keeps its address, on a line of its own (where {{relay_link}} becomes a button).
    text = re.sub(
        r"<a\s[^>]*href=\"([^\"]*)\"[^>]*>(.*?)</a>",
        lambda m: m.group(2) if m.group(1) in ("", m.group(2)) else f"{m.group(2)}\n{m.group(1)}",
        source,
        flags=re.I | re.S,
    )
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.I)
    text = re.sub(r"<li[^>]*>", "・", text, flags=re.I)
    text = re.sub(r"</li\s*>", "\n", text, flags=re.I)
    text = BLOCK_END.sub("\n\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = html.unescape(text)
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def keep_the_edited_body(apps, schema_editor):
    RejectionTemplate = apps.get_model("rejections", "RejectionTemplate")
    presets = RejectionTemplate.objects.filter(organisation__isnull=True)
    preset_texts = set(presets.values_list("body_text", flat=True))
    preset_htmls = set(presets.values_list("body_html", flat=True))
    for template in RejectionTemplate.objects.filter(organisation__isnull=False).exclude(body_html=""):
        html_edited = template.body_html not in preset_htmls
        text_edited = template.body_text not in preset_texts
        if html_edited and not text_edited:
            template.body_text = html_to_text(template.body_html)
            template.save(update_fields=["body_text"])


class Migration(migrations.Migration):
    dependencies = [("rejections", "0001_initial")]

    operations = [
        migrations.RunPython(keep_the_edited_body, migrations.RunPython.noop),
        migrations.RemoveField(model_name="rejectiontemplate", name="body_html"),
        migrations.RenameField(model_name="rejectiontemplate", old_name="body_text", new_name="body"),
        migrations.AlterField(
            model_name="rejectiontemplate",
            name="body",
            field=models.TextField(verbose_name="本文"),
        ),
    ]
