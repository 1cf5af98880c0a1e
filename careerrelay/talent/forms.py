import re

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from careerrelay.common.forms import DateInRangeField, NormalizedEmailField
from careerrelay.common.japanese import MAX_SKILLS, normalize_kana, normalize_phone, normalize_text
from careerrelay.talent import importing, services
from careerrelay.talent.cleaning import MAX_TAGS, one_line_as_typed, parse_skill_list, parse_tags
from careerrelay.talent.models import Applicant, ApplicantNote, RejectionReason

KATAKANA = re.compile(r"^[\u30a0-\u30ff\u3000 ]*$")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
MAX_YEARS = 80


class ApplicantForm(forms.ModelForm):
    class Meta:
        model = Applicant
        fields = [
            "family_name",
            "given_name",
            "family_name_kana",
            "given_name_kana",
            "email",
            "phone",
            "job_title",
            "stage",
            "rejected_on",
            "reason",
            "rejection_reason",
            "source",
            "years_experience",
            "ats_id",
            "recontact_ok",
            "notes",
        ]
        field_classes = {"email": NormalizedEmailField, "rejected_on": DateInRangeField}
        widgets = {
            "family_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "given_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "family_name_kana": forms.TextInput(attrs={"autocomplete": "off", "placeholder": "タカハシ"}),
            "given_name_kana": forms.TextInput(attrs={"autocomplete": "off", "placeholder": "ハナコ"}),
            "email": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "off", "type": "tel", "inputmode": "tel"}),
            "rejected_on": DATE_INPUT,
            "rejection_reason": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "source": _("例: 自社サイト、doda、リクナビ、紹介 など"),
            "notes": _("社内向けの評価メモです。応募者や人材紹介会社には表示されません。"),
            "recontact_ok": _("応募者が、今後の求人について再度連絡を受けることに同意している場合にチェックします。"),
            "ats_id": _("採用管理システム（ATS）での応募者のID。CSVやAPIで取り込むとき、同じIDの応募者を更新します。"),
        }
        labels = {"rejection_reason": _("不採用理由の詳細（任意）")}
        error_messages = {
            "family_name": {"required": _("姓を入力してください。")},
            "email": {
                "required": _("メールアドレスを入力してください。"),
                "invalid": _("メールアドレスの形式が正しくありません。"),
            },
            "rejected_on": {"invalid": _("日付を 2026-11-01 の形で入力してください。")},
            "years_experience": {
                "invalid": _("経験年数は数字で入力してください（例: 5）。"),
                "min_value": _("経験年数は0以上で入力してください。"),
            },
        }

    skills = forms.CharField(
        label=_("スキル"),
        required=False,
        max_length=2000,
        help_text=_("カンマか「、」で区切って入力します（例: Python、法人営業、簿記2級）。"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    tags = forms.CharField(
        label=_("タグ"),
        required=False,
        max_length=1000,
        help_text=_("社内の分類です。カンマか「、」で区切って入力します（例: PM候補、2026新卒）。"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["rejected_on"].input_formats = DATE_FORMATS
        # The company's active reasons; a retired one stays selectable on the applicant that has it.
        current = self.instance.reason_id if self.instance.pk else None
        reasons = services.rejection_reasons_for(organisation, include_retired=True).filter(
            Q(active=True) | Q(pk=current)
        )
        reason_field = self.fields["reason"]
        reason_field.queryset = reasons
        reason_field.label = _("不採用理由")
        reason_field.empty_label = _("（選択しない）")
        reason_field.help_text = _("選択肢は「不採用理由の設定」で編集できます。")
        reason_field.error_messages["invalid_choice"] = _("選び直してください。")
        self.fields["years_experience"].widget.attrs.update({"min": 0, "max": MAX_YEARS, "inputmode": "numeric"})
        self.fields["family_name_kana"].label = _("セイ（フリガナ・任意）")
        self.fields["given_name_kana"].label = _("メイ（フリガナ・任意）")
        if self.instance.candidate_public_id is not None:
            # The person's own 「再応募歓迎」 consent decides this (see talent.services).
            recontact = self.fields["recontact_ok"]
            recontact.disabled = True
            recontact.help_text = _(
                "キャリアリレーの「再応募歓迎」で本人が同意・撤回します。こちらでは変更できません。"
            )
        if self.instance.pk and not self.is_bound:
            self.initial["skills"] = "、".join(skill.name for skill in self.instance.skill_set.all())
            self.initial["tags"] = "、".join(tag.name for tag in self.instance.tags.all())

    def clean_skills(self):
        names = parse_skill_list(self.cleaned_data.get("skills", ""))
        if len(names) > MAX_SKILLS:
            raise forms.ValidationError(_("スキルは%(max)s個までです。") % {"max": MAX_SKILLS}, code="too_many")
        return names

    def clean_tags(self):
        names = parse_tags(self.cleaned_data.get("tags", ""))
        if len(names) > MAX_TAGS:
            raise forms.ValidationError(_("タグは%(max)s個までです。") % {"max": MAX_TAGS}, code="too_many")
        return names

    def clean_years_experience(self):
        value = self.cleaned_data.get("years_experience")
        if value is not None and value > MAX_YEARS:
            raise forms.ValidationError(_("経験年数は%(max)s以下で入力してください。") % {"max": MAX_YEARS}, code="max")
        return value

    def clean_ats_id(self):
        value = normalize_text(self.cleaned_data.get("ats_id", ""))
        if services.ats_id_taken(organisation=self.organisation, ats_id=value, exclude_pk=self.instance.pk):
            raise forms.ValidationError(_("このATS IDの応募者はすでに登録されています。"), code="duplicate")
        return value

    def clean_family_name(self):
        value = normalize_text(self.cleaned_data.get("family_name", ""))
        if not value:
            raise forms.ValidationError(_("姓を入力してください。"), code="required")
        return value

    def clean_given_name(self):
        return normalize_text(self.cleaned_data.get("given_name", ""))

    def _clean_kana(self, name):
        value = normalize_kana(self.cleaned_data.get(name, ""))
        if value and not KATAKANA.match(value):
            raise forms.ValidationError(_("フリガナはひらがなかカタカナで入力してください。"), code="kana")
        return value

    def clean_family_name_kana(self):
        return self._clean_kana("family_name_kana")

    def clean_given_name_kana(self):
        return self._clean_kana("given_name_kana")

    def clean_phone(self):
        value = normalize_text(self.cleaned_data.get("phone", ""))
        if value and not normalize_phone(value):
            raise forms.ValidationError(_("電話番号の形式が正しくありません（例: 090-1234-5678）。"), code="phone")
        return value

    def clean_job_title(self):
        return one_line_as_typed(self.cleaned_data.get("job_title", ""))

    def clean_source(self):
        return one_line_as_typed(self.cleaned_data.get("source", ""))

    def clean_email(self):
        email = self.cleaned_data["email"]
        if services.email_taken(organisation=self.organisation, email=email, exclude_pk=self.instance.pk):
            raise forms.ValidationError(
                _("このメールアドレスの応募者はすでに登録されています。重複して登録することはできません。"),
                code="duplicate",
            )
        return email


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSVファイル"),
        help_text=_(
            "UTF-8（BOMあり・なし）と Shift_JIS（CP932）のどちらでも読み込めます。1行目は見出し行にしてください。"
        ),
        error_messages={"required": _("CSVファイルを選んでください。"), "empty": _("ファイルが空です。")},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.tsv,.txt,text/csv"}),
    )


class MappingForm(forms.Form):
    """One select per applicant field; the choices are the uploaded file's columns."""

    def __init__(self, *args, headers: list[str], columns: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("（使わない）"))] + [(str(i), header or f"#{i + 1}") for i, header in enumerate(headers)]
        for name, (label, _words) in importing.COLUMNS.items():
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                initial=str(columns[name]) if name in columns else "",
            )

    def clean(self):
        cleaned = super().clean()
        columns = {name: index for name, index in cleaned.items() if index is not None}
        used = list(columns.values())
        if len(used) != len(set(used)):
            raise forms.ValidationError(_("同じ列を複数の項目に割り当てています。"), code="same_column")
        missing = importing.missing_columns(columns)
        if missing:
            raise forms.ValidationError(
                _("次の項目に対応する列を選んでください: %(fields)s") % {"fields": "、".join(missing)}, code="missing"
            )
        cleaned["columns"] = columns
        return cleaned


class ImportForm(forms.Form):
    """What the user chose on the validation report: the bad lines to skip, if any."""

    skip_lines = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_skip_lines(self):
        raw = self.cleaned_data.get("skip_lines", "")
        try:
            return {int(part) for part in raw.split(",") if part.strip()}
        except ValueError:
            raise forms.ValidationError(_("スキップする行の指定が正しくありません。"), code="invalid") from None


class NoteForm(forms.ModelForm):
    class Meta:
        model = ApplicantNote
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}
        labels = {"body": _("評価コメント")}
        error_messages = {
            "body": {
                "required": _("評価コメントを入力してください。"),
                "max_length": _("評価コメントは%(limit_value)d文字までです。"),
            }
        }

    def clean_body(self):
        body = (self.cleaned_data.get("body") or "").strip()
        if not body:
            raise forms.ValidationError(_("評価コメントを入力してください。"), code="required")
        return body


class ReasonForm(forms.ModelForm):
    class Meta:
        model = RejectionReason
        fields = ["label", "kind"]
        labels = {"label": _("表示名"), "kind": _("分類")}
        help_texts = {"kind": _("再アプローチの提案と再チャレンジ案内は、表示名ではなくこの分類で判断します。")}
        error_messages = {"label": {"required": _("表示名を入力してください。")}}

    def clean_label(self):
        label = normalize_text(self.cleaned_data.get("label", ""))
        if not label:
            raise forms.ValidationError(_("表示名を入力してください。"), code="required")
        return label
