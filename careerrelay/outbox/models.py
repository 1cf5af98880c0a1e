from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DeliveryStatus(models.TextChoices):
    """The mail provider's latest word on a message it accepted (its tracking webhook)."""

    DELIVERED = "delivered", _("配信済み")
    DEFERRED = "deferred", _("配信遅延(再試行中)")
    BOUNCED = "bounced", _("不達(宛先不明)")
    REJECTED = "rejected", _("配信拒否")
    COMPLAINED = "complained", _("迷惑メール報告")
    UNSUBSCRIBED = "unsubscribed", _("配信停止")


class OutboundEmail(models.Model):
    """One message to one recipient. The row exists before the message is sent, so a crash
    neither loses it (it stays queued) nor sends it twice (only one worker can claim it)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("送信待ち")
        SENDING = "sending", _("送信中")
        SENT = "sent", _("送信済み")
        FAILED = "failed", _("送信失敗")
        BOUNCED = "bounced", _("宛先不明")
        SUPPRESSED = "suppressed", _("配信停止中")
        CANCELLED = "cancelled", _("取消")

    to_email = models.EmailField()
    from_email = models.CharField(max_length=254)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    message_id = models.CharField(max_length=200, unique=True)
    template = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # --- Messages of a bulk send ---
    # The outbox sits below the bulk sends and the talent pool and never imports them, yet a
    # message of a send keeps these two foreign keys (lazy references, resolved by Django) rather
    # than a table of its own in `sends`: the worker claims a send's due messages through the
    # (send, state, due_at) index of this table, one indexed range scan per batch.
    send = models.ForeignKey("sends.Send", on_delete=models.CASCADE, null=True, blank=True, related_name="messages")
    applicant = models.ForeignKey(
        "talent.Applicant", on_delete=models.SET_NULL, null=True, blank=True, related_name="outbound_emails"
    )
    # When a queued message of a send may go out (its schedule, or its next retry).
    due_at = models.DateTimeField(null=True, blank=True)
    # Hashes of the per-recipient tokens in the relay (click) and unsubscribe links.
    click_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    unsubscribe_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    clicks = models.PositiveIntegerField(default=0)
    # The MIME message of a bulk send as it goes out, built when the send is created (Date is
    # added when it is sent), so the worker does no more than claim, transmit and mark.
    mime = models.BinaryField(null=True, blank=True, editable=False)
    first_clicked_at = models.DateTimeField(null=True, blank=True)
    # --- What the mail provider reported after accepting it (outbox/events.py) ---
    # The provider's id of the message (anymail_status.message_id); SMTP leaves it empty and
    # events are matched by our own Message-ID.
    provider_message_id = models.CharField(max_length=255, null=True, blank=True, db_index=True)
    delivery_status = models.CharField(
        _("配信状況"), max_length=16, choices=DeliveryStatus.choices, blank=True, default=""
    )
    delivery_detail = models.CharField(_("配信状況の詳細"), max_length=1000, blank=True, default="")
    delivery_updated_at = models.DateTimeField(null=True, blank=True)
    # When the recipient reported it as spam: the company's complaint rate counts these.
    complained_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["send", "state", "due_at"], name="outbound_send_state_due"),
            # The few complained messages, which the worker's complaint check looks for often.
            models.Index(
                fields=["complained_at"], condition=Q(complained_at__isnull=False), name="outbound_complained"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["send", "applicant"], condition=Q(send__isnull=False), name="one_message_per_applicant_per_send"
            )
        ]

    def __str__(self):
        return f"{self.to_email}: {self.subject}"

    @property
    def carries_sign_in_link(self) -> bool:
        """Whether the body holds a link or code that signs someone in or takes over an account."""
        return self.template in SIGN_IN_LINK_TEMPLATES or self.template.startswith(SIGN_IN_LINK_TEMPLATE_PREFIXES)


# Emails whose body signs its reader in (or verifies, resets, invites, changes an address):
# the operator console never shows their bodies, even before delivery.
SIGN_IN_LINK_TEMPLATES = frozenset(
    {"candidate_signin", "candidate_verify", "candidate_email_change", "employer_invitation"}
)
# allauth's own emails: password reset, address confirmation, login codes.
SIGN_IN_LINK_TEMPLATE_PREFIXES = ("account/email/",)


class Suppression(models.Model):
    """An address that one company must never mail again (unsubscribed, or hard-bounced)."""

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", _("配信停止")
        BOUNCED = "bounced", _("宛先不明")
        COMPLAINED = "complained", _("迷惑メール報告")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="suppressions"
    )
    email_normalized = models.CharField(max_length=254)
    reason = models.CharField(max_length=16, choices=Reason.choices, default=Reason.UNSUBSCRIBED)
    message = models.ForeignKey(OutboundEmail, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "email_normalized"], name="one_suppression_per_email")
        ]
