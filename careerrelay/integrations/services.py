"""Inbound ATS webhooks: adding an integration, receiving a delivery (in the request: verify,
store, enqueue), processing it (in the worker: each rejection becomes a talent-pool applicant
and, where the reason is mapped to it, one ordinary send), the reason mappings, replays and the
retention of delivery bodies.

Rules (each a test in tests/integrations):
- a bad or missing signature stores nothing; a delivery is stored once per event id;
- an applicant is found by the ATS's person id per company, else by email; an older delivery
  (occurred_at) for an application never overwrites a newer one;
- a person without an email address cannot be mailed or pooled: the delivery is "要対応";
- a reason not seen before becomes a ReasonMapping, pool only until an admin maps it;
- a mapped auto-send is a `sends.Send` for that one applicant, N business days after the
  rejection at the mapping's hour (sends' calendar), queued at most once per ATS application:
  the AtsApplication row is locked while it is decided.
"""

import logging
import unicodedata
from dataclasses import dataclass
from datetime import time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.backend import DatabaseBackend

from careerrelay.audit.actor import Actor
from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import record_event
from careerrelay.common.japanese import normalize_email
from careerrelay.integrations.adapters import adapter_for
from careerrelay.integrations.models import AtsApplication, Delivery, Integration, ReasonMapping
from careerrelay.integrations.redact import redact_body
from careerrelay.integrations.tasks import process_delivery
from careerrelay.integrations.vendors.base import Parsed, PayloadError, Rejection
from careerrelay.organisations.models import Organisation
from careerrelay.sends import services as sends
from careerrelay.talent import services as talent
from careerrelay.talent.models import Applicant, Application, RejectionReason, Stage

logger = logging.getLogger(__name__)
Outcome = Delivery.Outcome
# A pending delivery whose task was lost (a worker restarted between commit and enqueue) is
# enqueued again by the periodic sweep after this long.
REQUEUE_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 5
RETRY_BASE = timedelta(minutes=1)
# Distinct ATS reasons learned per integration (each one a row of the integration's page).
MAX_REASON_MAPPINGS = 1000


class IntegrationError(ValueError):
    pass


def system_actor() -> Actor:
    return Actor.system()


# --- Integrations ------------------------------------------------------------------------------


def integrations_for(organisation: Organisation) -> QuerySet[Integration]:
    return Integration.objects.filter(organisation=organisation)


def webhook_url(integration: Integration) -> str:
    return settings.SITE_URL + reverse("integrations:receive", args=[integration.public_id])


@transaction.atomic
def create_integration(
    *, organisation: Organisation, kind: str, name: str, secret: str, api_key: str = "", actor: Actor
) -> Integration:
    adapter_for(kind)  # NoAdapter for a kind this installation cannot read yet
    if kind == Integration.Kind.LEVER and not api_key:
        raise IntegrationError("Lever needs an API key")
    if not secret:
        raise IntegrationError("a secret is required")
    integration = Integration.objects.create(
        organisation=organisation,
        kind=kind,
        name=name,
        secret=secret,
        api_key=api_key if kind == Integration.Kind.LEVER else "",
        created_by=actor.user,
    )
    record_event(
        actor=actor,
        action=AuditEvent.Action.CHANGE,
        organisation=organisation,
        object_type="ats_integration",
        object_id=integration.pk,
        change="created",
        kind=kind,
    )
    return integration


@transaction.atomic
def set_active(*, integration: Integration, active: bool, actor: Actor) -> Integration:
    if integration.active != active:
        integration.active = active
        integration.save(update_fields=["active"])
        record_event(
            actor=actor,
            action=AuditEvent.Action.CHANGE,
            organisation=integration.organisation,
            object_type="ats_integration",
            object_id=integration.pk,
            active=active,
        )
    return integration


# --- Receiving (the request) --------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    status: int
    delivery: Delivery | None = None
    duplicate: bool = False


def receive(*, integration: Integration, parsed: Parsed, body: bytes) -> Received:
    """Store a verified, parsed delivery and enqueue it: one insert (a savepoint around it), the
    task after the commit. A vendor's retry of the same event answers 200 and changes nothing."""
    if parsed.kind == "ping":
        return Received(status=200)
    ignored = parsed.kind == "ignored"
    delivery = Delivery(
        integration=integration,
        event_id=parsed.event_id[:200],
        body=redact_body(body) if ignored else body,
        body_redacted=ignored,
        outcome=Outcome.IGNORED if ignored else Outcome.PENDING,
        message=parsed.ignored_because[:500] if ignored else "",
        processed_at=timezone.now() if ignored else None,
        retry_at=None if ignored else timezone.now() + REQUEUE_AFTER,
    )
    try:
        with transaction.atomic():
            delivery.save(force_insert=True)
            if not ignored:
                _enqueue_with_the_delivery(delivery.pk)
    except IntegrityError:
        return Received(status=200, duplicate=True)
    return Received(status=200 if ignored else 202, delivery=delivery)


def _enqueue_with_the_delivery(delivery_id: int) -> None:
    """The database queue's task row is written in the delivery's own transaction: one commit
    (one WAL flush) per accepted delivery instead of two, and no delivery without its task. Any
    other backend (RQ) is handed the task after the commit, so a worker never looks too early."""
    if isinstance(process_delivery.get_backend(), DatabaseBackend):
        process_delivery.enqueue(delivery_id)
    else:
        transaction.on_commit(lambda: process_delivery.enqueue(delivery_id))


def store_unreadable(*, integration: Integration, event_id: str, body: bytes, message: str) -> None:
    """A signed body the adapter cannot read: kept as failed (the vendor should not retry it)."""
    try:
        with transaction.atomic():
            Delivery.objects.create(
                integration=integration,
                event_id=event_id,
                body=body,
                outcome=Outcome.FAILED,
                message=_("読み取れない内容です: %(detail)s") % {"detail": message[:300]},
                processed_at=timezone.now(),
            )
    except IntegrityError:
        pass


# --- Processing (the worker) --------------------------------------------------------------------


@dataclass
class Tally:
    rejections: int = 0
    created: int = 0
    updated: int = 0
    stale: int = 0
    sends: int = 0
    failed: int = 0
    not_mailed: int = 0  # the ATS says the person may not be emailed (Greenhouse can_email false)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


class NeedsAttention(Exception):
    """One rejection could not be stored; the message says why (shown to the employer)."""


class TryLater(Exception):
    """Lever's API could not be read for a reason that passes (unreachable, 429, 5xx): the
    delivery stays pending and the sweep runs it again after a back-off."""


def _lever_problem(opportunity_id: str, error) -> str:
    status = getattr(error, "status", None)
    if status in (401, 403):
        return _(
            "Lever が APIキーを受け付けませんでした（%(status)s）。"
            "連携のAPIキーと、機会（Opportunities）を読む権限を確認してから再処理してください。"
        ) % {"status": status}
    if status == 404:
        return _("Lever に機会 %(id)s が見つかりません（削除されたか、APIキーの権限外です）。") % {"id": opportunity_id}
    return _("Lever API から読み取れません（機会 %(id)s）: %(detail)s") % {"id": opportunity_id, "detail": error}


def _fetch(integration: Integration, parsed: Parsed) -> tuple[tuple[Rejection, ...], list[str]]:
    """Lever: read each opportunity from Lever's API (never inside a transaction). Raises
    TryLater when trying again later can help; problems that need the employer are returned."""
    rejections, problems = list(parsed.rejections), []  # type: list[Rejection], list[str]
    if not parsed.fetch_opportunities:
        return tuple(rejections), problems
    adapter = adapter_for(integration.kind)
    fetch_error = getattr(adapter, "FetchError", ())
    for opportunity_id in parsed.fetch_opportunities:
        try:
            found = adapter.fetch_rejection(
                api_key=integration.api_key, opportunity_id=opportunity_id, base_url=settings.LEVER_API_URL
            )
        except PayloadError as error:
            problems.append(_("機会 %(id)s を読み取れません: %(detail)s") % {"id": opportunity_id, "detail": error})
            continue
        except fetch_error as error:
            logger.warning("Lever fetch failed for integration %s: %s", integration.pk, error)
            if error.retryable:
                raise TryLater(
                    _("Lever API から読み取れませんでした（機会 %(id)s）: %(detail)s 自動で再試行します。")
                    % {"id": opportunity_id, "detail": error}
                ) from error
            problems.append(_lever_problem(opportunity_id, error))
            continue
        if found is not None:
            rejections.append(found)
    return tuple(rejections), problems


def retry_delay(attempts: int) -> timedelta:
    """1, 4, 16, 64 minutes after the first, second, … attempt."""
    return RETRY_BASE * (4 ** max(attempts - 1, 0))


def _try_later(delivery: Delivery, attempts: int, message: str) -> str:
    if attempts >= MAX_ATTEMPTS:
        _finish(delivery, Outcome.FAILED, message[:5000], Tally())
        return Outcome.FAILED
    Delivery.objects.filter(pk=delivery.pk, outcome=Outcome.PENDING).update(
        message=message[:5000], retry_at=timezone.now() + retry_delay(attempts)
    )
    return "retry"


def run_delivery(delivery_id: int) -> str:
    """Process one pending delivery; what the task runs. Returns its outcome."""
    delivery = Delivery.objects.select_related("integration__organisation").filter(pk=delivery_id).first()
    if delivery is None or delivery.outcome != Outcome.PENDING:
        return "gone"
    Delivery.objects.filter(pk=delivery_id).update(attempts=F("attempts") + 1)
    attempts = delivery.attempts + 1
    integration = delivery.integration
    try:
        parsed = adapter_for(integration.kind).parse(bytes(delivery.body))
    except PayloadError as error:
        _finish(delivery, Outcome.FAILED, _("読み取れない内容です: %(detail)s") % {"detail": error}, Tally())
        return Outcome.FAILED
    if parsed.kind != "rejection":
        _finish(delivery, Outcome.IGNORED, parsed.ignored_because, Tally())
        return Outcome.IGNORED
    try:
        rejections, problems = _fetch(integration, parsed)
    except TryLater as later:
        return _try_later(delivery, attempts, str(later))
    # Greenhouse's can_email false: the person opted out of email in the ATS; pooled, never mailed.
    may_email = parsed.extra.get("can_email") != "false"
    tally = Tally(failed=len(problems))
    organisation = integration.organisation
    with transaction.atomic():
        # Held while the delivery is decided: a second worker running the same delivery (a task
        # enqueued twice) waits here and then finds it processed.
        locked = Delivery.objects.select_for_update().filter(pk=delivery_id, outcome=Outcome.PENDING).first()
        if locked is None:
            return "gone"
        if not organisation.is_active:
            _finish(delivery, Outcome.IGNORED, _("この会社のアカウントは停止されています。"), tally)
            return Outcome.IGNORED
        for rejection in sorted(rejections, key=_order):
            tally.rejections += 1
            mapping = learn_reason(integration, rejection.reason)
            try:
                problem = _apply_once_more_after_a_race(integration, rejection, mapping, tally, may_email)
                if problem:
                    tally.failed += 1
                    problems.append(problem)
            except NeedsAttention as problem:
                tally.failed += 1
                problems.append(str(problem))
        if problems:
            _finish(delivery, Outcome.FAILED, "\n".join(problems)[:5000], tally)
            return Outcome.FAILED
        _finish(delivery, Outcome.PROCESSED, "", tally)
    return Outcome.PROCESSED


class Raced(Exception):
    """Another worker stored the same person or application first (a unique constraint said so)."""


def _apply_once_more_after_a_race(integration, rejection, mapping, tally, may_email=True) -> str | None:
    """Two deliveries about the same new person, processed at once: the second one's insert fails
    on a unique constraint after the first committed; run again, it finds (and waits for) the
    rows the first one wrote, so the person is stored once and mailed once."""
    for attempt in range(2):
        before = tally.as_dict()
        try:
            with transaction.atomic():
                return _apply(integration, rejection, mapping, tally, may_email=may_email)
        except Raced:
            tally.__dict__.update(before)  # what the rolled-back attempt counted did not happen
            if attempt:
                raise NeedsAttention(
                    _("ATSの候補者 %(id)s を保存できませんでした。再処理してください。")
                    % {"id": rejection.person.ats_id}
                ) from None
    raise AssertionError("unreachable: the second attempt returns or raises")


def _order(rejection: Rejection):
    return (rejection.occurred_at is None, rejection.occurred_at or timezone.now())


def _finish(delivery: Delivery, outcome: str, message: str, tally: Tally) -> None:
    keep_body = outcome == Outcome.FAILED
    fields = {
        "outcome": outcome,
        "message": message or "",
        "counts": tally.as_dict(),
        "processed_at": timezone.now(),
        "retry_at": None,
    }
    if not keep_body and not delivery.body_redacted:
        fields.update(body=redact_body(bytes(delivery.body)), body_redacted=True)
    Delivery.objects.filter(pk=delivery.pk).update(**fields)


STAGE_WORDS = (
    (Stage.DOCUMENT, ("書類", "application review", "resume", "screen", "応募")),
    (Stage.FIRST_INTERVIEW, ("一次", "1次", "first", "phone")),
    (Stage.SECOND_INTERVIEW, ("二次", "2次", "second")),
    (Stage.FINAL_INTERVIEW, ("最終", "final", "offer", "onsite", "役員")),
)


def stage_from(text: str) -> str:
    """The stage an ATS's stage name means. The later stages are asked first: a name such as
    "Phone screen" or 「最終面接(書類再確認)」 names the later step with a word of an earlier one.
    Full-width letters and digits (「２次面接」, ＯＮＳＩＴＥ) read as their half-width forms."""
    lowered = unicodedata.normalize("NFKC", text).lower()
    for stage, words in reversed(STAGE_WORDS):
        if any(word in lowered for word in words):
            return stage
    return Stage.OTHER


def learn_reason(integration: Integration, text: str) -> ReasonMapping:
    """The mapping of this ATS reason, created (unmapped: pool only) the first time it is seen."""
    text = text[:300]
    mapping = ReasonMapping.objects.filter(integration=integration, ats_reason=text).first()
    if mapping is None and ReasonMapping.objects.filter(integration=integration).count() >= MAX_REASON_MAPPINGS:
        # An ATS that sends free text as its reason (or a sender with the secret) would otherwise
        # grow the list without end: past the limit a new reason pools the person, unlearned.
        logger.warning(
            "ATS integration %s has %s reason mappings; not learning more", integration.pk, MAX_REASON_MAPPINGS
        )
        return ReasonMapping(integration=integration, ats_reason=text)
    if mapping is None:
        ReasonMapping.objects.bulk_create(
            [ReasonMapping(integration=integration, ats_reason=text)], ignore_conflicts=True
        )
        mapping = ReasonMapping.objects.select_related("reason", "template").get(
            integration=integration, ats_reason=text
        )
    ReasonMapping.objects.filter(pk=mapping.pk).update(seen_count=F("seen_count") + 1, last_seen_at=timezone.now())
    return mapping


def _find_applicant(organisation: Organisation, person_id: str, email: str) -> Applicant | None:
    applicants = talent.applicants_for(organisation).select_for_update()
    found = applicants.filter(ats_id=person_id).first() if person_id else None
    if found is None and email:
        found = applicants.filter(email_normalized=normalize_email(email)).first()
    return found


def _apply(
    integration: Integration, rejection: Rejection, mapping: ReasonMapping, tally: Tally, *, may_email: bool = True
) -> str | None:
    """The rejection in the talent pool (and its send); a problem that leaves the person pooled is
    returned, one that stores nothing is raised (NeedsAttention)."""
    organisation, person = integration.organisation, rejection.person
    actor = system_actor()
    link = (
        AtsApplication.objects.select_for_update(of=("self",))
        .select_related("applicant", "application")
        .filter(integration=integration, ats_person_id=person.ats_id, ats_application_id=rejection.application_id)
        .first()
    )
    if link is not None and link.occurred_at and rejection.occurred_at and rejection.occurred_at < link.occurred_at:
        tally.stale += 1  # the ATS told us something newer already
        return None
    applicant = link.applicant if link is not None else _find_applicant(organisation, person.ats_id, person.email)
    rejected_on = rejection.rejected_at or (
        timezone.localdate(rejection.occurred_at) if rejection.occurred_at else timezone.localdate()
    )
    selection = {
        "job_title": rejection.job_title,
        "stage": stage_from(rejection.stage),
        "rejected_on": rejected_on,
        "rejection_reason": rejection.reason,
        "reason": mapping.reason if mapping.mapped else None,
    }
    contact: dict[str, str | bool] = {
        name: value
        for name, value in {
            "family_name": person.family_name,
            "given_name": person.given_name,
            "phone": person.phone,
            "email": person.email,
        }.items()
        if value
    }
    if not may_email:
        contact["recontact_ok"] = False  # they told the ATS not to email them
    if applicant is None:
        if not person.email:
            raise NeedsAttention(
                _("ATSの候補者 %(id)s にメールアドレスがないため、人材プールに登録できません（連絡できません）。")
                % {"id": person.ats_id}
            )
        data = {**contact, **selection, "ats_id": person.ats_id}
        data.setdefault("family_name", person.email.split("@")[0][:100])
        try:
            with transaction.atomic():
                applicant = talent.create_applicant(organisation=organisation, data=data, actor=actor)
        except talent.DuplicateApplicant:
            raise Raced from None
        application = talent.latest_application(applicant)
        tally.created += 1
    else:
        application = link.application if link is not None else None
        if application is None:
            latest = talent.latest_application(applicant)
            same = latest is not None and (
                latest.ats_id == rejection.application_id
                or (not latest.ats_id and latest.job_title in ("", rejection.job_title))
            )
            application = latest if same else None
        if person.ats_id and not applicant.ats_id:
            if not talent.ats_id_taken(organisation=organisation, ats_id=person.ats_id, exclude_pk=applicant.pk):
                contact["ats_id"] = person.ats_id
        if (
            person.email
            and "email" in contact
            and talent.email_taken(organisation=organisation, email=person.email, exclude_pk=applicant.pk)
        ):
            contact.pop("email")  # another pool member has it: keep the address this one had
        latest = talent.latest_application(applicant)
        if latest is None:
            # A pool member without any application yet: updating them writes their first one.
            talent.update_applicant(applicant=applicant, data={**contact, **selection}, actor=actor)
            application = talent.latest_application(applicant)
        elif application is None:
            if contact:
                talent.update_applicant(applicant=applicant, data=contact, actor=actor)
            application = talent.record_application(applicant=applicant, data=selection, actor=actor)
        elif latest is not None and application.pk == latest.pk:
            talent.update_applicant(applicant=applicant, data={**contact, **selection}, actor=actor)
            application.refresh_from_db()
        else:
            # An older application of the person: its own row only, the applicant mirrors the latest.
            if contact:
                talent.update_applicant(applicant=applicant, data=contact, actor=actor)
            for name, value in selection.items():
                setattr(application, name, value)
            application.save(update_fields=[*selection, "updated_at"])
        tally.updated += 1
    if application is not None and rejection.application_id and application.ats_id != rejection.application_id:
        Application.objects.filter(pk=application.pk).update(ats_id=rejection.application_id)
    if application is not None and application.outcome != Application.Outcome.REJECTED:
        Application.objects.filter(pk=application.pk).update(outcome=Application.Outcome.REJECTED)
    if link is None:
        try:
            with transaction.atomic():
                link = AtsApplication.objects.create(
                    integration=integration,
                    ats_person_id=person.ats_id,
                    ats_application_id=rejection.application_id,
                    applicant=applicant,
                    application=application,
                    occurred_at=rejection.occurred_at,
                )
        except IntegrityError:
            raise Raced from None
    else:
        link.applicant, link.application = applicant, application
        if rejection.occurred_at:
            link.occurred_at = rejection.occurred_at
        link.save(update_fields=["applicant", "application", "occurred_at", "updated_at"])
    if not may_email:
        tally.not_mailed += 1
        return None
    return _maybe_send(link, mapping, tally)


def _maybe_send(link: AtsApplication, mapping: ReasonMapping, tally: Tally) -> str | None:
    """The mapping's send for this application, at most once (the link row is held); what went
    wrong, if it could not be queued."""
    if link.send_decided_at is not None or not mapping.sends_automatically:
        return None
    organisation = link.integration.organisation
    applicant = Applicant.objects.get(pk=link.applicant_id)
    try:
        with transaction.atomic():
            send = sends.create_send(
                organisation=organisation,
                template=mapping.template,
                applicants=[applicant],
                business_days=mapping.delay_business_days,
                send_time=time(mapping.send_hour, 0),
            )
    except sends.SendError as error:
        # The person stays in the pool; the delivery is 要対応 and a replay tries the send again.
        return _("不採用メールを予約できませんでした（ATSの候補者 %(id)s）: %(detail)s") % {
            "id": link.ats_person_id,
            "detail": error,
        }
    AtsApplication.objects.filter(pk=link.pk).update(send=send, send_decided_at=timezone.now())
    tally.sends += 1
    return None


# --- Deliveries: the log, replays, retention ----------------------------------------------------


def deliveries_for(integration: Integration) -> QuerySet[Delivery]:
    return Delivery.objects.filter(integration=integration).defer("body")


@transaction.atomic
def replay_delivery(*, delivery: Delivery, actor: Actor) -> bool:
    """A failed delivery whose body is still kept runs again (after the employer fixed what was
    wrong: a mapping, an address in the ATS, the Lever key)."""
    # Not verified again: the signature was checked when it arrived (Lever's refuses a
    # triggeredAt older than 3 days, which a replay a week later would be); only parsed.
    updated = Delivery.objects.filter(pk=delivery.pk, outcome=Outcome.FAILED, body_redacted=False).update(
        outcome=Outcome.PENDING, message="", attempts=0, retry_at=timezone.now() + REQUEUE_AFTER
    )
    if not updated:
        return False
    record_event(
        actor=actor,
        action=AuditEvent.Action.CHANGE,
        organisation=delivery.integration.organisation,
        object_type="ats_delivery",
        object_id=delivery.pk,
        change="replayed",
    )
    transaction.on_commit(lambda: process_delivery.enqueue(delivery.pk))
    return True


def sweep_deliveries(now=None) -> dict:
    """The worker's periodic job: failed bodies past their retention are redacted; pending
    deliveries whose task was lost are enqueued again (a few times, then failed)."""
    now = now or timezone.now()
    redacted = 0
    old_failed = Delivery.objects.filter(
        outcome=Outcome.FAILED,
        body_redacted=False,
        received_at__lt=now - timedelta(days=settings.INTEGRATIONS_FAILED_BODY_DAYS),
    )
    for delivery in old_failed.only("pk", "body")[:1000]:
        Delivery.objects.filter(pk=delivery.pk).update(body=redact_body(bytes(delivery.body)), body_redacted=True)
        redacted += 1
    due = Delivery.objects.filter(outcome=Outcome.PENDING).filter(
        Q(retry_at__lte=now) | Q(retry_at__isnull=True, received_at__lt=now - REQUEUE_AFTER)
    )
    for delivery in due.filter(attempts__gte=MAX_ATTEMPTS).only("pk", "message"):
        Delivery.objects.filter(pk=delivery.pk, outcome=Outcome.PENDING).update(
            outcome=Outcome.FAILED,
            message=delivery.message or _("処理が繰り返し中断されました。再実行してください。"),
            processed_at=now,
            retry_at=None,
        )
    requeued = 0
    for pk in due.filter(attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True)[:1000]:
        # Claimed with a conditional UPDATE: two workers' sweeps enqueue a delivery once, and the
        # next sweep leaves it alone until its task had time to run.
        claimed = (
            Delivery.objects.filter(pk=pk, outcome=Outcome.PENDING)
            .filter(Q(retry_at__lte=now) | Q(retry_at__isnull=True))
            .update(retry_at=now + REQUEUE_AFTER)
        )
        if claimed:
            process_delivery.enqueue(pk)
            requeued += 1
    return {"redacted": redacted, "requeued": requeued}


# --- Reason mappings ----------------------------------------------------------------------------


def mappings_for(integration: Integration) -> QuerySet[ReasonMapping]:
    return ReasonMapping.objects.filter(integration=integration).select_related("reason", "template")


def reasons_for_mapping(organisation: Organisation) -> QuerySet[RejectionReason]:
    return talent.rejection_reasons_for(organisation)


MAPPING_FIELDS = ("reason", "action", "template", "delay_business_days", "send_hour", "auto_send")


@transaction.atomic
def save_mapping(*, mapping: ReasonMapping, actor: Actor, **fields) -> ReasonMapping:
    organisation = mapping.integration.organisation
    unknown = set(fields) - set(MAPPING_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    reason, template = fields.get("reason"), fields.get("template")
    if reason is not None and reason.organisation_id != organisation.pk:
        raise IntegrationError("unknown reason")
    if template is not None and template.organisation_id not in (None, organisation.pk):
        raise IntegrationError("unknown template")
    if fields.get("action") == ReasonMapping.Action.AUTO_SEND and template is None:
        raise IntegrationError("auto-send needs a template")
    for name, value in fields.items():
        setattr(mapping, name, value)
    mapping.mapped = True
    mapping.save(update_fields=[*fields, "mapped", "updated_at"])
    record_event(
        actor=actor,
        action=AuditEvent.Action.CHANGE,
        organisation=organisation,
        object_type="ats_reason_mapping",
        object_id=mapping.pk,
        # "mapping_action": record_event's own `action` is the kind of audit event.
        **{
            ("mapping_action" if name == "action" else name): (value.pk if hasattr(value, "pk") else value)
            for name, value in fields.items()
        },
    )
    return mapping
