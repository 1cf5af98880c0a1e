import re

from django import forms
from django.utils.translation import gettext_lazy as _

from careerrelay.candidates.models import Candidate
from careerrelay.candidates.notices import AGENCY_SHARING, EMPLOYER_RECONTACT
from careerrelay.common.forms import NormalizedEmailField
from careerrelay.common.japanese import normalize_kana, normalize_phone, normalize_text

KATAKANA = re.compile(r"^[\u30a0-\u30ff\u3000 ]*$")


class RegistrationForm(forms.ModelForm):
    consent_agency_sharing = forms.BooleanField(
        label=AGENCY_SHARING.label,
        required=True,
        error_messages={"required": _("登録には、提携人材紹介会社への提供への同意が必要です。")},
    )
    consent_employer_recontact = forms.BooleanField(label=EMPLOYER_RECONTACT.label, required=False)

    class Meta:
        model = Candidate
        fields = [
            "family_name",
            "given_name",
            "family_name_kana",
            "given_name_kana",
            "email",
            "phone",
            "prefecture",
            "job_category",
            "years_experience",
            "skills",
            "summary",
        ]
        field_classes = {"email": NormalizedEmailField}
        widgets = {
            "family_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "given_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "family_name_kana": forms.TextInput(attrs={"autocomplete": "off", "placeholder": "ヤマダ"}),
            "given_name_kana": forms.TextInput(attrs={"autocomplete": "off", "placeholder": "タロウ"}),
            "email": forms.TextInput(attrs={"autocomplete": "email", "inputmode": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel", "inputmode": "tel"}),
            "prefecture": forms.Select(attrs={"autocomplete": "address-level1"}),
            "years_experience": forms.NumberInput(attrs={"min": 0, "max": 60, "inputmode": "numeric"}),
            "skills": forms.TextInput(attrs={"placeholder": _("例:Python, 法人営業, 簿記2級")}),
            "summary": forms.Textarea(attrs={"rows": 4, "maxlength": 1000}),
        }
        help_texts = {
            "skills": _("カンマ(、)区切りで入力してください。"),
            "summary": _("1000文字以内。これまでの経験や、次に挑戦したいことを書いてください。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("prefecture", "job_category"):
            self.fields[name].choices = [("", _("選択してください")), *list(self.fields[name].choices)[1:]]
        self.fields["family_name_kana"].label = _("セイ(フリガナ・任意)")
        self.fields["given_name_kana"].label = _("メイ(フリガナ・任意)")
        self.fields["phone"].label = _("電話番号(任意)")

    def _clean_name(self, name):
        value = normalize_text(self.cleaned_data.get(name, ""))
        if not value:
            raise forms.ValidationError(_("入力してください。"))
        return value

    def clean_family_name(self):
        return self._clean_name("family_name")

    def clean_given_name(self):
        return self._clean_name("given_name")

    def _clean_kana(self, name):
        value = normalize_kana(self.cleaned_data.get(name, ""))
        if value and not KATAKANA.match(value):
            raise forms.ValidationError(_("フリガナはひらがなかカタカナで入力してください。"))
        return value

    def clean_family_name_kana(self):
        return self._clean_kana("family_name_kana")

    def clean_given_name_kana(self):
        return self._clean_kana("given_name_kana")

    def clean_phone(self):
        raw = normalize_text(self.cleaned_data.get("phone", ""))
        if raw and not normalize_phone(raw):
            raise forms.ValidationError(_("電話番号の形式が正しくありません(例:090-1234-5678)。"))
        return raw

    def clean_skills(self):
        parts = re.split(r"[,、,]", normalize_text(self.cleaned_data.get("skills", "")))
        return ", ".join(dict.fromkeys(p.strip() for p in parts if p.strip()))

    def clean_summary(self):
        return self.cleaned_data.get("summary", "").strip()


class ResendVerificationForm(forms.Form):
    email = NormalizedEmailField(
        label=_("登録したメールアドレス"), widget=forms.TextInput(attrs={"autocomplete": "email", "inputmode": "email"})
    )
