from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Send(models.Model):
    """One bulk send of a rejection template to chosen applicants: one OutboundEmail per recipient.

    `next_batch_at` is the send's due-date column. The worker's periodic loop claims a send whose
    time has come with a conditional UPDATE that pushes the column forward by a lease, then
    enqueues one batch; a batch that finds more due work enqueues the next. When a worker dies,
    the lease runs out and the loop enqueues the send again, so nothing depends on the memory of
    a process.
    """

    class State(models.TextChoices):
        PREPARING = "preparing", _("準備中")
        SCHEDULED = "scheduled", _("予約済み")
        SENDING = "sending", _("送信中")
        DONE = "done", _("完了")
        CANCELLED = "cancelled", _("取消")

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="sends")
    template = models.ForeignKey(
        "rejections.RejectionTemplate", on_delete=models.SET_NULL, null=True, blank=True, related_name="sends"
    )
    template_name = models.CharField(_("テンプレート"), max_length=100)
    campaign = models.ForeignKey(
        "relay.RelayCampaign", on_delete=models.SET_NULL, null=True, blank=True, related_name="sends"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sender_name = models.CharField(_("送信者名"), max_length=100, blank=True)
    signature = models.TextField(_("署名"), blank=True)
    # None: "now" or "at a time"; N: each message is due N business days after its rejection date.
    business_days = models.PositiveSmallIntegerField(null=True, blank=True)
    scheduled_at = models.DateTimeField(_("送信予定"))
    state = models.CharField(max_length=16, choices=State.choices, default=State.SCHEDULED, db_index=True)
    next_batch_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # While `preparing`: the applicants' ids and the schedule, for the worker to render.
    pending = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Set while due messages wait for the company's daily limit: when sending resumes by itself.
    held_until = models.DateTimeField(_("保留(再開予定)"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # The table was made when sends lived in the outbox app (label "mailings"); it kept its name
        # when the model moved here, so no data had to move.
        db_table = "mailings_send"
        indexes = [models.Index(fields=["organisation", "-created_at"], name="send_org_created")]

    def __str__(self):
        return f"{self.template_name} ({self.created_at:%Y-%m-%d})"

    @property
    def is_open(self):
        return self.state in (self.State.PREPARING, self.State.SCHEDULED, self.State.SENDING)


class SendingPause(models.Model):
    """A company's sends stopped because its recipients reported its mail as spam too often
    (sends.trust.pause_for_complaints). While a pause is open no batch of its sends goes out; the
    sends wait, nothing is cancelled. Only an operator lifts it (the operator console, audited)."""

    class Reason(models.TextChoices):
        COMPLAINTS = "complaints", _("苦情率が上限を超えました")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="sending_pauses", verbose_name=_("企業")
    )
    reason = models.CharField(_("理由"), max_length=16, choices=Reason.choices, default=Reason.COMPLAINTS)
    complaints = models.PositiveIntegerField(_("苦情"), default=0)
    sent = models.PositiveIntegerField(_("送信数"), default=0)
    created_at = models.DateTimeField(_("停止日時"), default=timezone.now)
    lifted_at = models.DateTimeField(_("解除日時"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("送信の一時停止")
        verbose_name_plural = _("送信の一時停止")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=models.Q(lifted_at__isnull=True), name="one_open_pause_per_company"
            )
        ]

    def __str__(self):
        return f"{self.organisation_id} {self.reason} {self.created_at:%Y-%m-%d}"

    @property
    def rate_percent(self) -> str:
        return f"{100 * self.complaints / self.sent:.2f}%" if self.sent else "—"
