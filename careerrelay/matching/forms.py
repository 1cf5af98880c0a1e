from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careerrelay.agencies.models import JobOrder
from careerrelay.candidates.choices import Prefecture
from careerrelay.common.forms import DateInRangeField, DateTimeInRangeField
from careerrelay.common.japanese import normalize_text
from careerrelay.matching.models import FreeReferralProposal, FreeReferralRequest, Introduction
from careerrelay.matching.services import default_deadline


def _required(label):
    return {"required": _("%(label)sを入力してください。") % {"label": label}}


def _number(label):
    return {
        **_required(label),
        "invalid": _("%(label)sは半角または全角の数字で入力してください。") % {"label": label},
        "min_value": _("%(label)sは0以上で入力してください。") % {"label": label},
        "max_value": _("%(label)sが大きすぎます。") % {"label": label},
    }


class FreeReferralRequestForm(forms.Form):
    role = forms.CharField(label=_("募集職種"), max_length=200, error_messages=_required(_("募集職種")))
    requirements = forms.CharField(
        label=_("求める経験・スキル"),
        max_length=4000,
        error_messages=_required(_("求める経験・スキル")),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    prefecture = forms.ChoiceField(
        label=_("勤務地(都道府県)"),
        choices=[("", _("選択してください")), *Prefecture.choices],
        error_messages={"required": _("勤務地を選んでください。"), "invalid_choice": _("勤務地を選んでください。")},
    )
    location_note = forms.CharField(label=_("勤務地の補足"), max_length=200, required=False)
    salary_min = forms.IntegerField(
        label=_("年収(下限・万円)"),
        min_value=0,
        max_value=10000,
        required=False,
        error_messages=_number(_("年収")),
        # A text box, so digits typed with a Japanese keyboard (全角) reach the form and are folded.
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    salary_max = forms.IntegerField(
        label=_("年収(上限・万円)"),
        min_value=0,
        max_value=10000,
        required=False,
        error_messages=_number(_("年収")),
        # A text box, so digits typed with a Japanese keyboard (全角) reach the form and are folded.
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    desired_start = DateInRangeField(
        label=_("入社希望時期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("日付を正しく入力してください(例: 2027-04-01)。")},
    )
    deadline = DateInRangeField(
        label=_("期限"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("この日までに面接が確定しなければ依頼は終了し、枠は自動で戻ります。"),
        error_messages={
            "required": _("期限を入力してください。"),
            "invalid": _("日付を正しく入力してください(例: 2027-04-01)。"),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Numbers typed with a Japanese keyboard (全角) are folded before the IntegerField sees them.
        if self.is_bound:
            data = self.data.copy()
            for name in ("salary_min", "salary_max", "desired_start", "deadline"):
                if name in data:
                    data[name] = normalize_text(data[name])
            self.data = data

    def clean_role(self):
        return normalize_text(self.cleaned_data["role"])

    def clean_location_note(self):
        return normalize_text(self.cleaned_data["location_note"])

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError(_("期限には今日以降の日付を入力してください。"))
        return deadline

    def clean(self):
        data = super().clean()
        low, high = data.get("salary_min"), data.get("salary_max")
        if low is not None and high is not None and low > high:
            self.add_error("salary_max", _("年収の上限は下限以上にしてください。"))
        return data


class DeclineProposalForm(forms.Form):
    """A reason from the fixed list and, always, a sentence for the agency: declining costs the
    employer a moment's thought, and operators can compare companies by the category."""

    category = forms.ChoiceField(
        label=_("見送りの理由(区分)"),
        choices=FreeReferralProposal.DeclineCategory.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("見送りの理由を一覧から選んでください。"),
            "invalid_choice": _("見送りの理由を一覧から選んでください。"),
        },
    )
    reason = forms.CharField(
        label=_("見送りの理由(具体的に)"),
        max_length=2000,
        help_text=_("人材紹介会社に伝わります。次の提案の参考になるよう、具体的に書いてください。"),
        error_messages={
            **_required(_("見送りの理由")),
            "max_length": _("見送りの理由は%(limit_value)d文字以内で入力してください。"),
        },
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("見送りの理由を入力してください。"), code="required")
        return reason

    def clean(self):
        data = super().clean()
        if data.get("category") == FreeReferralProposal.DeclineCategory.OTHER and "reason" in self.errors:
            # The text is always required; for その他 it is the only reason there is.
            self.errors["reason"] = self.error_class([_("「その他」を選んだときは、理由を具体的に入力してください。")])
        return data


class IntroductionForm(forms.Form):
    """An agency introduces a candidate: for a free-referral request it holds, one of its open job
    orders, or a company it names (in that order of precedence)."""

    free_referral = forms.ModelChoiceField(
        label=_("無料紹介の依頼(担当中)"),
        queryset=FreeReferralRequest.objects.none(),
        required=False,
        empty_label=_("無料紹介の依頼には使わない"),
        help_text=_("選ぶと、本人が承諾したときにこの企業との面接を確約したことになります(面談確約)。"),
        error_messages={"invalid_choice": _("無料紹介の依頼を選び直してください。")},
    )
    job_order = forms.ModelChoiceField(
        label=_("求人票"),
        queryset=JobOrder.objects.none(),
        required=False,
        empty_label=_("求人票を選ばずに企業名を入力する"),
        error_messages={"invalid_choice": _("求人票を選び直してください。")},
    )
    company_name = forms.CharField(label=_("紹介先の企業名"), max_length=200, required=False)
    role = forms.CharField(label=_("職種・ポジション"), max_length=200, required=False)
    message = forms.CharField(
        label=_("本人へのメッセージ"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("紹介の理由など。本人のマイページとメールに表示されます。"),
    )

    def __init__(self, *args, job_orders=None, free_referrals=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job_order"].queryset = job_orders if job_orders is not None else JobOrder.objects.none()
        if free_referrals is not None:
            self.fields["free_referral"].queryset = free_referrals
            self.fields["free_referral"].label_from_instance = lambda r: f"{r.organisation.name} / {r.role}"
        else:
            del self.fields["free_referral"]

    def clean(self):
        data = super().clean()
        if data.get("job_order") is None and data.get("free_referral") is None:
            for name, label in (("company_name", _("紹介先の企業名")), ("role", _("職種・ポジション"))):
                if not normalize_text(data.get(name) or ""):
                    self.add_error(name, _("求人票を選ばない場合は、%(label)sを入力してください。") % {"label": label})
        return data


class FreeReferralIntroductionForm(forms.Form):
    message = forms.CharField(
        label=_("本人へのメッセージ"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("紹介の理由など。本人のマイページとメールに表示されます。"),
    )


AGENCY_STAGE_CHOICES = [
    (stage, label)
    for stage, label in Introduction.Stage.choices
    if stage
    in (
        Introduction.Stage.INTERVIEW_SCHEDULED,
        Introduction.Stage.INTERVIEWED,
        Introduction.Stage.OFFER,
        Introduction.Stage.HIRED,
        Introduction.Stage.NOT_HIRED,
        Introduction.Stage.WITHDRAWN,
    )
]


def _interview_at_field(required: bool):
    return DateTimeInRangeField(
        label=_("面接日時"),
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("日本時間で入力してください。本人・企業・人材紹介会社に表示され、メールでも伝わります。"),
        error_messages={
            "required": _("面接日時を入力してください。"),
            "invalid": _("日時を正しく入力してください(例: 2027-04-01 10:00)。"),
        },
    )


def _interview_place_field(required: bool):
    return forms.CharField(
        label=_("面接の場所またはURL"),
        max_length=500,
        required=required,
        help_text=_("住所・会議室、またはオンライン面接のURL。"),
        error_messages={"required": _("面接の場所またはURLを入力してください。")},
    )


def _clean_interview(form, data):
    """A scheduled interview needs a time that has not passed (entered in Japan time: the site's
    time zone) and a place or URL."""
    when = data.get("interview_at")
    if when is None and "interview_at" not in form.errors:
        form.add_error("interview_at", _("面接日時を入力してください。"))
    elif when is not None and when <= timezone.now():
        form.add_error("interview_at", _("面接日時には、これからの日時を入力してください。"))
    if not normalize_text(data.get("interview_place") or "") and "interview_place" not in form.errors:
        form.add_error("interview_place", _("面接の場所またはURLを入力してください。"))


class StageForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("新しい状況"),
        choices=AGENCY_STAGE_CHOICES,
        error_messages={"required": _("状況を選んでください。"), "invalid_choice": _("状況を選んでください。")},
    )
    interview_at = _interview_at_field(required=False)
    interview_place = _interview_place_field(required=False)
    note = forms.CharField(
        label=_("社内メモ"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("貴社の中だけで見られます。本人や企業には表示されません。"),
    )

    def clean(self):
        data = super().clean()
        if data.get("stage") == Introduction.Stage.INTERVIEW_SCHEDULED:
            _clean_interview(self, data)
        return data


class InterviewForm(forms.Form):
    """The employer confirms a free-referral interview: when and where."""

    interview_at = _interview_at_field(required=True)
    interview_place = _interview_place_field(required=True)

    def clean(self):
        data = super().clean()
        _clean_interview(self, data)
        return data


def free_referral_initial():
    return {"deadline": default_deadline()}
