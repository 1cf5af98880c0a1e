"""What the platform tells the people of an employer, an agency or the operator team: one
Notification row per person and event (the list in the workspace), and an email unless the
person switched that kind off (a NotificationPreference row). Candidates have no account here:
their stage emails go out from matching directly."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    # Agency staff
    AGENCY_APPROVED = "agency_approved", _("人材紹介会社の登録の承認")
    FREE_REFERRAL_REQUESTED = "free_referral_requested", _("新しい無料紹介の依頼")
    INTRODUCTION_ANSWERED = "introduction_answered", _("紹介への本人の回答(承諾・辞退)")
    PROPOSAL_DECIDED = "proposal_decided", _("無料紹介の提案への企業の回答(面接確定・見送り)")
    CLAIM_LAPSING = "claim_lapsing", _("担当中の無料紹介の依頼の期限が近いこと(2日前)")
    # Operators
    AGENCY_APPLIED = "agency_applied", _("人材紹介会社の新しい登録申請")
    REFERRAL_HELD = "referral_held", _("不正確認のために保留された登録")
    DECLINES_REPEATED = "declines_repeated", _("無料紹介の提案の見送りが多い企業")
    EMPLOYER_APPLIED = "employer_applied", _("採用企業の新しい登録(審査待ち)")
    # Employers
    CREDIT_GRANTED = "credit_granted", _("無料紹介枠の付与")
    PROPOSAL_WAITING = "proposal_waiting", _("確認を待つ無料紹介の提案")
    REQUEST_EXPIRING = "request_expiring", _("無料紹介の依頼の期限が近いこと(2日前)")
    REQUEST_EXPIRED = "request_expired", _("無料紹介の依頼の期限切れ")
    # Employers, not switchable: the operator's decision on the company itself.
    EMPLOYER_APPROVED = "employer_approved", _("企業登録の承認")
    EMPLOYER_REJECTED = "employer_rejected", _("企業登録の却下")
    EMPLOYER_SUSPENDED = "employer_suspended", _("企業アカウントの停止")


AGENCY_KINDS = [
    Kind.AGENCY_APPROVED,
    Kind.FREE_REFERRAL_REQUESTED,
    Kind.INTRODUCTION_ANSWERED,
    Kind.PROPOSAL_DECIDED,
    Kind.CLAIM_LAPSING,
]
EMPLOYER_KINDS = [Kind.CREDIT_GRANTED, Kind.PROPOSAL_WAITING, Kind.REQUEST_EXPIRING, Kind.REQUEST_EXPIRED]
OPERATOR_KINDS = [Kind.AGENCY_APPLIED, Kind.REFERRAL_HELD, Kind.DECLINES_REPEATED, Kind.EMPLOYER_APPLIED]

# The line in the workspace list. Parameters are stored with the row; those named `*_label` hold a
# Japanese msgid (a stage name) and are translated when the list is shown.
MESSAGES = {
    Kind.AGENCY_APPROVED: _("貴社の登録が承認されました。求職者の検索と紹介ができます。"),
    Kind.FREE_REFERRAL_REQUESTED: _("新しい無料紹介の依頼: %(company)s / %(role)s(期限 %(deadline)s)"),
    Kind.INTRODUCTION_ANSWERED: _("紹介(%(company)s / %(role)s)に本人が回答しました: %(stage_label)s"),
    Kind.PROPOSAL_DECIDED: _("無料紹介の提案(%(company)s / %(role)s)に企業が回答しました: %(state_label)s"),
    Kind.CLAIM_LAPSING: _("担当中の無料紹介の依頼(%(company)s / %(role)s)は %(expires)s に担当の期限を迎えます。"),
    Kind.AGENCY_APPLIED: _("人材紹介会社の登録申請: %(agency)s(許可番号 %(licence)s)"),
    Kind.REFERRAL_HELD: _("%(company)s のリンク「%(campaign)s」からの登録が、不正確認のために保留されています。"),
    Kind.DECLINES_REPEATED: _("%(company)s は直近%(days)s日間に無料紹介の提案を%(count)s件見送りました。"),
    Kind.EMPLOYER_APPLIED: _("採用企業の登録(審査待ち): %(company)s(ドメイン %(domain)s)"),
    Kind.EMPLOYER_APPROVED: _("貴社の登録が承認されました。メールを送信できます。"),
    Kind.EMPLOYER_REJECTED: _("貴社の登録は承認されませんでした。"),
    Kind.EMPLOYER_SUSPENDED: _("貴社のアカウントは運営により停止されました。"),
    Kind.CREDIT_GRANTED: _("無料紹介枠が1つ付与されました。"),
    Kind.PROPOSAL_WAITING: _(
        "無料紹介の依頼「%(role)s」に候補者が提案されました。面接を確定するか見送るかをお選びください。"
    ),
    Kind.REQUEST_EXPIRING: _("無料紹介の依頼「%(role)s」は %(deadline)s に期限を迎えます。"),
    Kind.REQUEST_EXPIRED: _("無料紹介の依頼「%(role)s」は期限を迎え、無料紹介枠が戻りました。"),
}


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("種類"), max_length=32, choices=Kind.choices)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("日時"), default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="notification_user_created")]
        verbose_name = _("お知らせ")
        verbose_name_plural = _("お知らせ")

    def __str__(self):
        return f"{self.user_id} {self.kind}"

    def text(self) -> str:
        params = {k: gettext(v) if k.endswith("_label") else v for k, v in self.params.items()}
        return str(MESSAGES[self.kind]) % params


class NotificationPreference(models.Model):
    """A kind of email this person switched off (or on again). No row: the email is sent."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_user_and_kind")]
