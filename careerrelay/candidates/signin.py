"""Passwordless sign-in by email link, and changing the email address.

A sign-in link is a random 256-bit token (only its SHA-256 is stored), valid for
CANDIDATE_SIGNIN_TOKEN_MINUTES, used once, and bound to the browser that asked for it: that browser
holds a random nonce in a cookie, the token row holds the nonce's hash, and the link works only
where the cookie is. Opening the link (GET) only shows a button; the POST of that button signs in,
so mail scanners that follow links sign nobody in.

The request page never tells whether an address is registered: it shows the same page and does the
same work for every address (one lookup, one queued task); the task mails a link or does nothing,
after the response has gone.
"""

import enum
from datetime import timedelta
from urllib.parse import quote

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from careerrelay.candidates.models import Candidate, EmailChangeToken, SignInToken
from careerrelay.common import single_use
from careerrelay.common.japanese import normalize_email
from careerrelay.common.single_use import TokenState
from careerrelay.common.tokens import hash_token, new_token
from careerrelay.outbox.services import queue_email
from careerrelay.search.tasks import index_after_commit

EMAIL_CHANGE_HOURS = 24


class SignInRefusal(enum.Enum):
    """Why a sign-in link that is otherwise valid does not work (beside single_use.TokenState)."""

    OTHER_BROWSER = "other_browser"


def signin_page_url(email: str = "") -> str:
    """The sign-in page's full address for an email to `email`, which the page then fills in.

    The address rides after "#": a fragment stays in the browser, so it is in no server log and
    in no Referer; static/js/signin_prefill.js fills the field and takes it out of the address
    bar (history, screenshots). A query string would be in every access log on the way."""
    url = settings.SITE_URL + reverse("candidate:signin")
    return url + "#email=" + quote(email, safe="") if email else url


def new_browser_nonce() -> str:
    return new_token(32)


def request_signin_link(*, email: str, browser_nonce: str, language: str = "ja") -> None:
    """Queue the mail; the caller answers "check your mailbox" whatever happens.

    Registered or not, the request does the same work: one indexed lookup and one queued task
    (which does nothing for an unknown address). The task gets an id, never the address, so the
    task table holds no personal data."""
    candidate_id = (
        Candidate.objects.filter(email_normalized=normalize_email(email), status=Candidate.Status.VERIFIED)
        .values_list("pk", flat=True)
        .first()
    )
    browser_hash = hash_token(browser_nonce)
    transaction.on_commit(lambda: send_signin_link.enqueue(candidate_id, browser_hash, language))


@task()
def send_signin_link(candidate_id: int | None, browser_hash: str, language: str) -> bool:
    return issue_signin_link(candidate_id=candidate_id, browser_hash=browser_hash, language=language)


@transaction.atomic
def issue_signin_link(*, candidate_id: int | None, browser_hash: str, language: str = "ja") -> bool:
    """Mail a sign-in link to a registered, verified person; quietly nothing for anybody else."""
    if candidate_id is None:
        return False
    candidate = Candidate.objects.filter(pk=candidate_id, status=Candidate.Status.VERIFIED).first()
    if candidate is None:
        return False
    minutes = settings.CANDIDATE_SIGNIN_TOKEN_MINUTES
    _row, token = single_use.issue(
        SignInToken, lifetime=timedelta(minutes=minutes), candidate=candidate, browser_hash=browser_hash
    )
    queue_email(
        to=candidate.email,
        template="candidate_signin",
        context={
            "candidate": candidate,
            "url": settings.SITE_URL + reverse("candidate:signin_link", args=[token]),
            "minutes": minutes,
        },
        language=candidate.language or language,
    )
    return True


LinkState = TokenState | SignInRefusal


def inspect_signin_link(token: str, browser_nonce: str) -> tuple[LinkState, SignInToken | None]:
    """What the link's page shows; reading never consumes the token."""
    state, row = single_use.inspect(SignInToken.objects.select_related("candidate"), token)
    if state is TokenState.VALID and row is not None and not _same_browser(row, browser_nonce):
        return SignInRefusal.OTHER_BROWSER, row
    return state, row


def _same_browser(row: SignInToken, browser_nonce: str) -> bool:
    return bool(browser_nonce) and hash_token(browser_nonce) == row.browser_hash


def consume_signin_link(token: str, browser_nonce: str) -> tuple[LinkState, Candidate | None]:
    """Use the link (POST only). On success every other open link of the person is spent too."""
    with transaction.atomic():
        state, row = inspect_signin_link(token, browser_nonce)
        if state is not TokenState.VALID or row is None:
            return state, None
        state, row = single_use.consume(SignInToken.objects.select_related("candidate"), token)
        if state is not TokenState.VALID or row is None:
            return state, None
        single_use.spend_open(SignInToken.objects.filter(candidate=row.candidate), row.used_at)
    return TokenState.VALID, row.candidate


# --- Changing the email address ---------------------------------------------------------------


@transaction.atomic
def request_email_change(*, candidate: Candidate, new_email: str) -> None:
    """Mail a confirmation link to the new address; nothing changes until it is used.

    Whether the new address belongs to somebody else is told only on the confirmation page, to
    the person who owns that mailbox, so this step reveals nothing about other accounts."""
    _row, token = single_use.issue(
        EmailChangeToken, lifetime=timedelta(hours=EMAIL_CHANGE_HOURS), candidate=candidate, new_email=new_email
    )
    queue_email(
        to=new_email,
        template="candidate_email_change",
        context={
            "candidate": candidate,
            "url": settings.SITE_URL + reverse("candidate:email_confirm", args=[token]),
            "hours": EMAIL_CHANGE_HOURS,
        },
        language=candidate.language,
    )


class EmailChangeRefusal(enum.Enum):
    """Why an email-change link that is otherwise valid does not work (beside single_use.TokenState)."""

    TAKEN = "taken"


EmailChangeState = TokenState | EmailChangeRefusal


def inspect_email_change(token: str) -> tuple[EmailChangeState, EmailChangeToken | None]:
    state, row = single_use.inspect(EmailChangeToken.objects.select_related("candidate"), token)
    if state is TokenState.VALID and row is not None and _address_taken(row):
        return EmailChangeRefusal.TAKEN, row
    return state, row


def _address_taken(row: EmailChangeToken) -> bool:
    others = Candidate.objects.exclude(pk=row.candidate_id)
    return others.filter(email_normalized=normalize_email(row.new_email)).exists()


def confirm_email_change(token: str) -> tuple[EmailChangeState, Candidate | None]:
    """Change the address (POST only); the old address is told, in case it was not them."""
    try:
        with transaction.atomic():
            state, row = inspect_email_change(token)
            if state is not TokenState.VALID or row is None:
                return state, row.candidate if row else None
            state, row = single_use.consume(EmailChangeToken.objects.select_related("candidate"), token)
            if state is not TokenState.VALID or row is None:
                return state, row.candidate if row else None
            now = row.used_at or timezone.now()  # consume() set used_at; the fallback is for the type checker
            candidate = row.candidate
            old_email = candidate.email
            candidate.email = row.new_email
            candidate.email_normalized = normalize_email(row.new_email)
            candidate.profile_updated_at = now
            candidate.save(update_fields=["email", "email_normalized", "profile_updated_at", "updated_at"])
            # The search shows the date of the profile's last change.
            index_after_commit(candidate.pk)
            single_use.spend_open(EmailChangeToken.objects.filter(candidate=candidate), now)
            queue_email(
                to=old_email,
                template="candidate_email_changed",
                context={"candidate": candidate, "new_email": candidate.email},
                language=candidate.language,
            )
    except IntegrityError:
        # Somebody registered the address between the check and the UPDATE.
        return EmailChangeRefusal.TAKEN, None
    return TokenState.VALID, candidate


def delete_spent_links(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Remove used and expired sign-in and email-change links once they are a day old: they are
    useless by then, and an email-change row holds an address. For a periodic job (retention)."""
    cutoff = timezone.now() - older_than
    deleted = 0
    for model in (SignInToken, EmailChangeToken):
        deleted += model.objects.filter(expires_at__lt=cutoff).delete()[0]
    return deleted
