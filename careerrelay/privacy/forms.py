from django import forms
from django.utils.translation import gettext_lazy as _

from careerrelay.candidates.models import Consent
from careerrelay.candidates.notices import notice_for

# The word to type; in another interface language its translation is accepted too.
CONFIRM_WORD = _("削除")


class DeleteAccountForm(forms.Form):
    confirm = forms.CharField(
        label=_("確認のため「削除」と入力してください"),
        max_length=20,
        error_messages={"required": _("「削除」と入力してください。")},
    )

    def clean_confirm(self):
        value = self.cleaned_data["confirm"].strip()
        if value.casefold() not in {"削除", str(CONFIRM_WORD).casefold()}:
            raise forms.ValidationError(_("「削除」と入力してください。"))
        return value


class ReconsentForm(forms.Form):
    """One unchecked checkbox per purpose whose notice changed: the person decides again."""

    def __init__(self, *args, purposes, employer_name="", **kwargs):
        super().__init__(*args, **kwargs)
        self.notices = []
        for purpose in purposes:
            # The re-contact notice names the company whose link the person registered through.
            notice = notice_for(purpose, employer_name if purpose == Consent.Purpose.EMPLOYER_RECONTACT else "")
            self.fields[purpose] = forms.BooleanField(label=notice.label, required=False)
            self.notices.append((Consent.Purpose(purpose).label, notice, self[purpose]))
