"""A large send made with the employer's form is rendered by a real worker a chunk at a time
while that same worker delivers the chunks already rendered: the first messages reach the SMTP
server before the last are rendered, and every recipient gets exactly one message.

The employer's POST, the worker (`manage.py worker`, the database task backend) and the checks
share a database of their own (a SQLite file, or a PostgreSQL database beside the test
database on the PostgreSQL pass: the `shared_database` fixture of tests/scaleout)."""

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from tests.helpers.workers import stop, wait_until
from tests.smtp import SMTPServer

ROOT = Path(__file__).resolve().parents[2]
RECIPIENTS = 60
CHUNK = 10

# The employer's browser: signed in, the send form posted with every applicant chosen.
POST_THE_FORM = f"""
import django, json
django.setup()
from django.test import Client
from django.urls import reverse
from careerrelay.sends.models import Send
from tests.factories import EmployerFactory, MembershipFactory, UserFactory
from tests.helpers.mail import form_data, make_applicant, make_template

employer = EmployerFactory(name="株式会社山﨑製作所")
member = MembershipFactory(organisation=employer, role="recruiter", user=UserFactory(email="m@yamasaki.example")).user
template = make_template(employer)
people = [make_applicant(employer, "髙橋", str(i), f"p{{i}}@example.jp") for i in range({RECIPIENTS})]
client = Client()
client.force_login(member)
response = client.post(reverse("employer:send_create"), form_data(template, people, "send"))
send = Send.objects.get()
print(json.dumps({{"status": response.status_code, "state": send.state}}))
"""

SEND_STATE = "SELECT state FROM mailings_send"
# When each message was rendered (its row created) and sent.
TIMES = "SELECT created_at, sent_at, state FROM mailings_outboundemail"


def test_a_large_send_from_the_form_is_delivered_while_it_is_rendered_each_message_once(tmp_path, shared_database):
    database_url, query = shared_database
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL")}
    with SMTPServer() as smtp:
        env.update(
            DJANGO_SETTINGS_MODULE="careerrelay.settings",
            DEBUG="1",
            ALLOWED_HOSTS="testserver,localhost",
            DATABASE_URL=database_url,
            VAR_DIR=str(tmp_path),
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp.port),
            MAIL_DAILY_LIMIT_START="1000",
            MAILINGS_PREPARE_IN_REQUEST="5",
            MAILINGS_PREPARE_CHUNK=str(CHUNK),
            LOG_LEVEL="WARNING",
        )
        run = dict(cwd=ROOT, env=env, check=True, capture_output=True, text=True)
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], **run)
        log_path = tmp_path / "worker.log"
        with open(log_path, "wb") as log:
            worker = subprocess.Popen(
                [sys.executable, "manage.py", "worker"], cwd=ROOT, env=env, stdout=log, stderr=log
            )
        try:
            made = subprocess.run([sys.executable, "-c", POST_THE_FORM], **{**run, "check": False})
            assert made.returncode == 0, made.stderr[-3000:]
            posted = json.loads(made.stdout.splitlines()[-1])
            # The request only stored the choice: the worker renders (state "preparing").
            assert posted == {"status": 302, "state": "preparing"}
            finished = wait_until(lambda: query(SEND_STATE) == [("done",)])
            assert finished, (query(SEND_STATE), log_path.read_text()[-3000:])
        finally:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
            stop(worker)

    by_recipient = Counter(address for message in smtp.messages for address in message.rcpt_tos)
    assert by_recipient == Counter({f"p{i}@example.jp": 1 for i in range(RECIPIENTS)})
    assert "髙橋 7 様" in next(m for m in smtp.messages if m.rcpt_tos == ["p7@example.jp"]).text()
    rows = query(TIMES)
    assert {state for _created, _sent, state in rows} == {"sent"} and len(rows) == RECIPIENTS

    def moment(value):  # SQLite gives naive UTC text, PostgreSQL an aware datetime
        value = datetime.fromisoformat(value) if isinstance(value, str) else value
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    first_sent = min(moment(sent) for _created, sent, _state in rows)
    last_rendered = max(moment(created) for created, _sent, _state in rows)
    assert first_sent < last_rendered, "the first messages went out only after the last was rendered"
