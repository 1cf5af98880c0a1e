"""Links that work once: email confirmation, sign-in, email change, team invitations.

Only the SHA-256 of the secret is stored (common.tokens), so a leaked database opens nothing.
Reading a token (`inspect`) never spends it; `consume` spends it with one conditional UPDATE,
which is the single-use guarantee: of two requests racing with the same secret, exactly one
changes the row. The domain apps subclass SingleUseToken and add what the link is for."""

import enum
from datetime import datetime, timedelta
from typing import TypeVar

from django.db import models
from django.utils import timezone

from careerrelay.common.tokens import hash_token, new_token


class TokenState(enum.Enum):
    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


class SingleUseToken(models.Model):
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def state(self, now: datetime | None = None) -> TokenState:
        """A subclass that can be withdrawn adds its own state here and the matching condition
        to `consume` (see organisations.Invitation)."""
        if self.used_at is not None:
            return TokenState.USED
        if self.expires_at <= (now or timezone.now()):
            return TokenState.EXPIRED
        return TokenState.VALID


Token = TypeVar("Token", bound="SingleUseToken")


def _queryset(model_or_queryset) -> models.QuerySet:
    """A model, its manager or a queryset of it."""
    if isinstance(model_or_queryset, type):
        return model_or_queryset._default_manager.all()
    return model_or_queryset.all()


def issue(model: type[Token], *, lifetime: timedelta, **fields) -> tuple[Token, str]:
    """Create a token row; the secret is returned once, for the link, and never stored."""
    secret = new_token()
    now = timezone.now()
    row = model._default_manager.create(
        token_hash=hash_token(secret), created_at=now, expires_at=now + lifetime, **fields
    )
    return row, secret


def inspect(
    model_or_queryset: type[Token] | models.QuerySet[Token] | models.Manager[Token], secret: str
) -> tuple[TokenState, Token | None]:
    """What a link's page shows; reading never consumes the token. Pass a queryset to
    select_related what the page needs."""
    row = _queryset(model_or_queryset).filter(token_hash=hash_token(secret)).first()
    if row is None:
        return TokenState.UNKNOWN, None
    return row.state(), row


def consume(
    model_or_queryset: type[Token] | models.QuerySet[Token] | models.Manager[Token], secret: str, **conditions
) -> tuple[TokenState, Token | None]:
    """Spend the token, or say why not. `conditions` narrow the UPDATE further (e.g. not revoked).

    expires_at is in the UPDATE's condition too, not only in the check before it: a token
    expired by a racing request (a newer registration, say) must lose."""
    queryset = _queryset(model_or_queryset)
    state, row = inspect(queryset, secret)
    if state is not TokenState.VALID:
        return state, row
    now = timezone.now()
    spent = queryset.model._default_manager.filter(
        pk=row.pk, used_at__isnull=True, expires_at__gt=now, **conditions
    ).update(used_at=now)
    if not spent:
        # Somebody else changed the row first: tell why, as a fresh read shows it.
        state, row = inspect(queryset, secret)
        return (TokenState.USED if state is TokenState.VALID else state), row
    row.used_at = now
    return TokenState.VALID, row


def spend_open(queryset: models.QuerySet, now: datetime | None = None) -> int:
    """Mark every still unused token of the queryset used (e.g. a person's other sign-in links)."""
    return queryset.filter(used_at__isnull=True).update(used_at=now or timezone.now())


def expire_open(queryset: models.QuerySet, now: datetime | None = None) -> int:
    """End every open token of the queryset now, leaving it recognisable as expired, not used."""
    now = now or timezone.now()
    return queryset.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
