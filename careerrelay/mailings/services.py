"""Outgoing email: one helper renders subject, text and HTML templates into an outbox row; the
task worker sends it. Callers never talk to SMTP themselves."""

from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from careerrelay.mailings.models import OutboundEmail

State = OutboundEmail.State
MAX_ATTEMPTS = 5


def render_email(template: str, context: dict, language: str = "ja") -> tuple[str, str, str]:
    """`emails/<template>_subject.txt`, `.txt` and `.html`, rendered in the recipient's language."""
    context = {"SITE_URL": settings.SITE_URL, **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    return subject, text, html


def queue_email(*, to: str, template: str, context: dict, language: str = "ja") -> OutboundEmail:
    subject, text, html = render_email(template, context, language)
    return queue_rendered_email(to=to, subject=subject, text=text, html=html, template=template)


def queue_rendered_email(*, to, subject, text, html="", template="", headers=None) -> OutboundEmail:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "careerrelay.local"
    message = OutboundEmail.objects.create(
        to_email=to,
        from_email=settings.DEFAULT_FROM_EMAIL,
        subject=subject,
        body_text=text,
        body_html=html,
        headers=headers or {},
        template=template,
        message_id=make_msgid(domain=domain),
    )
    from careerrelay.mailings.tasks import deliver_email

    transaction.on_commit(lambda: deliver_email.enqueue(message.pk))
    return message


def claim(message_id: int) -> bool:
    """Only one worker wins the UPDATE; a second delivery of the same task finds nothing to do."""
    return bool(
        OutboundEmail.objects.filter(pk=message_id, state=State.QUEUED).update(
            state=State.SENDING, claimed_at=timezone.now()
        )
    )


def build_message(message: OutboundEmail, connection=None) -> EmailMultiAlternatives:
    headers = {"Message-ID": message.message_id, **message.headers}
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=message.from_email,
        to=[message.to_email],
        headers=headers,
        connection=connection,
    )
    email.encoding = "utf-8"
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    return email


def deliver(message_id: int, connection=None) -> str:
    if not claim(message_id):
        return "skipped"
    message = OutboundEmail.objects.get(pk=message_id)
    connection = connection or get_connection()
    try:
        build_message(message, connection).send()
    except Exception as exc:  # the SMTP server's reason is what the user needs to see
        attempts = message.attempts + 1
        state = State.FAILED if attempts >= MAX_ATTEMPTS else State.QUEUED
        OutboundEmail.objects.filter(pk=message_id).update(state=state, attempts=attempts, last_error=str(exc)[:2000])
        if state == State.FAILED:
            return "failed"
        from careerrelay.mailings.tasks import deliver_email

        retry_at = timezone.now() + timedelta(seconds=30 * 2**attempts)
        deliver_email.using(run_after=retry_at).enqueue(message_id)
        return "retrying"
    OutboundEmail.objects.filter(pk=message_id).update(
        state=State.SENT, attempts=message.attempts + 1, sent_at=timezone.now(), last_error=""
    )
    return "sent"


def requeue_stale(older_than_minutes: int = 10) -> int:
    """Messages claimed by a worker that died before finishing go back to the queue."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    return OutboundEmail.objects.filter(state=State.SENDING, claimed_at__lt=cutoff).update(state=State.QUEUED)
