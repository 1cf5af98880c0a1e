from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from careerrelay.accounts.models import User
from careerrelay.agencies.licence import normalize_licence_number, validate_licence_number
from careerrelay.agencies.models import AgencyProfile, JobOrder
from careerrelay.candidates.choices import JobCategory, Prefecture
from careerrelay.common.forms import NormalizedEmailField, OneLineField
from careerrelay.common.japanese import normalize_text
from careerrelay.portals.workspace.forms import NewPasswordForm


def _required(label):
    return {"required": _("%(label)sを入力してください。") % {"label": label}}


class AgencySignupForm(NewPasswordForm):
    company_name = OneLineField(
        label=_("会社名"),
        max_length=200,
        error_messages=_required(_("会社名")),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    licence_number = forms.CharField(
        label=_("有料職業紹介事業 許可番号"),
        max_length=40,
        help_text=_("例: 13-ユ-123456(全角でも入力できます)"),
        error_messages=_required(_("許可番号")),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    address = forms.CharField(
        label=_("所在地"),
        max_length=300,
        error_messages=_required(_("所在地")),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    representative = OneLineField(label=_("代表者氏名"), max_length=100, error_messages=_required(_("代表者氏名")))
    name = OneLineField(
        label=_("管理者の氏名"),
        max_length=100,
        error_messages=_required(_("管理者の氏名")),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = NormalizedEmailField(
        label=_("管理者のメールアドレス"),
        max_length=254,
        error_messages={
            "required": _("メールアドレスを入力してください。"),
            "invalid": _("メールアドレスの形式が正しくありません。"),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    # The password fields come last.
    field_order = ["company_name", "licence_number", "address", "representative", "name", "email"]

    def clean_company_name(self):
        return normalize_text(self.cleaned_data["company_name"])

    def clean_licence_number(self):
        value = normalize_licence_number(self.cleaned_data["licence_number"])
        validate_licence_number(value)
        if AgencyProfile.objects.filter(licence_number=value).exists():
            raise forms.ValidationError(
                _("この許可番号の会社はすでに登録されています。社内の管理者に招待を依頼してください。"), code="taken"
            )
        return value

    def clean_email(self):
        email = self.cleaned_data["email"]
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError(
                _("このメールアドレスのアカウントはすでにあります。別のアドレスを使うか、ログインしてください。"),
                code="taken",
            )
        return email


YEARS = {"min_value": _("0以上の数を入力してください。"), "max_value": _("60以下の数を入力してください。")}
SALARY = {"min_value": _("0以上の数を入力してください。"), "max_value": _("10000以下の数を入力してください。")}
NUMBER = {"invalid": _("半角の数字で入力してください。")}


class SearchForm(forms.Form):
    REMOTE_CHOICES = [("", _("指定しない")), ("true", _("リモート勤務を希望・可")), ("false", _("出社できる"))]

    q = forms.CharField(
        label=_("キーワード"),
        max_length=500,
        required=False,
        help_text=_("スキル・職種・経験など。すべての語に一致する人を表示します。例: Java開発 PM 法人営業"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    preferred = forms.CharField(
        label=_("歓迎キーワード"),
        max_length=500,
        required=False,
        help_text=_("一致しなくても表示され、一致した人が上位に並びます。"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    prefecture = forms.ChoiceField(
        label=_("都道府県"), required=False, choices=[("", _("指定しない")), *Prefecture.choices]
    )
    job_category = forms.ChoiceField(
        label=_("希望職種"), required=False, choices=[("", _("指定しない")), *JobCategory.choices]
    )
    rank_job_category = forms.ChoiceField(
        label=_("上位に表示する希望職種"),
        required=False,
        choices=[("", _("指定しない")), *JobCategory.choices],
        help_text=_("この職種を希望する人が上位に並びます。ほかの人も表示されます。"),
    )
    min_years = forms.IntegerField(
        label=_("経験年数(下限)"), required=False, min_value=0, max_value=60, error_messages={**YEARS, **NUMBER}
    )
    max_years = forms.IntegerField(
        label=_("経験年数(上限)"), required=False, min_value=0, max_value=60, error_messages={**YEARS, **NUMBER}
    )
    salary_min = forms.IntegerField(
        label=_("年収(下限・万円)"), required=False, min_value=0, max_value=10000, error_messages={**SALARY, **NUMBER}
    )
    salary_max = forms.IntegerField(
        label=_("年収(上限・万円)"), required=False, min_value=0, max_value=10000, error_messages={**SALARY, **NUMBER}
    )
    remote = forms.ChoiceField(label=_("リモート勤務"), required=False, choices=REMOTE_CHOICES)
    updated_since = forms.DateField(
        label=_("更新日(この日以降)"),
        required=False,
        error_messages={"invalid": _("日付は「2026-04-01」の形で入力してください。")},
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("prefecture", "job_category", "rank_job_category", "remote"):
            self.fields[name].error_messages["invalid_choice"] = _("選択肢から選び直してください。")

    def clean_q(self):
        return normalize_text(self.cleaned_data["q"])

    def clean_preferred(self):
        return normalize_text(self.cleaned_data["preferred"])

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_years"), cleaned.get("max_years")
        if low is not None and high is not None and low > high:
            self.add_error("max_years", _("上限は下限以上にしてください。"))
        low, high = cleaned.get("salary_min"), cleaned.get("salary_max")
        if low is not None and high is not None and low > high:
            self.add_error("salary_max", _("上限は下限以上にしてください。"))
        return cleaned

    def search_params(self) -> dict:
        """Keyword arguments for search_candidates()."""
        data = self.cleaned_data
        remote = {"true": True, "false": False}.get(data.get("remote") or "")
        return {
            "q": data.get("q") or "",
            "preferred": data.get("preferred") or "",
            "prefecture": data.get("prefecture") or None,
            "job_category": data.get("job_category") or None,
            "rank_job_category": data.get("rank_job_category") or None,
            "min_years": data.get("min_years"),
            "max_years": data.get("max_years"),
            "salary_min": data.get("salary_min"),
            "salary_max": data.get("salary_max"),
            "remote": remote,
            "updated_since": data.get("updated_since"),
        }


class JobOrderForm(forms.ModelForm):
    class Meta:
        model = JobOrder
        fields = [
            "client_company",
            "title",
            "job_category",
            "employment_type",
            "prefecture",
            "salary_min",
            "salary_max",
            "required_skills",
            "preferred_skills",
            "requirements",
        ]
        help_texts = {
            "required_skills": _("読点またはカンマで区切って入力します。例: Java、Spring、AWS"),
            "preferred_skills": _("読点またはカンマで区切って入力します。"),
            "salary_min": _("万円単位。例: 500"),
        }
        widgets = {"requirements": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("client_company", "title"):
            self.fields[name].error_messages["required"] = _("%(label)sを入力してください。") % {
                "label": self.fields[name].label
            }
        for name in ("salary_min", "salary_max"):
            self.fields[name].error_messages.update(NUMBER)
            self.fields[name].validators.append(MaxValueValidator(10000, message=SALARY["max_value"]))
        for name in ("job_category", "prefecture"):
            self.fields[name].choices = [("", _("指定しない")), *self.fields[name].choices[1:]]
        for field in self.fields.values():
            if "invalid_choice" in field.error_messages:
                field.error_messages["invalid_choice"] = _("選択肢から選び直してください。")
            if "max_length" in field.error_messages:
                field.error_messages["max_length"] = _("%(limit_value)d文字以内で入力してください。")

    def clean_client_company(self):
        return normalize_text(self.cleaned_data["client_company"])

    def clean_title(self):
        return normalize_text(self.cleaned_data["title"])

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("salary_min"), cleaned.get("salary_max")
        if low is not None and high is not None and low > high:
            self.add_error("salary_max", _("上限は下限以上にしてください。"))
        return cleaned
