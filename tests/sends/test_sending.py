import re
from datetime import UTC, timedelta
from email.utils import parsedate_to_datetime

import pytest
from django.test import Client

from careerrelay.outbox.models import OutboundEmail, Suppression
from careerrelay.sends import services as sends
from careerrelay.sends.models import Send
from tests.factories import EmployerFactory
from tests.smtp import Sink, SMTPServer

pytestmark = pytest.mark.django_db
State = OutboundEmail.State


def send_now(employer, template, applicants, capture, **kwargs):
    with capture(execute=True):
        return sends.create_send(
            organisation=employer, template=template, applicants=applicants, sender_name="人事部 鈴木", **kwargs
        )


def test_each_applicant_gets_one_message_over_real_smtp_with_headers_and_names_intact(
    smtp_server, employer, template, applicants, django_capture_on_commit_callbacks
):
    send = send_now(employer, template, applicants, django_capture_on_commit_callbacks)
    received = smtp_server.sink.wait_for(3)
    assert sorted(r.rcpt_tos[0] for r in received) == sorted(a.email for a in applicants)
    by_rcpt = {r.rcpt_tos[0]: r for r in received}
    takahashi = by_rcpt["hanako.takahashi@example.jp"]
    message = takahashi.message
    row = OutboundEmail.objects.get(send=send, to_email="hanako.takahashi@example.jp")
    assert message["Message-ID"] == row.message_id
    date = parsedate_to_datetime(message["Date"]).replace(tzinfo=UTC)  # "-0000": UTC
    assert abs(date - row.sent_at) < timedelta(minutes=1)
    # Django 5.2 folds an encoded subject onto a continuation line; strip() drops that fold.
    assert str(message["Subject"]).strip() == "株式会社山﨑製作所 選考結果のご連絡（髙橋 花子 様）"
    assert "髙橋 花子 様" in takahashi.text()
    assert "株式会社山﨑製作所" in takahashi.text()
    assert "髙橋 花子 様" in takahashi.html()
    assert "山﨑 太郎 様" in by_rcpt["taro.yamasaki@example.jp"].text()
    assert message.get_content_charset() is None or message.get_content_charset() == "utf-8"
    assert all(part.get_content_charset() == "utf-8" for part in message.walk() if not part.is_multipart())
    unsubscribe, mailto = [v.strip(" <>") for v in message["List-Unsubscribe"].split(",")]
    assert re.fullmatch(r"http://testserver/u/[\w-]{20,}/", unsubscribe)
    assert mailto.startswith("mailto:unsubscribe@careerrelay.local?subject=unsubscribe-")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in takahashi.text()  # the visible link
    assert unsubscribe in takahashi.html()
    send.refresh_from_db()
    assert send.state == Send.State.DONE
    counts = sends.count_messages(send)
    assert (counts.recipients, counts.sent, counts.queued, counts.percent) == (3, 3, 0, 100)


def test_the_relay_link_counts_a_click_and_lands_without_the_applicants_identity(
    client, smtp_server, employer, template, applicants, django_capture_on_commit_callbacks
):
    send = send_now(employer, template, applicants[:1], django_capture_on_commit_callbacks)
    text = smtp_server.sink.wait_for(1)[0].text()
    link = re.search(r"http://testserver(/c/[\w-]+/)", text).group(1)
    response = client.get(link)
    campaign = employer.campaigns.get(is_default=True)
    assert response.status_code == 302
    assert response["Location"] == f"/r/{campaign.code}/"
    assert "hanako" not in response["Location"]
    assert dict(client.session) == {}
    client.get(link)
    row = OutboundEmail.objects.get(send=send)
    assert row.clicks == 2
    assert sends.count_messages(send).clicked == 1
    landing = client.get(response["Location"])
    assert landing.status_code == 200
    assert "hanako.takahashi@example.jp" not in landing.content.decode()


def test_an_unknown_click_token_is_a_404(client, db):
    assert client.get("/c/nonsense/").status_code == 404


def test_a_cookieless_post_unsubscribes_at_once_and_idempotently(
    smtp_server, employer, template, applicants, django_capture_on_commit_callbacks
):
    send_now(employer, template, applicants[:1], django_capture_on_commit_callbacks)
    header = smtp_server.sink.wait_for(1)[0].message["List-Unsubscribe"]
    path = re.search(r"<http://testserver(/u/[\w-]+/)>", header).group(1)
    mail_client = Client(enforce_csrf_checks=True)
    page = mail_client.get(path)
    assert page.status_code == 200
    assert "配信を停止する" in page.content.decode()
    assert Suppression.objects.count() == 0  # GET only shows the button
    first = mail_client.post(path, {"List-Unsubscribe": "One-Click"})
    second = mail_client.post(path, {"List-Unsubscribe": "One-Click"})
    assert (first.status_code, second.status_code) == (200, 200)
    assert list(Suppression.objects.values_list("organisation_id", "email_normalized")) == [
        (employer.pk, "hanako.takahashi@example.jp")
    ]


def test_a_suppressed_address_is_recorded_as_suppressed_and_never_mailed(
    smtp_server, employer, template, applicants, django_capture_on_commit_callbacks
):
    Suppression.objects.create(organisation=employer, email_normalized="hanako.takahashi@example.jp")
    send = send_now(employer, template, applicants, django_capture_on_commit_callbacks)
    received = smtp_server.sink.wait_for(2)
    assert sorted(r.rcpt_tos[0] for r in received) == ["jiro.sato@example.jp", "taro.yamasaki@example.jp"]
    assert OutboundEmail.objects.get(send=send, to_email="hanako.takahashi@example.jp").state == State.SUPPRESSED
    counts = sends.count_messages(send)
    assert (counts.sent, counts.suppressed) == (2, 1)


def test_an_address_suppressed_after_queueing_is_not_mailed_while_other_companies_do_not_count(
    smtp_server, employer, template, applicants, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    send = sends.create_send(organisation=employer, template=template, applicants=applicants[:2])
    Suppression.objects.create(organisation=employer, email_normalized="hanako.takahashi@example.jp")
    Suppression.objects.create(organisation=EmployerFactory(), email_normalized="taro.yamasaki@example.jp")
    assert sends.run_send_batch(send.pk) == {"sent": 1, "suppressed": 1}
    assert OutboundEmail.objects.get(send=send, to_email="hanako.takahashi@example.jp").state == State.SUPPRESSED
    assert [r.rcpt_tos[0] for r in smtp_server.sink.wait_for(1)] == ["taro.yamasaki@example.jp"]


def test_a_temporary_failure_retries_with_backoff_and_the_servers_reason(
    smtp_server, employer, template, applicants, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    smtp_server.sink.fail_next = 1
    send = sends.create_send(organisation=employer, template=template, applicants=applicants)
    assert sends.run_send_batch(send.pk) == {"retrying": 1, "sent": 2}
    failed = OutboundEmail.objects.get(send=send, attempts=1, state=State.QUEUED)
    assert "451" in failed.last_error
    assert "Try again later" in failed.last_error
    send.refresh_from_db()
    assert send.next_batch_at == failed.due_at
    assert sends.run_send_batch(send.pk) == {}  # not due yet
    assert sends.run_send_batch(send.pk, now=failed.due_at) == {"sent": 1}
    received = smtp_server.sink.wait_for(3)
    assert sorted(r.rcpt_tos[0] for r in received) == sorted(a.email for a in applicants)
    send.refresh_from_db()
    assert send.state == Send.State.DONE


def test_a_permanent_failure_is_failed_with_the_servers_reason_and_not_retried(
    smtp_server, employer, template, applicants, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    smtp_server.sink.fail_next = 1
    smtp_server.sink.fail_reply = "554 5.7.1 Message rejected as spam"
    send = sends.create_send(organisation=employer, template=template, applicants=applicants[:1])
    assert sends.run_send_batch(send.pk) == {"failed": 1}
    row = OutboundEmail.objects.get(send=send)
    assert (row.state, row.last_error) == (State.FAILED, "554 5.7.1 Message rejected as spam")
    send.refresh_from_db()
    assert send.state == Send.State.DONE


def test_cancel_stops_what_has_not_gone_out(smtp_server, employer, template, applicants, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.MAILINGS_BATCH_SIZE = 1
    settings.MAILINGS_TASK_SECONDS = 0  # one batch per task
    send = sends.create_send(organisation=employer, template=template, applicants=applicants)
    assert sends.run_send_batch(send.pk) == {"sent": 1}
    assert sends.cancel_send(send) == 2
    assert sends.run_send_batch(send.pk) == {}
    assert sends.dispatch_due_sends() == 0
    counts = sends.count_messages(send)
    assert (counts.sent, counts.cancelled, send.state) == (1, 2, Send.State.CANCELLED)
    assert len(smtp_server.sink.wait_for(1)) == 1


def test_a_stale_sending_row_is_requeued_and_sent_by_the_periodic_job(
    smtp_server, employer, template, applicants, settings, django_capture_on_commit_callbacks
):
    settings.MAILINGS_STALE_SENDING_SECONDS = 0
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    send = sends.create_send(organisation=employer, template=template, applicants=applicants[:1])
    row = OutboundEmail.objects.get(send=send)
    OutboundEmail.objects.filter(pk=row.pk).update(state=State.SENDING, claimed_at=row.created_at)  # a dead worker
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert sends.run_periodic() == {"requeued": 1, "retried": 0, "dispatched": 1}
    assert [r.rcpt_tos[0] for r in smtp_server.sink.wait_for(1)] == [row.to_email]
    row.refresh_from_db()
    assert row.state == State.SENT


class RefusingSink(Sink):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("jiro."):
            return "550 5.1.1 <jiro.sato@example.jp>: user unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_refused_recipient_is_bounced_and_suppressed_while_the_batch_goes_on(
    employer, template, applicants, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    server = SMTPServer()
    server.sink = server.controller.handler = RefusingSink()
    with server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        send = sends.create_send(organisation=employer, template=template, applicants=applicants)
        assert sends.run_send_batch(send.pk) == {"sent": 2, "bounced": 1}
        assert len(server.sink.wait_for(2)) == 2
    row = OutboundEmail.objects.get(send=send, to_email="jiro.sato@example.jp")
    assert (row.state, row.last_error) == (State.BOUNCED, "550 5.1.1 <jiro.sato@example.jp>: user unknown")
    assert sends.is_suppressed(employer, "Jiro.Sato@example.jp")
    assert sends.count_messages(send).bounced == 1
