"""Two workers running the retention job at the same moment (PostgreSQL, real threads): each
person is reminded once and deleted once."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from careerrelay.audit.models import AuditEvent
from careerrelay.candidates.models import Candidate
from careerrelay.privacy.models import RetentionRun
from careerrelay.privacy.retention import run_retention
from tests.helpers.privacy import make_candidate

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def twice_at_once(now):
    barrier = threading.Barrier(2)

    def run(_):
        try:
            barrier.wait(timeout=30)
            return run_retention(now)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(run, range(2)))


def test_two_workers_remind_once_and_delete_once():
    now = timezone.now()
    long_ago = now - timedelta(days=30 * 24 + 1)
    people = [
        make_candidate(email=f"dormant{i}@example.jp", created_at=long_ago, profile_updated_at=long_ago)
        for i in range(3)
    ]
    mail.outbox.clear()

    reminded = twice_at_once(now)
    assert sum(run.reminded for run in reminded) == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["dormant0@example.jp", "dormant1@example.jp", "dormant2@example.jp"]

    deleted = twice_at_once(now + timedelta(days=31))
    assert sum(run.deleted for run in deleted) == 3
    assert sorted(key for run in deleted for key in run.deleted_subject_keys) == sorted(
        str(p.public_id) for p in people
    )
    assert Candidate.objects.count() == 0
    assert AuditEvent.objects.filter(action="retention_delete").count() == 3
    assert RetentionRun.objects.count() == 4
