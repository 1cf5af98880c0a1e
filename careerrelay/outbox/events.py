"""What mail providers report after they accepted a message: django-anymail's `tracking` signal,
sent by each provider's tracking webhook (outbox/webhooks.py checks who is calling), mapped onto
the outbox row it is about.

- `bounced` (a hard bounce), `rejected` (the provider refused to send), `complained` (the
  recipient pressed "this is spam") and `unsubscribed` (the provider's own unsubscribe): the
  address is suppressed for the company that sent it (`Suppression`, as an unsubscribe or a
  5xx at SMTP time does) and the row says why.
- `deferred` and soft bounces: the provider is still trying; the row shows it (the employer's
  recipients page, the operator console), nothing is suppressed.
- `delivered`: recorded.
- `opened` and `clicked`: ignored on purpose. CareerRelay puts no tracking pixel in its mail:
  Apple Mail Privacy Protection fetches every image of every message, so an "open" says nothing,
  and watching who reads a rejection email is intrusive. (The relay link counts its own clicks.)

Events name the message by the provider's id (stored at delivery) or by our own Message-ID (SMTP
relays such as Mailgun's keep it). An event for a message we do not know is ignored. Providers
retry and repeat events, so every effect is idempotent: the same event twice is one suppression,
one complaint. Events also arrive out of order; a later "delivered" never hides a bounce or a
complaint.

The receiver is a hook into a framework (like the worker's `task_finished` log lines), not
domain behaviour on a model signal. The company's complaint rate is read by `sends.trust`, a
layer above, from `complained_at`.
"""

import logging

from anymail.signals import tracking
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone

from careerrelay.common.japanese import normalize_email
from careerrelay.outbox.models import DeliveryStatus, OutboundEmail, Suppression

log = logging.getLogger(__name__)
State = OutboundEmail.State

# The statuses no later event may replace: the address is already suppressed because of them.
FINAL = {DeliveryStatus.BOUNCED, DeliveryStatus.REJECTED, DeliveryStatus.COMPLAINED, DeliveryStatus.UNSUBSCRIBED}
SUPPRESSING = {
    DeliveryStatus.BOUNCED: Suppression.Reason.BOUNCED,
    DeliveryStatus.REJECTED: Suppression.Reason.BOUNCED,
    DeliveryStatus.COMPLAINED: Suppression.Reason.COMPLAINED,
    DeliveryStatus.UNSUBSCRIBED: Suppression.Reason.UNSUBSCRIBED,
}
IGNORED = {"opened", "clicked"}  # no tracking pixels: see the module's docstring


def is_soft_bounce(event) -> bool:
    """Some providers report a temporary failure as a bounce; anymail keeps their own words in
    esp_event. Mailgun's temporary failures already arrive as `deferred`."""
    raw = event.esp_event if isinstance(event.esp_event, dict) else {}
    if raw.get("Type") in ("SoftBounce", "Transient", "DnsError"):  # Postmark
        return True
    if raw.get("event") == "soft_bounce":  # Brevo
        return True
    if raw.get("type") == "blocked":  # SendGrid: blocked by the receiving server, may pass later
        return True
    if (raw.get("bounce") or {}).get("bounceType") in ("Transient", "Undetermined"):  # Amazon SES
        return True
    data = raw.get("data") if isinstance(raw.get("data"), dict) else {}
    return (data.get("bounce") or {}).get("type") == "Transient"  # Resend


def status_of(event) -> str | None:
    kind = event.event_type
    if kind == "bounced":
        return DeliveryStatus.DEFERRED if is_soft_bounce(event) else DeliveryStatus.BOUNCED
    return {
        "deferred": DeliveryStatus.DEFERRED,
        "delivered": DeliveryStatus.DELIVERED,
        "rejected": DeliveryStatus.REJECTED,
        "complained": DeliveryStatus.COMPLAINED,
        "unsubscribed": DeliveryStatus.UNSUBSCRIBED,
    }.get(kind)


def find_message(event) -> OutboundEmail | None:
    raw_id = (event.message_id or "").strip()
    if not raw_id:
        return None
    bare = raw_id.strip("<>")
    ids = {raw_id, bare, f"<{bare}>"}
    message = (
        OutboundEmail.objects.select_related("send")
        .filter(Q(provider_message_id__in=ids) | Q(message_id__in=ids))
        .order_by("pk")
        .first()
    )
    if message is None:
        return None
    # An event about another recipient of the same id is not about this row.
    if event.recipient and normalize_email(event.recipient) != normalize_email(message.to_email):
        return None
    return message


def _detail(event) -> str:
    parts = [event.reject_reason or "", event.description or "", event.mta_response or ""]
    return " / ".join(p.strip() for p in parts if p and p.strip())[:1000]


@transaction.atomic
def apply_event(event, provider: str = "") -> str | None:
    """Records one tracking event; returns the status it stood for, or None when ignored."""
    if event.event_type in IGNORED:
        return None
    status = status_of(event)
    if status is None:
        return None
    message = find_message(event)
    if message is None:
        log.info("mail event %s from %s for an unknown message ignored", event.event_type, provider or "?")
        return None
    # Locks the row (two deliveries of one event at once apply it once); its send is read after.
    message = OutboundEmail.objects.select_for_update().get(pk=message.pk)
    now = timezone.now()
    fields: dict = {}
    current = message.delivery_status
    if current not in FINAL or (status == DeliveryStatus.COMPLAINED and current != status):
        # A complaint outranks an earlier bounce or unsubscribe: it is what the complaint rate counts.
        if not (status == DeliveryStatus.DEFERRED and current == DeliveryStatus.DELIVERED):
            fields.update(delivery_status=status, delivery_detail=_detail(event), delivery_updated_at=now)
    if status == DeliveryStatus.COMPLAINED and message.complained_at is None:
        fields["complained_at"] = event.timestamp or now
    if status in (DeliveryStatus.BOUNCED, DeliveryStatus.REJECTED) and message.state in (State.SENT, State.SENDING):
        # The server took the message, the recipient's did not: the same state a 5xx at SMTP
        # time gives, so the bounce rate of the company's mail counts it too.
        fields.update(state=State.BOUNCED, last_error=_detail(event) or status)
    if fields:
        OutboundEmail.objects.filter(pk=message.pk).update(**fields)
    reason = SUPPRESSING.get(status)
    if reason is not None and message.send is not None:
        Suppression.objects.get_or_create(
            organisation_id=message.send.organisation_id,
            email_normalized=normalize_email(message.to_email),
            defaults={"reason": reason, "message": message},
        )
        # Queued messages of this company to this address stop now, as after an unsubscribe.
        OutboundEmail.objects.filter(
            send__organisation_id=message.send.organisation_id,
            state=State.QUEUED,
            to_email__iexact=message.to_email,
        ).update(state=State.SUPPRESSED)
    return status


@receiver(tracking, dispatch_uid="careerrelay.outbox.events")
def record_tracking_event(sender, event, esp_name, **kwargs):
    apply_event(event, provider=esp_name)
