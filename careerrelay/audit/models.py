from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Append-only: who looked at or changed a candidate's data, what, when and from where.

    `subject_key` is the candidate's public_id with no foreign key, so the row outlives the
    person's deletion without keeping their name or address. A database trigger (see the
    migration) refuses UPDATE (and DELETE on PostgreSQL).
    """

    class ActorKind(models.TextChoices):
        AGENCY = "agency", _("人材紹介会社")
        EMPLOYER = "employer", _("採用企業")
        STAFF = "staff", _("運営スタッフ")
        CANDIDATE = "candidate", _("求職者本人")
        SYSTEM = "system", _("システム")

    class Action(models.TextChoices):
        VIEW = "view", _("閲覧")
        LIST = "list", _("一覧表示")
        DOWNLOAD = "download", _("ダウンロード")
        EXPORT = "export", _("エクスポート")
        SEARCH = "search", _("検索")
        PROVIDE = "provide", _("第三者提供")
        CHANGE = "change", _("変更")
        DELETE = "delete", _("削除")
        CONSENT_GRANT = "consent_grant", _("同意")
        CONSENT_WITHDRAW = "consent_withdraw", _("同意の撤回")
        STAFF_ACTION = "staff_action", _("運営による操作")
        RETENTION_REMINDER = "retention_reminder", _("保存期間満了の予告")
        RETENTION_DELETE = "retention_delete", _("保存期間満了による削除")

    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_kind = models.CharField(_("操作者の種別"), max_length=16, choices=ActorKind.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("組織"),
    )
    action = models.CharField(_("操作"), max_length=32, choices=Action.choices)
    subject_key = models.UUIDField(_("対象者キー"), null=True, blank=True, db_index=True)
    object_type = models.CharField(_("対象の種類"), max_length=64, blank=True)
    object_id = models.CharField(_("対象ID"), max_length=64, blank=True)
    detail = models.JSONField(_("詳細"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IPアドレス"), null=True, blank=True)
    user_agent = models.CharField(_("ユーザーエージェント"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("日時"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("監査ログ")
        verbose_name_plural = _("監査ログ")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_kind} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")
