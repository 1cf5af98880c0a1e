"""The candidate's own area: email-link sign-in, sessions, profile, résumé, introductions."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from careerrelay.portals.candidate import auth
from careerrelay.portals.candidate.auth import candidate_required


@candidate_required
def home(request):
    return render(request, "candidate/home.html", {"nav": "home"})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def signin(request):
    return render(request, "candidate/signin.html", {})


@require_POST
def signout(request):
    auth.sign_out(request)
    messages.info(request, _("ログアウトしました。"))
    return redirect("candidate:signin")


@require_POST
@candidate_required
def signout_everywhere(request):
    auth.sign_out_everywhere(request, request.candidate)
    messages.info(request, _("すべての端末でログアウトしました。"))
    return redirect("candidate:signin")
