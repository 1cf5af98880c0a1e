"""Outgoing email: one function (queue_email) renders subject, text and HTML templates into an outbox row; the
task worker sends it. Callers never talk to SMTP themselves.

Delivery of a row: claim it (queued -> sending, a conditional UPDATE only one worker wins), hand
it to the SMTP server, then mark it sent (or failed, bounced, queued for a retry). Each of these
steps commits on its own, so a worker killed at any point leaves the row either still queued
(nothing went out), or in `sending`. Rows stuck in `sending` for longer than
MAILINGS_STALE_SENDING_SECONDS go back to the queue (requeue_stale). The one window this cannot
close is the few milliseconds between the server's "250 OK" and our UPDATE: a worker killed
exactly there sends that one message again after the timeout (at-least-once), which is why the
timeout is long and the mark-sent UPDATE comes right after the server's reply.
"""

import re
import smtplib
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from datetime import timedelta
from email.utils import formataddr, formatdate, make_msgid, parseaddr

from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import forbid_multi_line_headers, sanitize_address
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from careerrelay.common.japanese import normalize_email
from careerrelay.common.text import one_line
from careerrelay.outbox.models import OutboundEmail, Suppression
from careerrelay.outbox.tasks import deliver_email

State = OutboundEmail.State
TABLE = OutboundEmail._meta.db_table  # for the two statements that run once per message, in plain SQL
MAX_ATTEMPTS = 5
RETRY = "retry"


def stale_after() -> timedelta:
    # Far above EMAIL_TIMEOUT: a live worker waiting on a slow server is never overtaken.
    return timedelta(seconds=settings.MAILINGS_STALE_SENDING_SECONDS)


def backoff(attempts: int) -> timedelta:
    """1 min, 2 min, 4 min, 8 min… after the 1st, 2nd, 3rd failure."""
    return timedelta(seconds=settings.MAILINGS_RETRY_BASE_SECONDS * 2**attempts)


def render_email(template: str, context: dict, language: str = "ja") -> tuple[str, str, str]:
    """`emails/<template>_subject.txt`, `.txt` and `.html`, rendered in the recipient's language."""
    context = {"SITE_URL": settings.SITE_URL, **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    return subject, text, html


def queue_email(*, to: str, template: str, context: dict, language: str = "ja") -> OutboundEmail:
    subject, text, html = render_email(template, {"recipient": to, **context}, language)
    return queue_rendered_email(to=to, subject=subject, text=text, html=html, template=template)


def from_address(display_name: str = "") -> str:
    # A line break in a company name stored before names were validated would make every
    # message from that company fail with BadHeaderError.
    display_name = one_line(display_name)
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((display_name or name, address)) if (display_name or name) else address


def new_message_id() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return make_msgid(domain=address.rsplit("@", 1)[-1] or "careerrelay.local")


def queue_rendered_email(*, to, subject, text, html="", template="", headers=None) -> OutboundEmail:
    message = OutboundEmail.objects.create(
        to_email=to,
        from_email=settings.DEFAULT_FROM_EMAIL,
        subject=subject,
        body_text=text,
        body_html=html,
        headers=headers or {},
        template=template,
        message_id=new_message_id(),
        # Due at once: should the task be lost (a queue restarted empty, a deploy that renamed
        # the task), the periodic safety net below finds the row and enqueues it again.
        due_at=timezone.now(),
    )
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
    # Django adds Date; Message-ID is ours, so the row and the received message can be matched.
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


def prebuild_mime(message: OutboundEmail) -> bytes:
    """The message's bytes without Date, which _Transmitter adds at the moment of sending."""
    mime = build_message(message).message()
    del mime["Date"]
    return mime.as_bytes(linesep="\r\n")


class MimeTemplate:
    """prebuild_mime for many messages of one send that differ only in their recipient, subject,
    Message-ID and List-Unsubscribe headers and in marker words of their bodies.

    The sample row is built once by prebuild_mime (Django's own MIME code), with the markers in
    its bodies. A message is then the sample's header block with those four headers made again
    the way Django makes and folds them, and the sample's body with the markers replaced by the
    message's values (both parts are 8bit, so a value is written as its UTF-8 bytes). `build`
    returns None when that would not give prebuild_mime's bytes: a part that is base64 or
    quoted-printable, a 7bit part and a value that is not ASCII, or a line that the values make
    longer than 998 bytes (Django would then choose quoted-printable). The bytes equal
    prebuild_mime's except for the multipart boundary, which is the sample's in every message."""

    VARYING = ("subject", "to", "message-id", "list-unsubscribe")

    def __init__(self, sample: OutboundEmail, markers: list[str]):
        from email import policy

        self.policy = policy.compat32.clone(linesep="\r\n")
        raw = prebuild_mime(sample)
        head, _sep, self.body = raw.partition(b"\r\n\r\n")
        self.headers: list[tuple[str, bytes]] = []
        for line in head.split(b"\r\n"):
            if line[:1] in (b" ", b"\t") and self.headers:
                name, folded = self.headers[-1]
                self.headers[-1] = (name, folded + line + b"\r\n")
            else:
                self.headers.append((line.split(b":", 1)[0].decode("ascii").lower(), line + b"\r\n"))
        self.markers_re = re.compile(b"|".join(re.escape(m.encode()) for m in markers))
        encodings = set(re.findall(rb"Content-Transfer-Encoding: (\S+)", self.body))
        self.usable = bool(markers) and encodings <= {b"7bit", b"8bit"} and len(self.headers) > 0
        self.ascii_only = b"7bit" in encodings
        self.longest_line = max((len(line) for line in self.body.split(b"\r\n")), default=0)
        match = re.search(rb'boundary="([^"]+)"', head)
        self.boundary = match.group(1) if match else b""

    def build(self, message: OutboundEmail, values: dict[str, str]) -> bytes | None:
        if not self.usable:
            return None
        encoded = {marker.encode(): value.encode() for marker, value in values.items()}
        if self.ascii_only and not all(value.isascii() for value in encoded.values()):
            return None
        if self.longest_line + sum(len(v) for v in encoded.values()) > 998:
            return None  # a long line: Django would choose quoted-printable (rare; checked crudely)
        if any(self.boundary in value for value in encoded.values()):
            return None
        fields = {
            "subject": message.subject,
            "to": message.to_email,
            "message-id": message.message_id,
            "list-unsubscribe": message.headers.get("List-Unsubscribe", ""),
        }
        head = []
        for name, folded in self.headers:
            if name in fields:
                original = folded.split(b":", 1)[0].decode("ascii")
                field_name, value = forbid_multi_line_headers(original, fields[name], "utf-8")
                folded = self.policy.fold_binary(field_name, value)
            head.append(folded)
        body = self.markers_re.sub(lambda match: encoded[match.group(0)], self.body)
        return b"".join(head) + b"\r\n" + body


def same_mime(built: bytes, reference: bytes) -> bool:
    """Whether two MIME messages are the same bytes but for their multipart boundaries."""
    ours = re.search(rb'boundary="([^"]+)"', built)
    theirs = re.search(rb'boundary="([^"]+)"', reference)
    if not (ours and theirs):
        return built == reference
    return built == reference.replace(theirs.group(1), ours.group(1))


def _reason(code: int, text) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return f"{code} {text}".strip()[:2000]


def provider_message_id(email) -> str | None:
    """The id a provider's API gave the message (django-anymail), which its tracking events name;
    None over SMTP, whose events carry our own Message-ID."""
    status = getattr(email, "anymail_status", None)
    message_id = getattr(status, "message_id", None)
    return str(message_id)[:255] if message_id not in (None, "") else None


def classify_failure(exc: Exception) -> tuple[str, str]:
    """(what to do, the server's reason): RETRY for 4xx and connection trouble, else a final state."""
    if isinstance(exc, AnymailRecipientsRefused):
        # The provider refused the recipient outright (on its suppression list, invalid).
        return State.BOUNCED, str(exc)[:2000]
    if isinstance(exc, AnymailAPIError):
        # A provider's API: 429 and 5xx are worth another try, other 4xx (bad key, bad sender) are not.
        code = exc.status_code
        final = code is not None and 400 <= code < 500 and code != 429
        return (State.FAILED if final else RETRY), str(exc)[:2000]
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()), (450, b""))
        return (State.BOUNCED if code >= 500 else RETRY), _reason(code, text)
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        return (State.FAILED if 500 <= code < 600 else RETRY), _reason(code, exc.smtp_error)
    return RETRY, (str(exc) or exc.__class__.__name__)[:2000]


# Once the server has a message, the outbox forgets its body and built MIME in the same UPDATE
# that marks it sent: bodies carry sign-in, verification, reset and invitation links, which must
# not outlive their delivery in the database, its backups or the operator console. Headers,
# subject, state and timestamps stay for looking into a delivery problem.
CLEARED_BODY = {"body_text": "", "body_html": "", "mime": None}


def _mark_sent(message_id: int, provider_id: str | None = None) -> None:
    OutboundEmail.objects.filter(pk=message_id, state=State.SENDING).update(
        state=State.SENT,
        attempts=F("attempts") + 1,
        sent_at=timezone.now(),
        last_error="",
        provider_message_id=provider_id,
        **CLEARED_BODY,
    )


def _record_failure(message: OutboundEmail, exc: Exception) -> str:
    """Store the outcome of one failed attempt; returns "failed", "bounced" or "retrying"."""
    action, reason = classify_failure(exc)
    attempts = message.attempts + 1
    if action == RETRY and attempts >= MAX_ATTEMPTS:
        action = State.FAILED
    now = timezone.now()
    if action != RETRY:
        OutboundEmail.objects.filter(pk=message.pk, state=State.SENDING).update(
            state=action, attempts=attempts, last_error=reason
        )
        if action == State.BOUNCED and message.send is not None:
            Suppression.objects.get_or_create(
                organisation_id=message.send.organisation_id,
                email_normalized=normalize_email(message.to_email),
                defaults={"reason": Suppression.Reason.BOUNCED, "message": message},
            )
        return "bounced" if action == State.BOUNCED else "failed"
    retry_at = now + backoff(attempts)
    OutboundEmail.objects.filter(pk=message.pk, state=State.SENDING).update(
        state=State.QUEUED, attempts=attempts, last_error=reason, due_at=retry_at
    )
    if message.send_id is None:
        # A single message has no send whose due date brings it back: a deferred task carries the
        # retry, and retry_due_messages() in the periodic loop is the safety net behind it.
        if deliver_email.get_backend().supports_defer:
            deliver_email.using(run_after=retry_at).enqueue(message.pk)
    return "retrying"


SAFETY_NET_PAUSE = timedelta(minutes=5)


def retry_due_messages(now=None, grace=timedelta(minutes=1)) -> int:
    """Single messages whose retry time passed a while ago without their deferred task running
    (a backend that cannot defer, a queue that lost the task). claim() keeps a second delivery
    of the same row from sending twice."""
    now = now or timezone.now()
    due = OutboundEmail.objects.filter(send__isnull=True, state=State.QUEUED, due_at__lte=now - grace)
    ids = list(due.values_list("pk", flat=True)[:500])
    # A row waiting behind a long queue is not enqueued again on every tick: it is looked at
    # again after SAFETY_NET_PAUSE.
    OutboundEmail.objects.filter(pk__in=ids, state=State.QUEUED).update(due_at=now + SAFETY_NET_PAUSE)
    for pk in ids:
        deliver_email.enqueue(pk)
    return len(ids)


def deliver(message_id: int, connection=None) -> str:
    """Send one outbox row (transactional email such as a verification link)."""
    if not claim(message_id):
        return "skipped"
    message = OutboundEmail.objects.get(pk=message_id)
    connection = connection or get_connection()
    email = build_message(message, connection)
    try:
        email.send()
    except Exception as exc:  # the SMTP server's reason is what the user needs to see
        return _record_failure(message, exc)
    _mark_sent(message_id, provider_message_id(email))
    return "sent"


def _suppressed_among(messages) -> set[tuple[int, str]]:
    by_org: dict[int, set[str]] = {}
    for m in messages:
        if m.send_id:
            by_org.setdefault(m.send.organisation_id, set()).add(normalize_email(m.to_email))
    found = set()
    for org_id, emails in by_org.items():
        rows = Suppression.objects.filter(organisation_id=org_id, email_normalized__in=emails)
        found |= {(org_id, e) for e in rows.values_list("email_normalized", flat=True)}
    return found


def _claim_chunk(cursor, message_ids: list[int]) -> set[int]:
    """The conditional UPDATE of claim() for a few messages at once (MAILINGS_CLAIM_CHUNK): it
    returns the ids this worker won. Fewer commits per message; a cancel can no longer stop the
    few claimed ones, and after a crash they wait for requeue_stale like any claimed message."""
    placeholders = ", ".join(["%s"] * len(message_ids))
    cursor.execute(
        f"UPDATE {TABLE} SET state = %s, claimed_at = %s "  # noqa: S608
        f"WHERE id IN ({placeholders}) AND state = %s RETURNING id",
        [State.SENDING, timezone.now(), *message_ids, State.QUEUED],
    )
    return {row[0] for row in cursor.fetchall()}


def _mark_sent_fast(cursor, message_id: int, provider_id: str | None = None) -> None:
    cursor.execute(
        f"UPDATE {TABLE} SET state = %s, attempts = attempts + 1, sent_at = %s, provider_message_id = %s, "  # noqa: S608
        "last_error = '', body_text = '', body_html = '', mime = NULL WHERE id = %s AND state = %s",
        [State.SENT, timezone.now(), provider_id, message_id, State.SENDING],
    )


_pool = None
_pool_lock = threading.Lock()


def _sender_pool() -> ThreadPoolExecutor:
    """One long-lived sender thread per process. (A new thread per batch made glibc give each
    one a malloc arena of its own, and the worker's memory grew with every batch.)"""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smtp")
        return _pool


class _Transmitter:
    """Hands built messages to the SMTP server over one connection, in a thread of its own, so
    that building the next message overlaps with the server's work on this one. Only this
    thread touches the connection; the database stays with the caller."""

    def __init__(self):
        self.connection = get_connection()
        self.is_open = False
        self.pool = _sender_pool()

    def submit(self, message: OutboundEmail) -> Future:
        if message.mime and isinstance(self.connection, SMTPBackend) and message.to_email.isascii():
            date = f"Date: {formatdate(localtime=settings.EMAIL_USE_LOCALTIME)}\r\n".encode()
            envelope = (parseaddr(message.from_email)[1], [message.to_email], date + bytes(message.mime))
            return self.pool.submit(self._send_smtp, envelope)
        email = build_message(message)
        if isinstance(self.connection, SMTPBackend):
            encoding = email.encoding or settings.DEFAULT_CHARSET
            envelope = (
                sanitize_address(email.from_email, encoding),
                [sanitize_address(a, encoding) for a in email.recipients()],
                email.message().as_bytes(linesep="\r\n"),
            )
            return self.pool.submit(self._send_smtp, envelope)
        # A provider's API (django-anymail), or the console, file and locmem backends.
        return self.pool.submit(self._send_other, email)

    def _open(self):
        if not self.is_open:
            self.connection.open()
            self.is_open = True

    def _send_smtp(self, envelope):
        self._open()
        try:
            self.connection.connection.sendmail(*envelope)
        except smtplib.SMTPResponseException:
            raise  # the server answered; the connection is still good
        except Exception:
            self.close()  # the connection itself is in doubt: the next message opens a new one
            raise

    def _send_other(self, email) -> str | None:
        self._open()
        self.connection.send_messages([email])
        return provider_message_id(email)

    def close(self):
        try:
            self.connection.close()
        finally:
            self.is_open = False

    def shutdown(self):
        self.close()


def _relax_durability() -> bool:
    """On PostgreSQL, the claims and "sent" marks of a batch commit without waiting for the WAL
    flush (synchronous_commit off, for this connection and this batch only). They are visible to
    every other worker at once, exactly as before, so a worker crash changes nothing; only a crash
    of the database server itself within its WAL writer delay (≤ 0.6 s by default) can forget a
    "sent" mark, and that message is then sent again after the stale timeout. Without it, every
    message waits for a disk flush and the worker runs at a third of its speed.
    (SQLite runs with synchronous=NORMAL in WAL mode, which makes the same trade for everything.)"""
    if db_connection.vendor != "postgresql" or not settings.MAILINGS_ASYNC_COMMIT:
        return False
    if db_connection.in_atomic_block:
        return False
    with db_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    return True


def deliver_batch(message_ids: list[int], refuse: Callable[[list[OutboundEmail]], set[int]] | None = None) -> Counter:
    """Send these rows over ONE SMTP connection, each claimed before and marked after it goes out.

    Messages are claimed a few at a time (MAILINGS_CLAIM_CHUNK). One message is in flight at a
    time: while the server handles message n+1, message n is marked sent (it has just been
    accepted) and n+2 is made ready. A failure
    of one message is recorded on that message and the batch goes on; when the connection
    breaks, the batch stops claiming and the rest waits for a later attempt.

    `refuse` is the sender's last word, asked just before each few messages are claimed: it
    cancels the messages that must not go out after all and returns their ids (the bulk sends
    pass sends.trust.delivery_gate(): nothing of a company suspended since it was queued).
    """
    results: Counter[str] = Counter()
    # Of a message's send, only its id and company are loaded: a send's other columns are not the
    # outbox's business, and one of them (the applicants a send still renders) is large.
    own = [field.name for field in OutboundEmail._meta.concrete_fields]
    rows = {
        m.pk: m
        for m in OutboundEmail.objects.filter(pk__in=message_ids, state=State.QUEUED)
        .select_related("send")
        .only(*own, "send__id", "send__organisation")
    }
    if not rows:
        return results
    suppressed = _suppressed_among(rows.values())
    transmitter = _Transmitter()
    in_flight = None  # (message, future)
    broken = False

    def finish(cursor, message, future):
        nonlocal broken
        try:
            provider_id = future.result()
        except Exception as exc:
            results[_record_failure(message, exc)] += 1
            # The server (or the provider's API) answered: the connection is still good.
            answered = isinstance(exc, smtplib.SMTPResponseException) or (
                isinstance(exc, AnymailAPIError) and getattr(exc, "status_code", None) is not None
            )
            if not answered:
                broken = True
            return
        _mark_sent_fast(cursor, message.pk, provider_id)
        results["sent"] += 1

    chunk_size = settings.MAILINGS_CLAIM_CHUNK
    relaxed = _relax_durability()
    try:
        with db_connection.cursor() as cursor:
            claimed: set[int] = set()
            refused: set[int] = set()
            for index, pk in enumerate(message_ids):
                if broken:
                    rest = message_ids[index:]
                    OutboundEmail.objects.filter(pk__in=[p for p in rest if p in claimed], state=State.SENDING).update(
                        state=State.QUEUED
                    )
                    OutboundEmail.objects.filter(pk__in=rest, state=State.QUEUED).update(
                        due_at=timezone.now() + backoff(1)
                    )
                    results["postponed"] += len(rest)
                    break
                if index % chunk_size == 0:
                    chunk = [p for p in message_ids[index : index + chunk_size] if p in rows]
                    refused = refuse([rows[p] for p in chunk]) if refuse else set()
                    chunk = [p for p in chunk if p not in refused]
                    claimed = _claim_chunk(cursor, chunk) if chunk else set()
                message = rows.get(pk)
                if message is None or pk not in claimed:
                    results["cancelled" if pk in refused else "skipped"] += 1
                    continue
                if (
                    message.send is not None
                    and (message.send.organisation_id, normalize_email(message.to_email)) in suppressed
                ):
                    OutboundEmail.objects.filter(pk=pk, state=State.SENDING).update(state=State.SUPPRESSED)
                    results["suppressed"] += 1
                    continue
                try:
                    future = transmitter.submit(message)
                except Exception as exc:  # a message that cannot even be built
                    results[_record_failure(message, exc)] += 1
                    continue
                if in_flight is not None:
                    finish(cursor, *in_flight)
                in_flight = (message, future)
            if in_flight is not None:
                finish(cursor, *in_flight)
    finally:
        if in_flight is not None:
            futures_wait([in_flight[1]])  # never close the connection under the sender thread
        transmitter.shutdown()
        if relaxed:
            with db_connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
    return results


def requeue_stale() -> tuple[int, set[int]]:
    """Messages claimed by a worker that died before finishing go back to the queue. Returns how
    many, and the sends they belong to: whoever schedules those sends must wake them, since a
    message of a send goes out only with a batch of its send."""
    now = timezone.now()
    stale = OutboundEmail.objects.filter(state=State.SENDING, claimed_at__lt=now - stale_after())
    rows = list(stale.values_list("pk", "send_id"))
    if not rows:
        return 0, set()
    count = OutboundEmail.objects.filter(pk__in=[pk for pk, _ in rows], state=State.SENDING).update(
        state=State.QUEUED, due_at=now
    )
    for pk, send_id in rows:
        if send_id is None:
            deliver_email.enqueue(pk)
    return count, {send_id for _, send_id in rows if send_id}
