"""Pages a rejected applicant sees, mostly on a phone: the relay landing page with the
registration form, and email verification."""

import threading
from collections import OrderedDict
from functools import lru_cache

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from careerrelay.candidates import services as candidates
from careerrelay.candidates.forms import RegistrationForm, ResendVerificationForm
from careerrelay.candidates.models import Consent
from careerrelay.candidates.notices import NOTICES, notice_for
from careerrelay.candidates.signin import signin_page_url
from careerrelay.common.http import client_ip, user_agent
from careerrelay.common.japanese import normalize_email
from careerrelay.organisations.brand import organisation_brand
from careerrelay.portals.candidate import auth
from careerrelay.relay import services as relay
from careerrelay.relay.figures import threshold as figure_threshold

SENT_COOKIE = "relay_sent_to"
SENT_COOKIE_SECONDS = 3600


def _email_key(group, request):
    return normalize_email(request.POST.get("email", "")) or "-"


def _rate(name):
    return lambda group, request: getattr(settings, name)


@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="ip", rate=_rate("RATE_LIMIT_REGISTRATION_PER_IP"), method="POST", group="registration-ip")
@ratelimit(key=_email_key, rate=_rate("RATE_LIMIT_REGISTRATION_PER_EMAIL"), method="POST", group="registration-email")
def landing(request, code):
    # Both from the per-process lookup (relay/lookup.py); only a GET counts a view.
    campaign = relay.open_campaign(code) if request.method == "GET" else relay.find_open_campaign(code)
    if campaign is None or not campaign.is_active or not campaign.organisation.is_active:
        return render(request, "relay/unavailable.html", status=404)
    if request.method == "POST":
        form = RegistrationForm(request.POST, employer_name=campaign.organisation.name)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if not k.startswith("consent_")}
            consents = {Consent.Purpose.AGENCY_SHARING}
            if form.cleaned_data["consent_employer_recontact"]:
                consents.add(Consent.Purpose.EMPLOYER_RECONTACT)
            candidates.register_candidate(
                campaign=campaign,
                data=data,
                consents=consents,
                ip=client_ip(request),
                user_agent=user_agent(request),
                language=request.LANGUAGE_CODE,
            )
            response = redirect("relay:sent", code=campaign.code)
            # The next page shows the address. A signed cookie for that page alone carries it
            # there: a session would cost every registration two more queries and a commit, and
            # would keep the address on the server for two weeks.
            response.set_cookie(
                SENT_COOKIE,
                signing.dumps(form.cleaned_data["email"], salt=SENT_COOKIE),  # ASCII, whatever the address
                max_age=SENT_COOKIE_SECONDS,
                path=response.url,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
            return response
    else:
        form = None
        if _page_cacheable(request):
            return _cached_landing(request, campaign)
    return render(
        request,
        "relay/landing.html",
        {
            "campaign": campaign,
            "employer": campaign.organisation,
            "brand": organisation_brand(campaign.organisation),
            "form": form,
            "form_html": _form_html(form, campaign.organisation.name),
            "figure_threshold": figure_threshold(),
        },
    )


# --- The blank landing page, rendered once per process -------------------------------------------
# Most visitors arrive from a mail app with no cookies, and their page differs from anybody
# else's only in its CSRF token. So the page is rendered once per (language, campaign, its message,
# employer name and brand, URL) with a placeholder for the token, and each request only puts its
# own token in. Everything the HTML depends on is in the key. The campaign and the employer's name
# and brand come from the per-process lookup (relay/lookup.py), which every change to a campaign or
# a company invalidates at once through the lookup generation (an entry is used 60 s at most), so a
# rename, a new logo or a disabled link shows from the next request in every process.

CSRF_PLACEHOLDER = "csrf-token-placeholder-6b1d0e"
_PAGE_CACHE_SIZE = 512
_page_cache: OrderedDict[tuple, str] = OrderedDict()
_page_cache_lock = threading.Lock()


def _page_cacheable(request) -> bool:
    # A visitor with a session or pending messages may see something of their own (a flash
    # message); they get the page rendered for them.
    cookies = request.COOKIES
    return not settings.DEBUG and settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def _cached_landing(request, campaign) -> HttpResponse:
    brand = organisation_brand(campaign.organisation)
    key = (
        get_language(),
        campaign.pk,
        campaign.code,
        campaign.organisation.name,
        campaign.message,
        brand,
        request.get_full_path(),
        figure_threshold(),
    )
    with _page_cache_lock:
        html = _page_cache.get(key)
        if html is not None:
            _page_cache.move_to_end(key)
    if html is None:
        html = render_to_string(
            "relay/landing.html",
            {
                "campaign": campaign,
                "employer": campaign.organisation,
                "brand": brand,
                "form": None,
                "form_html": _form_html(None, campaign.organisation.name),
                "figure_threshold": figure_threshold(),
                "csrf_token": CSRF_PLACEHOLDER,
            },
            request,
        )
        with _page_cache_lock:
            _page_cache[key] = html
            while len(_page_cache) > _PAGE_CACHE_SIZE:
                _page_cache.popitem(last=False)
    return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))


def _form_html(form, employer_name):
    if form is None and not settings.DEBUG:  # while developing, edited templates show at once
        return _blank_form_html(get_language(), employer_name)
    return _render_form(form or RegistrationForm(employer_name=employer_name), employer_name)


@lru_cache(maxsize=_PAGE_CACHE_SIZE)
def _blank_form_html(language, employer_name):
    """The empty form is the same for every visitor of a company's links in a language (the CSRF
    token stays outside it; the re-contact consent names the company), so each process renders it
    once: its widgets, 47 prefectures among them, were most of the landing page's time under load
    (bench/RESULTS.md)."""
    with override(language):
        return _render_form(RegistrationForm(employer_name=employer_name), employer_name)


def _render_form(form, employer_name):
    return render_to_string(
        "relay/_registration_fields.html",
        {
            "form": form,
            "notices": [notice_for(purpose, employer_name) for purpose in NOTICES],
            "employer_name": employer_name,
            "notice_version": settings.PRIVACY_NOTICE_VERSION,
        },
    )


def sent(request, code):
    campaign = relay.find_campaign(code)
    return render(
        request,
        "relay/sent.html",
        {"campaign": campaign, "email": _sent_to(request)},
    )


def _sent_to(request) -> str:
    try:
        return signing.loads(request.COOKIES.get(SENT_COOKIE, ""), salt=SENT_COOKIE, max_age=SENT_COOKIE_SECONDS)
    except signing.BadSignature:
        return ""


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request, token):
    """GET only shows a button: mail scanners that follow links must not verify anybody.

    The button's POST also signs the person in, in this browser, and opens their my page: the
    single-use token was mailed to the address, which is what a sign-in link proves too, so a
    second email right after the first would only cost the newcomer a round trip. The session is
    the sign-in's own (auth.sign_in: a new session key, the same idle and absolute time-outs), and
    only while the email is as fresh as a sign-in link; later the sign-in page opens, filled in."""
    if request.method == "POST":
        state, candidate = candidates.verify_email(token)
        if state is candidates.TokenState.VALID:
            name = candidate.family_name
            welcome = _("%(name)s様、ご登録ありがとうございます。登録が完了しました。") % {"name": name}
            if candidates.confirmation_signs_in(token):
                auth.sign_in(request, candidate)
                messages.success(request, welcome)
                return redirect("candidate:home")
            messages.success(request, welcome + _("マイページへは、メールでお送りするリンクからログインしてください。"))
            return redirect(signin_page_url(candidate.email))
    else:
        state, _row = candidates.inspect_token(token)
        if state is candidates.TokenState.VALID:
            return render(request, "relay/verify_confirm.html", {"token": token})
    return render(
        request, "relay/verify_failed.html", {"state": state.value, "form": ResendVerificationForm()}, status=400
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="ip", rate=_rate("RATE_LIMIT_RESEND_PER_IP"), method="POST", group="resend-ip")
@ratelimit(key=_email_key, rate=_rate("RATE_LIMIT_RESEND_PER_EMAIL"), method="POST", group="resend-email")
def resend(request):
    form = ResendVerificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        candidates.resend_verification(form.cleaned_data["email"])
        return render(request, "relay/resend_done.html", {"email": form.cleaned_data["email"]})
    return render(request, "relay/resend.html", {"form": form})
