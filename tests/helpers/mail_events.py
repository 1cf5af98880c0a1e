"""Sending a bulk message for real (aiosmtpd) and posting a mail provider's tracking webhook about
it, in the provider's own documented format and with its own authentication."""

import base64
import hashlib
import hmac
import json
import time
import uuid

from django.test import Client

from careerrelay.outbox.models import OutboundEmail
from careerrelay.sends import services as sends

WEBHOOK_USER, WEBHOOK_PASSWORD = "careerrelay", "s3cret-hook"
WEBHOOK_SECRET = f"{WEBHOOK_USER}:{WEBHOOK_PASSWORD}"


def basic_auth(secret: str = WEBHOOK_SECRET) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def send_for_real(employer, template, applicants, capture) -> list[OutboundEmail]:
    """A send to these applicants, delivered over the SMTP server the test points Django at."""
    with capture(execute=True):
        send = sends.create_send(organisation=employer, template=template, applicants=applicants)
    return list(OutboundEmail.objects.filter(send=send).order_by("pk"))


def as_if_sent_by(message: OutboundEmail, provider_id: str) -> OutboundEmail:
    """The id the provider's API would have answered (tests/outbox/test_provider_delivery.py
    shows delivery storing it); the message itself went over real SMTP."""
    OutboundEmail.objects.filter(pk=message.pk).update(provider_message_id=provider_id)
    message.refresh_from_db()
    return message


def post_json(client: Client, url: str, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


# --- Postmark: https://postmarkapp.com/developer/webhooks/bounce-webhook (and spam, delivery) ---


def postmark_bounce(message_id: str, email: str, kind: str = "HardBounce") -> dict:
    type_codes = {"HardBounce": 1, "SoftBounce": 4096, "Transient": 2}
    return {
        "RecordType": "Bounce",
        "MessageStream": "outbound",
        "ID": 4323372036854775807,
        "Type": kind,
        "TypeCode": type_codes[kind],
        "Name": "Hard bounce" if kind == "HardBounce" else "Soft bounce",
        "Tag": "",
        "MessageID": message_id,
        "Metadata": {},
        "ServerID": 23,
        "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": email,
        "From": "no-reply@careerrelay.local",
        "BouncedAt": "2026-11-05T16:33:54.9070259Z",
        "DumpAvailable": False,
        "Inactive": kind == "HardBounce",
        "CanActivate": True,
        "Subject": "選考結果のご連絡",
    }


def postmark_spam_complaint(message_id: str, email: str) -> dict:
    return {
        **postmark_bounce(message_id, email),
        "RecordType": "SpamComplaint",
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "Name": "Spam complaint",
        "Description": "The subscriber explicitly marked this message as spam.",
        "Details": "",
    }


def postmark_delivery(message_id: str, email: str) -> dict:
    return {
        "RecordType": "Delivery",
        "ServerID": 23,
        "MessageStream": "outbound",
        "MessageID": message_id,
        "Recipient": email,
        "Tag": "",
        "DeliveredAt": "2026-11-05T16:33:54.9070259Z",
        "Details": "smtp;250 2.0.0 OK",
        "Metadata": {},
    }


def postmark_open(message_id: str, email: str) -> dict:
    return {
        "RecordType": "Open",
        "MessageStream": "outbound",
        "FirstOpen": True,
        "Client": {"Name": "Apple Mail", "Company": "Apple", "Family": "Apple Mail"},
        "OS": {"Name": "iOS", "Company": "Apple", "Family": "iOS"},
        "Platform": "Mobile",
        "UserAgent": "Mozilla/5.0",
        "ReadSeconds": 0,
        "Geo": {},
        "MessageID": message_id,
        "Metadata": {},
        "ReceivedAt": "2026-11-05T16:33:54.9070259Z",
        "Tag": "",
        "Recipient": email,
    }


# --- Mailgun: https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages/ ---


def mailgun_event(signing_key: str, message: OutboundEmail, event: str = "failed", severity: str = "permanent"):
    timestamp, token = str(int(time.time())), uuid.uuid4().hex * 2
    signature = hmac.new(signing_key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    data = {
        "id": uuid.uuid4().hex[:22],
        "event": event,
        "timestamp": time.time(),
        "log-level": "error" if event == "failed" else "info",
        "recipient": message.to_email,
        "recipient-domain": message.to_email.rsplit("@", 1)[1],
        # Mailgun names the Message-ID header without its angle brackets.
        "message": {"headers": {"message-id": message.message_id.strip("<>"), "to": message.to_email}},
        "tags": [],
        "user-variables": {},
    }
    if event == "failed":
        data.update(
            severity=severity,
            reason="bounce" if severity == "permanent" else "generic",
            **{
                "delivery-status": {
                    "code": 550 if severity == "permanent" else 452,
                    "message": "5.1.1 The email account that you tried to reach does not exist."
                    if severity == "permanent"
                    else "4.2.2 Mailbox full",
                    "description": "",
                    "attempt-no": 1,
                }
            },
        )
    if event == "complained":
        data["log-level"] = "warn"
    return {"signature": {"timestamp": timestamp, "token": token, "signature": signature}, "event-data": data}


# --- SendGrid: https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event ---


def sendgrid_events(anymail_id: str, email: str, event: str = "bounce", **extra) -> list[dict]:
    row = {
        "email": email,
        "timestamp": int(time.time()),
        "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>",
        "event": event,
        "category": [],
        "sg_event_id": base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="),
        "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
        # The custom argument anymail's SendGrid backend adds to every message.
        "anymail_id": anymail_id,
    }
    if event == "bounce":
        row.update(reason="550 5.1.1 unknown recipient", status="5.1.1", type="bounce")
    return [{**row, **extra}]


def sendgrid_signed(private_key, body: bytes) -> dict:
    """SendGrid's signed event webhook: ECDSA (P-256, SHA-256) over timestamp + raw body."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    timestamp = str(int(time.time()))
    signature = private_key.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    return {
        "HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_SIGNATURE": base64.b64encode(signature).decode(),
        "HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_TIMESTAMP": timestamp,
    }


def sendgrid_public_key(private_key) -> str:
    from cryptography.hazmat.primitives import serialization

    der = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


# --- Resend: https://resend.com/docs/dashboard/webhooks/event-types (signed by Svix) ---


def resend_event(email_id: str, email: str, kind: str = "email.bounced", bounce_type: str = "Permanent") -> dict:
    data = {
        "created_at": "2026-11-22T23:41:11.894719+00:00",
        "email_id": email_id,
        "from": "キャリアリレー <no-reply@careerrelay.local>",
        "to": [email],
        "subject": "選考結果のご連絡",
    }
    if kind == "email.bounced":
        data["bounce"] = {
            "message": "The recipient's email provider sent a hard bounce message, and there may be a problem "
            "with the email address.",
            "subType": "General",
            "type": bounce_type,
        }
    return {"type": kind, "created_at": "2026-11-22T23:41:12.126Z", "data": data}


def svix_headers(secret: str, body: bytes) -> dict:
    """Svix's documented scheme: v1,base64(HMAC-SHA256(key, "<id>.<timestamp>.<body>"))."""
    msg_id, timestamp = f"msg_{uuid.uuid4().hex}", str(int(time.time()))
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return {
        "HTTP_SVIX_ID": msg_id,
        "HTTP_SVIX_TIMESTAMP": timestamp,
        "HTTP_SVIX_SIGNATURE": "v1," + base64.b64encode(signed).decode(),
    }


# --- Amazon SES through SNS ---
# https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html


def ses_notification(ses_message_id: str, email: str, kind: str = "Bounce", bounce_type: str = "Permanent"):
    mail = {
        "timestamp": "2026-11-05T16:33:50.000Z",
        "source": "no-reply@careerrelay.local",
        "sourceArn": "arn:aws:ses:ap-northeast-1:123456789012:identity/careerrelay.local",
        "sendingAccountId": "123456789012",
        "messageId": ses_message_id,
        "destination": [email],
        "headersTruncated": False,
        "headers": [],
        "commonHeaders": {"from": ["no-reply@careerrelay.local"], "to": [email], "subject": "選考結果のご連絡"},
    }
    if kind == "Bounce":
        event = {
            "eventType": "Bounce",
            "bounce": {
                "bounceType": bounce_type,
                "bounceSubType": "General",
                "bouncedRecipients": [
                    {
                        "emailAddress": email,
                        "action": "failed",
                        "status": "5.1.1",
                        "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                    }
                ],
                "timestamp": "2026-11-05T16:33:54.000Z",
                "feedbackId": "0100018f-feedback",
                "reportingMTA": "dsn; a8-22.smtp-out.amazonses.com",
            },
            "mail": mail,
        }
    else:
        event = {
            "eventType": "Complaint",
            "complaint": {
                "complainedRecipients": [{"emailAddress": email}],
                "timestamp": "2026-11-05T16:40:00.000Z",
                "feedbackId": "0100018f-complaint",
                "userAgent": "Yahoo!-Mail-Feedback/2.0",
                "complaintFeedbackType": "abuse",
                "arrivalDate": "2026-11-05T16:39:00.000Z",
            },
            "mail": mail,
        }
    sns_id = str(uuid.uuid4())
    body = {
        "Type": "Notification",
        "MessageId": sns_id,
        "TopicArn": "arn:aws:sns:ap-northeast-1:123456789012:careerrelay-ses-events",
        "Message": json.dumps(event),
        "Timestamp": "2026-11-05T16:33:55.000Z",
        "SignatureVersion": "1",
        "Signature": "EXAMPLE",
        "SigningCertURL": "https://sns.ap-northeast-1.amazonaws.com/SimpleNotificationService-example.pem",
        "UnsubscribeURL": "https://sns.ap-northeast-1.amazonaws.com/?Action=Unsubscribe",
    }
    headers = {"HTTP_X_AMZ_SNS_MESSAGE_TYPE": "Notification", "HTTP_X_AMZ_SNS_MESSAGE_ID": sns_id}
    return body, headers


# --- Brevo: https://developers.brevo.com/docs/transactional-webhooks ---


def brevo_event(message_id: str, email: str, event: str = "hard_bounce") -> dict:
    return {
        "event": event,
        "email": email,
        "id": 1234567,
        "date": "2026-11-05 16:33:54",
        "ts": 1793896434,
        "message-id": message_id,
        "ts_event": 1793896434,
        "subject": "選考結果のご連絡",
        "tag": "",
        "sending_ip": "185.41.28.109",
        "ts_epoch": 1793896434000,
        "reason": "user unknown" if "bounce" in event else "",
        "tags": [],
    }
