import re
import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from careerrelay.common.contrast import HEX_COLOUR_RE
from careerrelay.common.japanese import normalize_text
from careerrelay.common.text import validate_text
from careerrelay.organisations.logos import LogoRejected, check_logo
from careerrelay.portals.workspace.forms import NAME_ERRORS
from careerrelay.rejections.links import LinkPolicy, link_errors
from careerrelay.relay.models import RelayCampaign
from careerrelay.relay.services import active_campaign_limit, can_activate_another

MESSAGE_MAX_LENGTH = 200
MESSAGE_MAX_LINES = 5


class CampaignForm(forms.Form):
    name = forms.CharField(
        label=_("キャンペーン名"),
        max_length=100,
        help_text=_("例: 2026年新卒採用、エンジニア職、ATS経由 など。応募者には表示されません。"),
        error_messages=NAME_ERRORS,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    message = forms.CharField(
        label=_("応募者へのメッセージ"),
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        help_text=_(
            "このリンクのページに、ロゴとともに表示されます(%(max)s文字・%(lines)s行まで、書式なしの文章)。"
            "例: ご応募いただいた皆さまへ 人事部 山田より"
        )
        % {"max": MESSAGE_MAX_LENGTH, "lines": MESSAGE_MAX_LINES},
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_text],
    )

    def __init__(self, *args, organisation, campaign=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.campaign = campaign
        if campaign is None:  # a new link is named first; its message is written on its own page
            del self.fields["message"]

    def clean_message(self):
        lines = [line.strip() for line in self.cleaned_data["message"].replace("\r\n", "\n").split("\n")]
        message = "\n".join(lines).strip("\n")
        message = re.sub(r"\n{3,}", "\n\n", message)
        if message.count("\n") >= MESSAGE_MAX_LINES:
            raise forms.ValidationError(
                _("メッセージは%(lines)s行までにしてください。") % {"lines": MESSAGE_MAX_LINES}, code="lines"
            )
        # The same rule as for the company's mail: addresses only to its verified domains.
        errors = link_errors(message, LinkPolicy(self.organisation))
        if errors:
            raise forms.ValidationError(errors, code="link")
        return message

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


class BrandForm(forms.Form):
    logo = forms.FileField(
        label=_("ロゴ画像"),
        required=False,
        help_text=_(
            "PNG・JPEG・SVG、1MBまで(PNG・JPEGは縦横2000ピクセルまで)。横長のロゴがきれいに表示されます。"
            "メールではSVGを表示できない受信ソフトが多いため、PNGをお勧めします。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".png,.jpg,.jpeg,.svg,image/png,image/jpeg,image/svg+xml"}),
    )
    remove_logo = forms.BooleanField(label=_("今のロゴを削除する"), required=False)
    brand_colour = forms.CharField(
        label=_("ブランドカラー"),
        required=False,
        max_length=20,
        help_text=_(
            "#1A2B3C の形式で入力するか、色見本から選んでください。空欄にすると使いません。"
            "文字が読みにくくならないよう、色の上の文字色とリンクの濃さは自動で調整されます。"
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "#0F766E", "spellcheck": "false"}),
    )

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        if not upload:
            return None
        try:
            return check_logo(upload)
        except LogoRejected as rejected:
            raise forms.ValidationError(rejected.message, code="logo") from None

    def clean_brand_colour(self):
        # Typed on a Japanese keyboard: "＃１Ａ２Ｂ３Ｃ" is "#1a2b3c"; the # may be left out.
        value = unicodedata.normalize("NFKC", self.cleaned_data["brand_colour"]).strip().lower()
        if not value:
            return ""
        if not value.startswith("#"):
            value = "#" + value
        if not HEX_COLOUR_RE.fullmatch(value):
            raise forms.ValidationError(_("色は #1A2B3C の形式(#と16進数6桁)で入力してください。"), code="colour")
        return value
