"""Two workers at once (PostgreSQL row locks): the same person's rejection in two deliveries, and
one delivery run by two workers, store the person once and queue the mapped send once."""

import pytest

from careerrelay.integrations import services
from careerrelay.integrations.models import Delivery
from careerrelay.outbox.models import OutboundEmail
from careerrelay.sends.models import Send
from careerrelay.talent.models import Applicant, Application
from tests.helpers.concurrency import at_once
from tests.helpers.generic_ats import post, rejection
from tests.integrations.helpers import generic_integration, template

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


@pytest.fixture(autouse=True)
def _queued_not_run(settings):
    # The deliveries' tasks wait in the database queue; the test runs them itself, two at once.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def integration(employer):
    integration = generic_integration(employer)
    mapping = services.learn_reason(integration, "経験不足")
    mapping.action, mapping.template, mapping.auto_send, mapping.mapped = (
        "auto_send",
        template(employer),
        True,
        True,
    )
    mapping.save()
    return integration


def test_two_deliveries_about_one_new_person_at_once(client, integration):
    for event in ("e-1", "e-2"):
        assert post(client, integration, rejection(event_id=event)).status_code == 202
    ids = list(Delivery.objects.values_list("pk", flat=True))
    assert sorted(at_once(services.run_delivery, ids)) == ["processed", "processed"]
    assert Applicant.objects.count() == 1
    assert Application.objects.count() == 1
    assert (Send.objects.count(), OutboundEmail.objects.count()) == (1, 1)


def test_one_delivery_run_by_two_workers(client, integration):
    post(client, integration, rejection())
    (pk,) = Delivery.objects.values_list("pk", flat=True)
    results = at_once(services.run_delivery, [pk, pk])
    assert sorted(results) == ["gone", "processed"]
    assert Applicant.objects.count() == 1
    assert OutboundEmail.objects.count() == 1
