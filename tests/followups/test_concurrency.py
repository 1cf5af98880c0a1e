"""Two (or more) workers running the periodic job at once, each with its own PostgreSQL
connection: every due follow-up is queued exactly once.

SQLite serialises every writer on one file lock, so the race cannot happen there; the test runs
in the PostgreSQL pass."""

from datetime import timedelta

import pytest
from django.db.models import Count

from careerrelay.followups import services as followups
from careerrelay.followups.models import FollowupDelivery
from careerrelay.outbox.models import OutboundEmail
from tests.factories import EmployerFactory
from tests.followups.helpers import NOW, TODAY, rejected
from tests.helpers.concurrency import at_once

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("chunk", [1000, 7])
def test_workers_running_the_job_at_once_queue_each_follow_up_once(monkeypatch, chunk):
    monkeypatch.setattr(followups, "CHUNK", chunk)
    employer = EmployerFactory(name="株式会社山﨑製作所")
    for step in followups.steps_for(employer):
        step.active = True
        step.save()
    for n in range(40):
        rejected(employer, f"p{n}@example.jp", rejected_on=TODAY - timedelta(days=182 + n % 3))
    for n in range(10):
        rejected(employer, f"old{n}@example.jp", rejected_on=TODAY - timedelta(days=365 + 61))
        rejected(employer, f"no{n}@example.jp", rejected_on=TODAY - timedelta(days=182), recontact_ok=False)

    results = at_once(lambda _: followups.queue_due_followups(NOW), range(4))

    assert sum(r["queued"] for r in results) == 40
    assert OutboundEmail.objects.count() == 40
    per_address = OutboundEmail.objects.values("to_email").annotate(n=Count("id")).filter(n__gt=1)
    assert list(per_address) == []
    # 40 sent + 10 without consent (6 months); the 10 old ones skipped for both steps; the 40
    # and the 10 without consent are not due for the 12-month step yet.
    assert FollowupDelivery.objects.count() == 40 + 10 + 10 * 2
    assert sum(r["skipped"] for r in results) == 30
