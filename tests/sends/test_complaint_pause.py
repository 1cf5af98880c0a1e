"""A company whose recipients report its mail as spam too often stops sending: above 0.3% (the
Gmail/Yahoo bulk-sender limit) of the mail it sent in the window, once enough was sent for the
rate to mean something, the worker's periodic job pauses its sends and tells the operators; its
people see why on the send; an operator lifts the pause in the console (audited) and the waiting
mail goes out. Complaints arrive as a provider's tracking webhook (Postmark's documented format)."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import Actor, ActorKind
from careerrelay.ops.periodic import run_once
from careerrelay.organisations.services import create_api_key
from careerrelay.outbox.models import OutboundEmail
from careerrelay.sends import services as sends
from careerrelay.sends import trust
from careerrelay.sends.models import Send, SendingPause
from tests.factories import OperatorFactory
from tests.helpers.mail import make_applicant
from tests.helpers.mail_events import (
    WEBHOOK_SECRET,
    as_if_sent_by,
    basic_auth,
    post_json,
    postmark_spam_complaint,
    send_for_real,
)

pytestmark = pytest.mark.django_db
State = OutboundEmail.State
PAUSED = "一時停止中: 苦情率が上限を超えました"


@pytest.fixture
def operator():
    return OperatorFactory(email="operator@careerrelay.example")


@pytest.fixture
def hooks(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": WEBHOOK_SECRET}
    settings.MAIL_COMPLAINT_MIN_SENT = 20


def people(employer, n, prefix="p"):
    return [make_applicant(employer, "山田", f"{prefix}{i}", f"{prefix}{i}@example.jp") for i in range(n)]


def worker_round():
    cache.clear()  # the complaint check runs at most every few minutes
    return run_once()


def complain(client, message, n):
    message = as_if_sent_by(message, f"pm-{message.pk}-{n}")
    body = postmark_spam_complaint(message.provider_message_id, message.to_email)
    assert post_json(client, reverse("mail_hooks:postmark_tracking"), body, **basic_auth()).status_code == 200


def test_complaints_over_the_limit_pause_the_company_until_an_operator_lifts_it(
    client, hooks, smtp_server, employer, owner, template, owner_client, operator, django_capture_on_commit_callbacks
):
    sent = send_for_real(employer, template, people(employer, 20), django_capture_on_commit_callbacks)
    complain(client, sent[0], 1)  # 1 of 20 = 5%
    # A send queued for later, and the worker's round that checks complaint rates.
    waiting = people(employer, 3, prefix="w")
    with django_capture_on_commit_callbacks(execute=True):
        worker_round()
    pause = SendingPause.objects.get(organisation=employer)
    assert (pause.complaints, pause.sent, pause.lifted_at) == (1, 20, None)
    # The operators are told by email.
    told = [r for r in smtp_server.sink.wait_for(21) if r.rcpt_tos == ["operator@careerrelay.example"]]
    assert len(told) == 1
    assert employer.name in told[0].text()
    # The company's next send waits, nothing goes out, and its page says why.
    before = len(smtp_server.sink.messages)
    with django_capture_on_commit_callbacks(execute=True):
        send = sends.create_send(organisation=employer, template=template, applicants=waiting)
    with django_capture_on_commit_callbacks(execute=True):
        worker_round()
    assert len(smtp_server.sink.messages) == before
    assert set(send.messages.values_list("state", flat=True)) == {State.QUEUED}
    page = owner_client.get(reverse("employer:send_detail", args=[send.pk]))
    assert PAUSED in page.text
    assert 'id="sending-paused"' in owner_client.get(reverse("employer:send_create")).text
    _key, secret = create_api_key(organisation=employer, name="ATS", actor=Actor.for_user(owner, ActorKind.EMPLOYER))
    api = client.get(f"/api/v1/sends/{send.pk}", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert (api["paused"], api["hold_message"]) == (True, PAUSED)
    assert PAUSED == owner_client.get(reverse("employer:send_progress", args=[send.pk])).json()["pause_message"]
    # The operator console lists the pause; lifting it is audited and the mail goes out.
    client.force_login(operator)
    listing = client.get("/operator/sends/sendingpause/?open=1")
    assert listing.status_code == 200
    assert employer.name in listing.text
    response = client.post(
        "/operator/sends/sendingpause/", {"action": "lift", "_selected_action": [pause.pk]}, follow=True
    )
    assert response.status_code == 200
    pause.refresh_from_db()
    assert pause.lifted_at is not None and pause.lifted_by == operator
    assert AuditEvent.objects.filter(
        object_type="sends.sendingpause", object_id=str(pause.pk), actor_user=operator
    ).exists()
    with django_capture_on_commit_callbacks(execute=True):
        worker_round()
    received = smtp_server.sink.wait_for(before + 3)
    assert sorted(r.rcpt_tos[0] for r in received[before:]) == sorted(a.email for a in waiting)
    send.refresh_from_db()
    assert send.state == Send.State.DONE
    assert PAUSED not in owner_client.get(reverse("employer:send_detail", args=[send.pk])).text
    # The complaints that caused it do not pause the company again at once: counting restarts.
    with django_capture_on_commit_callbacks(execute=True):
        worker_round()
    assert SendingPause.objects.filter(organisation=employer, lifted_at__isnull=True).count() == 0


def test_below_the_minimum_volume_a_complaint_pauses_nothing(
    client, hooks, settings, smtp_server, employer, template, django_capture_on_commit_callbacks
):
    settings.MAIL_COMPLAINT_MIN_SENT = 1000  # the default: 1 complaint in 5 mails says little
    sent = send_for_real(employer, template, people(employer, 5), django_capture_on_commit_callbacks)
    complain(client, sent[0], 1)
    worker_round()
    assert not SendingPause.objects.exists()


def test_the_limit_is_more_than_three_in_a_thousand():
    assert not trust.ComplaintRate(complaints=3, sent=1000).over_limit
    assert trust.ComplaintRate(complaints=4, sent=1000).over_limit
    assert not trust.ComplaintRate(complaints=4, sent=999).over_limit  # under the minimum volume


def test_another_company_keeps_sending(
    client, hooks, smtp_server, employer, template, django_capture_on_commit_callbacks
):
    from tests.factories import EmployerFactory
    from tests.helpers.mail import make_template

    other = EmployerFactory()
    sent = send_for_real(employer, template, people(employer, 20), django_capture_on_commit_callbacks)
    complain(client, sent[0], 1)
    worker_round()
    assert trust.is_paused(employer.pk)
    assert not trust.is_paused(other.pk)
    before = len(smtp_server.sink.messages)
    send_for_real(other, make_template(other), people(other, 2, prefix="o"), django_capture_on_commit_callbacks)
    assert len(smtp_server.sink.wait_for(before + 2)) == before + 2
