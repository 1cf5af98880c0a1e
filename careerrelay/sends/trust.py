"""Who may send, and how much: what keeps CareerRelay from being an
open mail relay for a company that signed up to send spam in its own name.

- A company sends only while it is active and approved by an operator (Organisation.may_send);
  this is checked when a send is created, by the worker before each batch, and again as the
  outbox claims each few messages (delivery_gate), so a send queued before a suspension never
  goes out.
- An approved company may mail a daily number of recipients (a day in Japan time, TIME_ZONE)
  that grows with a clean record: MAIL_DAILY_LIMIT_START, doubled for every
  MAIL_DAILY_LIMIT_STEP_DAYS days since approval that also brought MAIL_DAILY_LIMIT_STEP_SENT
  more delivered messages, up to MAIL_DAILY_LIMIT_CAP; back to the start while the bounce rate of
  the last MAIL_TRUST_WINDOW_DAYS is above MAIL_MAX_BOUNCE_PERMILLE. What counts is every message
  of the company's sends handed to a worker that day (claimed_at), sent or refused.
- Messages over the limit wait (Send.held_until) and go out by themselves when the next day
  begins; nothing is dropped.
- Complaints: when the recipients of a company report more than MAIL_MAX_COMPLAINT_PER_10000
  (0.3%, the Gmail/Yahoo bulk-sender limit) of its mail of the last MAIL_COMPLAINT_WINDOW_DAYS as
  spam, once at least MAIL_COMPLAINT_MIN_SENT were sent, its sends are paused (SendingPause) and
  the operators are told; only an operator lifts the pause. The worker checks every company
  that received a complaint in the window (the periodic job `complaint_rate`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from math import inf
from time import monotonic

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from careerrelay.audit.services import Action, Actor, record_event
from careerrelay.notifications.services import operators
from careerrelay.organisations.models import Organisation
from careerrelay.outbox.models import OutboundEmail
from careerrelay.outbox.services import queue_email
from careerrelay.sends.models import Send, SendingPause

State = OutboundEmail.State
OPEN_SENDS = [Send.State.PREPARING, Send.State.SCHEDULED, Send.State.SENDING]


# --- Who may send ---------------------------------------------------------------------------


def sending_refusal(organisation) -> str | None:
    """Why this company may not send now, in words for its people; None when it may."""
    if not organisation.is_active:
        return _("このアカウントは停止されているため、メールを送信できません。")
    if organisation.status == organisation.Status.PENDING:
        return _(
            "貴社の登録は運営が審査中です。承認されるまでメールは送信されません。"
            "テンプレート・応募者・リレーリンクの準備とプレビューは今すぐ使えます。"
        )
    if not organisation.is_approved:
        return _("貴社の登録は承認されなかったため、メールを送信できません。")
    return None


@transaction.atomic
def cancel_queued_mail(organisation) -> int:
    """Everything of this company that has not gone out stops: queued messages and open sends.
    A message already handed to the mail server cannot be recalled."""
    cancelled = OutboundEmail.objects.filter(send__organisation=organisation, state=State.QUEUED).update(
        state=State.CANCELLED
    )
    Send.objects.filter(organisation=organisation, state__in=OPEN_SENDS).update(
        state=Send.State.CANCELLED, cancelled_at=timezone.now(), next_batch_at=None, held_until=None
    )
    return cancelled


class SenderCheck:
    """Which companies of a batch may send, asked again at most every `fresh_for` seconds.

    The worker asks before each few messages it claims; asking the database every time cost one
    round trip per ten messages (bench/RESULTS.md). A suspension still stops a running batch
    within a second, and every batch starts with a fresh answer."""

    def __init__(self, fresh_for: float = 1.0):
        self.fresh_for = fresh_for
        self._answers: dict[int, tuple[float, bool]] = {}

    def may_send(self, organisation_ids) -> set[int]:
        now = monotonic()
        stale = [pk for pk in organisation_ids if now - self._answers.get(pk, (-inf, False))[0] >= self.fresh_for]
        if stale:
            allowed = set(
                Organisation.objects.filter(
                    pk__in=stale, is_active=True, status=Organisation.Status.APPROVED
                ).values_list("pk", flat=True)
            )
            for pk in stale:
                self._answers[pk] = (now, pk in allowed)
        return {pk for pk in organisation_ids if self._answers[pk][1]}


def cancel_if_stopped(messages, check: SenderCheck | None = None) -> set[int]:
    """At delivery, just before a few messages are claimed: those of a company that may no
    longer send are cancelled (whatever let them be queued) and their ids returned."""
    by_org: dict[int, list[int]] = {}
    for message in messages:
        if message.send_id:
            by_org.setdefault(message.send.organisation_id, []).append(message.pk)
    if not by_org:
        return set()
    may_send = (check or SenderCheck()).may_send(by_org)
    refused = {pk for org_id, ids in by_org.items() if org_id not in may_send for pk in ids}
    if refused:
        OutboundEmail.objects.filter(pk__in=refused, state=State.QUEUED).update(state=State.CANCELLED)
    return refused


def delivery_gate() -> Callable[[list[OutboundEmail]], set[int]]:
    """What the outbox asks before it claims each few messages of a batch (deliver_batch's
    `refuse`): never a message of a company suspended or not approved, whenever it was queued.
    One SenderCheck serves the whole batch."""
    check = SenderCheck()
    return lambda messages: cancel_if_stopped(messages, check)


# --- How much ---------------------------------------------------------------------------------


def day_start(now: datetime) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))


def next_day_start(now: datetime) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(now) + timedelta(days=1), time.min))


def _company_messages(organisation):
    return OutboundEmail.objects.filter(send__organisation=organisation)


def bounce_permille(organisation, now: datetime) -> int:
    since = now - timedelta(days=settings.MAIL_TRUST_WINDOW_DAYS)
    counts = _company_messages(organisation).aggregate(
        delivered=Count("id", filter=Q(state=State.SENT, sent_at__gte=since)),
        bounced=Count("id", filter=Q(state=State.BOUNCED, claimed_at__gte=since)),
    )
    attempted = counts["delivered"] + counts["bounced"]
    return 1000 * counts["bounced"] // attempted if attempted else 0


def daily_limit(organisation, now: datetime | None = None) -> int:
    now = now or timezone.now()
    start, cap = settings.MAIL_DAILY_LIMIT_START, settings.MAIL_DAILY_LIMIT_CAP
    if organisation.approved_at is None or bounce_permille(organisation, now) > settings.MAIL_MAX_BOUNCE_PERMILLE:
        return min(start, cap)
    days = max((now - organisation.approved_at).days, 0)
    delivered = _company_messages(organisation).filter(state=State.SENT).count()
    steps = min(
        days // max(settings.MAIL_DAILY_LIMIT_STEP_DAYS, 1), delivered // max(settings.MAIL_DAILY_LIMIT_STEP_SENT, 1)
    )
    return min(start * 2 ** min(steps, 30), cap)


def used_today(organisation, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return (
        _company_messages(organisation)
        .filter(claimed_at__gte=day_start(now), claimed_at__lt=next_day_start(now))
        .exclude(state__in=[State.CANCELLED, State.SUPPRESSED])
        .count()
    )


@dataclass(frozen=True)
class Quota:
    limit: int
    used: int
    resumes_at: datetime  # when the next day's allowance begins

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)


def quota(organisation, now: datetime | None = None) -> Quota:
    now = now or timezone.now()
    return Quota(
        limit=daily_limit(organisation, now), used=used_today(organisation, now), resumes_at=next_day_start(now)
    )


def hold(send_id: int, until: datetime) -> None:
    Send.objects.filter(pk=send_id, state__in=OPEN_SENDS).update(held_until=until, next_batch_at=until)


def hold_message(send: Send, now: datetime | None = None) -> str | None:
    """What the company reads about a send waiting for its daily limit; None when it is not."""
    if send.held_until is None or not send.is_open:
        return None
    now = now or timezone.now()
    waiting = send.messages.filter(state=State.QUEUED, due_at__lt=send.held_until).count()
    return _(
        "本日の送信上限 %(limit)s 件に達したため、%(waiting)s 件を保留しています。"
        "%(resume)s から自動で再開します(その日の上限 %(next)s 件)。"
        "取り消さない限り、保留中のメールも必ず送信されます。"
    ) % {
        "limit": daily_limit(send.organisation, now),
        "waiting": waiting,
        "resume": formats.date_format(timezone.localtime(send.held_until), "DATETIME_FORMAT"),
        "next": daily_limit(send.organisation, send.held_until),
    }


# --- Complaints ---------------------------------------------------------------------------------

PAUSE_MESSAGE = _("一時停止中: 苦情率が上限を超えました")


@dataclass(frozen=True)
class ComplaintRate:
    complaints: int
    sent: int

    @property
    def over_limit(self) -> bool:
        if self.sent < settings.MAIL_COMPLAINT_MIN_SENT or not self.sent:
            return False
        return self.complaints * 10_000 > settings.MAIL_MAX_COMPLAINT_PER_10000 * self.sent


def complaint_window_start(organisation, now: datetime) -> datetime:
    """The window's start; after an operator lifted a pause, counting starts again from then (else
    the complaints that caused it would pause the company again at once)."""
    since = now - timedelta(days=settings.MAIL_COMPLAINT_WINDOW_DAYS)
    lifted = (
        SendingPause.objects.filter(organisation=organisation, lifted_at__isnull=False)
        .order_by("-lifted_at")
        .values_list("lifted_at", flat=True)
        .first()
    )
    return max(since, lifted) if lifted else since


def complaint_rate(organisation, now: datetime | None = None) -> ComplaintRate:
    """Complaints about the company's bulk mail sent in the window, over the mail sent in it
    (delivered or bounced later: what left CareerRelay). Gmail counts against mail delivered to
    the inbox, which no provider reports; this denominator is a little larger, so the limit
    bites a little later, never earlier."""
    now = now or timezone.now()
    since = complaint_window_start(organisation, now)
    counts = _company_messages(organisation).aggregate(
        sent=Count("id", filter=Q(state__in=[State.SENT, State.BOUNCED], sent_at__gte=since)),
        complaints=Count("id", filter=Q(complained_at__isnull=False, sent_at__gte=since)),
    )
    return ComplaintRate(complaints=counts["complaints"], sent=counts["sent"])


def active_pause(organisation) -> SendingPause | None:
    return SendingPause.objects.filter(organisation=organisation, lifted_at__isnull=True).first()


def is_paused(organisation_id: int) -> bool:
    return SendingPause.objects.filter(organisation_id=organisation_id, lifted_at__isnull=True).exists()


def pause_message(send: Send) -> str | None:
    """What the company reads on a send that waits because its sending is paused."""
    if not send.is_open or not is_paused(send.organisation_id):
        return None
    return str(PAUSE_MESSAGE)


# Complaints trickle in; counting a company's mail of a month every few seconds would not help.
COMPLAINT_CHECK_SECONDS = 300


def check_complaints_if_due() -> int | None:
    """The periodic job: pause_for_complaints at most every COMPLAINT_CHECK_SECONDS (shared through
    the cache by every worker)."""
    if not cache.add("sends:complaint-check", 1, timeout=COMPLAINT_CHECK_SECONDS):
        return None
    return pause_for_complaints()


def pause_for_complaints(now: datetime | None = None) -> int:
    """Every company with a complaint in the window whose rate is over the limit and that is not
    paused yet is paused, and the operators are told. Returns how many."""
    now = now or timezone.now()
    since = now - timedelta(days=settings.MAIL_COMPLAINT_WINDOW_DAYS)
    candidates = (
        OutboundEmail.objects.filter(complained_at__gte=since, send__isnull=False)
        .values_list("send__organisation_id", flat=True)
        .distinct()
    )
    paused = 0
    for organisation in Organisation.objects.filter(pk__in=list(candidates)):
        if is_paused(organisation.pk):
            continue
        rate = complaint_rate(organisation, now)
        if rate.over_limit and _pause(organisation, rate, now):
            paused += 1
    return paused


@transaction.atomic
def _pause(organisation, rate: ComplaintRate, now: datetime) -> bool:
    if SendingPause.objects.select_for_update().filter(organisation=organisation, lifted_at__isnull=True).exists():
        return False
    pause = SendingPause.objects.create(
        organisation=organisation, complaints=rate.complaints, sent=rate.sent, created_at=now
    )
    record_event(
        actor=Actor.system(),
        action=Action.CHANGE,
        organisation=organisation,
        object_type="sends.sendingpause",
        object_id=pause.pk,
        complaints=rate.complaints,
        sent=rate.sent,
    )
    for user in operators():
        queue_email(
            to=user.email,
            template="sends_complaint_pause",
            context={"organisation": organisation, "pause": pause},
            language=user.language,
        )
    return True


@transaction.atomic
def lift_pause(pause: SendingPause, *, actor: Actor) -> bool:
    """An operator lifts a pause: the company's open sends carry on from their next due message."""
    if not SendingPause.objects.filter(pk=pause.pk, lifted_at__isnull=True).update(
        lifted_at=timezone.now(), lifted_by=actor.user
    ):
        return False
    record_event(
        actor=actor,
        action=Action.STAFF_ACTION,
        organisation=pause.organisation,
        object_type="sends.sendingpause",
        object_id=pause.pk,
        change="lifted",
    )
    # The paused sends were left without a due date; they become due now and the next periodic
    # round (or the worker's current one) picks them up.
    Send.objects.filter(
        organisation_id=pause.organisation_id, state__in=[Send.State.SCHEDULED, Send.State.SENDING]
    ).update(next_batch_at=timezone.now())
    return True
