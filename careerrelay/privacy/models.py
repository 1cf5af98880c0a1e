from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careerrelay.candidates.models import Candidate, Consent
from careerrelay.organisations.models import Organisation

PROVISION_RECORD_YEARS = 3


def _three_years_from_now():
    return timezone.now() + timedelta(days=365 * PROVISION_RECORD_YEARS + 1)


class ProvisionRecord(models.Model):
    """APPI Art. 29: every provision of a candidate's data to a third party.

    Kept 3 years, also after the account is deleted, with only what the law asks for: the
    pseudonymous subject key, the recipient, the data items, the time and the consent relied on
    (its notice version and hash are copied, because the consent row itself goes with the
    account). No name or address is stored here.

    Append-only: a database trigger (see the migration) refuses UPDATE except for the foreign
    keys being set to NULL when the candidate, consent or recipient user is deleted, and refuses
    DELETE on PostgreSQL until the record has expired.
    """

    class Channel(models.TextChoices):
        PAGE = "page", _("画面で閲覧")
        API = "api", _("API")
        INTRODUCTION = "introduction", _("紹介")

    class Item(models.TextChoices):
        PROFILE = "profile", _("プロフィール(希望職種・経験・スキル・自己紹介)")
        CONTACT = "contact", _("氏名・連絡先")
        RESUME = "resume", _("履歴書・職務経歴書")
        WORK_HISTORY = "work_history", _("職歴")

    subject_key = models.UUIDField(_("対象者キー"), db_index=True)
    candidate = models.ForeignKey(
        Candidate, on_delete=models.SET_NULL, null=True, blank=True, related_name="provision_records"
    )
    recipient_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="received_provisions", verbose_name=_("提供先")
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    items = models.JSONField(_("提供した項目"), default=list)
    purpose = models.CharField(_("利用目的"), max_length=32, choices=Consent.Purpose.choices)
    consent = models.ForeignKey(Consent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    consent_notice_version = models.CharField(_("同意した通知の版"), max_length=32)
    consent_notice_hash = models.CharField(max_length=64)
    consent_given_at = models.DateTimeField(_("同意日時"), null=True, blank=True)
    channel = models.CharField(_("提供の方法"), max_length=16, choices=Channel.choices)
    created_at = models.DateTimeField(_("提供日時"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("保存期限"), default=_three_years_from_now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("提供記録")
        verbose_name_plural = _("提供記録")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d} → {self.recipient_organisation_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Provision records are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Provision records are append-only.")

    @property
    def item_labels(self):
        labels = dict(self.Item.choices)
        return [labels.get(item, item) for item in self.items]


class StopUseNotice(models.Model):
    """Sent to an organisation that received a candidate's data when the candidate withdraws the
    consent it rested on: an agency (agency sharing) or the employer (re-contact). The field keeps
    its first name, `agency`, so the existing rows and queries stay as they are."""

    agency = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="stop_use_notices", verbose_name=_("通知先")
    )
    subject_key = models.UUIDField(_("対象者キー"), db_index=True)
    purpose = models.CharField(
        _("撤回された同意"), max_length=32, choices=Consent.Purpose.choices, default=Consent.Purpose.AGENCY_SHARING
    )
    created_at = models.DateTimeField(_("通知日時"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("確認日時"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("利用停止の通知")
        verbose_name_plural = _("利用停止の通知")


class RetentionState(models.Model):
    """A candidate's last activity and, once reminded, the day the account will be deleted.

    The reminder and the deletion are claimed with conditional UPDATEs on this row, so the
    retention job never reminds or deletes twice even when two workers run it at once.
    """

    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="retention")
    last_active_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    delete_after = models.DateTimeField(null=True, blank=True, db_index=True)
    deletion_claimed_at = models.DateTimeField(null=True, blank=True)


class RetentionRun(models.Model):
    """What one run of the retention job did: counts and the pseudonymous keys it deleted."""

    started_at = models.DateTimeField(default=timezone.now)
    reminded = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    expired_provision_records = models.PositiveIntegerField(default=0)
    deleted_subject_keys = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("保存期間の処理")
        verbose_name_plural = _("保存期間の処理")
