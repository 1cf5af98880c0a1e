"""The API keys page and revoke action of a workspace, for its admins."""

import json

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from careerrelay.audit.actor import Actor
from careerrelay.organisations import services as organisations
from careerrelay.organisations.models import ApiKey
from careerrelay.portals.workspace.forms import ApiKeyForm

NEW_KEY_COOKIE = "new_api_key"
NEW_KEY_COOKIE_SECONDS = 120


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def api_keys(request):
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
        request,
        "workspace/api_keys.html",
        {"keys": keys, "form": form, "new_key": new_key, "secret": secret, "nav": "api_keys"},
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


def _get_api_key_for_user(request, pk) -> ApiKey:
    return get_object_or_404(ApiKey, organisation=request.organisation, pk=pk)


@require_POST
def api_key_revoke(request, pk):
    key = _get_api_key_for_user(request, pk)
    organisations.revoke_api_key(key, actor=Actor.from_request(request))
    messages.success(request, _("APIキー「%(name)s」を無効にしました。") % {"name": key.name})
    return redirect(request.workspace.urls["api_keys"])
