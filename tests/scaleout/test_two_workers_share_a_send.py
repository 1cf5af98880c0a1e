"""Two real RQ worker processes on one Redis share one bulk send: every recipient gets exactly
one message (none twice, none lost) and both workers delivered part of it.

The workers are `manage.py worker` processes as the Procfile starts them (the second with
--no-periodic, as docs/operations.md says for every worker but one). They and the process that
creates the send share a database of their own: a SQLite file on the SQLite pass (pytest's
test database is in memory, invisible to another process) and a PostgreSQL database beside the
test database on the PostgreSQL pass. Each task sends one batch of ten (MAILINGS_TASK_SECONDS=0)
and queues the next, so the batches are handed out over the queue as they would be on many
machines."""

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import redis
from rq import Worker
from rq.job import Job
from rq.registry import FinishedJobRegistry

from tests.helpers.services import REDIS_TEST_URL
from tests.helpers.workers import stop, wait_until
from tests.smtp import SMTPServer

pytestmark = pytest.mark.redis

ROOT = Path(__file__).resolve().parents[2]
RECIPIENTS = 300
SEND_BATCH = "careerrelay.sends.tasks.send_batch"

SETUP = f"""
import django
django.setup()
from datetime import date
from careerrelay.organisations.models import Organisation
from careerrelay.rejections.models import RejectionTemplate
from careerrelay.relay.services import create_campaign
from careerrelay.talent.models import Applicant
from careerrelay.sends.services import create_send

org = Organisation.objects.create(name="株式会社山﨑製作所", status="approved")
create_campaign(organisation=org, name="標準", is_default=True)
template = RejectionTemplate.objects.create(
    organisation=org, name="t", subject="選考結果（{{{{applicant_name}}}} 様）",
    body="{{{{applicant_name}}}} 様\\n{{{{relay_link}}}}\\n",
)
Applicant.objects.bulk_create(
    Applicant(organisation=org, family_name="髙橋", given_name=str(i), email=f"p{{i}}@example.jp",
              email_normalized=f"p{{i}}@example.jp", rejected_on=date(2026, 11, 2))
    for i in range({RECIPIENTS})
)
create_send(organisation=org, template=template, applicants=Applicant.objects.all())
"""

SEND_STATE = "SELECT state FROM mailings_send"


@pytest.fixture
def redis_db():
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def test_two_rq_workers_share_a_bulk_send_without_losing_or_repeating_a_message(tmp_path, shared_database, redis_db):
    database_url, query = shared_database
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_REPLICA_URL")}
    with SMTPServer() as smtp:
        env.update(
            DJANGO_SETTINGS_MODULE="careerrelay.settings",
            DEBUG="1",
            DATABASE_URL=database_url,
            REDIS_URL=REDIS_TEST_URL,
            VAR_DIR=str(tmp_path),
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp.port),
            MAIL_DAILY_LIMIT_START="1000",
            MAILINGS_BATCH_SIZE="10",
            MAILINGS_TASK_SECONDS="0",
            MAILINGS_PERIODIC_SECONDS="1",
            LOG_LEVEL="WARNING",
        )
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True
        )

        logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
        commands = [["manage.py", "worker"], ["manage.py", "worker", "--no-periodic"]]
        workers = []
        try:
            for command, log in zip(commands, logs, strict=True):
                with open(log, "wb") as out:
                    workers.append(
                        subprocess.Popen([sys.executable, *command], cwd=ROOT, env=env, stdout=out, stderr=out)
                    )
            # Both listen on the queue before the send is created, as on a running site.
            listening = wait_until(lambda: len(Worker.all(connection=redis_db)) == 2, timeout=60)
            assert listening, "\n".join(log.read_text()[-2000:] for log in logs)

            subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True)
            finished = wait_until(lambda: query(SEND_STATE) == [("done",)])
            assert finished, (query(SEND_STATE), "\n".join(log.read_text()[-3000:] for log in logs))
            worker_names = {worker.name for worker in Worker.all(connection=redis_db)}
        finally:
            for worker in workers:
                stop(worker)

    everyone = {f"p{i}@example.jp" for i in range(RECIPIENTS)}
    by_recipient = Counter(address for message in smtp.messages for address in message.rcpt_tos)
    assert by_recipient == Counter(dict.fromkeys(everyone, 1))
    message_ids = Counter(message.message["Message-ID"] for message in smtp.messages)
    assert len(message_ids) == RECIPIENTS and set(message_ids.values()) == {1}
    assert query("SELECT state, COUNT(*) FROM mailings_outboundemail GROUP BY state") == [("sent", RECIPIENTS)]
    # The message ids the database recorded are the ones the server received.
    recorded = {row[0] for row in query("SELECT message_id FROM mailings_outboundemail")}
    assert {mid.strip("<>") for mid in message_ids} == {mid.strip("<>") for mid in recorded}

    # Both workers did part of the send: each finished batch job names the worker that ran it,
    # and its return value counts the messages that batch sent.
    sent_by = Counter()
    registry = FinishedJobRegistry("default", connection=redis_db)
    for job in Job.fetch_many(registry.get_job_ids(), connection=redis_db):
        if job is not None and job.func_name == SEND_BATCH:
            sent_by[job.worker_name] += (job.return_value() or {}).get("sent", 0)
    assert set(sent_by) == worker_names, sent_by
    assert all(count > 0 for count in sent_by.values()), sent_by
    assert sum(sent_by.values()) == RECIPIENTS
