"""The texts a candidate consents to. Each consent record keeps the version and a hash of the
exact Japanese text shown, so what was agreed to can always be proven later."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from careerrelay.candidates.models import Consent


@dataclass(frozen=True)
class Notice:
    purpose: str
    label: str
    text: str
    recipients: str
    required: bool

    @property
    def version(self) -> str:
        return settings.PRIVACY_NOTICE_VERSION

    @property
    def digest(self) -> str:
        from django.utils import translation

        with translation.override("ja"):
            canonical = f"{self.version}\n{self.label}\n{self.text}\n{self.recipients}"
        return hashlib.sha256(canonical.encode()).hexdigest()


AGENCY_SHARING = Notice(
    purpose=Consent.Purpose.AGENCY_SHARING,
    label=_(
        "キャリアリレーが、私のプロフィール(氏名・連絡先・希望職種・経験・スキル・自己紹介)を"
        "提携する人材紹介会社(有料職業紹介事業者)に提供し、他社の求人を紹介してもらうことに同意します。"
    ),
    text=_(
        "利用目的:提携人材紹介会社があなたに合う求人を探し、他社への紹介を行うため。"
        "提供先:キャリアリレーと提携する厚生労働大臣許可の有料職業紹介事業者。"
        "提供の記録はマイページで確認でき、同意はいつでも撤回できます。"
    ),
    recipients=_("キャリアリレー提携人材紹介会社"),
    required=True,
)

EMPLOYER_RECONTACT = Notice(
    purpose=Consent.Purpose.EMPLOYER_RECONTACT,
    label=_("今回応募した企業から、今後の募集について再度連絡を受けることに同意します(任意)。"),
    text=_("利用目的:応募先企業が、条件の合う新しい募集をあなたに案内するため。同意しなくても登録できます。"),
    recipients=_("今回応募した企業"),
    required=False,
)

NOTICES = {n.purpose: n for n in (AGENCY_SHARING, EMPLOYER_RECONTACT)}
