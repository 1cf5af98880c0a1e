"""A real worker process is killed (SIGKILL) in the middle of a batch, while the SMTP server
holds its current message; a restarted worker finishes the send. Every recipient must have
exactly one message: none lost, none twice.

Both processes share a file-based SQLite database of their own (the test database of pytest
is in memory and invisible to another process) and the DB task backend."""

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers.workers import wait_until
from tests.smtp import Sink, SMTPServer

ROOT = Path(__file__).resolve().parents[2]
RECIPIENTS = 40
HOLD_AT = 17  # the server holds the 17th message at RCPT until the worker is dead

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
people = Applicant.objects.bulk_create(
    Applicant(organisation=org, family_name="髙橋", given_name=str(i), email=f"p{{i}}@example.jp",
              email_normalized=f"p{{i}}@example.jp", rejected_on=date(2026, 11, 2))
    for i in range({RECIPIENTS})
)
create_send(organisation=org, template=template, applicants=Applicant.objects.all())
"""


class HoldingSink(Sink):
    """Holds the Nth RCPT (the message is not accepted yet) until released."""

    def __init__(self, hold_at):
        super().__init__()
        self.hold_at = hold_at
        self.rcpts = 0
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpts += 1
        if self.rcpts == self.hold_at:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.4.2 Connection gone"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def run(args, env, **kwargs):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, check=True, capture_output=True, **kwargs)


def send_states(db_path) -> list:
    with sqlite3.connect(db_path) as db:
        return db.execute("SELECT state FROM mailings_send").fetchall()


def states(db_path) -> Counter:
    with sqlite3.connect(db_path) as db:
        return Counter(dict(db.execute("SELECT state, COUNT(*) FROM mailings_outboundemail GROUP BY state")))


@pytest.fixture
def holding_smtp_server():
    server = SMTPServer()
    server.sink = HoldingSink(HOLD_AT)
    server.controller.handler = server.sink
    with server:
        yield server


def test_a_worker_killed_mid_batch_resumes_without_losing_or_duplicating_a_message(tmp_path, holding_smtp_server):
    db_path = tmp_path / "db.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.outbox.worker_settings",
        DATABASE_URL=f"sqlite:///{db_path}",
        VAR_DIR=str(tmp_path),
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(holding_smtp_server.port),
        DEBUG="1",
        LOG_LEVEL="WARNING",
    )
    run(["manage.py", "migrate", "--noinput"], env)
    run(["-c", SETUP], env)
    sink = holding_smtp_server.sink

    log = open(tmp_path / "worker1.log", "wb")
    worker = subprocess.Popen([sys.executable, "manage.py", "worker"], cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        assert sink.holding.wait(60), (tmp_path / "worker1.log").read_text()
        # The worker marks a message sent while the next one is in flight. Kill it once the
        # message before the held one is marked: the kill then lands inside an SMTP transaction
        # that the server has not accepted. (A kill between the server's 250 and that mark is
        # the documented at-least-once window, mailings/README.md; a slow machine widened it
        # into this test before.)
        assert wait_until(lambda: states(db_path)["sent"] == HOLD_AT - 1, timeout=60), states(db_path)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
        log.close()
    sink.release.set()

    before = states(db_path)
    assert before["sent"] == HOLD_AT - 1
    # The held message and the rest of its claimed chunk are left in `sending`, the others queued.
    assert before["sending"] >= 1
    assert before["sending"] + before["queued"] == RECIPIENTS - HOLD_AT + 1
    assert len(sink.messages) == HOLD_AT - 1

    log = open(tmp_path / "worker2.log", "wb")
    worker = subprocess.Popen([sys.executable, "manage.py", "worker"], cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        finished = wait_until(lambda: send_states(db_path) == [("done",)], timeout=180)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()
    assert finished, (states(db_path), (tmp_path / "worker2.log").read_text()[-3000:])
    received = Counter(message.rcpt_tos[0] for message in sink.messages)
    assert received == Counter({f"p{i}@example.jp": 1 for i in range(RECIPIENTS)})
    assert states(db_path) == Counter({"sent": RECIPIENTS})
