"""Large sends are rendered by the worker, not in the request that creates them."""

import pytest
from django.db import transaction

from careerrelay.outbox.models import OutboundEmail, Suppression
from careerrelay.sends import services as sends
from careerrelay.sends.models import Send
from tests.helpers.mail import make_applicant

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(employer):
    return [make_applicant(employer, "髙橋", str(i), f"p{i}@example.jp") for i in range(7)]


def test_a_large_send_is_prepared_by_the_worker_then_sent(
    employer, template, many, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.MAILINGS_PREPARE_IN_REQUEST = 5
    settings.MAILINGS_PREPARE_CHUNK = 3
    Suppression.objects.create(organisation=employer, email_normalized="p0@example.jp")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    send = sends.create_send(organisation=employer, template=template, applicants=many)
    assert send.state == Send.State.PREPARING
    assert OutboundEmail.objects.filter(send=send).count() == 0  # nothing rendered in the request
    counts = sends.count_messages(send)
    assert (counts.recipients, counts.queued, counts.percent) == (7, 7, 0)

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        assert sends.run_periodic() == {"requeued": 0, "retried": 0, "dispatched": 1}
    received = smtp_server.sink.wait_for(6)
    assert sorted(r.rcpt_tos[0] for r in received) == [f"p{i}@example.jp" for i in range(1, 7)]
    assert "髙橋 3 様" in next(r for r in received if r.rcpt_tos[0] == "p3@example.jp").text()
    send.refresh_from_db()
    assert (send.state, send.pending) == (Send.State.DONE, {})
    counts = sends.count_messages(send)
    assert (counts.recipients, counts.sent, counts.suppressed) == (7, 6, 1)


def test_preparation_resumes_where_a_dead_worker_stopped_without_doubling(employer, template, many, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.MAILINGS_PREPARE_IN_REQUEST = 5
    send = sends.create_send(organisation=employer, template=template, applicants=many)
    # A worker rendered the first three and died; then a second preparer runs twice over.
    sends._render_rows(send, many[:3], send.pending, send.created_at)
    assert sends.run_prepare_send(send.pk) == 4
    assert sends.run_prepare_send(send.pk) == 0  # no longer preparing
    assert sorted(OutboundEmail.objects.filter(send=send).values_list("to_email", flat=True)) == sorted(
        a.email for a in many
    )
    send.refresh_from_db()
    assert send.state == Send.State.SCHEDULED


def test_two_preparers_over_the_same_applicants_write_each_message_once(employer, template, many, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.MAILINGS_PREPARE_IN_REQUEST = 5
    send = sends.create_send(organisation=employer, template=template, applicants=many)
    # The first preparer lost its lease mid-way; the second renders an overlapping chunk.
    with transaction.atomic():
        sends._render_rows(send, many[:3], send.pending, send.created_at)
    with transaction.atomic():
        sends._render_rows(send, many[:5], send.pending, send.created_at)
    rows = OutboundEmail.objects.filter(send=send)
    assert sorted(rows.values_list("to_email", flat=True)) == sorted(a.email for a in many[:5])
    first = rows.get(applicant=many[0])
    assert first.state == OutboundEmail.State.QUEUED and first.mime and first.headers["List-Unsubscribe"]


def test_a_send_cancelled_while_preparing_renders_and_sends_nothing(employer, template, many, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.MAILINGS_PREPARE_IN_REQUEST = 5
    send = sends.create_send(organisation=employer, template=template, applicants=many)
    sends.cancel_send(send)
    assert sends.run_prepare_send(send.pk) == 0
    assert OutboundEmail.objects.filter(send=send).count() == 0
    assert send.state == Send.State.CANCELLED
