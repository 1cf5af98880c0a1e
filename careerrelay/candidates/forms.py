import datetime
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from careerrelay.candidates.choices import JobCategory, Prefecture, RemotePreference
from careerrelay.candidates.models import REGISTRATION_FIELDS, Candidate
from careerrelay.candidates.notices import AGENCY_SHARING, EMPLOYER_RECONTACT
from careerrelay.candidates.profiles import skill_names
from careerrelay.common.forms import NormalizedEmailField
from careerrelay.common.japanese import MAX_SKILLS, normalize_kana, normalize_phone, normalize_text, parse_skills

KATAKANA = re.compile(r"^[\u30a0-\u30ff\u3000 ]*$")


class PersonCleaning:
    """Names, furigana and phone as Japanese users type them; shared by registration and the my page."""

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


class RegistrationForm(PersonCleaning, forms.ModelForm):
    consent_agency_sharing = forms.BooleanField(
        label=AGENCY_SHARING.label_message,  # lazy: translated per request
        required=True,
        error_messages={"required": _("登録には、提携人材紹介会社への提供への同意が必要です。")},
    )
    # Its label names the company whose link the page is (see __init__).
    consent_employer_recontact = forms.BooleanField(required=False)

    class Meta:
        model = Candidate
        fields = list(REGISTRATION_FIELDS)
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

    def __init__(self, *args, employer_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent_employer_recontact"].label = EMPLOYER_RECONTACT.for_employer(employer_name).label
        for name in ("prefecture", "job_category"):
            self.fields[name].choices = [("", _("選択してください")), *list(self.fields[name].choices)[1:]]
        self.fields["family_name_kana"].label = _("セイ(フリガナ・任意)")
        self.fields["given_name_kana"].label = _("メイ(フリガナ・任意)")
        self.fields["phone"].label = _("電話番号(任意)")

    def clean_skills(self):
        parts = re.split(r"[,、,]", normalize_text(self.cleaned_data.get("skills", "")))
        return ", ".join(dict.fromkeys(p.strip() for p in parts if p.strip()))

    def clean_summary(self):
        return self.cleaned_data.get("summary", "").strip()


class ResendVerificationForm(forms.Form):
    email = NormalizedEmailField(
        label=_("登録したメールアドレス"), widget=forms.TextInput(attrs={"autocomplete": "email", "inputmode": "email"})
    )


# --- The my page -------------------------------------------------------------------------------


class SignInForm(forms.Form):
    email = NormalizedEmailField(
        label=_("登録したメールアドレス"),
        widget=forms.TextInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        error_messages={"required": _("メールアドレスを入力してください。")},
    )


class EmailChangeForm(forms.Form):
    email = NormalizedEmailField(
        label=_("新しいメールアドレス"),
        widget=forms.TextInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        error_messages={"required": _("メールアドレスを入力してください。")},
    )

    def __init__(self, *args, candidate=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidate = candidate

    def clean_email(self):
        email = self.cleaned_data["email"]
        if self.candidate is not None and email == self.candidate.email_normalized:
            raise forms.ValidationError(_("現在のメールアドレスと同じです。"))
        return email


class JapaneseIntegerField(forms.IntegerField):
    """Accepts what an IME produces: full-width digits, thousands separators, a trailing 万円 or 年."""

    def __init__(self, *, suffixes=(), **kwargs):
        self.suffixes = suffixes
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        text = normalize_text(str(value or "")).replace(",", "").replace(" ", "")
        for suffix in self.suffixes:
            text = text.removesuffix(suffix)
        return super().to_python(text)


YEAR_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")


class YearMonthField(forms.DateField):
    """A month, as <input type="month"> sends it (2020-04) or as typed: 2020/4, ２０２０年４月."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2020-04", "autocomplete": "off"})
    default_error_messages = {"invalid": _("年月は「2020-04」のように入力してください。")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if hasattr(value, "year"):
            return value.replace(day=1) if hasattr(value, "replace") else value
        match = YEAR_MONTH.match(normalize_text(str(value)))
        if not match:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        year, month = int(match[1]), int(match[2])
        if not (1950 <= year <= 2100 and 1 <= month <= 12):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return datetime.date(year, month, 1)

    def prepare_value(self, value):
        if hasattr(value, "year"):
            return f"{value.year:04d}-{value.month:02d}"
        return value


class ProfileForm(PersonCleaning, forms.ModelForm):
    """Only what a job search needs. Never add what the Employment Security Act guidelines bar
    (本籍, birthplace, family, religion, beliefs, union membership…): a test checks."""

    desired_job_categories = forms.MultipleChoiceField(
        label=_("希望職種(複数選択可)"),
        choices=JobCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("希望職種を1つ以上選んでください。")},
    )
    desired_prefectures = forms.MultipleChoiceField(
        label=_("希望勤務地(複数選択可)"),
        choices=Prefecture.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    remote_preference = forms.ChoiceField(
        label=_("リモートワークの希望"),
        choices=RemotePreference.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    desired_salary_min = JapaneseIntegerField(
        label=_("希望年収(下限・万円)"),
        required=False,
        min_value=0,
        max_value=10000,
        suffixes=("万円", "万"),
    )
    desired_salary_max = JapaneseIntegerField(
        label=_("希望年収(上限・万円)"),
        required=False,
        min_value=0,
        max_value=10000,
        suffixes=("万円", "万"),
    )
    years_experience = JapaneseIntegerField(
        label=_("経験年数"),
        min_value=0,
        max_value=60,
        suffixes=("年",),
        error_messages={"required": _("経験年数を入力してください(0年でも構いません)。")},
    )
    skills_text = forms.CharField(
        label=_("スキル"),
        required=False,
        max_length=2000,
        help_text=_(
            "カンマ(、)区切りで入力してください。全角・半角、大文字・小文字の違いはまとめて1つのスキルになります。"
        ),
        widget=forms.TextInput(
            attrs={
                "placeholder": _("例:Python, 法人営業, 簿記2級"),
                "data-tag-input": "",
                # The tag input's remove buttons read their label from here, through i18n.
                "data-remove-label": _("削除"),
            }
        ),
    )

    class Meta:
        model = Candidate
        fields = [
            "family_name",
            "given_name",
            "family_name_kana",
            "given_name_kana",
            "phone",
            "prefecture",
            "desired_job_categories",
            "desired_prefectures",
            "remote_preference",
            "desired_salary_min",
            "desired_salary_max",
            "years_experience",
            "summary",
        ]
        widgets = {
            "family_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "given_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "family_name_kana": forms.TextInput(attrs={"autocomplete": "off", "placeholder": "ヤマダ"}),
            "given_name_kana": forms.TextInput(attrs={"autocomplete": "off", "placeholder": "タロウ"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel", "inputmode": "tel"}),
            "prefecture": forms.Select(attrs={"autocomplete": "address-level1"}),
            "summary": forms.Textarea(attrs={"rows": 5, "maxlength": 1000}),
        }
        help_texts = {"summary": _("1000文字以内。これまでの経験や、次に挑戦したいことを書いてください。")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prefecture"].label = _("お住まいの都道府県")
        self.fields["prefecture"].choices = [("", _("選択してください")), *list(self.fields["prefecture"].choices)[1:]]
        self.fields["family_name_kana"].label = _("セイ(フリガナ・任意)")
        self.fields["given_name_kana"].label = _("メイ(フリガナ・任意)")
        self.fields["phone"].label = _("電話番号(任意)")
        self.fields["summary"].label = _("自己紹介")
        if self.instance.pk and not self.is_bound:
            if not self.instance.desired_job_categories and self.instance.job_category:
                self.initial["desired_job_categories"] = [self.instance.job_category]
            self.initial["skills_text"] = ", ".join(skill_names(self.instance))

    def clean_summary(self):
        return self.cleaned_data.get("summary", "").strip()

    def clean_remote_preference(self):
        return self.cleaned_data.get("remote_preference") or ""

    def clean_skills_text(self):
        names = parse_skills(self.cleaned_data.get("skills_text", ""))
        if len(names) > MAX_SKILLS:
            raise forms.ValidationError(_("スキルは%(max)s個までです。") % {"max": MAX_SKILLS})
        return names

    def clean(self):
        data = super().clean()
        low, high = data.get("desired_salary_min"), data.get("desired_salary_max")
        if low is not None and high is not None and low > high:
            self.add_error("desired_salary_max", _("上限は下限以上の金額にしてください。"))
        return data


class WorkHistoryForm(forms.Form):
    company = forms.CharField(
        label=_("会社名"), max_length=100, error_messages={"required": _("会社名を入力してください。")}
    )
    role = forms.CharField(label=_("職種・役職"), max_length=100, required=False)
    started_on = YearMonthField(label=_("開始年月"), error_messages={"required": _("開始年月を入力してください。")})
    ended_on = YearMonthField(label=_("終了年月(在職中は空欄)"), required=False)
    description = forms.CharField(
        label=_("業務内容"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_company(self):
        return normalize_text(self.cleaned_data.get("company", ""))

    def clean_role(self):
        return normalize_text(self.cleaned_data.get("role", ""))

    def clean_description(self):
        return self.cleaned_data.get("description", "").strip()

    def clean(self):
        data = super().clean()
        start, end = data.get("started_on"), data.get("ended_on")
        if start and end and end < start:
            self.add_error("ended_on", _("終了年月は開始年月より後にしてください。"))
        return data


class BaseWorkHistoryFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("この職歴を削除する")


WorkHistoryFormSet = forms.formset_factory(
    WorkHistoryForm, formset=BaseWorkHistoryFormSet, extra=1, can_delete=True, max_num=20, validate_max=True
)


def work_history_initial(candidate):
    return [
        {f: getattr(w, f) for f in ("company", "role", "started_on", "ended_on", "description")}
        for w in candidate.work_history.order_by("-started_on", "id")
    ]


def cleaned_work_history(formset) -> list[dict]:
    """The rows to keep. The POSTed formset is bound without initial data, so has_changed() means
    "something was typed in this row": the blank extra row drops out, every filled row stays."""
    rows = []
    for form in formset.forms:
        if not form.has_changed() or form.cleaned_data.get("DELETE") or not form.cleaned_data:
            continue
        rows.append({k: v for k, v in form.cleaned_data.items() if k != "DELETE"})
    return rows


class ResumeForm(forms.Form):
    file = forms.FileField(
        label=_("履歴書・職務経歴書(PDFまたはWord、5MBまで)"),
        error_messages={"required": _("ファイルを選んでください。"), "empty": _("ファイルが空です。")},
        widget=forms.FileInput(attrs={"accept": ".pdf,.docx"}),
    )
