from django import forms
from django.utils.translation import gettext_lazy as _

from careerrelay.common.forms import OneLineField
from careerrelay.followups.models import MAX_DELAY_DAYS, reason_kind_choices
from careerrelay.followups.services import templates_for_steps
from careerrelay.rejections.links import LinkPolicy, link_errors


class FollowupStepForm(forms.Form):
    name = OneLineField(label=_("名前"), max_length=100)
    delay_days = forms.IntegerField(
        label=_("不採用日から何日後に送るか"),
        min_value=1,
        max_value=MAX_DELAY_DAYS,
        help_text=_("182日で約6ヶ月、365日で1年です。営業日の日中（平日9〜18時）に送信します。"),
    )
    template = forms.ModelChoiceField(label=_("テンプレート"), queryset=None, empty_label=None)
    reason_kinds = forms.MultipleChoiceField(
        label=_("対象の不採用理由"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("どれも選ばなければ、すべての不採用理由が対象です。"),
    )
    active = forms.BooleanField(label=_("有効にする"), required=False)

    def __init__(self, data=None, *, organisation, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["template"].queryset = templates_for_steps(organisation)
        self.fields["reason_kinds"].choices = reason_kind_choices()


class FollowupSettingsForm(forms.Form):
    openings_url = forms.URLField(
        label=_("採用ページのURL"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "再チャレンジ案内の「募集中の求人」のリンク先です。空欄なら、求人一覧で募集中の求人を"
            "キャリアリレー上の簡単なページで案内します。運営が確認した貴社のドメインのURLだけ使えます。"
        ),
    )

    def __init__(self, data=None, *, organisation, **kwargs):
        super().__init__(data, **kwargs)
        self.organisation = organisation

    def clean_openings_url(self):
        url = self.cleaned_data["openings_url"]
        if url:
            errors = link_errors(url, LinkPolicy(self.organisation))
            if errors:
                raise forms.ValidationError(errors[0])
        return url
