from django import forms
from django.utils.translation import gettext_lazy as _

from careerrelay.common.japanese import normalize_text
from careerrelay.rejections.models import RejectionTemplate
from careerrelay.rejections.services import validate_template


class RejectionTemplateForm(forms.ModelForm):
    """One body for both parts of the email. Unknown variables are errors on their field; a
    missing relay link is a warning only."""

    class Meta:
        model = RejectionTemplate
        fields = ["name", "language", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 18})}
        help_texts = {
            "body": _(
                "テキストメールと HTML メールの両方をこの本文から作ります。"
                "空行で段落を分け、「・」で始まる行は箇条書きに、1行だけの {{relay_link}} はボタンになります。"
            ),
        }
        error_messages = {
            "name": {"required": _("テンプレート名を入力してください。")},
            "subject": {"required": _("件名を入力してください。")},
            "body": {"required": _("本文を入力してください。")},
        }

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.warnings = []

    def clean_name(self):
        return normalize_text(self.cleaned_data["name"])

    def clean(self):
        cleaned = super().clean()
        problems = validate_template(
            cleaned.get("subject", ""), cleaned.get("body", ""), organisation=self.organisation
        )
        for problem in problems:
            if problem.is_error:
                if problem.field in self.fields:
                    self.add_error(problem.field, problem.message)
            else:
                self.warnings.append(problem)
        return cleaned
