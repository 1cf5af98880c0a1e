"""The texts a candidate consents to. Each consent record keeps the version and a hash of the
exact Japanese text shown, so what was agreed to can always be proven later.

A notice may name the company it concerns (`%(employer)s`, the re-contact consent): the text
shown, and so its hash, is the one filled in with that company's name (`for_employer`). Each
notice has its own version setting, so rewording one purpose asks people to decide again about
that purpose only; a consent row keeps the version and hash it was given under."""

import hashlib
from dataclasses import dataclass, replace

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from careerrelay.candidates.models import Consent


@dataclass(frozen=True)
class Notice:
    purpose: str
    label_message: str | Promise
    text_message: str | Promise
    recipients_message: str | Promise
    required: bool
    # The name of the setting holding this notice's current version.
    version_setting: str = "PRIVACY_NOTICE_VERSION"
    # The company named by the notice ("" where the notice names none, or before it is known).
    employer: str = ""

    def for_employer(self, name: str) -> "Notice":
        return replace(self, employer=name or "")

    def _fill(self, message) -> str:
        text = str(message)
        if "%(employer)s" in text:
            text = text % {"employer": self.employer or gettext("今回応募した企業")}
        return text

    @property
    def label(self) -> str:
        return self._fill(self.label_message)

    @property
    def text(self) -> str:
        return self._fill(self.text_message)

    @property
    def recipients(self) -> str:
        return self._fill(self.recipients_message)

    @property
    def version(self) -> str:
        return getattr(settings, self.version_setting)

    @property
    def digest(self) -> str:
        from django.utils import translation

        with translation.override("ja"):
            canonical = f"{self.version}\n{self.label}\n{self.text}\n{self.recipients}"
        return hashlib.sha256(canonical.encode()).hexdigest()


AGENCY_SHARING = Notice(
    purpose=Consent.Purpose.AGENCY_SHARING,
    label_message=_(
        "キャリアリレーが、私のプロフィール(氏名・連絡先・希望職種・経験・スキル・自己紹介)を"
        "提携する人材紹介会社(有料職業紹介事業者)に提供し、他社の求人を紹介してもらうことに同意します。"
    ),
    text_message=_(
        "利用目的:提携人材紹介会社があなたに合う求人を探し、他社への紹介を行うため。"
        "提供先:キャリアリレーと提携する厚生労働大臣許可の有料職業紹介事業者。"
        "提供の記録はマイページで確認でき、同意はいつでも撤回できます。"
    ),
    recipients_message=_("キャリアリレー提携人材紹介会社"),
    required=True,
)

# Version EMPLOYER_RECONTACT_NOTICE_VERSION (2026-12-03): names the company, says what it sees
# (name, contact, profile, work history) and that it may keep the person in its talent pool and
# mail them; the earlier text (under PRIVACY_NOTICE_VERSION 2026-11-01) said only that the
# company would contact them, so grants given under it are asked again before anything is shown.
EMPLOYER_RECONTACT = Notice(
    purpose=Consent.Purpose.EMPLOYER_RECONTACT,
    label_message=_("%(employer)sから、今後の募集について再度連絡を受けることに同意します(任意)。"),
    text_message=_(
        "利用目的:%(employer)sが、条件の合う新しい募集をあなたに案内するため。"
        "提供先:%(employer)s(今回応募した企業)のみ。ほかの企業には提供しません。"
        "%(employer)sは「再応募歓迎」の一覧であなたの氏名・連絡先・プロフィール"
        "(希望職種・経験・スキル・自己紹介)・職歴を見ることができ、自社の候補者リストに登録して"
        "募集の案内メールを送ることがあります。履歴書のファイルは提供しません。"
        "提供の記録はマイページで確認できます。同意はマイページの「同意の管理」からいつでも撤回でき、"
        "撤回するとすぐに一覧から外れ、%(employer)sには受け取った情報の利用停止を求める通知が届きます。"
        "同意しなくても登録できます。"
    ),
    recipients_message="%(employer)s",
    required=False,
    version_setting="EMPLOYER_RECONTACT_NOTICE_VERSION",
)

NOTICES = {n.purpose: n for n in (AGENCY_SHARING, EMPLOYER_RECONTACT)}


def notice_for(purpose: str, employer: str = "") -> Notice:
    """The notice of `purpose` as shown to a person whose company (for re-contact) is `employer`."""
    notice = NOTICES[purpose]
    return notice.for_employer(employer) if employer else notice
