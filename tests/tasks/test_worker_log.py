"""The worker logs one line per batch of tasks, not one or two per task, so that under
`make run` the demo banner stays on the screen."""

import logging
import re

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from tests.factories import EmployerFactory, registration_data

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_burst_of_tasks_is_one_summary_line_not_a_line_per_task(client, settings, smtp_server, caplog):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    campaign = EmployerFactory().campaigns.get()
    for n in range(3):
        client.post(campaign.get_absolute_url(), registration_data(email=f"person{n}@example.jp"))
    queued = DBTaskResult.objects.count()
    assert queued >= 3  # a verification mail each, and whatever else registration queues

    with caplog.at_level(logging.INFO):
        call_command("worker", burst=True, no_periodic=True)

    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert not [r for r in caplog.records if r.getMessage().startswith("Task id=")]
    summaries = [r.getMessage() for r in caplog.records if r.name == "careerrelay.worker"]
    # Normally one line; a pause of a second inside the burst (a slow machine) may split it in two.
    assert 1 <= len(summaries) <= 2
    assert sum(int(re.match(r"(\d+) tasks? done", line).group(1)) for line in summaries) == queued
    assert "deliver_email" in summaries[0]
