"""Bulk sends of rejection emails: choosing recipients, previews, scheduling (also "N business
days after the rejection date"), the batches the worker runs, cancelling, unsubscribes and
clicks on the relay link."""

import logging
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Min, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from careerrelay.common.japanese import normalize_email
from careerrelay.common.tokens import hash_token, new_token
from careerrelay.outbox import services
from careerrelay.outbox.models import OutboundEmail, Suppression
from careerrelay.rejections.services import RejectionRenderer, render_rejection, templates_for_organisation
from careerrelay.relay.figures import coarse_part
from careerrelay.relay.services import employer_campaign_stats
from careerrelay.sends import trust
from careerrelay.sends.models import Send
from careerrelay.sends.tasks import prepare_send, send_batch
from careerrelay.surveys.services import SurveyLinks, preview_survey_url, survey_url, uses_survey_link
from careerrelay.talent.models import Applicant
from careerrelay.talent.services import applicants_for

log = logging.getLogger(__name__)
State = OutboundEmail.State
OPEN = [Send.State.SCHEDULED, Send.State.SENDING]
DEFAULT_SEND_TIME = time(10, 0)


class SendError(ValueError):
    pass


class SendNotAllowed(SendError):
    """The company may not send (pending approval, rejected or suspended); str() says why."""


class TooManyRecipients(SendError):
    pass


# --- Business days -----------------------------------------------------------------------


@cache
def _jp_holidays():
    import holidays

    return holidays.country_holidays("JP")


def is_business_day(day: date) -> bool:
    """Not a weekend, a national holiday (国民の祝日, 振替休日) or the year-end closure
    (12/29–1/3, the 行政機関の休日 that Japanese offices and banks keep)."""
    if day.weekday() >= 5 or day in _jp_holidays():
        return False
    return not ((day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3))


def add_business_days(start: date, days: int) -> date:
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            days -= 1
    return day


def due_after_rejection(rejected_on: date | None, days: int, at: time = DEFAULT_SEND_TIME) -> datetime:
    """The moment (Japan time by TIME_ZONE) N business days after the rejection date; an
    applicant without a rejection date counts from today."""
    start = rejected_on or timezone.localdate()
    return timezone.make_aware(datetime.combine(add_business_days(start, days), at))


# --- Recipients ----------------------------------------------------------------------------


def already_received(organisation):
    """Ids of the company's applicants who already have a rejection email from it, whatever the
    template: queued, going out or gone out (cancelled, failed and bounced ones do not count)."""
    return OutboundEmail.objects.filter(
        send__organisation=organisation,
        state__in=[State.QUEUED, State.SENDING, State.SENT],
        applicant__isnull=False,
    ).values("applicant_id")


def filter_applicants(
    organisation,
    *,
    job_title: str = "",
    stage: str = "",
    rejected_from: date | None = None,
    rejected_to: date | None = None,
    not_yet_sent: bool = False,
):
    """The company's applicants matching the filters; with `not_yet_sent`, without those who
    already received a rejection email from the company."""
    qs = applicants_for(organisation)
    if job_title:
        qs = qs.filter(job_title=job_title)
    if stage:
        qs = qs.filter(stage=stage)
    if rejected_from:
        qs = qs.filter(rejected_on__gte=rejected_from)
    if rejected_to:
        qs = qs.filter(rejected_on__lte=rejected_to)
    if not_yet_sent:
        qs = qs.exclude(pk__in=already_received(organisation))
    return qs


# --- Creating a send -------------------------------------------------------------------------


def click_url(token: str) -> str:
    return settings.SITE_URL + reverse("sends:click", args=[token])


def unsubscribe_url(token: str) -> str:
    return settings.SITE_URL + reverse("sends:unsubscribe", args=[token])


def unsubscribe_mailto(token: str) -> str:
    address = settings.UNSUBSCRIBE_MAILTO or (
        "unsubscribe@" + services.parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rsplit("@", 1)[-1]
    )
    return f"mailto:{address}?subject=unsubscribe-{token}"


def default_template(organisation):
    """The company's own most recently edited template, else the first preset."""
    templates = templates_for_organisation(organisation)
    own = templates.filter(organisation=organisation).order_by("-updated_at", "-id").first()
    return own or templates.first()


def default_campaign(organisation):
    return organisation.campaigns.filter(is_active=True).order_by("-is_default", "created_at", "id").first()


def preview_message(*, template, applicant, organisation, campaign=None, sender_name="", signature=""):
    """What this applicant would receive; the links point where the real ones end up."""
    campaign = campaign or default_campaign(organisation)
    return render_rejection(
        template,
        applicant=applicant,
        organisation=organisation,
        relay_url=campaign.url if campaign else settings.SITE_URL,
        sender_name=sender_name,
        signature=signature,
        unsubscribe_url=settings.SITE_URL + reverse("sends:unsubscribe", args=["preview"]),
        survey_url=preview_survey_url(),
    )


def _check_template(template, organisation):
    if template is None or (template.organisation_id not in (None, organisation.pk)):
        raise SendError("unknown template")


def create_send(
    *,
    organisation,
    template,
    applicants,
    created_by=None,
    campaign=None,
    sender_name: str = "",
    signature: str = "",
    send_at: datetime | None = None,
    business_days: int | None = None,
    send_time: time = DEFAULT_SEND_TIME,
) -> Send:
    """One outbox row per applicant, rendered before anything goes out (what the preview showed
    is what is sent). Up to MAILINGS_PREPARE_IN_REQUEST recipients are rendered here; a larger
    send is stored as `preparing` with the applicants' ids and rendered by the worker
    (prepare_send), so a request never renders thousands of messages. Addresses the company has
    suppressed are recorded as `suppressed` and never queued."""
    _check_template(template, organisation)
    refusal = trust.sending_refusal(organisation)
    if refusal:
        raise SendNotAllowed(refusal)
    applicants = list(applicants)
    if not applicants:
        raise SendError("no recipients")
    if len(applicants) > settings.MAIL_MAX_RECIPIENTS_PER_SEND:
        raise TooManyRecipients(settings.MAIL_MAX_RECIPIENTS_PER_SEND)
    if any(a.organisation_id != organisation.pk for a in applicants):
        raise SendError("unknown applicant")
    campaign = campaign or default_campaign(organisation)
    if campaign is not None and campaign.organisation_id != organisation.pk:
        raise SendError("unknown campaign")
    now = timezone.now()
    schedule = {
        "send_at": send_at.isoformat() if send_at else None,
        "business_days": business_days,
        "send_time": send_time.strftime("%H:%M"),
    }
    defer = len(applicants) > settings.MAILINGS_PREPARE_IN_REQUEST
    with transaction.atomic():
        send = Send.objects.create(
            organisation=organisation,
            template=template,
            template_name=template.name,
            campaign=campaign,
            created_by=created_by,
            sender_name=sender_name,
            signature=signature,
            business_days=business_days,
            scheduled_at=send_at or now,
            pending={"applicant_ids": [a.pk for a in applicants], **schedule} if defer else {},
            state=Send.State.PREPARING if defer else Send.State.SCHEDULED,
            next_batch_at=now if defer else None,
        )
        if defer:
            transaction.on_commit(lambda: claim_send(send.pk, now))
            return send
        _render_rows(send, applicants, schedule, now)
        _finish_preparation(send, now)
    send.refresh_from_db()
    return send


def _render_rows(send: Send, applicants, schedule: dict, now) -> int:
    """Creates the rows of these applicants; returns how many of them are queued and due now."""
    organisation, template = send.organisation, send.template
    send_at = datetime.fromisoformat(schedule["send_at"]) if schedule["send_at"] else None
    send_time = time.fromisoformat(schedule["send_time"])
    suppressed = set(
        Suppression.objects.filter(
            organisation=organisation, email_normalized__in=[a.email_normalized for a in applicants]
        ).values_list("email_normalized", flat=True)
    )
    # The display name is the company name as the operator approved it; the address is ours.
    from_email = services.from_address(organisation.sender_name)
    reply_to = {"Reply-To": organisation.reply_to_email} if organisation.reply_to_email else {}
    # One survey link per message when the template asks for {{survey_link}}.
    survey_links = (
        SurveyLinks(organisation=organisation, template=template, applicants=applicants)
        if template is not None and uses_survey_link(template)
        else None
    )
    renderer = RejectionRenderer(
        template,  # type: ignore[arg-type]  # a send is created with a template (_check_template)
        organisation=organisation,
        sender_name=send.sender_name,
        signature=send.signature,
        link_makers={"relay_link": click_url, "unsubscribe_link": unsubscribe_url, "survey_link": survey_url},
        with_survey=survey_links is not None,
    )
    headers = {**reply_to, "List-Unsubscribe": "", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    mime = None  # the MIME template, made with the first message
    fast, checked = True, False
    rows = []
    for applicant in applicants:
        if schedule["business_days"] is not None:
            due = due_after_rejection(applicant.rejected_on, schedule["business_days"], send_time)
        else:
            due = send_at or now
        click_token, unsubscribe_token = new_token(16), new_token(16)
        message_id = services.new_message_id()
        survey = survey_links.link_for(applicant, message_id=message_id, due=due) if survey_links else ""
        links = {
            "relay_url": renderer.link("relay_link", click_token),
            "unsubscribe_url": renderer.link("unsubscribe_link", unsubscribe_token),
        }
        values = renderer.values(applicant=applicant, survey_url=survey, **links) if fast else None
        if values is not None and not checked:
            # The first message of each chunk is rendered both ways: should the compiled template
            # ever differ from render_rejection, the rest of the chunk is rendered in full.
            checked = True
            if renderer.render_values(values) != renderer.render_in_full(
                applicant=applicant, survey_url=survey, **links
            ):
                log.warning("send %s: the compiled template differs from render_rejection; rendering in full", send.pk)
                fast, values = False, None
        if values is None:
            rendered = renderer.render_in_full(applicant=applicant, survey_url=survey, **links)
        else:
            rendered = renderer.render_values(values)
        header_links = f"<{links['unsubscribe_url']}>, <{unsubscribe_mailto(unsubscribe_token)}>"
        row = OutboundEmail(
            send=send,
            applicant=applicant,
            to_email=applicant.email,
            from_email=from_email,
            subject=rendered.subject[:300],
            body_text=rendered.text,
            body_html=rendered.html,
            headers={**headers, "List-Unsubscribe": header_links},
            template=f"rejection:{template.pk}",  # type: ignore[union-attr]
            message_id=message_id,
            state=State.SUPPRESSED if applicant.email_normalized in suppressed else State.QUEUED,
            due_at=due,
            click_token_hash=hash_token(click_token),
            unsubscribe_token_hash=hash_token(unsubscribe_token),
        )
        built = None
        if values is not None:
            if mime is None:
                mime = _mime_template(renderer, row, values)
            if mime.usable and len(rendered.subject) <= 300:
                built = mime.build(row, values)
        row.mime = built if built is not None else services.prebuild_mime(row)
        rows.append(row)
    # A second preparer that overlapped this one (after a lost lease) skips the applicants
    # already done instead of failing; one message per applicant is a constraint.
    _insert_messages(rows)
    if survey_links is not None:
        survey_links.save()  # for the rows that were created, in this transaction
    return sum(1 for row in rows if row.state == State.QUEUED and row.due_at <= now)


def _insert_messages(rows: list[OutboundEmail]) -> None:
    """The chunk's rows, skipping any that conflict (ON CONFLICT DO NOTHING). On PostgreSQL, in a
    transaction: COPY into a temporary table, then one INSERT … SELECT from it. bulk_create's
    500-row INSERT cost the worker more to put together (Django's compiler, then psycopg binding
    15,000 values on the client side) than PostgreSQL took to run it (bench/RESULTS.md)."""
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        OutboundEmail.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
        return
    fields = [field for field in OutboundEmail._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    table = quote(OutboundEmail._meta.db_table)
    with connection.cursor() as cursor:
        # The names come from the model (quoted); the values go through COPY.
        cursor.execute(f"CREATE TEMPORARY TABLE send_rows ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA")  # noqa: S608
        with cursor.cursor.copy(f"COPY send_rows ({columns}) FROM STDIN") as copy_in:
            for row in rows:
                copy_in.write_row([field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields])
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM send_rows ON CONFLICT DO NOTHING")  # noqa: S608
        cursor.execute("DROP TABLE send_rows")


def _mime_template(renderer: RejectionRenderer, first: OutboundEmail, values: dict) -> services.MimeTemplate:
    """The MIME of this chunk's messages, built once by Django's code with the renderer's markers
    in it, then checked against Django's build of the first message: on any difference (a
    template whose parts Django would encode otherwise) every message is built in full."""
    sample = copy(first)
    sample.body_text, sample.body_html = renderer.compiled.text, renderer.compiled.html
    template = services.MimeTemplate(sample, list(renderer.marker.values()))
    built = template.build(first, values)
    if built is None or not services.same_mime(built, services.prebuild_mime(first)):
        if built is not None:
            log.warning(
                "send %s: the compiled MIME differs from Django's; building every message in full", first.send_id
            )
        template.usable = False
    return template


def _finish_preparation(send: Send, now) -> None:
    """All rows exist: the send's first due time, or done when nothing is left to send."""
    rows = OutboundEmail.objects.filter(send=send)
    first = rows.aggregate(at=Min("due_at"))["at"] or now
    next_due = rows.filter(state=State.QUEUED).aggregate(at=Min("due_at"))["at"]
    fields = {"scheduled_at": first, "next_batch_at": next_due, "pending": {}}
    fields["state"] = Send.State.SCHEDULED if next_due else Send.State.DONE
    if not next_due and rows.filter(state=State.SENDING).exists():
        # A batch started during the preparation is still at work: its end finishes the send
        # (reschedule_send), or, should it die, the lease brings the send back.
        fields.update(state=Send.State.SENDING, next_batch_at=_lease(now))
    elif not next_due:
        fields["finished_at"] = now
    if next_due and next_due <= now:
        # Said at once when today's limit cannot cover what is due now; the batch sends what it can.
        due_now = rows.filter(state=State.QUEUED, due_at__lte=now).count()
        allowance = trust.quota(send.organisation, now)
        if due_now > allowance.remaining:
            fields["held_until"] = allowance.resumes_at
    if not Send.objects.filter(pk=send.pk, state__in=[Send.State.SCHEDULED, Send.State.PREPARING]).update(**fields):
        return  # cancelled meanwhile
    if next_due and next_due <= now:
        transaction.on_commit(lambda: claim_send(send.pk, next_due))


def run_prepare_send(send_id: int) -> int:
    """Renders a `preparing` send's rows a chunk at a time, each chunk in its own transaction, so
    a worker that dies half-way leaves what it rendered and the next one (after the lease) does
    the rest.

    Rendering runs alongside delivery: once a chunk with messages due now is committed, a batch
    task is enqueued for them and the rest of the rendering goes to a new task queued behind that
    batch. A single worker so delivers each chunk before it renders the next (the first
    messages go out while the last are not rendered yet); with more workers the two run side by
    side. The send stays `preparing` until every row exists; its batches deliver what is there
    and leave its due date, which is the preparer's lease, alone."""
    send = Send.objects.select_related("organisation", "template").filter(pk=send_id).first()
    if send is None or send.state != Send.State.PREPARING:
        return 0
    wanted = send.pending.get("applicant_ids", [])
    done = set(send.messages.values_list("applicant_id", flat=True))
    todo = [pk for pk in wanted if pk not in done]
    chunk = settings.MAILINGS_PREPARE_CHUNK
    for start in range(0, len(todo), chunk):
        if not Send.objects.filter(pk=send_id, state=Send.State.PREPARING).exists():
            return start  # cancelled
        applicants = list(Applicant.objects.filter(organisation=send.organisation, pk__in=todo[start : start + chunk]))
        more = start + chunk < len(todo)
        with transaction.atomic():
            due_now = _render_rows(send, applicants, send.pending, timezone.now())
            Send.objects.filter(pk=send_id, state=Send.State.PREPARING).update(next_batch_at=_lease(timezone.now()))
            if due_now and more:
                transaction.on_commit(lambda: send_batch.enqueue(send_id))
                transaction.on_commit(lambda: prepare_send.enqueue(send_id))
        if due_now and more:
            return start + len(applicants)
    with transaction.atomic():
        _finish_preparation(send, timezone.now())
    return len(todo)


# --- The worker's side ------------------------------------------------------------------------


def _lease(now):
    return now + timedelta(seconds=settings.MAILINGS_BATCH_LEASE_SECONDS)


def claim_send(send_id: int, expected_next_batch_at, now=None) -> bool:
    """The conditional UPDATE on the due-date column: of two schedulers, one enqueues the work
    (rendering for a `preparing` send, else a batch)."""
    now = now or timezone.now()
    due = Send.objects.filter(pk=send_id, next_batch_at=expected_next_batch_at)
    if due.filter(state=Send.State.PREPARING).update(next_batch_at=_lease(now)):
        prepare_send.enqueue(send_id)
        return True
    if due.filter(state__in=OPEN).update(next_batch_at=_lease(now), state=Send.State.SENDING):
        send_batch.enqueue(send_id)
        return True
    return False


def dispatch_due_sends(now=None) -> int:
    now = now or timezone.now()
    due = Send.objects.filter(state__in=[Send.State.PREPARING, *OPEN], next_batch_at__lte=now).values_list(
        "pk", "next_batch_at"
    )
    return sum(claim_send(pk, at, now) for pk, at in list(due))


def run_send_batch(send_id: int, now=None) -> dict:
    """Batches of a send's due messages, each over one SMTP connection, for up to
    MAILINGS_TASK_SECONDS; then the next due date (and, when more is due, the next task)."""
    from collections import Counter
    from time import monotonic

    now = now or timezone.now()
    size = settings.MAILINGS_BATCH_SIZE
    deadline = monotonic() + settings.MAILINGS_TASK_SECONDS
    results: Counter[str] = Counter()
    while True:
        # A send still `preparing` delivers the messages rendered so far (run_prepare_send); its
        # `pending` (the ids of every applicant) is not needed here, and is large.
        send = (
            Send.objects.select_related("organisation")
            .defer("pending")
            .filter(pk=send_id, state__in=[Send.State.PREPARING, *OPEN])
            .first()
        )
        if send is None:
            return dict(results)  # cancelled (or finished by another worker)
        organisation = send.organisation
        if not organisation.may_send:
            # Suspended (or never approved) after this was queued: nothing more goes out.
            results["cancelled"] += trust.cancel_queued_mail(organisation)
            return dict(results)
        if trust.is_paused(organisation.pk):
            # Too many complaints: the send waits, without a due date, until an operator lifts
            # the pause (trust.lift_pause makes it due again). Nothing is cancelled.
            Send.objects.filter(pk=send_id, state__in=OPEN).update(next_batch_at=None)
            results["paused"] += 1
            return dict(results)
        due = OutboundEmail.objects.filter(send_id=send_id, state=State.QUEUED, due_at__lte=now)
        allowance = trust.quota(organisation, now)
        if allowance.remaining <= 0:
            if due.exists():
                trust.hold(send_id, allowance.resumes_at)
                return dict(results)
            break
        ids = list(due.order_by("due_at", "id").values_list("pk", flat=True)[: min(size, allowance.remaining)])
        if not ids:
            break
        results.update(services.deliver_batch(ids, refuse=trust.delivery_gate()))
        if monotonic() >= deadline:
            break
        # Still alive: keep the periodic loop from handing this send to another worker.
        Send.objects.filter(pk=send_id, state__in=OPEN).update(next_batch_at=_lease(timezone.now()))
    reschedule_send(send_id)
    return dict(results)


def reschedule_send(send_id: int) -> None:
    now = timezone.now()
    sends = Send.objects.filter(pk=send_id, state__in=OPEN)
    queued = OutboundEmail.objects.filter(send_id=send_id, state=State.QUEUED)
    if queued.filter(due_at__lte=now).exists():
        lease = _lease(now)
        if sends.update(next_batch_at=lease, state=Send.State.SENDING, held_until=None):
            send_batch.enqueue(send_id)
        return
    next_due = queued.aggregate(at=Min("due_at"))["at"]
    if next_due is not None:
        sends.update(next_batch_at=next_due, held_until=None)
    elif OutboundEmail.objects.filter(send_id=send_id, state=State.SENDING).exists():
        sends.update(next_batch_at=_lease(now))  # another worker, or a stale claim requeue_stale will free
    else:
        sends.update(state=Send.State.DONE, next_batch_at=None, finished_at=now, held_until=None)


def run_periodic(now=None) -> dict:
    """What the worker's periodic loop does every few seconds."""
    requeued, send_ids = services.requeue_stale()
    # The requeued messages of a send go out with its next batch: that is now.
    Send.objects.filter(pk__in=send_ids, state__in=OPEN).update(next_batch_at=timezone.now())
    return {
        "requeued": requeued,
        "retried": services.retry_due_messages(now),
        "dispatched": dispatch_due_sends(now),
    }


@transaction.atomic
def cancel_send(send: Send) -> int:
    """Stops what has not gone out; a message already handed to the server cannot be recalled."""
    cancelled = OutboundEmail.objects.filter(send=send, state=State.QUEUED).update(state=State.CANCELLED)
    Send.objects.filter(pk=send.pk, state__in=[Send.State.PREPARING, *OPEN]).update(
        state=Send.State.CANCELLED, cancelled_at=timezone.now(), next_batch_at=None, held_until=None
    )
    send.refresh_from_db()
    return cancelled


# --- Figures -----------------------------------------------------------------------------------


@dataclass
class SendCounts:
    recipients: int = 0
    queued: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0
    bounced: int = 0
    suppressed: int = 0
    cancelled: int = 0
    clicked: int = 0

    @property
    def finished(self) -> int:
        return self.recipients - self.queued - self.sending

    @property
    def percent(self) -> int:
        return round(100 * self.finished / self.recipients) if self.recipients else 100

    @property
    def clicked_figure(self):
        """What the employer sees of the clicks: a coarse figure (relay/figures.py), never the
        exact number nor who clicked. `clicked` itself is for operators and internal checks."""
        return coarse_part(self.clicked, self.recipients)


def with_message_counts(sends):
    """The sends with what count_messages needs already counted, so a list of sends is one query."""
    # A grouped query drops Meta.ordering, so the list's order is said again.
    return sends.annotate(
        **{
            f"messages_{state}": Count("messages", filter=Q(messages__state=state))
            for state in OutboundEmail.State.values
        },
        messages_clicked=Count("messages", filter=Q(messages__first_clicked_at__isnull=False)),
    ).order_by(*Send._meta.ordering)


def count_messages(send: Send) -> SendCounts:
    counts = SendCounts()
    if hasattr(send, "messages_clicked"):  # from with_message_counts
        by_state: list[tuple[str, int]] = [
            (state, getattr(send, f"messages_{state}")) for state in OutboundEmail.State.values
        ]
        counts.clicked = send.messages_clicked
    else:
        by_state = list(send.messages.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
        counts.clicked = send.messages.filter(first_clicked_at__isnull=False).count()
    for state, n in by_state:
        setattr(counts, state, n)
        counts.recipients += n
    if send.state == Send.State.PREPARING:
        waiting = len(send.pending.get("applicant_ids", [])) - counts.recipients
        counts.recipients += waiting
        counts.queued += waiting
    return counts


def campaign_registrations(send: Send):
    """Registrations through the send's relay link (the whole campaign, not only this send:
    who registered is never linked back to an applicant), as coarse figures (relay/figures.py)."""
    if send.campaign is None:
        return None
    return employer_campaign_stats(send.campaign)


# --- Recipients' links -------------------------------------------------------------------------


def find_by_unsubscribe_token(token: str) -> OutboundEmail | None:
    return (
        OutboundEmail.objects.select_related("send__organisation")
        .filter(unsubscribe_token_hash=hash_token(token), send__isnull=False)
        .first()
    )


def unsubscribe(token: str) -> Suppression | None:
    """Idempotent: a second POST finds the suppression that is already there."""
    message = find_by_unsubscribe_token(token)
    if message is None:
        return None
    organisation = message.send.organisation  # type: ignore[union-attr]  # found with send__isnull=False
    email = normalize_email(message.to_email)
    suppression, _created = Suppression.objects.get_or_create(
        organisation=organisation,
        email_normalized=email,
        defaults={"reason": Suppression.Reason.UNSUBSCRIBED, "message": message},
    )
    # Queued messages of this company to this address stop now, not only when the worker sees them.
    pending = OutboundEmail.objects.filter(send__organisation=organisation, state=State.QUEUED).filter(
        Q(applicant__email_normalized=email) | Q(to_email__iexact=message.to_email)
    )
    pending.update(state=State.SUPPRESSED)
    return suppression


def is_suppressed(organisation, email: str) -> bool:
    return Suppression.objects.filter(organisation=organisation, email_normalized=normalize_email(email)).exists()


def record_click(token: str):
    """Counts the click on this message and returns the campaign to land on. Nothing about the
    applicant travels on: the landing page sees only the campaign's code. The per-message count
    is for delivery checks by operators; the employer sees only the send's coarse total
    (SendCounts.clicked_figure), never which recipient clicked."""
    message = (
        OutboundEmail.objects.select_related("send__campaign", "send__organisation")
        .filter(click_token_hash=hash_token(token), send__isnull=False)
        .first()
    )
    if message is None:
        return None
    OutboundEmail.objects.filter(pk=message.pk).update(
        clicks=F("clicks") + 1, first_clicked_at=Coalesce(F("first_clicked_at"), timezone.now())
    )
    return message.send.campaign or default_campaign(message.send.organisation)  # type: ignore[union-attr]  # send__isnull=False
