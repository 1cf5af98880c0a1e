"""The candidate's session.

Candidates are not Django auth users (employers and agency staff are): a candidate's sign-in is
a few keys in the ordinary session, so an employer signed in on the same browser is a separate
matter. Time-outs are enforced here, on the server, not by cookie expiry.

    @candidate_required
    def my_view(request):
        request.candidate  # the signed-in Candidate
"""

import time
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from careerrelay.candidates.models import Candidate
from careerrelay.privacy.services import note_candidate_activity, reconsent_redirect

SESSION_CANDIDATE = "candidate_id"
SESSION_GENERATION = "candidate_generation"
SESSION_STARTED = "candidate_started"
SESSION_SEEN = "candidate_seen"
_KEYS = (SESSION_CANDIDATE, SESSION_GENERATION, SESSION_STARTED, SESSION_SEEN)


def idle_seconds():
    return settings.CANDIDATE_SESSION_IDLE_MINUTES * 60


def absolute_seconds():
    return settings.CANDIDATE_SESSION_MAX_HOURS * 3600


def sign_in(request, candidate: Candidate) -> None:
    """A new session key, so a key planted before sign-in (session fixation) is worthless."""
    _forget(request)
    request.session.cycle_key()
    now = int(time.time())
    request.session[SESSION_CANDIDATE] = candidate.pk
    request.session[SESSION_GENERATION] = candidate.session_generation
    request.session[SESSION_STARTED] = now
    request.session[SESSION_SEEN] = now
    Candidate.objects.filter(pk=candidate.pk).update(last_signed_in_at=timezone.now())
    note_candidate_activity(candidate)  # restarts the retention clock, cancels a pending deletion
    request.candidate = candidate


def sign_out(request) -> None:
    _forget(request)
    request.session.cycle_key()
    request.candidate = None


def sign_out_everywhere(request, candidate: Candidate) -> None:
    """Every session of this candidate, on every device, stops being valid (this one too)."""
    from django.db.models import F

    Candidate.objects.filter(pk=candidate.pk).update(session_generation=F("session_generation") + 1)
    sign_out(request)


def _forget(request):
    for key in _KEYS:
        request.session.pop(key, None)


def current_candidate(request) -> tuple[Candidate | None, str]:
    """(candidate, "") when signed in, else (None, reason) with reason "", "idle", "expired" or "revoked"."""
    session = request.session
    candidate_id = session.get(SESSION_CANDIDATE)
    if candidate_id is None:
        return None, ""
    now = int(time.time())
    started = session.get(SESSION_STARTED, 0)
    seen = session.get(SESSION_SEEN, 0)
    if now - started >= absolute_seconds():
        _forget(request)
        return None, "expired"
    if now - seen >= idle_seconds():
        _forget(request)
        return None, "idle"
    candidate = Candidate.objects.filter(pk=candidate_id).first()
    if candidate is None or candidate.session_generation != session.get(SESSION_GENERATION):
        _forget(request)
        return None, "revoked"
    if now - seen >= 30:  # one session write per half minute, not one per request
        session[SESSION_SEEN] = now
    return candidate, ""


TIMEOUT_MESSAGES = {
    "idle": _("しばらく操作がなかったため、ログアウトしました。もう一度ログインしてください。"),
    "expired": _("ログインの有効期限が切れました。もう一度ログインしてください。"),
    "revoked": _("ログアウトされました。もう一度ログインしてください。"),
}


def signin_url(next_path: str = "") -> str:
    url = reverse("candidate:signin")
    if next_path:
        url += "?" + urlencode({"next": next_path})
    return url


def candidate_required(view):
    """Puts the signed-in Candidate on request.candidate, or sends the visitor to the sign-in page.

    Employer and agency users (Django users) are not candidates and are sent to sign-in too.
    """

    @never_cache
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        candidate, reason = current_candidate(request)
        if candidate is None:
            if reason:
                messages.info(request, TIMEOUT_MESSAGES[reason])
            next_path = request.get_full_path() if request.method == "GET" else ""
            return redirect(signin_url(next_path))
        request.candidate = candidate
        # A consent given under an older privacy notice: ask again before anything else.
        reconsent = reconsent_redirect(request, view)
        if reconsent is not None:
            return reconsent
        return view(request, *args, **kwargs)

    return wrapper
