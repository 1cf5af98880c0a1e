"""The workspace's simple job list: what the company is hiring for, and since when."""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from careerrelay.audit.actor import Actor
from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import record_event
from careerrelay.common.japanese import normalize_text, parse_skills
from careerrelay.organisations.models import Organisation
from careerrelay.talent.models import Job

JOB_FIELDS = ("title", "description", "skills")


def _audit(*, actor: Actor, job: Job, change: str) -> None:
    # The job's text is published on the company's openings page: who changed it is kept.
    record_event(
        actor=actor,
        action=AuditEvent.Action.CHANGE,
        organisation=job.organisation,
        object_type="job",
        object_id=job.pk,
        change=change,
    )


def jobs_for(organisation: Organisation) -> QuerySet[Job]:
    return Job.objects.filter(organisation=organisation)


def get_job(*, organisation: Organisation, pk) -> Job | None:
    return jobs_for(organisation).filter(pk=pk).first()


def _clean(data: dict) -> dict:
    return {
        "title": normalize_text(data.get("title", "")),
        "description": (data.get("description") or "").strip(),
        # Stored as typed but with duplicates (by skill key) dropped, in the order typed.
        "skills": "、".join(parse_skills(data.get("skills", ""))),
    }


def create_job(*, organisation: Organisation, actor: Actor, data: dict) -> Job:
    with transaction.atomic():
        job = Job.objects.create(organisation=organisation, **_clean(data))
        _audit(actor=actor, job=job, change="created")
        return job


def update_job(*, job: Job, actor: Actor, data: dict) -> Job:
    for name, value in _clean(data).items():
        setattr(job, name, value)
    with transaction.atomic():
        job.save(update_fields=[*JOB_FIELDS, "updated_at"])
        _audit(actor=actor, job=job, change="updated")
    return job


def close_job(*, job: Job, actor: Actor) -> Job:
    job.status = Job.Status.CLOSED
    with transaction.atomic():
        job.save(update_fields=["status", "updated_at"])
        _audit(actor=actor, job=job, change="closed")
    return job


def reopen_job(*, job: Job, actor: Actor) -> Job:
    """Opening again starts a new hiring round: re-approach suggestions count from now."""
    job.status = Job.Status.OPEN
    job.opened_at = timezone.now()
    with transaction.atomic():
        job.save(update_fields=["status", "opened_at", "updated_at"])
        _audit(actor=actor, job=job, change="reopened")
    return job
