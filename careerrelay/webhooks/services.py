"""Outbound webhooks: endpoints an employer or agency registers, `emit` for the services whose
state changes their systems hear about, delivery with its signature, retries with back-off, the
manual redelivery, and turning off an endpoint that has been failing for days.

Delivery is at least once: a receiver recognises a repeat by the `Webhook-Id` header (the
event's id, the same in every attempt and every endpoint). What each event carries is decided
by the service that emits it (docs/webhooks.md lists them); nothing here adds data to it."""

import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from careerrelay.audit.actor import Actor
from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import record_event
from careerrelay.organisations.models import Membership, Organisation
from careerrelay.outbox.services import queue_email
from careerrelay.webhooks import transport
from careerrelay.webhooks.models import EVENTS_FOR_KIND, Attempt, Delivery, Endpoint, Event, EventType
from careerrelay.webhooks.tasks import deliver_webhook

# After the first attempt: 1 min, 5 min, 30 min, 2 h, 12 h, 24 h, then the delivery has failed.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
USER_AGENT = "CareerRelay-Webhooks/1.0"
# A delivery claimed by a worker that died is taken again after this.
CLAIM = timedelta(minutes=2)
# A delivery still pending this long after it was queued lost its task (a queue restarted empty).
LOST_TASK_AFTER = timedelta(minutes=10)
DUE_CHUNK = 200
# Events, their deliveries and attempts (answers included) are kept this long for the log.
WEBHOOK_LOG_DAYS = 30

State = Delivery.State


class WebhookError(ValueError):
    """A refused change; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str = "url"):
        super().__init__(message)
        self.field = field


# --- Endpoints -----------------------------------------------------------------------------------


def endpoints_for(organisation: Organisation):
    return Endpoint.objects.filter(organisation=organisation).select_related("created_by")


def event_types_for(organisation: Organisation) -> list[EventType]:
    return EVENTS_FOR_KIND[organisation.kind]


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def _clean(organisation: Organisation, url: str, event_types) -> tuple[str, list[str]]:
    url = url.strip()
    try:
        transport.check_url(url)
    except transport.UnsafeTarget as refused:
        raise WebhookError(str(refused), "url") from None
    allowed = [str(t) for t in event_types_for(organisation)]
    chosen = [t for t in allowed if t in set(event_types)]
    if not chosen or len(chosen) != len(set(event_types)):
        raise WebhookError(_("送信するイベントを1つ以上選んでください。"), "event_types")
    return url, chosen


def _audit(endpoint: Endpoint, *, actor: Actor, event: str, **detail) -> None:
    record_event(
        actor=actor,
        action=AuditEvent.Action.CHANGE,
        organisation=endpoint.organisation,
        object_type="webhooks.endpoint",
        object_id=endpoint.pk,
        event=event,
        **detail,
    )


@transaction.atomic
def create_endpoint(
    *, organisation: Organisation, url: str, event_types, description: str = "", actor: Actor
) -> tuple[Endpoint, str]:
    """Returns the endpoint and its secret, for the person to copy once."""
    url, chosen = _clean(organisation, url, event_types)
    secret = new_secret()
    endpoint = Endpoint.objects.create(
        organisation=organisation,
        url=url,
        description=description.strip(),
        event_types=chosen,
        secret=secret,
        created_by=actor.user,
    )
    _audit(endpoint, actor=actor, event="webhook_created", event_types=chosen)
    return endpoint, secret


@transaction.atomic
def update_endpoint(
    *, endpoint: Endpoint, url: str, event_types, description: str = "", active: bool = True, actor: Actor
) -> Endpoint:
    url, chosen = _clean(endpoint.organisation, url, event_types)
    endpoint.url, endpoint.event_types, endpoint.description = url, chosen, description.strip()
    if active and not endpoint.active:
        # Turned on again by a person: it starts with a clean record.
        endpoint.consecutive_failures, endpoint.failing_since, endpoint.disabled_reason = 0, None, ""
    endpoint.active = active
    endpoint.updated_at = timezone.now()
    endpoint.save()
    _audit(endpoint, actor=actor, event="webhook_changed", event_types=chosen, active=active)
    return endpoint


@transaction.atomic
def delete_endpoint(*, endpoint: Endpoint, actor: Actor) -> None:
    _audit(endpoint, actor=actor, event="webhook_deleted")
    endpoint.delete()


@transaction.atomic
def rotate_secret(*, endpoint: Endpoint, actor: Actor) -> str:
    """The old secret stops signing at once; the receiver must switch to the new one."""
    secret = new_secret()
    Endpoint.objects.filter(pk=endpoint.pk).update(secret=secret, updated_at=timezone.now())
    endpoint.secret = secret
    _audit(endpoint, actor=actor, event="webhook_secret_rotated")
    return secret


@transaction.atomic
def send_test(*, endpoint: Endpoint, actor: Actor) -> Delivery:
    """A `ping` event to this endpoint only, whether it is on or off."""
    event = Event.objects.create(
        organisation=endpoint.organisation, type=EventType.PING, payload={"message": "CareerRelay webhook test"}
    )
    delivery = Delivery.objects.create(endpoint=endpoint, event=event)
    _audit(endpoint, actor=actor, event="webhook_test_sent")
    _enqueue_after_commit([delivery.pk])
    return delivery


@transaction.atomic
def redeliver(*, delivery: Delivery, actor: Actor) -> bool:
    """The 「再送」 button: one more attempt now, and the automatic retries after it if attempts
    are left. False when the delivery is already waiting for its attempt."""
    changed = (
        Delivery.objects.filter(pk=delivery.pk)
        .exclude(state=State.PENDING)
        .update(state=State.PENDING, next_attempt_at=None, updated_at=timezone.now())
    )
    if changed:
        _audit(delivery.endpoint, actor=actor, event="webhook_redelivered", delivery=delivery.pk)
        _enqueue_after_commit([delivery.pk])
    return bool(changed)


def deliveries_for(endpoint: Endpoint):
    return Delivery.objects.filter(endpoint=endpoint).select_related("event").prefetch_related("attempt_log")


# --- Emitting ------------------------------------------------------------------------------------


def emit(organisation: Organisation, event_type: str, data: dict) -> Event | None:
    """Records the event for the organisation's active endpoints that subscribe to it and sends it
    once the caller's transaction commits: a state change that rolls back was never announced.
    `data` goes out as it is, so the caller passes only what the organisation may know. None
    when no endpoint listens (no row is kept then)."""
    endpoints = [
        endpoint
        for endpoint in Endpoint.objects.filter(organisation=organisation, active=True)
        if endpoint.subscribes_to(event_type)
    ]
    if not endpoints:
        return None
    event = Event.objects.create(organisation=organisation, type=event_type, payload=data)
    deliveries = Delivery.objects.bulk_create([Delivery(endpoint=endpoint, event=event) for endpoint in endpoints])
    _enqueue_after_commit([delivery.pk for delivery in deliveries])
    return event


def _enqueue_after_commit(delivery_ids: list[int]) -> None:
    def enqueue():
        for delivery_id in delivery_ids:
            deliver_webhook.enqueue(delivery_id)

    transaction.on_commit(enqueue)


# --- Delivering ----------------------------------------------------------------------------------


def body_of(event: Event) -> bytes:
    envelope = {
        "id": event.webhook_id,
        "type": event.type,
        "created_at": event.created_at.isoformat(),
        "data": event.payload,
    }
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()


def signature(secret: str, body: bytes) -> str:
    return "sha256 " + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver(delivery_id: int, now: datetime | None = None) -> str:
    """One attempt. The claim (a conditional UPDATE) makes sure two workers never post the same
    delivery at once; the HTTP call runs outside any transaction."""
    now = now or timezone.now()
    claimed = (
        Delivery.objects.filter(pk=delivery_id, state=State.PENDING)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + CLAIM, updated_at=now)
    )
    if not claimed:
        return "skipped"
    delivery = Delivery.objects.select_related("endpoint", "event").get(pk=delivery_id)
    endpoint, event = delivery.endpoint, delivery.event
    if not endpoint.active and event.type != EventType.PING:
        Delivery.objects.filter(pk=delivery.pk).update(state=State.FAILED, claimed_until=None, next_attempt_at=None)
        return "endpoint_off"
    body = body_of(event)
    response = transport.post(
        endpoint.url,
        body,
        {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "Signature": signature(endpoint.secret, body),
            "Webhook-Id": event.webhook_id,
            "Webhook-Timestamp": str(int(timezone.now().timestamp())),
        },
    )
    _record(delivery, endpoint, response)
    return "succeeded" if response.ok else "failed"


@transaction.atomic
def _record(delivery: Delivery, endpoint: Endpoint, response: transport.Response) -> None:
    now = timezone.now()
    number = delivery.attempts + 1
    if response.ok:
        state, next_at = State.SUCCEEDED, None
    elif number < MAX_ATTEMPTS:
        state, next_at = State.RETRYING, now + RETRY_DELAYS[number - 1]
    else:
        state, next_at = State.FAILED, None
    Attempt.objects.create(
        delivery=delivery,
        number=number,
        status_code=response.status_code,
        response_excerpt=response.excerpt,
        error=response.error,
        duration_ms=response.duration_ms,
        succeeded=response.ok,
        next_attempt_at=next_at,
        created_at=now,
    )
    Delivery.objects.filter(pk=delivery.pk).update(
        state=state, attempts=number, next_attempt_at=next_at, claimed_until=None, updated_at=now
    )
    if delivery.event.type == EventType.PING:
        return  # a test says nothing about whether the endpoint works for real events
    if response.ok:
        Endpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0, failing_since=None)
        return
    Endpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
    _disable_if_failing(endpoint.pk, now)


def _disable_if_failing(endpoint_id: int, now: datetime) -> None:
    """An endpoint that failed every attempt for WEBHOOKS_DISABLE_AFTER_DAYS, at least
    WEBHOOKS_DISABLE_AFTER_FAILURES times, is turned off and the organisation's admins told."""
    disabled = Endpoint.objects.filter(
        pk=endpoint_id,
        active=True,
        consecutive_failures__gte=settings.WEBHOOKS_DISABLE_AFTER_FAILURES,
        failing_since__lte=now - timedelta(days=settings.WEBHOOKS_DISABLE_AFTER_DAYS),
    ).update(active=False, disabled_reason="failing", updated_at=now)
    if not disabled:
        return
    endpoint = Endpoint.objects.select_related("organisation").get(pk=endpoint_id)
    record_event(
        actor=Actor.system(),
        action=AuditEvent.Action.CHANGE,
        organisation=endpoint.organisation,
        object_type="webhooks.endpoint",
        object_id=endpoint.pk,
        event="webhook_disabled_failing",
        failures=endpoint.consecutive_failures,
    )
    namespace = "employer" if endpoint.organisation.kind == Organisation.Kind.EMPLOYER else "agency"
    url = settings.SITE_URL.rstrip("/") + reverse(f"{namespace}:webhook", args=[endpoint.pk])
    admins = Membership.objects.filter(
        organisation=endpoint.organisation, role=Membership.Role.ADMIN, user__is_active=True
    ).select_related("user")
    for membership in admins:
        user = membership.user
        queue_email(
            to=user.email,
            template="webhook_disabled",
            context={"organisation": endpoint.organisation, "endpoint": endpoint, "url": url},
            language=user.language or "ja",
        )


def send_due_retries(now: datetime | None = None) -> int:
    """The worker's periodic job: retries whose back-off is over, and deliveries whose task was
    lost. Each is handed to a task once: the conditional UPDATE that makes it pending again is
    won by one worker."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(state=State.RETRYING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", "next_attempt_at")[:DUE_CHUNK]
    )
    taken = []
    for pk, next_at in due:
        if Delivery.objects.filter(pk=pk, state=State.RETRYING, next_attempt_at=next_at).update(
            state=State.PENDING, next_attempt_at=None, updated_at=now
        ):
            taken.append(pk)
    lost = list(
        Delivery.objects.filter(state=State.PENDING, updated_at__lte=now - LOST_TASK_AFTER)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .values_list("pk", "updated_at")[:DUE_CHUNK]
    )
    for pk, updated_at in lost:
        if Delivery.objects.filter(pk=pk, state=State.PENDING, updated_at=updated_at).update(updated_at=now):
            taken.append(pk)
    for pk in taken:
        deliver_webhook.enqueue(pk)
    return len(taken)


def delete_old_events(now: datetime | None = None) -> int:
    """The delivery log is for debugging, not an archive: events older than WEBHOOK_LOG_DAYS go
    with their deliveries and attempts."""
    cutoff = (now or timezone.now()) - timedelta(days=WEBHOOK_LOG_DAYS)
    ids = list(Event.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:1000])
    if not ids:
        return 0
    Event.objects.filter(pk__in=ids).delete()
    return len(ids)
