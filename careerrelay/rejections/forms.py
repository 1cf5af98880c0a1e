from django import forms
from django.utils.translation import gettext_lazy as _

from careerrelay.common.japanese import normalize_text
from careerrelay.rejections.models import RejectionTemplate
from careerrelay.rejections.services import validate_template


class RejectionTemplateForm(forms.ModelForm):
    """Unknown variables are errors on their field; a missing relay link is a warning only."""

    class Meta:
        model = RejectionTemplate
        fields = ["name", "language", "subject", "body_text", "body_html"]
        widgets = {
            "body_text": forms.Textarea(attrs={"rows": 18}),
            "body_html": forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        }
        help_texts = {
            "body_html": _("空欄のときは、テキスト本文から HTML を自動で作ります。"),
        }
        error_messages = {
            "name": {"required": _("テンプレート名を入力してください。")},
            "subject": {"required": _("件名を入力してください。")},
            "body_text": {"required": _("本文を入力してください。")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.warnings = []

    def clean_name(self):
        return normalize_text(self.cleaned_data["name"])

    def clean(self):
        cleaned = super().clean()
        problems = validate_template(
            cleaned.get("subject", ""), cleaned.get("body_text", ""), cleaned.get("body_html", "")
        )
        for problem in problems:
            if problem.is_error:
                if problem.field in self.fields:
                    self.add_error(problem.field, problem.message)
            else:
                self.warnings.append(problem)
        return cleaned
