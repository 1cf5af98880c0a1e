from django import forms
from django.utils.translation import gettext_lazy as _

from careerrelay.common.japanese import normalize_text
from careerrelay.portals.workspace.forms import NAME_ERRORS
from careerrelay.relay.models import RelayCampaign
from careerrelay.relay.services import active_campaign_limit, can_activate_another


class CampaignForm(forms.Form):
    name = forms.CharField(
        label=_("キャンペーン名"),
        max_length=100,
        help_text=_("例: 2026年新卒採用、エンジニア職、ATS経由 など。応募者には表示されません。"),
        error_messages=NAME_ERRORS,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, organisation, campaign=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.campaign = campaign

    def clean_name(self):
        name = normalize_text(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(NAME_ERRORS["required"], code="required")
        others = RelayCampaign.objects.filter(organisation=self.organisation, name=name)
        if self.campaign is not None:
            others = others.exclude(pk=self.campaign.pk)
        if others.exists():
            raise forms.ValidationError(_("同じ名前のキャンペーンがすでにあります。"), code="duplicate")
        if self.campaign is None and not can_activate_another(self.organisation):
            raise forms.ValidationError(too_many_campaigns_message(), code="too_many")
        return name


def too_many_campaigns_message():
    return _("有効なリレーリンクは%(limit)d件までです。使っていないキャンペーンを無効にしてから追加してください。") % {
        "limit": active_campaign_limit()
    }
