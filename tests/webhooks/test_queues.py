"""Deliveries travel through the real task queues and worker: the database queue (the default)
and RQ on Redis. Nothing is posted before the worker runs; the worker's periodic loop retries."""

from datetime import timedelta

import django_rq
import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from freezegun import freeze_time

from careerrelay.webhooks.models import Delivery, Endpoint
from tests.webhooks.helpers import Receiver, signature_is_valid

pytestmark = pytest.mark.django_db(transaction=True)

DELIVER = "careerrelay.webhooks.tasks.deliver_webhook"


def register_and_test(client, owner, url):
    client.force_login(owner)
    response = client.post(reverse("employer:webhook_new"), {"url": url, "event_types": ["credit.earned"]})
    endpoint = Endpoint.objects.get()
    assert client.post(reverse("employer:webhook_test", args=[endpoint.pk])).status_code == 302
    assert response.status_code == 302
    return endpoint


def test_the_database_queue_and_the_worker_deliver_and_retry(client, settings, owner):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with Receiver(statuses=[500, 200]) as server:
        endpoint = register_and_test(client, owner, server.url)
        assert DBTaskResult.objects.get(task_path=DELIVER).status == "READY"
        assert server.received == []
        call_command("worker", burst=True)
        delivery = Delivery.objects.get()
        assert delivery.state == Delivery.State.RETRYING
        # A minute later the worker's periodic loop hands the retry to the queue, and it is posted.
        with freeze_time(delivery.next_attempt_at + timedelta(seconds=1)):
            call_command("worker", burst=True)
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SUCCEEDED
    assert len(server.received) == 2
    assert all(signature_is_valid(endpoint.secret, r) for r in server.received)


@pytest.mark.redis
def test_rq_on_redis_delivers(client, redis_settings, owner):
    with Receiver() as server:
        endpoint = register_and_test(client, owner, server.url)
        queue = django_rq.get_queue("default")
        assert [job.func_name for job in queue.get_jobs()].count(DELIVER) == 1
        assert server.received == []
        # In-process worker (no fork), so it shares this test's database connection.
        django_rq.get_worker("default", worker_class="rq.worker.SimpleWorker").work(burst=True)
    assert Delivery.objects.get().state == Delivery.State.SUCCEEDED
    assert signature_is_valid(endpoint.secret, server.received[0])
