"""The outbox is no store of sign-in links. Bodies and built MIME go once a message is
delivered (headers, state and timestamps stay); bodies that sign someone in are never shown in
the operator console; opening an outbox entry there is audited."""

import pytest
from django.core import mail
from django.urls import reverse

from careerrelay.audit.models import AuditEvent
from careerrelay.candidates.signin import new_browser_nonce, request_signin_link
from careerrelay.outbox.models import OutboundEmail
from careerrelay.outbox.services import queue_email
from careerrelay.sends import services as sends
from tests.factories import CandidateFactory, OperatorFactory

pytestmark = pytest.mark.django_db
HIDDEN = "非表示: ログイン用のリンクを含むため"


def test_a_delivered_transactional_message_keeps_its_headers_but_not_its_body(django_capture_on_commit_callbacks):
    candidate = CandidateFactory(email="hanako@example.jp", status="verified")
    with django_capture_on_commit_callbacks(execute=True):
        request_signin_link(email=candidate.email, browser_nonce=new_browser_nonce())
    row = OutboundEmail.objects.get(to_email="hanako@example.jp")
    assert row.state == OutboundEmail.State.SENT
    assert (row.body_text, row.body_html, row.mime) == ("", "", None)
    assert row.subject and row.message_id and row.template == "candidate_signin"
    assert row.sent_at is not None and row.attempts == 1
    # The recipient got the whole message, link included.
    assert "/me/signin/link/" in mail.outbox[-1].body


def test_a_delivered_bulk_message_loses_its_body_and_prebuilt_mime(
    smtp_server, employer, template, applicants, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send = sends.create_send(organisation=employer, template=template, applicants=applicants)
    received = smtp_server.sink.wait_for(3)
    assert all("様" in r.text() for r in received)
    rows = OutboundEmail.objects.filter(send=send)
    assert {row.state for row in rows} == {OutboundEmail.State.SENT}
    assert {(row.body_text, row.body_html, row.mime) for row in rows} == {("", "", None)}
    assert all(row.headers.get("List-Unsubscribe") and row.sent_at for row in rows)


def test_a_queued_message_with_a_sign_in_link_is_hidden_in_the_console_and_opening_it_is_audited(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    operator = OperatorFactory(email="operator@careerrelay.example")
    client.force_login(operator)
    message = queue_email(
        to="new@yamasaki.example",
        template="employer_invitation",
        context={
            "organisation": "株式会社山﨑製作所",
            "inviter": "鈴木",
            "url": "http://testserver/secret-link/",
            "days": 7,
        },
    )
    assert "secret-link" in message.body_text  # still queued: the worker needs it

    page = client.get(reverse("admin:mailings_outboundemail_change", args=[message.pk])).content.decode()

    assert "secret-link" not in page
    assert HIDDEN in page
    event = AuditEvent.objects.get(object_type="mailings.outboundemail")
    assert (event.actor_user, event.actor_kind, event.action, event.object_id) == (
        operator,
        "staff",
        "view",
        str(message.pk),
    )


@pytest.mark.parametrize(
    "template",
    ["candidate_signin", "candidate_verify", "candidate_email_change", "account/email/password_reset_key"],
)
def test_every_kind_of_sign_in_email_counts_as_one(template):
    assert OutboundEmail(template=template).carries_sign_in_link
    assert not OutboundEmail(template="matching_introduction").carries_sign_in_link


def test_an_ordinary_queued_body_is_shown_to_look_into_a_delivery_problem(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client.force_login(OperatorFactory())
    message = OutboundEmail.objects.create(
        to_email="x@example.jp", from_email="a@b.c", subject="s", body_text="お知らせの本文", message_id="<1@x>"
    )
    page = client.get(reverse("admin:mailings_outboundemail_change", args=[message.pk])).content.decode()
    assert "お知らせの本文" in page
    assert HIDDEN not in page
