"""Follow-up sequences: re-challenge mails sent a number of days after a rejection.

A FollowupStep is one mail of a company's sequence (「6ヶ月後の再チャレンジ案内」 182 days after the
rejection date, 「1年後の再チャレンジ案内」 365 days, and any the company adds). A FollowupDelivery
records what became of one step for one application: queued through the outbox, or skipped and
why. Its unique (step, application) is what makes "each step at most once per application" hold,
also when two workers run the periodic job at once.
"""

import secrets

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careerrelay.organisations.models import Organisation
from careerrelay.outbox.models import OutboundEmail
from careerrelay.rejections.models import RejectionTemplate
from careerrelay.talent.models import Application, RejectionReason

MAX_DELAY_DAYS = 3 * 365

# Applications without a structured reason, as a "kind" a step may include or leave out.
NO_REASON = "none"


def reason_kind_choices():
    return [*RejectionReason.Kind.choices, (NO_REASON, _("理由の分類なし"))]


class FollowupStep(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="followup_steps")
    name = models.CharField(_("名前"), max_length=100)
    delay_days = models.PositiveSmallIntegerField(
        _("不採用日からの日数"), validators=[MinValueValidator(1), MaxValueValidator(MAX_DELAY_DAYS)]
    )
    # SET_NULL: a step whose template was deleted sends nothing until another one is chosen.
    template = models.ForeignKey(
        RejectionTemplate,
        verbose_name=_("テンプレート"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followup_steps",
    )
    active = models.BooleanField(_("有効"), default=False)
    # The rejection reason kinds (RejectionReason.Kind, or NO_REASON) this step is sent for;
    # empty means every application whatever its reason.
    reason_kinds = models.JSONField(_("対象の不採用理由"), default=list, blank=True)
    # "6_months" / "12_months" for the two steps every company starts with, so creating them on
    # first read is idempotent; "" for steps the company added.
    default_key = models.CharField(max_length=20, blank=True, editable=False)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("フォローアップ")
        verbose_name_plural = _("フォローアップ")
        ordering = ["delay_days", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "default_key"], condition=~Q(default_key=""), name="followup_default_step_once"
            )
        ]

    def __str__(self):
        return self.name


class FollowupDelivery(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("送信")
        SKIPPED = "skipped", _("対象外")

    class SkipReason(models.TextChoices):
        TOO_OLD = "too_old", _("送信予定日から60日以上経過")
        NO_CONSENT = "no_consent", _("再連絡の同意なし")
        SUPPRESSED = "suppressed", _("配信停止済み")
        HIRED = "hired", _("その後に採用")
        REAPPLIED = "reapplied", _("その後に再応募")

    step = models.ForeignKey(FollowupStep, on_delete=models.CASCADE, related_name="deliveries")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="followup_deliveries")
    state = models.CharField(max_length=16, choices=State.choices)
    skip_reason = models.CharField(max_length=16, choices=SkipReason.choices, blank=True)
    outbound_email = models.ForeignKey(
        OutboundEmail, on_delete=models.SET_NULL, null=True, blank=True, related_name="followup_deliveries"
    )
    due_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["step", "application"], name="one_followup_per_step_per_application")
        ]
        indexes = [models.Index(fields=["step", "state"], name="followup_delivery_step_state")]


def new_public_code() -> str:
    return secrets.token_urlsafe(12)


class FollowupSettings(models.Model):
    """Where a company's follow-up mails send people to see its current openings."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="followup_settings")
    # The company's own careers page; empty: the minimal public page of its open jobs
    # (careerrelay/followups/views.py), reached by public_code.
    openings_url = models.URLField(_("採用ページのURL"), max_length=500, blank=True)
    public_code = models.CharField(max_length=32, unique=True, default=new_public_code, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
