"""Mail providers' tracking webhooks feed the outbox: each provider's payload, written to its
documented format and posted with its own authentication, to /hooks/mail/<provider>/tracking/.

Hard bounces, rejections and complaints suppress the address for the company (the next send
skips it); deferrals and soft bounces are shown, not suppressed; deliveries are recorded; opens are
ignored on purpose. A wrong secret or signature is refused (401/403) and changes nothing; a
provider without configured authentication has no webhook at all (404); the same event twice has
one effect; an event about a message we never sent is ignored."""

import base64
import json
import os

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client
from django.urls import reverse

from careerrelay.common.japanese import normalize_email
from careerrelay.outbox.models import DeliveryStatus, OutboundEmail, Suppression
from careerrelay.sends import services as sends
from tests.factories import OperatorFactory
from tests.helpers.mail_events import (
    WEBHOOK_PASSWORD,
    WEBHOOK_SECRET,
    as_if_sent_by,
    basic_auth,
    brevo_event,
    mailgun_event,
    post_json,
    postmark_bounce,
    postmark_delivery,
    postmark_open,
    postmark_spam_complaint,
    resend_event,
    send_for_real,
    sendgrid_events,
    sendgrid_public_key,
    sendgrid_signed,
    ses_notification,
    svix_headers,
)

pytestmark = pytest.mark.django_db
State = OutboundEmail.State
MAILGUN_KEY = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"
RESEND_SECRET = "whsec_" + base64.b64encode(os.urandom(24)).decode()


def url(provider):
    return reverse(f"mail_hooks:{provider}_tracking")


@pytest.fixture
def webhook_secret(settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": WEBHOOK_SECRET}


@pytest.fixture
def sent(smtp_server, employer, template, applicants, django_capture_on_commit_callbacks):
    return send_for_real(employer, template, applicants, django_capture_on_commit_callbacks)


def suppressed(employer, email):
    return Suppression.objects.filter(organisation=employer, email_normalized=normalize_email(email)).first()


# --- Postmark (basic auth only) ------------------------------------------------------------------


def test_a_postmark_hard_bounce_suppresses_the_address_and_the_next_send_skips_it(
    client, webhook_secret, sent, employer, template, applicants, smtp_server, django_capture_on_commit_callbacks
):
    message = as_if_sent_by(sent[0], "883953f4-6105-42a2-a16a-77a8eac79483")
    response = post_json(
        client, url("postmark"), postmark_bounce(message.provider_message_id, message.to_email), **basic_auth()
    )
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.state == State.BOUNCED
    assert message.delivery_status == DeliveryStatus.BOUNCED
    assert "5.1.1" in message.last_error
    assert suppressed(employer, message.to_email).reason == Suppression.Reason.BOUNCED
    # The next send to the same people: that address is skipped, the others go out.
    before = len(smtp_server.sink.messages)
    again = send_for_real(employer, template, applicants, django_capture_on_commit_callbacks)
    by_email = {m.to_email: m.state for m in again}
    assert by_email[message.to_email] == State.SUPPRESSED
    assert [r.rcpt_tos[0] for r in smtp_server.sink.wait_for(before + 2)[before:]] == [
        m.to_email for m in again if m.to_email != message.to_email
    ]


@pytest.mark.parametrize(
    ("auth", "status"),
    [({}, 401), (basic_auth("careerrelay:wrong"), 403), (basic_auth("someone:" + WEBHOOK_PASSWORD), 403)],
)
def test_postmark_without_the_right_secret_is_refused_and_nothing_changes(
    client, webhook_secret, sent, employer, auth, status
):
    message = as_if_sent_by(sent[0], "883953f4-6105-42a2-a16a-77a8eac79483")
    response = post_json(
        client, url("postmark"), postmark_bounce(message.provider_message_id, message.to_email), **auth
    )
    assert response.status_code == status
    message.refresh_from_db()
    assert (message.state, message.delivery_status) == (State.SENT, "")
    assert not Suppression.objects.exists()


def test_without_any_webhook_authentication_configured_there_is_no_webhook(client, settings, sent):
    settings.ANYMAIL = {}
    message = as_if_sent_by(sent[0], "883953f4-6105-42a2-a16a-77a8eac79483")
    for provider in ("postmark", "brevo", "amazon_ses", "mailgun", "resend", "sendgrid"):
        response = post_json(client, url(provider), postmark_bounce(message.provider_message_id, message.to_email))
        assert response.status_code == 404, provider
    assert not Suppression.objects.exists()


def test_a_postmark_soft_bounce_is_shown_to_the_employer_without_suppressing(
    client, webhook_secret, sent, employer, owner_client
):
    message = as_if_sent_by(sent[0], "9f1c4c7e-soft")
    body = postmark_bounce(message.provider_message_id, message.to_email, kind="SoftBounce")
    body["Details"] = "smtp;452 4.2.2 Mailbox full"
    assert post_json(client, url("postmark"), body, **basic_auth()).status_code == 200
    message.refresh_from_db()
    assert message.state == State.SENT
    assert message.delivery_status == DeliveryStatus.DEFERRED
    assert "4.2.2" in message.delivery_detail
    assert not Suppression.objects.exists()
    # The send's recipients page lists it, with the provider's words.
    page = owner_client.get(reverse("employer:send_detail", args=[message.send_id]))
    assert message.to_email in page.text
    assert "配信遅延" in page.text
    assert "Mailbox full" in page.text
    # The operator console's outbox can list the delayed messages.
    operator = Client()
    operator.force_login(OperatorFactory(email="operator@careerrelay.example"))
    listing = operator.get("/operator/mailings/outboundemail/?delivery_status=deferred")
    assert [m.pk for m in listing.context["cl"].result_list] == [message.pk]
    # A later delivery replaces the delay: no longer listed.
    assert (
        post_json(
            client, url("postmark"), postmark_delivery(message.provider_message_id, message.to_email), **basic_auth()
        ).status_code
        == 200
    )
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.DELIVERED
    assert message.to_email not in owner_client.get(reverse("employer:send_detail", args=[message.send_id])).text


def test_a_complaint_suppresses_and_counts_once_even_when_posted_twice(client, webhook_secret, sent, employer):
    message = as_if_sent_by(sent[0], "b7bc2f4a-e38e-4336-af7d-e6c392c2f817")
    body = postmark_spam_complaint(message.provider_message_id, message.to_email)
    for _ in range(2):
        assert post_json(client, url("postmark"), body, **basic_auth()).status_code == 200
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.COMPLAINED
    assert message.complained_at is not None
    first_complaint = message.complained_at
    assert message.state == State.SENT  # it was delivered: it still counts as received
    assert Suppression.objects.filter(organisation=employer).count() == 1
    assert suppressed(employer, message.to_email).reason == Suppression.Reason.COMPLAINED
    # Out of order: a delivery reported after the complaint hides nothing.
    post_json(client, url("postmark"), postmark_delivery(message.provider_message_id, message.to_email), **basic_auth())
    message.refresh_from_db()
    assert (message.delivery_status, message.complained_at) == (DeliveryStatus.COMPLAINED, first_complaint)


def test_opens_are_ignored_and_unknown_messages_are_ignored_safely(client, webhook_secret, sent):
    message = as_if_sent_by(sent[0], "b7bc2f4a-open")
    assert (
        post_json(
            client, url("postmark"), postmark_open(message.provider_message_id, message.to_email), **basic_auth()
        ).status_code
        == 200
    )
    message.refresh_from_db()
    assert message.delivery_status == ""
    response = post_json(
        client, url("postmark"), postmark_bounce("not-ours-0000", "stranger@example.jp"), **basic_auth()
    )
    assert response.status_code == 200  # the provider must not retry it forever
    assert not Suppression.objects.exists()
    # The right id with another recipient is not about our message either.
    post_json(
        client, url("postmark"), postmark_bounce(message.provider_message_id, "stranger@example.jp"), **basic_auth()
    )
    assert not Suppression.objects.exists()


def test_a_bounce_of_a_transactional_email_is_recorded_without_a_company(
    client, webhook_secret, smtp_server, django_capture_on_commit_callbacks
):
    from careerrelay.outbox.services import queue_rendered_email

    with django_capture_on_commit_callbacks(execute=True):
        message = queue_rendered_email(to="nobody@example.jp", subject="確認", text="本文")
    message = as_if_sent_by(message, "tx-0001")
    assert (
        post_json(client, url("postmark"), postmark_bounce("tx-0001", "nobody@example.jp"), **basic_auth()).status_code
        == 200
    )
    message.refresh_from_db()
    assert message.state == State.BOUNCED
    assert not Suppression.objects.exists()  # suppressions belong to a company's sends


# --- Mailgun (signed with the webhook signing key), matched by our own Message-ID over SMTP -------


def test_a_mailgun_permanent_failure_suppresses_and_a_temporary_one_is_shown(client, settings, sent, employer):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}
    hard, soft = sent[0], sent[1]
    assert post_json(client, url("mailgun"), mailgun_event(MAILGUN_KEY, hard)).status_code == 200
    assert post_json(client, url("mailgun"), mailgun_event(MAILGUN_KEY, soft, severity="temporary")).status_code == 200
    hard.refresh_from_db()
    soft.refresh_from_db()
    assert (hard.state, hard.delivery_status) == (State.BOUNCED, DeliveryStatus.BOUNCED)
    assert (soft.state, soft.delivery_status) == (State.SENT, DeliveryStatus.DEFERRED)
    assert list(Suppression.objects.values_list("email_normalized", flat=True)) == [normalize_email(hard.to_email)]


def test_a_mailgun_event_with_a_wrong_signature_is_refused(client, settings, sent):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}
    body = mailgun_event("key-someone-else", sent[0])
    assert post_json(client, url("mailgun"), body).status_code == 403
    forged = mailgun_event(MAILGUN_KEY, sent[0])
    forged["event-data"]["event"] = "complained"  # signature over timestamp+token still "valid": a replay
    forged["signature"]["signature"] = "0" * 64
    assert post_json(client, url("mailgun"), forged).status_code == 403
    assert not Suppression.objects.exists()


def test_mailgun_with_basic_auth_configured_needs_both(client, settings, sent):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY, "WEBHOOK_SECRET": WEBHOOK_SECRET}
    assert post_json(client, url("mailgun"), mailgun_event(MAILGUN_KEY, sent[0])).status_code == 401
    assert post_json(client, url("mailgun"), mailgun_event(MAILGUN_KEY, sent[0]), **basic_auth()).status_code == 200
    assert Suppression.objects.count() == 1


# --- SendGrid (signed event webhook, ECDSA) -------------------------------------------------------


def test_sendgrid_signed_events_bounce_and_a_bad_signature_is_refused(client, settings, sent, employer):
    key = ec.generate_private_key(ec.SECP256R1())
    settings.ANYMAIL = {"SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY": sendgrid_public_key(key)}
    message = as_if_sent_by(sent[0], "5e8e6d2c-52c4-4b3f-8b0a-5e4f0a4c1c7a")
    body = json.dumps(sendgrid_events(message.provider_message_id, message.to_email)).encode()
    other_key = ec.generate_private_key(ec.SECP256R1())
    refused = client.post(url("sendgrid"), body, content_type="application/json", **sendgrid_signed(other_key, body))
    assert refused.status_code == 403
    assert client.post(url("sendgrid"), body, content_type="application/json").status_code == 403  # unsigned
    assert not Suppression.objects.exists()
    accepted = client.post(url("sendgrid"), body, content_type="application/json", **sendgrid_signed(key, body))
    assert accepted.status_code == 200
    message.refresh_from_db()
    assert message.state == State.BOUNCED
    assert suppressed(employer, message.to_email) is not None


def test_a_sendgrid_spamreport_is_a_complaint(client, settings, sent, employer):
    key = ec.generate_private_key(ec.SECP256R1())
    settings.ANYMAIL = {"SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY": sendgrid_public_key(key)}
    message = as_if_sent_by(sent[1], "0b6a3f5e-spam")
    body = json.dumps(sendgrid_events(message.provider_message_id, message.to_email, event="spamreport")).encode()
    assert (
        client.post(url("sendgrid"), body, content_type="application/json", **sendgrid_signed(key, body)).status_code
        == 200
    )
    message.refresh_from_db()
    assert message.complained_at is not None
    assert suppressed(employer, message.to_email).reason == Suppression.Reason.COMPLAINED


# --- Resend (Svix signature) -----------------------------------------------------------------------


def test_resend_signed_bounce_suppresses_and_a_bad_signature_is_refused(client, settings, sent, employer):
    settings.ANYMAIL = {"RESEND_SIGNING_SECRET": RESEND_SECRET}
    message = as_if_sent_by(sent[0], "56761188-7520-42d8-8898-ff6fc54ce618")
    body = json.dumps(resend_event(message.provider_message_id, message.to_email)).encode()
    wrong = svix_headers("whsec_" + base64.b64encode(os.urandom(24)).decode(), body)
    assert client.post(url("resend"), body, content_type="application/json", **wrong).status_code == 403
    assert client.post(url("resend"), body, content_type="application/json").status_code == 403
    assert not Suppression.objects.exists()
    signed = svix_headers(RESEND_SECRET, body)
    assert client.post(url("resend"), body, content_type="application/json", **signed).status_code == 200
    # Svix retries carry the same svix-id: the second delivery changes nothing.
    assert client.post(url("resend"), body, content_type="application/json", **signed).status_code == 200
    message.refresh_from_db()
    assert message.state == State.BOUNCED
    assert Suppression.objects.filter(organisation=employer).count() == 1


def test_resend_delivery_delayed_is_shown_not_suppressed(client, settings, sent):
    settings.ANYMAIL = {"RESEND_SIGNING_SECRET": RESEND_SECRET}
    message = as_if_sent_by(sent[2], "a1b2c3d4-delayed")
    body = json.dumps(
        resend_event(message.provider_message_id, message.to_email, kind="email.delivery_delayed")
    ).encode()
    assert (
        client.post(
            url("resend"), body, content_type="application/json", **svix_headers(RESEND_SECRET, body)
        ).status_code
        == 200
    )
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.DEFERRED
    assert not Suppression.objects.exists()


# --- Amazon SES through SNS (basic auth) -----------------------------------------------------------


def test_ses_permanent_bounce_and_complaint_through_sns(client, webhook_secret, sent, employer):
    bounced = as_if_sent_by(sent[0], "0100018f0a1b2c3d-bounce-000000")
    complained = as_if_sent_by(sent[1], "0100018f0a1b2c3d-complaint-0000")
    body, headers = ses_notification(bounced.provider_message_id, bounced.to_email)
    assert post_json(client, url("amazon_ses"), body, **headers).status_code == 401  # SNS needs the challenge
    assert post_json(client, url("amazon_ses"), body, **headers, **basic_auth("careerrelay:nope")).status_code == 403
    assert not Suppression.objects.exists()
    assert post_json(client, url("amazon_ses"), body, **headers, **basic_auth()).status_code == 200
    body, headers = ses_notification(complained.provider_message_id, complained.to_email, kind="Complaint")
    assert post_json(client, url("amazon_ses"), body, **headers, **basic_auth()).status_code == 200
    bounced.refresh_from_db()
    complained.refresh_from_db()
    assert bounced.state == State.BOUNCED
    assert complained.complained_at is not None
    reasons = dict(Suppression.objects.values_list("email_normalized", "reason"))
    assert reasons == {
        normalize_email(bounced.to_email): Suppression.Reason.BOUNCED,
        normalize_email(complained.to_email): Suppression.Reason.COMPLAINED,
    }


def test_a_ses_transient_bounce_is_shown_not_suppressed(client, webhook_secret, sent):
    message = as_if_sent_by(sent[0], "0100018f0a1b2c3d-transient-00")
    body, headers = ses_notification(message.provider_message_id, message.to_email, bounce_type="Transient")
    assert post_json(client, url("amazon_ses"), body, **headers, **basic_auth()).status_code == 200
    message.refresh_from_db()
    assert (message.state, message.delivery_status) == (State.SENT, DeliveryStatus.DEFERRED)
    assert not Suppression.objects.exists()


# --- Brevo (basic auth) -----------------------------------------------------------------------------


def test_brevo_hard_bounce_suppresses_soft_bounce_is_shown(client, webhook_secret, sent, employer):
    hard = as_if_sent_by(sent[0], "<202611051633.12345678@smtp-relay.mailin.fr>")
    soft = as_if_sent_by(sent[1], "<202611051633.87654321@smtp-relay.mailin.fr>")
    assert post_json(client, url("brevo"), brevo_event(hard.provider_message_id, hard.to_email)).status_code == 401
    assert (
        post_json(
            client, url("brevo"), brevo_event(hard.provider_message_id, hard.to_email), **basic_auth()
        ).status_code
        == 200
    )
    assert (
        post_json(
            client, url("brevo"), brevo_event(soft.provider_message_id, soft.to_email, "soft_bounce"), **basic_auth()
        ).status_code
        == 200
    )
    hard.refresh_from_db()
    soft.refresh_from_db()
    assert hard.state == State.BOUNCED
    assert soft.delivery_status == DeliveryStatus.DEFERRED
    assert list(Suppression.objects.values_list("email_normalized", flat=True)) == [normalize_email(hard.to_email)]
    assert sends.is_suppressed(employer, hard.to_email)
