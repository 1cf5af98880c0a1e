"""The development mailbox: routed only when DEBUG is on at start-up, so a newcomer can click the
links in the emails the app sends without any mail server.

It shows sign-in and password-reset links, so even with DEBUG on it answers only staff, or a
browser on the same machine as a server that listens on the loopback address only. Behind a
proxy on the same host every request would come from 127.0.0.1, so a request that carries any
forwarding header is not taken for a local one (and the header's address is never believed).

The outbox forgets a message's body once it is delivered; the body shown here is the copy the
development mail backend kept (var/mail/ for the file backend, mail.outbox for locmem).
"""

import email
import ipaddress
from email import policy
from pathlib import Path

from django.conf import settings
from django.core import mail
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from careerrelay.outbox.models import OutboundEmail

LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}
FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP", "HTTP_X_FORWARDED_HOST")
FILE_SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # how Django's file backend separates messages


def _is_loopback(address: str) -> bool:
    if address in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def is_local_request(request) -> bool:
    return (
        _is_loopback(settings.DEV_SERVER_HOST)
        and _is_loopback(request.META.get("REMOTE_ADDR", ""))
        and not any(request.META.get(header) for header in FORWARDING_HEADERS)
    )


def may_open_mailbox(request) -> bool:
    if not settings.DEBUG:
        return False
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.is_staff) or is_local_request(request)


def _require_access(request):
    if not may_open_mailbox(request):
        raise Http404


def _parts(parsed) -> tuple[str, str]:
    text = parsed.get_body(("plain",))
    html = parsed.get_body(("html",))
    return (text.get_content() if text else ""), (html.get_content() if html else "")


def delivered_copy(message: OutboundEmail) -> tuple[str, str] | None:
    """(text, html) of the message as the development backend received it, if it kept one."""
    for sent in getattr(mail, "outbox", None) or []:
        if sent.extra_headers.get("Message-ID") == message.message_id:
            html = next((content for content, kind in getattr(sent, "alternatives", []) if kind == "text/html"), "")
            return sent.body, html
    folder = getattr(settings, "EMAIL_FILE_PATH", None)
    if not settings.EMAIL_BACKEND.endswith("filebased.EmailBackend") or not folder or not Path(folder).is_dir():
        return None
    needle = message.message_id.encode()
    for path in sorted(Path(folder).glob("*.log"), reverse=True):
        data = path.read_bytes()
        if needle not in data:
            continue
        for chunk in data.split(FILE_SEPARATOR):
            if needle in chunk:
                parsed = email.message_from_bytes(chunk.strip(b"\n"), policy=policy.default)
                if parsed["Message-ID"] == message.message_id:
                    return _parts(parsed)
    return None


def mailbox(request):
    _require_access(request)
    return render(request, "dev/mailbox.html", {"messages_list": OutboundEmail.objects.all()[:100]})


def message(request, pk):
    _require_access(request)
    row = get_object_or_404(OutboundEmail, pk=pk)
    copy = delivered_copy(row) if not row.body_text else (row.body_text, row.body_html)
    body_text, body_html = copy or ("", "")
    return render(request, "dev/message.html", {"message": row, "body_text": body_text, "body_html": body_html})
