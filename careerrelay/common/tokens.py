import hashlib
import hmac
import secrets

from django.conf import settings


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    """Tokens are stored hashed: a leaked database does not sign anybody in."""
    return hashlib.sha256(token.encode()).hexdigest()


def pseudonym(value: str, purpose: str) -> str:
    """A keyed hash that links equal values without storing them (e.g. an email that was counted)."""
    key = f"{settings.PSEUDONYM_KEY}:{purpose}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
