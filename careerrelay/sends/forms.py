from datetime import time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careerrelay.common.forms import DateTimeInRangeField
from careerrelay.rejections.services import templates_for_organisation
from careerrelay.sends import services as sends
from careerrelay.talent.models import Stage
from careerrelay.talent.services import job_titles_for

MAX_LISTED = 500  # applicants listed with a checkbox; "all matching" covers more


class RecipientFilterForm(forms.Form):
    """Which applicants to offer (GET)."""

    job_title = forms.ChoiceField(label=_("応募職種"), required=False)
    stage = forms.ChoiceField(label=_("選考段階"), required=False, choices=[("", _("すべて")), *Stage.choices])
    rejected_from = forms.DateField(
        label=_("不採用日（から）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    rejected_to = forms.DateField(
        label=_("不採用日（まで）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    not_yet_sent = forms.BooleanField(
        label=_("不採用通知をまだ送っていない応募者だけ"),
        required=False,
        help_text=_(
            "どのテンプレートでも、この会社から一度送った人は除きます。取消・送信失敗になったものは数えません。"
        ),
    )

    def __init__(self, data=None, *, organisation, **kwargs):
        super().__init__(data, **kwargs)
        self.organisation = organisation
        self.fields["job_title"].choices = [("", _("すべて"))] + [(t, t) for t in job_titles_for(organisation)]

    def _matching(self, *, not_yet_sent):
        data = self.cleaned_data
        return sends.filter_applicants(
            self.organisation,
            job_title=data.get("job_title") or "",
            stage=data.get("stage") or "",
            rejected_from=data.get("rejected_from"),
            rejected_to=data.get("rejected_to"),
            not_yet_sent=not_yet_sent,
        )

    def applicants(self):
        return self._matching(not_yet_sent=bool(self.cleaned_data.get("not_yet_sent"))).order_by("-rejected_on", "-id")

    def already_received_ids(self) -> set[int]:
        """Of the applicants matching the filters, those who already received a rejection email."""
        matching = self._matching(not_yet_sent=False)
        return set(matching.filter(pk__in=sends.already_received(self.organisation)).values_list("pk", flat=True))


class SendForm(forms.Form):
    """The send itself (POST): which template, who, from whom, through which relay link, and when."""

    NOW, AT, BUSINESS_DAYS = "now", "at", "business_days"

    template = forms.ModelChoiceField(label=_("テンプレート"), queryset=None, empty_label=None)
    all_matching = forms.BooleanField(label=_("条件に一致する全員に送る"), required=False)
    applicants = forms.ModelMultipleChoiceField(
        label=_("宛先"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    campaign = forms.ModelChoiceField(label=_("リレーリンク"), queryset=None, empty_label=None)
    sender_name = forms.CharField(label=_("送信者名"), max_length=100, required=False)
    signature = forms.CharField(label=_("署名"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    when = forms.ChoiceField(
        label=_("送信のタイミング"),
        choices=[
            (NOW, _("今すぐ送る")),
            (AT, _("日時を指定する")),
            (BUSINESS_DAYS, _("不採用日の N 営業日後（土日・祝日・年末年始を除く）")),
        ],
        initial=NOW,
        widget=forms.RadioSelect,
    )
    send_at = DateTimeInRangeField(
        label=_("送信日時"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    business_days = forms.IntegerField(label=_("営業日数"), required=False, min_value=0, max_value=60, initial=3)
    send_time = forms.TimeField(
        label=_("送信時刻"), required=False, initial=time(10, 0), widget=forms.TimeInput(attrs={"type": "time"})
    )

    def __init__(self, data=None, *, organisation, candidates, **kwargs):
        super().__init__(data, **kwargs)
        self.candidates = candidates
        self.schedule_has_passed = False
        self.fields["template"].queryset = templates_for_organisation(organisation)
        self.fields["template"].error_messages["invalid_choice"] = _("テンプレートを選び直してください。")
        self.fields["applicants"].queryset = candidates
        self.fields["campaign"].queryset = organisation.campaigns.filter(is_active=True).order_by(
            "-is_default", "created_at"
        )
        self.fields["campaign"].error_messages["invalid_choice"] = _("有効なリレーリンクを選んでください。")
        self.fields["applicants"].error_messages["invalid_choice"] = _("選べない応募者が含まれています。")

    def clean(self):
        data = super().clean()
        if data.get("all_matching"):
            if not self.candidates.exists():
                self.add_error("all_matching", _("条件に一致する応募者がいません。"))
        elif not data.get("applicants"):
            self.add_error("applicants", _("宛先を1人以上選んでください。"))
        when = data.get("when")
        if when == self.AT and "send_at" not in self.errors:
            if not data.get("send_at"):
                self.add_error("send_at", _("送信日時を入力してください。"))
            elif data["send_at"] <= timezone.now():
                self.schedule_has_passed = True  # the page offers to send now instead
                self.add_error("send_at", _("指定した送信日時はすでに過ぎています。今すぐ送りますか？"))
        if when == self.BUSINESS_DAYS:
            if data.get("business_days") is None:
                self.add_error("business_days", _("営業日数を入力してください。"))
            if not data.get("send_time"):
                self.add_error("send_time", _("送信時刻を入力してください。"))
        return data

    def recipients(self):
        return list(self.candidates) if self.cleaned_data.get("all_matching") else list(self.cleaned_data["applicants"])

    def schedule(self) -> dict:
        when = self.cleaned_data["when"]
        if when == self.AT:
            return {"send_at": self.cleaned_data["send_at"]}
        if when == self.BUSINESS_DAYS:
            return {"business_days": self.cleaned_data["business_days"], "send_time": self.cleaned_data["send_time"]}
        return {}
