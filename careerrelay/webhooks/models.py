"""Outbound webhooks: an organisation's endpoints, the events it was sent and each delivery with
its attempts. An endpoint belongs to one employer or agency; its secret signs every delivery, so
it is kept (we must sign with it) but shown to people once, when created or rotated."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careerrelay.organisations.models import Organisation


class EventType(models.TextChoices):
    CREDIT_EARNED = "credit.earned", _("無料紹介枠の付与")
    INTRODUCTION_STAGE_CHANGED = "introduction.stage_changed", _("紹介の段階の変更")
    FOLLOWUP_SENT = "followup.sent", _("フォローアップメールの送信")
    # Only ever sent by the 「テスト送信」 button, to one endpoint.
    PING = "ping", _("テスト送信")


# Which organisation kind may subscribe to which event: credits and follow-ups are employer
# business; introductions reach both sides.
EVENTS_FOR_KIND: dict[str, list[EventType]] = {
    Organisation.Kind.EMPLOYER: [
        EventType.CREDIT_EARNED,
        EventType.INTRODUCTION_STAGE_CHANGED,
        EventType.FOLLOWUP_SENT,
    ],
    Organisation.Kind.AGENCY: [EventType.INTRODUCTION_STAGE_CHANGED],
}


class Endpoint(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("送信先URL"), max_length=500)
    description = models.CharField(_("説明"), max_length=200, blank=True)
    event_types = models.JSONField(_("送信するイベント"), default=list)
    secret = models.CharField(max_length=100)
    active = models.BooleanField(_("有効"), default=True)
    # Why it is off when the system turned it off (failing for days); empty when a person did.
    disabled_reason = models.CharField(max_length=200, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.url

    def subscribes_to(self, event_type: str) -> bool:
        return event_type == EventType.PING or event_type in self.event_types


class Event(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="webhook_events")
    type = models.CharField(max_length=50, choices=EventType.choices)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # The second for the periodic job that deletes the log after WEBHOOK_LOG_DAYS.
        indexes = [models.Index(fields=["organisation", "created_at"]), models.Index(fields=["created_at"])]

    @property
    def webhook_id(self) -> str:
        return f"evt_{self.public_id.hex}"


class Delivery(models.Model):
    """One event to one endpoint, with its attempts. `next_attempt_at` is set while a retry is
    due; the worker's periodic job claims due rows with a conditional UPDATE."""

    class State(models.TextChoices):
        PENDING = "pending", _("送信待ち")
        SUCCEEDED = "succeeded", _("成功")
        RETRYING = "retrying", _("再試行待ち")
        FAILED = "failed", _("失敗")

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # While a worker holds it: a worker that died leaves it to be taken again after a while.
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]


class Attempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    # The first bytes of the answer (RESPONSE_EXCERPT_BYTES), for the organisation to debug with.
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    succeeded = models.BooleanField(default=False)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number", "pk"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_once")]
