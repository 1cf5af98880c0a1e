from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from careerrelay.accounts.models import User
from careerrelay.common.forms import NormalizedEmailField
from careerrelay.common.japanese import normalize_text
from careerrelay.organisations.models import Membership

NAME_ERRORS = {
    "required": _("名前を入力してください。"),
    "max_length": _("名前は%(limit_value)d文字以内で入力してください。"),
}


class NewPasswordForm(forms.Form):
    """A new account's password, typed twice and checked against the validators with the
    person's name and address (so "taro.yamada" is no password for taro.yamada@…)."""

    password1 = forms.CharField(
        label=_("パスワード"),
        strip=False,
        help_text=_("10文字以上で、推測されにくいものにしてください。"),
        error_messages={"required": _("パスワードを入力してください。")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("パスワード(確認)"),
        strip=False,
        error_messages={"required": _("確認のため、もう一度パスワードを入力してください。")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def account_email(self, cleaned: dict) -> str:
        return cleaned.get("email") or ""

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("パスワードが一致しません。"))
        elif password1:
            user = User(email=self.account_email(cleaned), name=cleaned.get("name") or "")
            try:
                password_validation.validate_password(password1, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class InvitationSignupForm(NewPasswordForm):
    """For an invitee without an account: the address is the invited one, so it needs no
    verification of its own — the invitation email was the proof."""

    name = forms.CharField(
        label=_("氏名"),
        max_length=100,
        error_messages={
            "required": _("氏名を入力してください。"),
            "max_length": _("氏名は%(limit_value)d文字以内で入力してください。"),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    field_order = ["name"]

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def account_email(self, cleaned: dict) -> str:
        return self.email

    def clean_name(self):
        name = normalize_text(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("氏名を入力してください。"), code="required")
        return name


class InviteForm(forms.Form):
    email = NormalizedEmailField(
        label=_("メールアドレス"),
        max_length=254,
        error_messages={
            "required": _("招待する方のメールアドレスを入力してください。"),
            "invalid": _("メールアドレスの形式が正しくありません。"),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    # The least privilege is the default, listed first and used when no role is sent.
    role = forms.ChoiceField(
        label=_("権限"),
        initial=Membership.Role.RECRUITER,
        required=False,
        error_messages={"invalid_choice": _("権限を選び直してください。")},
    )

    def __init__(self, *args, organisation, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["role"].choices = workspace.role_choices()
        self.fields["role"].help_text = workspace.member_role_help

    def clean_role(self):
        return self.cleaned_data["role"] or Membership.Role.RECRUITER

    def clean_email(self):
        email = self.cleaned_data["email"]
        if Membership.objects.filter(organisation=self.organisation, user__email=email).exists():
            raise forms.ValidationError(_("この方はすでにメンバーです。"), code="member")
        return email


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("権限"),
        choices=Membership.Role.choices,
        error_messages={"required": _("権限を選んでください。"), "invalid_choice": _("権限を選び直してください。")},
    )


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("キーの名前"),
        max_length=100,
        help_text=_("どこで使うキーか分かる名前を付けてください(例: 自社ATS連携)。"),
        error_messages=NAME_ERRORS,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_name(self):
        name = normalize_text(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(NAME_ERRORS["required"], code="required")
        return name


class WebhookEndpointForm(forms.Form):
    """An organisation's webhook endpoint; the events offered are those of its kind."""

    url = forms.CharField(
        label=_("送信先URL"),
        max_length=500,
        help_text=_("貴社のシステムでイベントを受け取るURL(https://)。"),
        error_messages={
            "required": _("送信先URLを入力してください。"),
            "max_length": _("URLは%(limit_value)d文字以内で入力してください。"),
        },
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("説明"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("説明は%(limit_value)d文字以内で入力してください。")},
    )
    event_types = forms.MultipleChoiceField(
        label=_("送信するイベント"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("送信するイベントを1つ以上選んでください。"),
            "invalid_choice": _("選べないイベントです。"),
        },
    )
    active = forms.BooleanField(label=_("有効にする"), required=False, initial=True)

    def __init__(self, *args, event_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_types"].choices = [(str(t), t.label) for t in event_types]
        if not self.is_bound and "event_types" not in self.initial:
            self.initial["event_types"] = [str(t) for t in event_types]

    def clean_description(self):
        return normalize_text(self.cleaned_data["description"]).strip()
