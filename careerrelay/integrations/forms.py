from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from careerrelay.integrations.adapters import available_kinds
from careerrelay.integrations.models import Integration, ReasonMapping
from careerrelay.rejections.models import RejectionTemplate
from careerrelay.talent.services import rejection_reasons_for


class IntegrationForm(forms.Form):
    kind = forms.ChoiceField(label=_("ATS"))
    name = forms.CharField(label=_("名前"), max_length=100)
    secret = forms.CharField(
        label=_("署名用シークレット（Greenhouse: Secret key / Lever: Signature token / Workable: トークン）"),
        min_length=8,
        max_length=200,
        widget=forms.PasswordInput(render_value=True),
        help_text=_("保存後は表示されません。ATS側に入力したものと同じ値を入れてください。"),
    )
    api_key = forms.CharField(
        label=_("Lever APIキー（Leverのみ）"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=True),
        help_text=_("候補者の情報を読むための読み取り専用キー。保存後は表示されません。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = set(available_kinds())
        self.fields["kind"].choices = [(value, label) for value, label in Integration.Kind.choices if value in kinds]

    def clean(self):
        data = super().clean()
        if data.get("kind") == Integration.Kind.LEVER and not data.get("api_key"):
            self.add_error("api_key", _("Lever の連携にはAPIキーが必要です。"))
        return data


class ReasonMappingForm(forms.Form):
    reason = forms.ModelChoiceField(label=_("不採用理由（分類）"), queryset=None, required=False)
    action = forms.ChoiceField(label=_("対応"), choices=ReasonMapping.Action.choices)
    template = forms.ModelChoiceField(label=_("テンプレート"), queryset=None, required=False)
    delay_business_days = forms.IntegerField(label=_("不採用から何営業日後に送るか"), min_value=0, max_value=30)
    send_hour = forms.IntegerField(label=_("送信時刻（時、8〜19）"), min_value=8, max_value=19)
    auto_send = forms.BooleanField(label=_("自動送信を有効にする"), required=False)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = rejection_reasons_for(organisation)
        self.fields["template"].queryset = RejectionTemplate.objects.filter(
            Q(organisation=None) | Q(organisation=organisation)
        ).order_by("-preset_key", "name", "id")

    def clean(self):
        data = super().clean()
        if data.get("action") == ReasonMapping.Action.AUTO_SEND and not data.get("template"):
            self.add_error("template", _("自動送信にはテンプレートを選んでください。"))
        return data
