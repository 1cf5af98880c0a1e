"""The verification email travels through a real task queue and a real worker to a real SMTP
server: the database queue (the default) and RQ on Redis (when REDIS_URL is set)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import django_rq
import pytest
import redis
from django.core.management import call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult

from careerrelay.candidates.models import Candidate
from careerrelay.credits.services import get_balance
from careerrelay.outbox.models import OutboundEmail
from tests.factories import EmployerFactory, registration_data
from tests.helpers.settings import settings_for_environment

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
DELIVER_EMAIL = "careerrelay.outbox.tasks.deliver_email"


@pytest.fixture
def campaign():
    return EmployerFactory(name="株式会社髙島屋テスト").campaigns.get()


def register(client, campaign, **overrides):
    response = client.post(campaign.get_absolute_url(), registration_data(**overrides), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    return response


def verification_path(received) -> str:
    return re.search(r"http://testserver(/verify/[^\s/]+/)", received.text()).group(1)


def queued_functions(queue) -> list[str]:
    return [job.func_name for job in queue.get_jobs()]


def test_registration_mail_waits_in_the_database_queue_until_the_worker_sends_it(
    client, settings, smtp_server, campaign
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    register(client, campaign)

    # Other work may be queued beside it (e.g. search indexing); the mail is one task.
    task = DBTaskResult.objects.get(task_path=DELIVER_EMAIL)
    assert task.status == "READY"
    assert OutboundEmail.objects.get().state == OutboundEmail.State.QUEUED
    assert smtp_server.messages == []

    call_command("worker", burst=True)

    received = smtp_server.sink.wait_for(1)
    assert len(received) == 1
    assert received[0].rcpt_tos == ["hanako.takahashi@example.jp"]
    assert "髙橋様" in received[0].text()
    assert DBTaskResult.objects.get(task_path=DELIVER_EMAIL).status == "SUCCESSFUL"
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert OutboundEmail.objects.get().state == OutboundEmail.State.SENT

    # The link in the delivered message completes the loop; the welcome mail takes the same road.
    assert client.post(verification_path(received[0])).status_code == 302  # to the my page, signed in
    assert get_balance(campaign.organisation).counted_referrals == 1
    call_command("worker", burst=True)
    received = smtp_server.sink.wait_for(2)
    assert len(received) == 2
    assert "ご登録が完了しました" in str(received[1].message["Subject"])


def test_a_refused_delivery_is_queued_again_for_later_not_lost(client, settings, smtp_server, campaign):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    smtp_server.sink.fail_next = 1
    register(client, campaign)

    call_command("worker", burst=True)

    first, retry = DBTaskResult.objects.filter(task_path=DELIVER_EMAIL).order_by("enqueued_at")
    assert first.status == "SUCCESSFUL"
    assert first.return_value == "retrying"
    assert retry.status == "READY"
    assert retry.run_after > first.finished_at
    message = OutboundEmail.objects.get()
    assert message.state == OutboundEmail.State.QUEUED
    assert "Try again later" in message.last_error
    assert smtp_server.messages == []


def test_redis_url_configures_the_rq_queue_and_the_redis_cache(monkeypatch, tmp_path):
    configured = settings_for_environment(monkeypatch, tmp_path, REDIS_URL="redis://cache.internal:6379/2")
    assert configured["TASKS"]["default"]["BACKEND"] == "django_tasks_rq.RQBackend"
    assert configured["RQ_QUEUES"] == {"default": {"URL": "redis://cache.internal:6379/2"}}
    # Without django-tasks' Job class an RQ worker fails every task ("'Task' object is not callable").
    assert configured["RQ"] == {"JOB_CLASS": "django_tasks_rq.Job"}
    assert configured["CACHES"]["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.internal:6379/2",
        # A hung Redis must not hang the relay landing page (it counts views there): short
        # timeouts make it fall back to the database and the in-process buffer.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
    }
    assert "django_rq" in configured["INSTALLED_APPS"]
    # The rate limiter's checks are silenced only for the per-process cache, never with Redis.
    assert configured["SILENCED_SYSTEM_CHECKS"] == []

    without = settings_for_environment(monkeypatch, tmp_path, REDIS_URL="")
    assert without["TASKS"]["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert "django_rq" not in without["INSTALLED_APPS"]


@pytest.mark.redis
def test_registration_mail_goes_through_rq_on_redis(client, redis_settings, smtp_server, campaign):
    register(client, campaign)

    queue = django_rq.get_queue("default")
    assert queued_functions(queue).count(DELIVER_EMAIL) == 1
    assert smtp_server.messages == []

    # In-process worker (no fork), so it shares this test's database connection.
    worker = django_rq.get_worker("default", worker_class="rq.worker.SimpleWorker")
    worker.work(burst=True)

    received = smtp_server.sink.wait_for(1)
    assert len(received) == 1
    assert "髙橋様" in received[0].text()
    assert queue.count == 0
    assert OutboundEmail.objects.get().state == OutboundEmail.State.SENT


@pytest.mark.redis
def test_a_refused_delivery_is_scheduled_again_in_rq(client, redis_settings, smtp_server, campaign):
    smtp_server.sink.fail_next = 1
    register(client, campaign)

    django_rq.get_worker("default", worker_class="rq.worker.SimpleWorker").work(burst=True)

    queue = django_rq.get_queue("default")
    assert queue.count == 0
    scheduled = [queue.fetch_job(job_id).func_name for job_id in queue.scheduled_job_registry.get_job_ids()]
    assert scheduled == [DELIVER_EMAIL]  # the retry, due later
    message = OutboundEmail.objects.get()
    assert message.state == OutboundEmail.State.QUEUED
    assert "Try again later" in message.last_error
    assert smtp_server.messages == []


@pytest.mark.redis
def test_the_worker_command_runs_rq_when_redis_url_is_set(client, redis_settings, smtp_server, campaign):
    """`manage.py worker --burst` in its own process, as in production: REDIS_URL in the
    environment, a forking RQ worker, and the mail at the SMTP server."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker process must open the test database, which on SQLite lives in this process's memory")
    register(client, campaign)
    assert queued_functions(django_rq.get_queue("default")).count(DELIVER_EMAIL) == 1

    db = connection.settings_dict
    environ = {
        **os.environ,
        "REDIS_URL": redis_settings["REDIS_URL"],
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_server.port),
        "SITE_URL": "http://testserver",
        "VAR_DIR": str(redis_settings["VAR_DIR"]),
    }
    worker = subprocess.run(
        [sys.executable, "manage.py", "worker", "--burst"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert worker.returncode == 0, worker.stderr

    received = smtp_server.sink.wait_for(1)
    assert len(received) == 1
    assert "髙橋様" in received[0].text()
    assert OutboundEmail.objects.get().state == OutboundEmail.State.SENT


@pytest.mark.redis
def test_the_rate_limiter_counts_in_redis_so_every_web_process_shares_the_limit(
    client, redis_settings, settings, campaign
):
    settings.RATE_LIMIT_REGISTRATION_PER_EMAIL = "2/h"
    register(client, campaign)
    register(client, campaign)

    refused = client.post(campaign.get_absolute_url(), registration_data(), REMOTE_ADDR="198.51.100.20")
    assert refused.status_code == 429
    assert "しばらく時間をおいてから" in refused.text
    assert Candidate.objects.count() == 1

    # The count lives in Redis, not in this process: empty Redis and the address may try again.
    server = redis.Redis.from_url(redis_settings["REDIS_URL"])
    assert any(b"rl:" in key for key in server.keys("*"))
    server.flushdb()
    server.close()
    register(client, campaign)
