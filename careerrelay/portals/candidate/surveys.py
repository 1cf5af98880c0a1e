"""The survey a message's {{survey_link}} opens: no sign-in, the link's unguessable token is the
only key, and a second answer replaces the first. Mostly opened on a phone.

Nothing about the visitor is kept with the answer (no address, no browser), and the page is
never cached; the token stays out of the Referer header of anything outside the site."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from careerrelay.surveys import services as surveys
from careerrelay.surveys.forms import SurveyForm

QUESTIONS = {
    surveys.Kind.SELECTION: _("この企業の選考を友人に勧めますか？"),
    surveys.Kind.SERVICE: _("キャリアリレーを友人や知人に勧めますか？"),
}


# The link an editor's preview shows (surveys.services.preview_survey_url), opening a page that says so.
PREVIEW_TOKEN = "preview"  # noqa: S105 -- not a secret


def _rate(name):
    return lambda group, request: getattr(settings, name)


def _link_key(group, request):
    return request.resolver_match.kwargs.get("token", "-")[:100]


def _find(request, token):
    invitation = surveys.find_invitation(token)
    if invitation is None:
        return None
    # The letter's language, unless the visitor chose one with the language switch.
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        translation.activate(invitation.language)
        request.LANGUAGE_CODE = translation.get_language()
    return invitation


def _context(invitation, form, **extra):
    return {
        "invitation": invitation,
        "form": form,
        "company": invitation.organisation.name if invitation.organisation else "",
        "answered": hasattr(invitation, "response"),
        **extra,
    }


def _no_referrer(response):
    # Not "no-referrer": browsers then send `Origin: null` with the form, which CSRF refuses.
    # "same-origin" keeps the token in the page's own requests and out of every other site's.
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="ip", rate=_rate("RATE_LIMIT_SURVEY_PER_IP"), method="POST", group="survey-ip")
@ratelimit(key=_link_key, rate=_rate("RATE_LIMIT_SURVEY_PER_LINK"), method="POST", group="survey-link")
def answer(request, token):
    if token == PREVIEW_TOKEN:
        return _no_referrer(render(request, "surveys/preview.html"))
    invitation = _find(request, token)
    if invitation is None:
        return render(request, "sends/link_invalid.html", status=404)
    kind = invitation.kind
    if request.method == "POST":
        form = SurveyForm(request.POST, kind=kind, question=QUESTIONS[kind])
        if form.is_valid():
            surveys.save_answer(invitation=invitation, **form.cleaned_data)
            return redirect("surveys:thanks", token=token)
    else:
        # An empty form even after an answer: the link sits in a mail that may be forwarded or
        # quoted in a reply to the employer, and whoever holds it must not read the answer back.
        form = SurveyForm(kind=kind, question=QUESTIONS[kind])
    return _no_referrer(render(request, "surveys/answer.html", _context(invitation, form)))


@never_cache
def thanks(request, token):
    invitation = _find(request, token)
    if invitation is None:
        return render(request, "sends/link_invalid.html", status=404)
    if not hasattr(invitation, "response"):
        return redirect("surveys:answer", token=token)
    return _no_referrer(render(request, "surveys/thanks.html", _context(invitation, None)))
