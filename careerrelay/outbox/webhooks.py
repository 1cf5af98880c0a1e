"""The mail providers' tracking webhooks: django-anymail's own views, each behind a guard.

Anymail accepts a webhook from anyone when no secret is configured (it only warns), and answers a
failed check with 400. An event here suppresses addresses and can pause a company's sends, so the
guard answers 404 for a provider whose authentication is not configured, 401 (with a basic-auth
challenge, which Amazon SNS and Postmark need before they send credentials) without credentials,
and 403 when a secret or signature does not match. Nothing is recorded in any of these cases.

What each provider can prove (docs/operations.md says where to set it):
- every provider: HTTP basic auth in the webhook URL, MAIL_WEBHOOK_SECRET (anymail's WEBHOOK_SECRET);
- Mailgun: its HMAC signature with the webhook signing key (required);
- Resend: its Svix signature with the signing secret;
- SendGrid: its signed event webhook (ECDSA) with the verification key;
- Amazon SES (through SNS), Postmark and Brevo sign nothing anymail can check: basic auth only.
"""

import json
import warnings

from anymail.exceptions import AnymailAPIError, AnymailWebhookValidationFailure
from anymail.utils import get_anymail_setting
from anymail.webhooks.amazon_ses import AmazonSESTrackingWebhookView
from anymail.webhooks.brevo import BrevoTrackingWebhookView
from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from anymail.webhooks.resend import ResendTrackingWebhookView
from anymail.webhooks.sendgrid import SendGridTrackingWebhookView
from django.http import Http404, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

# Anymail 15 warns on every SendGrid request that it no longer tests SendGrid itself; the
# webhook format has not changed (tests/outbox/test_provider_events.py posts SendGrid's own).
warnings.filterwarnings("ignore", message="django-anymail has dropped official support for SendGrid")

# provider: (anymail's view, the setting of its own signature or None)
PROVIDERS = {
    "amazon_ses": (AmazonSESTrackingWebhookView, None),
    "brevo": (BrevoTrackingWebhookView, None),
    "mailgun": (MailgunTrackingWebhookView, "MAILGUN_WEBHOOK_SIGNING_KEY"),
    "postmark": (PostmarkTrackingWebhookView, None),
    "resend": (ResendTrackingWebhookView, "RESEND_SIGNING_SECRET"),
    "sendgrid": (SendGridTrackingWebhookView, "SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY"),
}
# Mailgun's views need the signing key whatever else is set.
SIGNATURE_REQUIRED = {"mailgun"}


def _setting(name: str):
    return get_anymail_setting(name.lower(), default=None)


def authentication_configured(provider: str) -> bool:
    _view, signature = PROVIDERS[provider]
    signed = bool(signature and _setting(signature))
    if provider in SIGNATURE_REQUIRED:
        return signed
    return signed or bool(_setting("WEBHOOK_SECRET"))


def _challenge() -> HttpResponse:
    response = HttpResponse(status=401)
    response["WWW-Authenticate"] = 'Basic realm="CareerRelay mail events"'
    return response


def _readable(provider: str, request) -> bool:
    """Whether the body has the shape the provider posts: a JSON array of objects (SendGrid) or
    a JSON object (the others; Mailgun's legacy form posts aside). Anymail's parsers assume it and
    raise TypeError or AttributeError on anything else, and Amazon SES's parser runs before the
    basic-auth check: without this, anyone could turn the endpoint's answer into a 500."""
    if provider == "mailgun" and request.content_type != "application/json":
        return True
    try:
        data = json.loads(request.body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False
    if provider == "sendgrid":
        return isinstance(data, list) and all(isinstance(item, dict) for item in data)
    return isinstance(data, dict)


def guarded(provider: str):
    view_class, _signature = PROVIDERS[provider]
    view = view_class.as_view()

    @csrf_exempt
    def tracking_webhook(request):
        if not authentication_configured(provider):
            raise Http404
        if _setting("WEBHOOK_SECRET") and "HTTP_AUTHORIZATION" not in request.META:
            return _challenge()
        if request.method == "POST" and not _readable(provider, request):
            return HttpResponse(status=400)
        try:
            return view(request)
        except AnymailWebhookValidationFailure:
            return HttpResponse(status=403)
        except AnymailAPIError:
            # Anymail's word for a body it cannot read (an SNS message without its type, say).
            return HttpResponse(status=400)

    return tracking_webhook


app_name = "mail_hooks"
urlpatterns = [path(f"{provider}/tracking/", guarded(provider), name=f"{provider}_tracking") for provider in PROVIDERS]
