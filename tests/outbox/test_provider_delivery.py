"""Sending through a provider's API (django-anymail) instead of SMTP: EMAIL_PROVIDER picks the
backend, SMTP stays the default, and the provider's message id is stored on the outbox row so its
tracking events find the message.

The provider is Postmark, answered by a local server speaking Postmark's documented email API
(tests/helpers/provider_api.py): anymail's real Postmark backend builds the request and parses the
reply. Bulk sends (one connection per batch) and single messages both keep the id."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from careerrelay.outbox.models import OutboundEmail, Suppression
from careerrelay.outbox.services import queue_rendered_email
from careerrelay.sends import services as sends
from tests.helpers.provider_api import ProviderAPI

pytestmark = pytest.mark.django_db
State = OutboundEmail.State
BASE_DIR = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def postmark(settings):
    with ProviderAPI() as api:
        settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
        settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "server-token-123", "POSTMARK_API_URL": api.url}
        yield api


def test_a_bulk_send_through_postmark_stores_each_provider_message_id(
    postmark, employer, template, applicants, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send = sends.create_send(organisation=employer, template=template, applicants=applicants)
    rows = list(OutboundEmail.objects.filter(send=send).order_by("pk"))
    assert [r.state for r in rows] == [State.SENT] * 3
    assert sorted(r.provider_message_id for r in rows) == sorted(postmark.message_ids)
    request = postmark.requests[0]
    assert request["path"] == "/email"
    assert request["headers"]["X-Postmark-Server-Token"] == "server-token-123"
    headers = {h["Name"]: h["Value"] for h in request["body"]["Headers"]}
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/u/" in headers["List-Unsubscribe"]
    assert not any(r.body_text or r.mime for r in rows)  # cleared once sent, as over SMTP


def test_a_single_message_through_postmark_stores_the_id(postmark, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_rendered_email(to="hanako@example.jp", subject="確認", text="本文")
    message.refresh_from_db()
    assert message.state == State.SENT
    assert message.provider_message_id == postmark.message_ids[0]


def test_a_recipient_postmark_refuses_is_bounced_and_suppressed(
    postmark, employer, template, applicants, django_capture_on_commit_callbacks
):
    # Postmark's documented answer for a recipient it marked inactive (ErrorCode 406).
    text = (
        "You tried to send to recipient(s) that have been marked as inactive.\n"
        f"Found inactive addresses: {applicants[0].email}.\n"
        "Inactive recipients are ones that have generated a hard bounce, a spam complaint, or a manual suppression. "
    )
    postmark.replies.append((422, {"ErrorCode": 406, "Message": text}))
    with django_capture_on_commit_callbacks(execute=True):
        send = sends.create_send(organisation=employer, template=template, applicants=applicants[:1])
    message = OutboundEmail.objects.get(send=send)
    assert message.state == State.BOUNCED
    assert Suppression.objects.filter(organisation=employer, reason=Suppression.Reason.BOUNCED).count() == 1


def test_a_provider_outage_is_retried(postmark, employer, template, applicants, django_capture_on_commit_callbacks):
    postmark.replies.append((503, {"ErrorCode": 0, "Message": "Service unavailable"}))
    with django_capture_on_commit_callbacks(execute=True):
        send = sends.create_send(organisation=employer, template=template, applicants=applicants[:1])
    message = OutboundEmail.objects.get(send=send)
    assert (message.state, message.attempts) == (State.QUEUED, 1)
    assert "503" in message.last_error


def test_smtp_keeps_our_message_id_and_no_provider_id(smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_rendered_email(to="hanako@example.jp", subject="確認", text="本文")
    received = smtp_server.sink.wait_for(1)[0]
    message.refresh_from_db()
    assert received.message["Message-ID"] == message.message_id
    assert message.provider_message_id is None


def _backend_for(tmp_path, **env) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "VAR_DIR": str(tmp_path), "DEBUG": "1", **env}
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND); print(sorted(settings.ANYMAIL))"
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='careerrelay.settings'; django.setup(); {code}",
        ],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "backend", "anymail_keys"),
    [
        ({}, "django.core.mail.backends.filebased.EmailBackend", []),
        ({"EMAIL_HOST": "smtp.example.jp"}, "django.core.mail.backends.smtp.EmailBackend", []),
        (
            {"EMAIL_PROVIDER": "amazon_ses", "AMAZON_SES_REGION": "ap-northeast-1", "MAIL_WEBHOOK_SECRET": "a:b"},
            "anymail.backends.amazon_ses.EmailBackend",
            ["AMAZON_SES_CLIENT_PARAMS", "WEBHOOK_SECRET"],
        ),
        (
            {"EMAIL_PROVIDER": "sendgrid", "SENDGRID_API_KEY": "SG.x"},
            "anymail.backends.sendgrid.EmailBackend",
            ["SENDGRID_API_KEY"],
        ),
        (
            {"EMAIL_PROVIDER": "mailgun", "MAILGUN_API_KEY": "k", "MAILGUN_WEBHOOK_SIGNING_KEY": "s"},
            "anymail.backends.mailgun.EmailBackend",
            ["MAILGUN_API_KEY", "MAILGUN_WEBHOOK_SIGNING_KEY"],
        ),
        (
            {"EMAIL_PROVIDER": "postmark", "POSTMARK_SERVER_TOKEN": "t"},
            "anymail.backends.postmark.EmailBackend",
            ["POSTMARK_SERVER_TOKEN"],
        ),
        (
            {"EMAIL_PROVIDER": "brevo", "BREVO_API_KEY": "xkeysib"},
            "anymail.backends.brevo.EmailBackend",
            ["BREVO_API_KEY"],
        ),
        (
            {"EMAIL_PROVIDER": "Resend", "RESEND_API_KEY": "re_x", "RESEND_SIGNING_SECRET": "whsec_x"},
            "anymail.backends.resend.EmailBackend",
            ["RESEND_API_KEY", "RESEND_SIGNING_SECRET"],
        ),
    ],
)
def test_email_provider_selects_the_backend_and_its_credentials(tmp_path, env, backend, anymail_keys):
    result = _backend_for(tmp_path, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [backend, str(anymail_keys)]


def test_an_unknown_email_provider_refuses_to_start(tmp_path):
    result = _backend_for(tmp_path, EMAIL_PROVIDER="mailchimp")
    assert result.returncode != 0
    assert "EMAIL_PROVIDER must be smtp or one of" in result.stderr
