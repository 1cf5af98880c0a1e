"""The ATS webhook endpoint: POST /hooks/ats/<public id>/.

Vendors give up after a few seconds and retry, so the request does only what must happen before
answering: refuse an oversized body before reading it, find the integration (one query), check
the signature, read the body and store it (one insert); the worker does the rest. Not under the
employer login and CSRF-exempt: the signature is what authenticates the sender.

Failed signature checks are counted per client address and integration
(RATE_LIMIT_ATS_BAD_SIGNATURE, django-ratelimit on the shared cache): past the limit that address
is answered 429 for that integration without checking anything, so the endpoint cannot be used to
guess a secret. Only failures count, so a vendor's valid deliveries never use up the limit; and the
key includes the integration because vendors post from a few shared addresses: one customer's
mistyped secret must not block every other customer's hooks from the same vendor.
"""

import hashlib
import logging

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_ratelimit import ALL
from django_ratelimit.core import get_usage

from careerrelay.common.http import client_ip
from careerrelay.integrations import services
from careerrelay.integrations.adapters import NoAdapter, adapter_for
from careerrelay.integrations.models import Integration
from careerrelay.integrations.vendors.base import PayloadError, SignatureError

BAD_SIGNATURE_GROUP = "ats-bad-signature"
logger = logging.getLogger(__name__)


def _answer(status: int, code: str, **extra) -> JsonResponse:
    return JsonResponse({"status": code, **extra}, status=status)


def _bad_signature_key(group, request) -> str:
    return f"{client_ip(request)}:{request.resolver_match.kwargs.get('public_id', '')}"


def _bad_signatures(request, *, count: bool) -> dict | None:
    return get_usage(
        request,
        group=BAD_SIGNATURE_GROUP,
        key=_bad_signature_key,
        rate=settings.RATE_LIMIT_ATS_BAD_SIGNATURE,
        method=ALL,
        increment=count,
    )


def _used_up_bad_signatures(request) -> bool:
    # Open when the cache cannot answer (django-ratelimit then says limit 0, or Redis raises):
    # vendors' deliveries must not be refused because the counter is unavailable.
    try:
        usage = _bad_signatures(request, count=False)
    except Exception:
        logger.warning("ATS bad-signature counter unavailable", exc_info=True)
        return False
    return usage is not None and usage["limit"] > 0 and usage["count"] >= usage["limit"]


def _body_length(request) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


@csrf_exempt
@require_POST
def receive(request, public_id: str):
    limit = settings.INTEGRATIONS_MAX_BODY_BYTES
    length = _body_length(request)
    if length is None:
        return _answer(400, "bad_request")
    if length > limit:
        return _answer(413, "too_large", limit=limit)
    integration = (
        Integration.objects.filter(public_id=public_id, active=True)
        .only("pk", "kind", "secret", "organisation_id")
        .first()
    )
    if integration is None:
        return _answer(404, "not_found")
    if _used_up_bad_signatures(request):
        return _answer(429, "too_many_bad_signatures")
    # request.read, not request.body: a body without a Content-Length is read only up to the limit.
    body = request.read(limit + 1)
    if len(body) > limit:
        return _answer(413, "too_large", limit=limit)
    try:
        adapter = adapter_for(integration.kind)
    except NoAdapter:
        return _answer(503, "kind_not_available")
    headers = {key: value for key, value in request.headers.items()}
    try:
        adapter.verify(secret=integration.secret, headers=headers, body=body)
    except SignatureError:
        try:
            _bad_signatures(request, count=True)
        except Exception:
            logger.warning("ATS bad-signature counter unavailable", exc_info=True)
        return _answer(401, "bad_signature")
    try:
        parsed = adapter.parse(body)
    except PayloadError as error:
        services.store_unreadable(
            integration=integration, event_id=hashlib.sha256(body).hexdigest(), body=body, message=str(error)
        )
        return _answer(400, "unreadable", message=str(error))
    received = services.receive(integration=integration, parsed=parsed, body=body)
    if parsed.kind == "ping":
        return _answer(200, "pong")
    if received.duplicate:
        return _answer(200, "duplicate")
    return _answer(received.status, "accepted" if received.status == 202 else "ignored")
