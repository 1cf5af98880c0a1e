"""The webhooks pages of a workspace: every member sees the endpoints and their delivery log,
admins add, change, delete and test them, rotate their secret and redeliver. A secret is shown
once, on the page the person lands on after creating or rotating it."""

import json

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from careerrelay.audit.actor import Actor
from careerrelay.portals.workspace.forms import WebhookEndpointForm
from careerrelay.webhooks import services as webhooks
from careerrelay.webhooks.models import Delivery, Endpoint

SECRET_COOKIE = "new_webhook_secret"  # noqa: S105  (the cookie's name)
SECRET_COOKIE_SECONDS = 120
DELIVERIES_PER_PAGE = 50


def _url(request, name: str, *args) -> str:
    return reverse(request.workspace.urls[name], args=args)


def _get_endpoint_for_user(request, pk) -> Endpoint:
    return get_object_or_404(Endpoint, organisation=request.organisation, pk=pk)


def _get_delivery_for_user(request, pk) -> Delivery:
    return get_object_or_404(
        Delivery.objects.select_related("endpoint"), endpoint__organisation=request.organisation, pk=pk
    )


def _form(request, data=None, **kwargs) -> WebhookEndpointForm:
    return WebhookEndpointForm(data, event_types=webhooks.event_types_for(request.organisation), **kwargs)


def _apply_errors(form: WebhookEndpointForm, error: webhooks.WebhookError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error))


def _with_secret(response, request, endpoint: Endpoint, secret: str):
    """The secret crosses the redirect in a short-lived signed cookie for the endpoint's page only
    (as API keys do), never in the session table."""
    path = _url(request, "webhook", endpoint.pk)
    response.set_signed_cookie(
        SECRET_COOKIE,
        json.dumps({"pk": endpoint.pk, "secret": secret}),
        salt=SECRET_COOKIE,
        max_age=SECRET_COOKIE_SECONDS,
        path=path,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    return response


def _secret_from_cookie(request, endpoint: Endpoint) -> str | None:
    try:
        value = json.loads(request.get_signed_cookie(SECRET_COOKIE, salt=SECRET_COOKIE, max_age=SECRET_COOKIE_SECONDS))
    except (KeyError, signing.BadSignature, ValueError):
        return None
    return value.get("secret") if value.get("pk") == endpoint.pk else None


@never_cache
def webhooks_page(request):
    endpoints = webhooks.endpoints_for(request.organisation)
    return render(request, "workspace/webhooks.html", {"endpoints": endpoints, "nav": "webhooks"})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def webhook_new(request):
    form = _form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = webhooks.create_endpoint(
                organisation=request.organisation,
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                event_types=form.cleaned_data["event_types"],
                actor=Actor.from_request(request),
            )
        except webhooks.WebhookError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Webhookの送信先を登録しました。"))
            return _with_secret(redirect(_url(request, "webhook", endpoint.pk)), request, endpoint, secret)
    return render(request, "workspace/webhook_form.html", {"form": form, "endpoint": None, "nav": "webhooks"})


@never_cache
@require_http_methods(["GET", "HEAD"])
def webhook_detail(request, pk):
    endpoint = _get_endpoint_for_user(request, pk)
    secret = _secret_from_cookie(request, endpoint) if request.membership.is_admin else None
    page = Paginator(webhooks.deliveries_for(endpoint), DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    response = render(
        request,
        "workspace/webhook.html",
        {"endpoint": endpoint, "secret": secret, "deliveries": page, "nav": "webhooks"},
    )
    if SECRET_COOKIE in request.COOKIES:
        response.delete_cookie(SECRET_COOKIE, path=request.path, samesite="Strict")
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def webhook_edit(request, pk):
    endpoint = _get_endpoint_for_user(request, pk)
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": endpoint.event_types,
        "active": endpoint.active,
    }
    form = _form(request, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            webhooks.update_endpoint(
                endpoint=endpoint,
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                event_types=form.cleaned_data["event_types"],
                active=form.cleaned_data["active"],
                actor=Actor.from_request(request),
            )
        except webhooks.WebhookError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Webhookの送信先を変更しました。"))
            return redirect(_url(request, "webhook", endpoint.pk))
    return render(request, "workspace/webhook_form.html", {"form": form, "endpoint": endpoint, "nav": "webhooks"})


@require_POST
def webhook_delete(request, pk):
    endpoint = _get_endpoint_for_user(request, pk)
    webhooks.delete_endpoint(endpoint=endpoint, actor=Actor.from_request(request))
    messages.success(request, _("Webhookの送信先「%(url)s」を削除しました。") % {"url": endpoint.url})
    return redirect(_url(request, "webhooks"))


@require_POST
def webhook_rotate(request, pk):
    endpoint = _get_endpoint_for_user(request, pk)
    secret = webhooks.rotate_secret(endpoint=endpoint, actor=Actor.from_request(request))
    messages.success(request, _("署名用シークレットを新しくしました。古いシークレットでは検証できなくなります。"))
    return _with_secret(redirect(_url(request, "webhook", endpoint.pk)), request, endpoint, secret)


@require_POST
def webhook_test(request, pk):
    endpoint = _get_endpoint_for_user(request, pk)
    webhooks.send_test(endpoint=endpoint, actor=Actor.from_request(request))
    messages.success(request, _("テストイベントを送信しました。結果は送信履歴に表示されます。"))
    return redirect(_url(request, "webhook", endpoint.pk))


@require_POST
def webhook_redeliver(request, pk):
    delivery = _get_delivery_for_user(request, pk)
    if webhooks.redeliver(delivery=delivery, actor=Actor.from_request(request)):
        messages.success(request, _("再送しました。結果は送信履歴に表示されます。"))
    else:
        messages.info(request, _("この送信はすでに送信待ちです。"))
    return redirect(_url(request, "webhook", delivery.endpoint_id))
