import pytest

from careerrelay.outbox.models import OutboundEmail
from careerrelay.outbox.services import deliver, queue_email
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db


def test_an_outbox_row_goes_out_over_real_smtp_in_utf8(smtp_server, django_capture_on_commit_callbacks):
    candidate = CandidateFactory(family_name="山﨑", given_name="髙志", email="yamasaki@example.jp")
    with django_capture_on_commit_callbacks(execute=True):
        row = queue_email(to=candidate.email, template="candidate_welcome", context={"candidate": candidate})
    received = smtp_server.sink.wait_for(1)
    assert len(received) == 1
    message = received[0].message
    assert message["To"] == "yamasaki@example.jp"
    assert message["Message-ID"] == OutboundEmail.objects.get(pk=row.pk).message_id
    assert message["Date"]
    assert "山﨑様" in received[0].text()
    assert "山﨑様" in received[0].html()
    assert "ご登録が完了しました" in str(message["Subject"])
    assert OutboundEmail.objects.get(pk=row.pk).state == OutboundEmail.State.SENT


def test_a_message_is_sent_once_even_when_delivered_twice(smtp_server, django_capture_on_commit_callbacks):
    candidate = CandidateFactory()
    with django_capture_on_commit_callbacks(execute=True):
        row = queue_email(to=candidate.email, template="candidate_welcome", context={"candidate": candidate})
    assert deliver(row.pk) == "skipped"
    assert len(smtp_server.sink.wait_for(1)) == 1


def test_a_temporary_failure_is_kept_for_retry_with_the_servers_reason(smtp_server, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    smtp_server.sink.fail_next = 1
    candidate = CandidateFactory()
    row = queue_email(to=candidate.email, template="candidate_welcome", context={"candidate": candidate})
    assert deliver(row.pk) == "retrying"
    row.refresh_from_db()
    assert row.state == OutboundEmail.State.QUEUED
    assert "Try again later" in row.last_error
    assert deliver(row.pk) == "sent"
    assert len(smtp_server.sink.wait_for(1)) == 1


def test_a_retry_without_a_deferring_backend_is_picked_up_by_the_periodic_loop(smtp_server, settings):
    from datetime import timedelta

    from django.utils import timezone

    from careerrelay.sends.services import run_periodic

    # The immediate backend cannot defer a task; the row waits for the periodic loop instead.
    smtp_server.sink.fail_next = 1
    candidate = CandidateFactory()
    row = queue_email(to=candidate.email, template="candidate_welcome", context={"candidate": candidate})
    assert deliver(row.pk) == "retrying"
    row.refresh_from_db()
    assert row.state == OutboundEmail.State.QUEUED
    assert run_periodic()["retried"] == 0  # not due yet
    assert run_periodic(now=row.due_at + timedelta(minutes=2))["retried"] == 1
    row.refresh_from_db()
    assert row.state == OutboundEmail.State.SENT
    assert len(smtp_server.sink.wait_for(1)) == 1
    assert timezone.now() < row.due_at  # it went out through the safety net, before its own task


def test_a_message_whose_task_was_lost_still_goes_out_once(smtp_server, settings):
    from datetime import timedelta

    from careerrelay.sends.services import run_periodic

    # The queue loses the task (a Redis restarted empty, a deploy that renamed the task).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    candidate = CandidateFactory()
    row = queue_email(to=candidate.email, template="candidate_welcome", context={"candidate": candidate})
    later = row.due_at + timedelta(minutes=2)
    assert run_periodic(now=later)["retried"] == 1
    # Enqueued again once, not on every tick of the loop while it waits behind other work.
    assert run_periodic(now=later + timedelta(seconds=5))["retried"] == 0

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert run_periodic(now=later + timedelta(minutes=10))["retried"] == 1
    row.refresh_from_db()
    assert row.state == OutboundEmail.State.SENT
    assert len(smtp_server.sink.wait_for(1)) == 1
