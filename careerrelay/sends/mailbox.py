"""The `mailto:` unsubscribe: the mailbox behind the List-Unsubscribe mailto address, read over IMAP.

Every message of a send carries `List-Unsubscribe: <https://…/u/<token>/>, <mailto:unsubscribe@…
?subject=unsubscribe-<token>>`. A mail client that prefers the mailto sends a message with that
subject; the worker (the periodic job `unsubscribe_mailbox`, at most every
UNSUBSCRIBE_IMAP_INTERVAL_SECONDS) reads the unread messages of the mailbox named by
UNSUBSCRIBE_IMAP_URL and unsubscribes each token exactly as the one-click link does
(services.unsubscribe). The token is the authorisation, as for the link: a message whose token
matches no message of ours (forged, mistyped, a reply to something else) changes nothing.

Each message is marked \\Seen once it has been handled, so it is read once; a worker that dies
between the two reads it again, which unsubscribes nobody twice (unsubscribe is idempotent).
"""

import email
import email.policy
import imaplib
import logging
import re
import ssl
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from careerrelay.sends import services

log = logging.getLogger(__name__)
TOKEN = re.compile(r"unsubscribe-([A-Za-z0-9_-]{16,64})")
# How many unread messages one round handles; the rest wait for the next round.
ROUND_LIMIT = 200


def _connect(url: str) -> tuple[imaplib.IMAP4, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname:
        raise ImproperlyConfigured("UNSUBSCRIBE_IMAP_URL must be imaps://user:password@host:993/INBOX")
    timeout = settings.EMAIL_TIMEOUT
    if parts.scheme == "imaps":
        client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
            parts.hostname, parts.port or 993, ssl_context=ssl.create_default_context(), timeout=timeout
        )
    else:
        client = imaplib.IMAP4(parts.hostname, parts.port or 143, timeout=timeout)
    client.login(unquote(parts.username or ""), unquote(parts.password or ""))
    return client, unquote(parts.path.lstrip("/")) or "INBOX"


def token_in(raw: bytes) -> str | None:
    """The token of an unsubscribe request: in the Subject (what the mailto asks for), else in the
    first lines of the text (clients that put the subject in the body)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    found = TOKEN.search(str(message.get("Subject", "")))
    if found is None:
        body = message.get_body(preferencelist=("plain",))
        try:
            text = body.get_content() if body is not None else ""
        except (LookupError, ValueError):
            text = ""
        found = TOKEN.search(text[:2000])
    return found.group(1) if found else None


def read_unsubscribe_mailbox(url: str | None = None) -> int:
    """One pass over the unread messages; returns how many unsubscribed someone."""
    client, mailbox = _connect(url or settings.UNSUBSCRIBE_IMAP_URL)
    unsubscribed = 0
    try:
        status, _ = client.select(_quoted(mailbox))
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot open mailbox {mailbox}")
        status, data = client.uid("SEARCH", None, "UNSEEN")
        uids = data[0].split()[:ROUND_LIMIT] if status == "OK" and data and data[0] else []
        for uid in uids:
            # BODY.PEEK leaves \Seen alone until the message has been handled.
            status, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple)), None) if status == "OK" else None
            if raw is not None:
                token = token_in(raw)
                if token and services.unsubscribe(token) is not None:
                    unsubscribed += 1
                elif token is None:
                    log.info("unsubscribe mailbox: a message without a token, marked read")
            client.uid("STORE", uid, "+FLAGS", r"(\Seen)")
    finally:
        try:
            client.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
    return unsubscribed


def _quoted(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def read_if_due() -> int | None:
    """The periodic job: nothing without UNSUBSCRIBE_IMAP_URL, else a pass at most every
    UNSUBSCRIBE_IMAP_INTERVAL_SECONDS (shared through the cache by every worker)."""
    if not settings.UNSUBSCRIBE_IMAP_URL:
        return None
    if not cache.add("sends:unsubscribe-mailbox", 1, timeout=settings.UNSUBSCRIBE_IMAP_INTERVAL_SECONDS):
        return None
    return read_unsubscribe_mailbox()
