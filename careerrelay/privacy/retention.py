"""Retention: a profile unused for CANDIDATE_RETENTION_MONTHS gets a reminder, and is deleted
RETENTION_GRACE_DAYS later unless the person signs in (or changes their profile) meanwhile.

Runs in the worker's periodic loop (careerrelay/ops/periodic.py) at most every
RETENTION_INTERVAL_SECONDS. Every step is a conditional UPDATE on the candidate's
RetentionState row (the due-date row), so two workers, or one run called twice, never remind or
delete anybody twice.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from careerrelay.audit.services import Action, Actor, record_event
from careerrelay.candidates.models import Candidate
from careerrelay.candidates.signin import signin_page_url
from careerrelay.outbox.services import queue_email
from careerrelay.privacy.deletion import delete_candidate, delete_orphaned_resume_files
from careerrelay.privacy.models import ProvisionRecord, RetentionRun, RetentionState


def retention_months() -> int:
    return settings.CANDIDATE_RETENTION_MONTHS


def grace_days() -> int:
    return settings.RETENTION_GRACE_DAYS


def inactive_cutoff(now):
    # A month is 30 days here: the exact calendar month does not matter for a 2-year clock.
    return now - timedelta(days=30 * retention_months())


def _inactive_since(cutoff):
    """Candidates with no registration, sign-in, profile change or noted activity after `cutoff`."""
    recent_activity = RetentionState.objects.filter(candidate=OuterRef("pk"), last_active_at__gte=cutoff)
    return (
        Candidate.objects.filter(created_at__lt=cutoff, profile_updated_at__lt=cutoff)
        .filter(Q(last_signed_in_at__isnull=True) | Q(last_signed_in_at__lt=cutoff))
        .exclude(Exists(recent_activity))
    )


def _active_after(candidate: Candidate, moment) -> bool:
    times = [candidate.last_signed_in_at, candidate.profile_updated_at]
    state = getattr(candidate, "retention", None)
    if state is not None and state.last_active_at:
        times.append(state.last_active_at)
    return any(t is not None and t > moment for t in times)


def send_reminders(now=None) -> int:
    now = now or timezone.now()
    delete_after = now + timedelta(days=grace_days())
    due = _inactive_since(inactive_cutoff(now)).exclude(retention__reminder_sent_at__isnull=False)
    reminded = 0
    for candidate in due.order_by("pk")[:500]:
        with transaction.atomic():
            RetentionState.objects.get_or_create(candidate=candidate)
            # The claim: only one run turns reminder_sent_at from NULL to now.
            claimed = RetentionState.objects.filter(candidate=candidate, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now, delete_after=delete_after, deletion_claimed_at=None
            )
            if not claimed:
                continue
            queue_email(
                to=candidate.email,
                template="candidate_retention_reminder",
                context={
                    "candidate": candidate,
                    "delete_after": delete_after,
                    "months": retention_months(),
                    "url": signin_page_url(candidate.email),
                },
                language=candidate.language,
            )
            record_event(
                actor=Actor.system(),
                action=Action.RETENTION_REMINDER,
                subject_key=candidate.public_id,
                object_type="candidate",
                delete_after=delete_after.isoformat(),
            )
            reminded += 1
    return reminded


def delete_expired(now=None) -> list[str]:
    now = now or timezone.now()
    deleted = []
    due = RetentionState.objects.filter(
        delete_after__lte=now, reminder_sent_at__isnull=False, deletion_claimed_at__isnull=True
    ).select_related("candidate")
    for state in due.order_by("pk")[:500]:
        candidate = state.candidate
        if _active_after(candidate, state.reminder_sent_at):
            # Signed in (or changed the profile) after the reminder: the clock starts again.
            RetentionState.objects.filter(pk=state.pk, reminder_sent_at=state.reminder_sent_at).update(
                reminder_sent_at=None, delete_after=None
            )
            continue
        with transaction.atomic():
            if not RetentionState.objects.filter(pk=state.pk, deletion_claimed_at__isnull=True).update(
                deletion_claimed_at=now
            ):
                continue
            deleted.append(delete_candidate(candidate, actor=Actor.system(), reason="retention"))
    return deleted


def purge_expired_provision_records(now=None) -> int:
    """Provision records are kept 3 years (APPI Art. 29); after that they go. A day's margin keeps
    clear of the PostgreSQL trigger, which compares with the database's clock, not ours."""
    cutoff = (now or timezone.now()) - timedelta(days=1)
    return ProvisionRecord.objects.filter(expires_at__lte=cutoff).delete()[0]


def run_retention(now=None) -> RetentionRun:
    """One pass of the job; records what it did (counts and the pseudonymous keys deleted)."""
    now = now or timezone.now()
    reminded = send_reminders(now)
    deleted = delete_expired(now)
    purged = purge_expired_provision_records(now)
    delete_orphaned_resume_files()
    return RetentionRun.objects.create(
        started_at=now,
        reminded=reminded,
        deleted=len(deleted),
        expired_provision_records=purged,
        deleted_subject_keys=deleted,
    )


def run_if_due(now=None) -> RetentionRun | None:
    """The worker loop calls this every few seconds; it runs the job at most once per interval,
    claimed through the RetentionRun table so several workers do not all run it."""
    now = now or timezone.now()
    interval = timedelta(seconds=settings.RETENTION_INTERVAL_SECONDS)
    last = RetentionRun.objects.order_by("-started_at").values_list("started_at", flat=True).first()
    if last is not None and now - last < interval:
        return None
    return run_retention(now)
