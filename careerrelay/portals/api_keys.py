"""The API keys page and revoke action, the same for an employer's and an agency's workspace.
The caller has already checked that the user is an admin of `request.organisation`."""

import json

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from careerrelay.audit.actor import Actor
from careerrelay.organisations import services as organisations
from careerrelay.organisations.models import ApiKey
from careerrelay.portals.employer.forms import ApiKeyForm

NEW_KEY_COOKIE = "new_api_key"
NEW_KEY_COOKIE_SECONDS = 120


def api_keys_page(request, template: str):
    """POST creates a key and redirects, so a reload cannot create a second one. The secret
    crosses the redirect in a short-lived signed cookie for this page only, which the next view
    deletes: shown once, and never written to the server's session table (the database keeps only
    the key's hash)."""
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        new_key, secret = organisations.create_api_key(
            organisation=request.organisation, name=form.cleaned_data["name"], actor=Actor.from_request(request)
        )
        response = redirect(request.path)
        response.set_signed_cookie(
            NEW_KEY_COOKIE,
            json.dumps({"pk": new_key.pk, "secret": secret}),
            salt=NEW_KEY_COOKIE,
            max_age=NEW_KEY_COOKIE_SECONDS,
            path=request.path,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Strict",
        )
        return response
    new_key = secret = None
    created = _new_key_from_cookie(request) if request.method == "GET" else None
    if created:
        new_key = ApiKey.objects.filter(organisation=request.organisation, pk=created["pk"]).first()
        secret = created["secret"] if new_key else None
    keys = (
        ApiKey.objects.filter(organisation=request.organisation)
        .select_related("created_by")
        .order_by("revoked_at", "-created_at")
    )
    response = render(
        request, template, {"keys": keys, "form": form, "new_key": new_key, "secret": secret, "nav": "api_keys"}
    )
    if NEW_KEY_COOKIE in request.COOKIES:
        response.delete_cookie(NEW_KEY_COOKIE, path=request.path, samesite="Strict")
    return response


def _new_key_from_cookie(request) -> dict | None:
    try:
        return json.loads(
            request.get_signed_cookie(NEW_KEY_COOKIE, salt=NEW_KEY_COOKIE, max_age=NEW_KEY_COOKIE_SECONDS)
        )
    except (KeyError, signing.BadSignature, ValueError):
        return None


def revoke_api_key(request, pk, redirect_to: str):
    key = get_object_or_404(ApiKey, organisation=request.organisation, pk=pk)
    organisations.revoke_api_key(key, actor=Actor.from_request(request))
    messages.success(request, _("APIキー「%(name)s」を無効にしました。") % {"name": key.name})
    return redirect(redirect_to)
