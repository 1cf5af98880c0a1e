"""Inbound ATS webhooks: an employer's integrations, the deliveries they received and what the
ATS's rejection reasons are mapped to.

An Integration is one webhook endpoint (`/hooks/ats/<public_id>/`) with the secret its vendor
signs deliveries with. A Delivery is one signed request, stored before anything is done with it
(unique event id per integration: a vendor's retry changes nothing). A ReasonMapping is one
rejection reason in the ATS's words, learned from the deliveries as they arrive, and what
CareerRelay does with a rejection that carries it. An AtsApplication links one application in
the ATS to the talent pool's applicant and to the one send it caused, so the same rejection
arriving twice never mails twice and an older delivery never overwrites a newer one.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_public_id() -> str:
    return secrets.token_urlsafe(24)


class Integration(models.Model):
    class Kind(models.TextChoices):
        GREENHOUSE = "greenhouse", "Greenhouse"
        LEVER = "lever", "Lever"
        WORKABLE = "workable", "Workable"
        GENERIC = "generic", _("汎用（HRMOS・HERP Hire・jobcan・自社システム）")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="ats_integrations"
    )
    kind = models.CharField(_("種類"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名前"), max_length=100)
    # The vendor verifies nothing of ours; we verify its signature with this, so it must be kept
    # as typed (not hashed). It is never shown again after saving, only its last characters.
    secret = models.CharField(_("署名用シークレット"), max_length=200)
    # Lever only: the key the worker reads opportunities with (Lever's webhooks name no person).
    api_key = models.CharField(_("Lever APIキー"), max_length=200, blank=True)
    public_id = models.CharField(max_length=64, unique=True, default=new_public_id, editable=False)
    active = models.BooleanField(_("有効"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ATS連携")
        verbose_name_plural = _("ATS連携")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name

    @property
    def secret_hint(self) -> str:
        return _hint(self.secret)

    @property
    def api_key_hint(self) -> str:
        return _hint(self.api_key)


# Every member sees the hint. The last 4 characters of an 8-character secret (the shortest
# allowed) would leave 4 to guess before a member could sign deliveries (and auto-sends) in the
# company's name: a short secret is shown only as "…".
HINT_MIN_LENGTH = 16


def _hint(value: str) -> str:
    if not value:
        return ""
    return "…" + value[-4:] if len(value) >= HINT_MIN_LENGTH else "…"


class Delivery(models.Model):
    class Outcome(models.TextChoices):
        PENDING = "pending", _("処理待ち")
        PROCESSED = "processed", _("処理済み")
        IGNORED = "ignored", _("対象外")
        FAILED = "failed", _("要対応")

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="deliveries")
    # The vendor's own event or delivery id, else the SHA-256 of the raw body (vendors/base.py).
    event_id = models.CharField(max_length=200)
    received_at = models.DateTimeField(default=timezone.now)
    # The signed body as received, kept until processed; then its contact data is removed
    # (redact.py). A failed delivery keeps it for a replay, for INTEGRATIONS_FAILED_BODY_DAYS.
    body = models.BinaryField()
    body_redacted = models.BooleanField(default=False)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    message = models.TextField(blank=True)
    # {"rejections": n, "created": n, "updated": n, "stale": n, "sends": n, "failed": n}
    counts = models.JSONField(default=dict, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # A pending delivery is (re-)enqueued by the periodic sweep once this has passed: a task lost
    # between the commit and the queue, or a retry after Lever's API could not be read.
    retry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("受信履歴")
        verbose_name_plural = _("受信履歴")
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["integration", "event_id"], name="ats_delivery_event_once")]
        indexes = [
            models.Index(fields=["integration", "-received_at"], name="ats_delivery_received"),
            models.Index(fields=["outcome", "received_at"], name="ats_delivery_outcome"),
        ]

    def __str__(self):
        return f"{self.event_id[:24]} ({self.get_outcome_display()})"


class ReasonMapping(models.Model):
    class Action(models.TextChoices):
        AUTO_SEND = "auto_send", _("自動送信する")
        POOL_ONLY = "pool_only", _("人材プールに登録のみ（ATSから送信）")
        DO_NOT_SEND = "do_not_send", _("送信しない（辞退・他社決定など）")

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="reason_mappings")
    # The ATS's reason verbatim ("" for rejections without one).
    ats_reason = models.CharField(_("ATSの不採用理由"), max_length=300)
    reason = models.ForeignKey(
        "talent.RejectionReason",
        verbose_name=_("不採用理由（分類）"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("対応"), max_length=16, choices=Action.choices, default=Action.POOL_ONLY)
    template = models.ForeignKey(
        "rejections.RejectionTemplate",
        verbose_name=_("テンプレート"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    delay_business_days = models.PositiveSmallIntegerField(
        _("不採用から何営業日後"), default=2, validators=[MaxValueValidator(30)]
    )
    send_hour = models.PositiveSmallIntegerField(
        _("送信時刻（時）"), default=10, validators=[MinValueValidator(8), MaxValueValidator(19)]
    )
    auto_send = models.BooleanField(_("自動送信を有効にする"), default=False)
    # False until an admin saved it: an unmapped reason only adds people to the pool.
    mapped = models.BooleanField(default=False)
    seen_count = models.PositiveIntegerField(default=0)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("不採用理由の対応付け")
        verbose_name_plural = _("不採用理由の対応付け")
        ordering = ["mapped", "-last_seen_at", "id"]
        constraints = [models.UniqueConstraint(fields=["integration", "ats_reason"], name="ats_reason_mapping_once")]

    def __str__(self):
        return self.ats_reason

    @property
    def sends_automatically(self) -> bool:
        return self.mapped and self.action == self.Action.AUTO_SEND and self.auto_send and self.template_id is not None


class AtsApplication(models.Model):
    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="applications")
    ats_person_id = models.CharField(max_length=100)
    ats_application_id = models.CharField(max_length=100, blank=True)
    applicant = models.ForeignKey("talent.Applicant", on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(
        "talent.Application", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # When the ATS says the latest stored change happened: an older delivery changes nothing.
    occurred_at = models.DateTimeField(null=True, blank=True)
    # The one rejection email this application caused (queued at most once).
    send = models.ForeignKey("sends.Send", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    send_decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "ats_person_id", "ats_application_id"], name="ats_application_once"
            )
        ]
