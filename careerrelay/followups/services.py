"""Follow-up sequences: which applications a step is due for, queueing them through the outbox as
messages of a bulk send, the figures per step, and the employer's changes to steps.

Who gets a step (each rule is a test in tests/followups):
- the application was rejected (`outcome` rejected, with a rejection date) with a reason the step
  includes, and the step's delay has passed since the rejection date;
- the person agreed to be contacted again (`recontact_ok`), the address is not suppressed for the
  company (unsubscribed or bounced), the person was not hired by it and did not apply again since;
- the step fell due in the last SKIP_AFTER days: older ones (a step turned on late, applicants
  imported with old dates, a delay shortened) are recorded as skipped, so turning a step on
  never floods a pool with mail about selections long past;
- at most once per application and step: FollowupDelivery's unique (step, application), and each
  batch is decided while holding the step's row, so two workers never queue the same mail.

A follow-up is a message of a bulk send (`sends.Send`, named after the step): the company's daily
limit, the delivery gate for suspended companies, suppressions, RFC 8058 one-click unsubscribe,
bounce handling and click counting are the sends' own. The send goes out at the next moment mail
may (SENDING_HOURS on a business day, Japan time: never at night, on weekends, holidays or over
年末年始), by sends' calendar.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from careerrelay.audit.actor import Actor
from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import record_event
from careerrelay.common.tokens import hash_token, new_token
from careerrelay.followups.models import (
    NO_REASON,
    FollowupDelivery,
    FollowupSettings,
    FollowupStep,
)
from careerrelay.followups.rendering import UNSUBSCRIBE_TOKEN, BatchRenderer
from careerrelay.organisations.models import Organisation
from careerrelay.outbox import services as outbox
from careerrelay.outbox.models import OutboundEmail, Suppression
from careerrelay.rejections.models import RejectionTemplate
from careerrelay.sends import services as sends
from careerrelay.sends.models import Send
from careerrelay.surveys.services import SurveyLinks, survey_url, uses_survey_link
from careerrelay.talent.models import Applicant, Application
from careerrelay.webhooks import services as webhooks
from careerrelay.webhooks.models import EventType

Skip = FollowupDelivery.SkipReason
MailState = OutboundEmail.State

SKIP_AFTER = timedelta(days=60)
# Follow-ups are not urgent: they go out in office hours of a business day, Japan time.
SENDING_HOURS = (time(9, 0), time(18, 0))
# Applications decided per transaction (one send, one lock of the step's row each).
CHUNK = 2000
# Rows per INSERT statement (SQLite allows 32,766 values per statement; 18 columns × 500 rows).
INSERT_ROWS = 500

# The steps every company starts with, off until it turns them on: (key, name, days, preset).
# The names are stored in the company's rows (its own words from then on), so not translated.
DEFAULT_STEPS = (
    ("6_months", "6ヶ月後の再チャレンジ案内", 182, "ja_followup_6_months"),
    ("12_months", "1年後の再チャレンジ案内", 365, "ja_followup_12_months"),
)


class FollowupError(ValueError):
    pass


# --- A company's steps --------------------------------------------------------------------------


def steps_for(organisation: Organisation) -> QuerySet[FollowupStep]:
    """The company's steps, the two default ones created the first time they are read (two first
    reads at once both try; the unique default_key makes the second a no-op)."""
    steps = FollowupStep.objects.filter(organisation=organisation)
    if not steps.filter(default_key__gt="").exists():
        presets = dict(
            RejectionTemplate.objects.filter(
                organisation=None, preset_key__in=[preset for *_rest, preset in DEFAULT_STEPS]
            ).values_list("preset_key", "pk")
        )
        FollowupStep.objects.bulk_create(
            [
                FollowupStep(
                    organisation=organisation,
                    default_key=key,
                    name=name,
                    delay_days=days,
                    template_id=presets.get(preset),
                    position=position,
                )
                for position, (key, name, days, preset) in enumerate(DEFAULT_STEPS)
            ],
            ignore_conflicts=True,
        )
    return steps.select_related("template")


def templates_for_steps(organisation: Organisation) -> QuerySet[RejectionTemplate]:
    """What a step may send: the presets and the company's own templates."""
    return RejectionTemplate.objects.filter(Q(organisation=None) | Q(organisation=organisation)).order_by(
        "-preset_key", "name", "id"
    )


def _check_template(template, organisation) -> None:
    if template is not None and template.organisation_id not in (None, organisation.pk):
        raise FollowupError("unknown template")


STEP_FIELDS = ("name", "delay_days", "template", "reason_kinds", "active")


def _audit_step(step: FollowupStep, *, actor: Actor, changed: dict) -> None:
    detail = {name: (value.pk if hasattr(value, "pk") else value) for name, value in changed.items()}
    record_event(
        actor=actor,
        action=AuditEvent.Action.CHANGE,
        organisation=step.organisation,
        object_type="followup_step",
        object_id=step.pk,
        **detail,
    )


@transaction.atomic
def create_step(*, organisation: Organisation, actor: Actor, **fields) -> FollowupStep:
    _check_template(fields.get("template"), organisation)
    unknown = set(fields) - set(STEP_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    last = FollowupStep.objects.filter(organisation=organisation).order_by("-position").first()
    step = FollowupStep.objects.create(organisation=organisation, position=(last.position + 1) if last else 0, **fields)
    _audit_step(step, actor=actor, changed=fields)
    return step


@transaction.atomic
def update_step(*, step: FollowupStep, actor: Actor, **fields) -> FollowupStep:
    """Changes the given fields only (a PATCH from the API names a few, the page all)."""
    unknown = set(fields) - set(STEP_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    _check_template(fields.get("template"), step.organisation)
    changed = {name: value for name, value in fields.items() if getattr(step, name) != value}
    if not changed:
        return step
    for name, value in changed.items():
        setattr(step, name, value)
    step.save(update_fields=[*changed, "updated_at"])
    _audit_step(step, actor=actor, changed=changed)
    return step


def settings_for(organisation: Organisation) -> FollowupSettings:
    found = FollowupSettings.objects.filter(organisation=organisation).first()
    if found is not None:
        return found
    FollowupSettings.objects.bulk_create([FollowupSettings(organisation=organisation)], ignore_conflicts=True)
    return FollowupSettings.objects.get(organisation=organisation)


@transaction.atomic
def save_settings(*, organisation: Organisation, actor: Actor, openings_url: str) -> FollowupSettings:
    current = settings_for(organisation)
    if current.openings_url != openings_url:
        current.openings_url = openings_url
        current.save(update_fields=["openings_url", "updated_at"])
        record_event(
            actor=actor,
            action=AuditEvent.Action.CHANGE,
            organisation=organisation,
            object_type="followup_settings",
            object_id=current.pk,
            openings_url=openings_url,
        )
    return current


def public_openings_url(code: str) -> str:
    return settings.SITE_URL + reverse("followups:openings", args=[code])


def openings_url_for(organisation: Organisation) -> str:
    """The company's own careers page if it gave one, else CareerRelay's page of its open jobs."""
    current = settings_for(organisation)
    return current.openings_url or public_openings_url(current.public_code)


# --- Who a step is due for -----------------------------------------------------------------------


# QuerySet[Any]: the annotations below are not fields of Application, which the type checker
# would otherwise look for.
def _annotated_applications(step: FollowupStep) -> QuerySet[Any]:
    """The company's rejected applications of the reasons the step includes that have no delivery
    of the step yet, each with what decides whether the step goes out."""
    applications = Application.objects.filter(
        applicant__organisation_id=step.organisation_id,
        outcome=Application.Outcome.REJECTED,
        rejected_on__isnull=False,
    )
    kinds = list(step.reason_kinds or [])
    if kinds:
        included = Q(reason__kind__in=[kind for kind in kinds if kind != NO_REASON])
        if NO_REASON in kinds:
            included |= Q(reason__isnull=True)
        applications = applications.filter(included)
    later = Application.objects.filter(applicant_id=OuterRef("applicant_id")).filter(
        Q(created_at__gt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), pk__gt=OuterRef("pk"))
    )
    return applications.exclude(
        Exists(FollowupDelivery.objects.filter(step_id=step.pk, application_id=OuterRef("pk")))
    ).annotate(
        hired=Exists(
            Application.objects.filter(applicant_id=OuterRef("applicant_id"), outcome=Application.Outcome.HIRED)
        ),
        reapplied=Exists(later),
        suppressed=Exists(
            Suppression.objects.filter(
                organisation_id=step.organisation_id, email_normalized=OuterRef("applicant__email_normalized")
            )
        ),
    )


def _eligible(applications: QuerySet[Any]) -> QuerySet[Any]:
    return applications.filter(applicant__recontact_ok=True, hired=False, reapplied=False, suppressed=False)


def due_by(step: FollowupStep, today: date) -> date:
    """Applications rejected on or before this date are due for the step today."""
    return today - timedelta(days=step.delay_days)


def skip_reason(*, hired: bool, reapplied: bool, recontact_ok: bool, suppressed: bool, due_on: date, today: date):
    if hired:
        return Skip.HIRED
    if reapplied:
        return Skip.REAPPLIED
    if not recontact_ok:
        return Skip.NO_CONSENT
    if suppressed:
        return Skip.SUPPRESSED
    if due_on < today - SKIP_AFTER:
        return Skip.TOO_OLD
    return None


def next_sending_moment(now: datetime) -> datetime:
    """Now, in office hours of a business day (Japan time); else the next business day at the
    sends' default time."""
    local = timezone.localtime(now)
    day, start, end = local.date(), *SENDING_HOURS
    if sends.is_business_day(day) and start <= local.time() < end:
        return now
    if not (sends.is_business_day(day) and local.time() < start):
        day = sends.add_business_days(day, 1)
    return timezone.make_aware(datetime.combine(day, sends.DEFAULT_SEND_TIME))


# --- The periodic job --------------------------------------------------------------------------


def queue_due_followups(now: datetime | None = None) -> dict:
    """What the worker's periodic loop runs: every active step of every company that may send."""
    now = now or timezone.now()
    totals = {"queued": 0, "skipped": 0}
    steps = FollowupStep.objects.filter(
        active=True,
        template__isnull=False,
        organisation__is_active=True,
        organisation__status=Organisation.Status.APPROVED,
    ).values_list("pk", flat=True)
    for step_id in list(steps):
        result = queue_step(step_id, now=now)
        totals["queued"] += result["queued"]
        totals["skipped"] += result["skipped"]
    return totals


def queue_step(step_id: int, *, now: datetime) -> dict:
    totals = {"queued": 0, "skipped": 0}
    while True:
        with transaction.atomic():
            # The step's row is held while a batch is decided: a second worker waits here and then
            # finds the deliveries this one wrote (SQLite's write transactions are serial anyway).
            step = (
                FollowupStep.objects.select_for_update(of=("self",))
                .select_related("organisation", "template")
                .filter(pk=step_id, active=True, template__isnull=False)
                .first()
            )
            if step is None or not step.organisation.may_send:
                return totals
            decided = _queue_batch(step, now)
        totals["queued"] += decided["queued"]
        totals["skipped"] += decided["skipped"]
        if decided["queued"] + decided["skipped"] < CHUNK:
            return totals


def _queue_batch(step: FollowupStep, now: datetime) -> dict:
    today = timezone.localdate(now)
    rows = list(
        _annotated_applications(step)
        .filter(rejected_on__lte=due_by(step, today))
        .order_by("pk")
        .values_list(
            "pk",
            "rejected_on",
            "job_title",
            "hired",
            "reapplied",
            "suppressed",
            "applicant_id",
            "applicant__recontact_ok",
            "applicant__family_name",
            "applicant__given_name",
            "applicant__email",
        )[:CHUNK]
    )
    if not rows:
        return {"queued": 0, "skipped": 0}
    delay = timedelta(days=step.delay_days)
    deliveries, to_send = [], []
    for row in rows:
        pk, rejected_on, _job, hired, reapplied, suppressed, _applicant, recontact_ok, *_person = row
        due_on = rejected_on + delay
        reason = skip_reason(
            hired=hired,
            reapplied=reapplied,
            recontact_ok=recontact_ok,
            suppressed=suppressed,
            due_on=due_on,
            today=today,
        )
        if reason is None:
            to_send.append(row)
        else:
            deliveries.append((pk, FollowupDelivery.State.SKIPPED.value, reason.value, None, due_on))
    if to_send:
        send, queued = _queue_messages(step, to_send, now)
        deliveries.extend(queued)
        _announce_sent(step, to_send, send)
    # No ON CONFLICT: under the step's lock nobody else decides these applications, and if a
    # delivery existed after all, the whole batch (its messages too) rolls back rather than
    # sending a second one.
    created_at = _db_value(FollowupDelivery, "created_at", now)
    _insert_rows(
        FollowupDelivery,
        ("step", "application", "state", "skip_reason", "outbound_email", "due_on", "created_at"),
        [
            (step.pk, pk, state, reason, message_pk, _db_value(FollowupDelivery, "due_on", due_on), created_at)
            for pk, state, reason, message_pk, due_on in deliveries
        ],
    )
    return {"queued": len(to_send), "skipped": len(rows) - len(to_send)}


def _db_value(model, field_name: str, value):
    return model._meta.get_field(field_name).get_db_prep_save(value, connection)


def _insert_rows(model, field_names: tuple[str, ...], rows: list[tuple], *, ids_by: str = "") -> list[int]:
    """Rows of values already in the database's form, written without a model instance each
    (bulk_create prepared every field of every row, half of the job's time for 10,000 messages:
    bench/RESULTS.md). With `ids_by` (a unique field among `field_names`), the new rows' ids in
    the order of `rows`. Every other column gets its field's default, so a field added to the
    model later needs no change here."""
    rest = [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name not in field_names and field.attname not in field_names
    ]
    if rest:
        defaults = tuple(field.get_db_prep_save(field.get_default(), connection) for field in rest)
        field_names = (*field_names, *(field.name for field in rest))
        rows = [(*row, *defaults) for row in rows]
    if connection.vendor == "postgresql":
        return _copy_rows(model, field_names, rows, with_ids=bool(ids_by))
    quote = connection.ops.quote_name
    meta = model._meta
    columns = ", ".join(quote(meta.get_field(name).column) for name in field_names)
    placeholders = "(" + ", ".join(["%s"] * len(field_names)) + ")"
    # Each id comes back with the row's unique value, so nothing depends on the order of RETURNING.
    key = field_names.index(ids_by) if ids_by else None
    tail = f" RETURNING {quote(meta.get_field(ids_by).column)}, {quote(meta.pk.column)}" if ids_by else ""
    ids = {}
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_ROWS):
            batch = rows[start : start + INSERT_ROWS]
            # The names come from the model (quoted), every value is a parameter.
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([placeholders] * len(batch))}{tail}",  # noqa: S608
                [value for row in batch for value in row],
            )
            if ids_by:
                ids.update(cursor.fetchall())
    return [ids[row[key]] for row in rows] if key is not None else []


def _copy_rows(model, field_names: tuple[str, ...], rows: list[tuple], *, with_ids: bool) -> list[int]:
    """PostgreSQL: COPY, the cheapest way in for many rows (an INSERT of 500 rows × 18 values
    cost psycopg more to put together than the server to run). The ids are taken from the
    table's sequence first, so COPY writes them and the caller knows them."""
    quote = connection.ops.quote_name
    meta = model._meta
    columns = [quote(meta.get_field(name).column) for name in field_names]
    ids: list[int] = []
    with connection.cursor() as cursor:
        if with_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
            columns.insert(0, quote(meta.pk.column))
            rows = [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    return ids


def _queue_messages(step: FollowupStep, rows, now: datetime) -> tuple[Send, list[tuple]]:
    """Queues a message for each row: the send, and (application, state, skip reason, message,
    due on) of each."""
    organisation, template = step.organisation, step.template
    due_at = next_sending_moment(now)
    campaign = sends.default_campaign(organisation)
    send = Send.objects.create(
        organisation=organisation,
        template=template,
        template_name=step.name[:100],
        campaign=campaign,
        scheduled_at=due_at,
        state=Send.State.SCHEDULED,
        next_batch_at=due_at,
    )
    # One survey link per message when the template asks for {{survey_link}}, as in bulk sends.
    survey_links = (
        SurveyLinks(
            organisation=organisation,
            template=template,
            applicants=[Applicant(pk=row[6], job_title=row[2]) for row in rows],
        )
        if template is not None and uses_survey_link(template)
        else None
    )
    renderer = BatchRenderer(
        template,
        organisation=organisation,
        click_url=sends.click_url,
        unsubscribe_url=sends.unsubscribe_url,
        openings_url=openings_url_for(organisation),
        survey_url=survey_url if survey_links is not None else None,
    )
    # The display name is the company name as the operator approved it; the address is ours.
    from_email = outbox.from_address(organisation.sender_name)
    reply_to = {"Reply-To": organisation.reply_to_email} if organisation.reply_to_email else {}
    # The sends' own links and Message-ID, worked out once with a stand-in token (resolving a URL
    # and parsing the From address per message took a fifth of the job's time).
    links_template = f"<{sends.unsubscribe_url(UNSUBSCRIBE_TOKEN)}>, <{sends.unsubscribe_mailto(UNSUBSCRIBE_TOKEN)}>"
    message_id_domain = outbox.new_message_id().rsplit("@", 1)[1].rstrip(">")
    constant = {
        "send": send.pk,
        "from_email": from_email,
        "template": f"followup:{step.pk}",
        "state": MailState.QUEUED.value,
        "attempts": 0,
        "last_error": "",
        "clicks": 0,
        "due_at": _db_value(OutboundEmail, "due_at", due_at),
        "created_at": _db_value(OutboundEmail, "created_at", now),
    }
    per_message = (
        "applicant",
        "to_email",
        "subject",
        "body_text",
        "body_html",
        "headers",
        "message_id",
        "click_token_hash",
        "unsubscribe_token_hash",
    )
    messages = []
    for _pk, _rejected_on, job_title, *_flags, applicant_id, _ok, family_name, given_name, email in rows:
        click_token, unsubscribe_token = new_token(16), new_token(16)
        message_id = make_msgid(domain=message_id_domain)
        survey = (
            survey_links.link_for(Applicant(pk=applicant_id, job_title=job_title), message_id=message_id, due=due_at)
            if survey_links is not None
            else ""
        )
        rendered = renderer.render(
            name=" ".join(part for part in (family_name, given_name) if part),
            job_title=job_title,
            click_token=click_token,
            unsubscribe_token=unsubscribe_token,
            survey_url=survey,
        )
        headers = {
            **reply_to,
            "List-Unsubscribe": links_template.replace(UNSUBSCRIBE_TOKEN, unsubscribe_token),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        messages.append(
            (
                *constant.values(),
                applicant_id,
                email,
                rendered.subject[:300],
                rendered.text,
                rendered.html,
                _db_value(OutboundEmail, "headers", headers),
                message_id,
                hash_token(click_token),
                hash_token(unsubscribe_token),
            )
        )
    # The MIME is built by the worker as each message goes out (the outbox does when `mime` is
    # empty): building it here would double the time this job holds the step.
    message_pks = _insert_rows(OutboundEmail, (*constant, *per_message), messages, ids_by="message_id")
    if survey_links is not None:
        survey_links.save()  # for the rows just created, in this transaction
    delay = timedelta(days=step.delay_days)
    # When the send is due now, a worker takes it at once; otherwise the mail job's
    # dispatch_due_sends does when its time comes.
    if due_at <= now:
        transaction.on_commit(lambda: sends.claim_send(send.pk, due_at))
    queued = FollowupDelivery.State.QUEUED.value
    return send, [
        (row[0], queued, "", message_pk, row[1] + delay) for row, message_pk in zip(rows, message_pks, strict=True)
    ]


def _announce_sent(step: FollowupStep, rows, send: Send) -> None:
    """`followup.sent` for the employer's own systems (docs/webhooks.md): the applicants are the
    employer's own data, so their ids go with it; never an address or a name."""
    webhooks.emit(
        step.organisation,
        EventType.FOLLOWUP_SENT,
        {
            "step_id": step.pk,
            "step_name": step.name,
            "send_id": send.pk,
            "scheduled_at": send.scheduled_at.isoformat() if send.scheduled_at else None,
            "count": len(rows),
            "applicant_ids": [row[6] for row in rows],
        },
    )


# --- Figures -----------------------------------------------------------------------------------


@dataclass
class StepCounts:
    upcoming: int = 0  # will be sent: not due yet, due now, or queued in the outbox
    sent: int = 0
    skipped: int = 0  # not sent: a rule excluded it, or the outbox did not deliver it


NOT_DELIVERED = [MailState.SUPPRESSED, MailState.CANCELLED, MailState.FAILED, MailState.BOUNCED]
ON_ITS_WAY = [MailState.QUEUED, MailState.SENDING]


def counts_for(steps, now: datetime | None = None) -> dict[int, StepCounts]:
    """Upcoming, sent and skipped per step: one grouped query for what happened, one count per
    step for who is still to come."""
    steps = list(steps)
    today = timezone.localdate(now or timezone.now())
    counts = {step.pk: StepCounts() for step in steps}
    skipped = Q(state=FollowupDelivery.State.SKIPPED) | Q(outbound_email__state__in=NOT_DELIVERED)
    rows = (
        FollowupDelivery.objects.filter(step__in=steps)
        .values("step_id")
        .annotate(
            skipped=Count("id", filter=skipped),
            sent=Count(
                "id",
                filter=Q(state=FollowupDelivery.State.QUEUED)
                & (Q(outbound_email__state=MailState.SENT) | Q(outbound_email__isnull=True)),
            ),
            on_its_way=Count("id", filter=Q(outbound_email__state__in=ON_ITS_WAY)),
        )
        .order_by()
    )
    for row in rows:
        step_counts = counts[row["step_id"]]
        step_counts.skipped, step_counts.sent, step_counts.upcoming = row["skipped"], row["sent"], row["on_its_way"]
    for step in steps:
        # Not yet decided: those the step will reach (ones whose date fell SKIP_AFTER ago or more
        # are skipped when decided, so they are not coming).
        earliest = due_by(step, today) - SKIP_AFTER
        counts[step.pk].upcoming += _eligible(_annotated_applications(step)).filter(rejected_on__gte=earliest).count()
    return counts


def skip_reasons_for(step: FollowupStep) -> list[tuple[str, int]]:
    """How many applications each rule excluded, for the step's page."""
    rows = (
        step.deliveries.filter(state=FollowupDelivery.State.SKIPPED)
        .values_list("skip_reason")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    labels = dict(Skip.choices)
    return [(str(labels.get(reason, reason)), n) for reason, n in rows]
