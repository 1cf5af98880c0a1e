"""The candidate's own area under /me/: email-link sign-in, sessions, profile, résumé, introductions.

Every page but sign-in is wrapped in auth.candidate_required and works only on request.candidate,
so no URL carries another person's id.
"""

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from careerrelay.candidates import profiles, resumes
from careerrelay.candidates import signin as links
from careerrelay.candidates.forms import (
    EmailChangeForm,
    ProfileForm,
    ResumeForm,
    SignInForm,
    WorkHistoryFormSet,
    cleaned_work_history,
    work_history_initial,
)
from careerrelay.candidates.models import Consent, Resume
from careerrelay.candidates.services import recontact_employer_name
from careerrelay.portals.candidate import auth
from careerrelay.portals.candidate.auth import candidate_required
from careerrelay.portals.candidate.views import _email_key, _rate
from careerrelay.privacy import access
from careerrelay.privacy import services as privacy

# The browser that asks for a link keeps this nonce; the link works only where it is.
NONCE_COOKIE = "cr_signin_nonce"


def _safe_next(request, value):
    if value and value.startswith("/me/") and url_has_allowed_host_and_scheme(value, allowed_hosts=None):
        return value
    return ""


# --- Sign-in -----------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="ip", rate=_rate("RATE_LIMIT_SIGNIN_PER_IP"), method="POST", group="signin-ip")
@ratelimit(key=_email_key, rate=_rate("RATE_LIMIT_SIGNIN_PER_EMAIL"), method="POST", group="signin-email")
def signin(request):
    """The same answer for every address, registered or not: "check your mailbox"."""
    candidate, _reason = auth.current_candidate(request)
    if candidate is not None and request.method != "POST":
        return redirect("candidate:home")
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        nonce = request.COOKIES.get(NONCE_COOKIE) or links.new_browser_nonce()
        links.request_signin_link(email=form.cleaned_data["email"], browser_nonce=nonce, language=request.LANGUAGE_CODE)
        request.session["candidate_signin_next"] = _safe_next(request, request.POST.get("next", ""))
        response = render(
            request,
            "candidate/signin_sent.html",
            {"email": form.cleaned_data["email"], "minutes": settings.CANDIDATE_SIGNIN_TOKEN_MINUTES},
        )
        response.set_cookie(
            NONCE_COOKIE,
            nonce,
            max_age=settings.CANDIDATE_SIGNIN_TOKEN_MINUTES * 60,
            httponly=True,
            secure=request.is_secure(),
            samesite="Lax",
        )
        return response
    return render(
        request, "candidate/signin.html", {"form": form, "next": _safe_next(request, request.GET.get("next", ""))}
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def signin_link(request, token):
    """GET shows a button; only its POST signs in (mail scanners follow links, they do not press buttons)."""
    nonce = request.COOKIES.get(NONCE_COOKIE, "")
    email = ""
    if request.method == "POST":
        state, candidate = links.consume_signin_link(token, nonce)
        if state is links.TokenState.VALID:
            next_path = request.session.pop("candidate_signin_next", "")
            auth.sign_in(request, candidate)
            response = redirect(next_path or "candidate:home")
            response.delete_cookie(NONCE_COOKIE, samesite="Lax")
            return response
    else:
        state, row = links.inspect_signin_link(token, nonce)
        if state is links.TokenState.VALID:
            return render(request, "candidate/signin_confirm.html")
        # A spent link, or one opened in another browser (a mail app's): the form for a new link
        # comes filled in. Whoever holds the link has the mail it came in, address and all.
        email = row.candidate.email if row else ""
    return render(
        request,
        "candidate/signin_failed.html",
        {
            "state": state.value,
            "form": SignInForm(initial={"email": email}),
            "minutes": settings.CANDIDATE_SIGNIN_TOKEN_MINUTES,
        },
        status=400,
    )


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


# --- Account: email address and sessions ---------------------------------------------------------


def _candidate_key(group, request):
    return str(request.candidate.pk)


@candidate_required
@require_http_methods(["GET", "HEAD", "POST"])
# Each request mails an address the person typed: limited like sign-in links, per address and per person.
@ratelimit(key=_email_key, rate=_rate("RATE_LIMIT_SIGNIN_PER_EMAIL"), method="POST", group="email-change-email")
@ratelimit(key=_candidate_key, rate=_rate("RATE_LIMIT_SIGNIN_PER_EMAIL"), method="POST", group="email-change-person")
def account(request):
    form = EmailChangeForm(request.POST or None, candidate=request.candidate)
    if request.method == "POST" and form.is_valid():
        links.request_email_change(candidate=request.candidate, new_email=form.cleaned_data["email"])
        messages.success(
            request,
            _("%(email)s に確認メールを送りました。メール内のリンクを開き、ボタンを押すと変更が完了します。")
            % {"email": form.cleaned_data["email"]},
        )
        return redirect("candidate:account")
    return render(request, "candidate/account.html", {"nav": "account", "form": form})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def email_confirm(request, token):
    """The link in the mail to the new address. Possession of that mailbox is the proof, so it works
    without being signed in; the change happens only on the POST."""
    if request.method == "POST":
        state, candidate = links.confirm_email_change(token)
        if state is links.TokenState.VALID:
            return render(request, "candidate/email_changed.html", {"candidate": candidate})
    else:
        state, row = links.inspect_email_change(token)
        if state is links.TokenState.VALID:
            return render(request, "candidate/email_confirm.html", {"new_email": row.new_email})
    return render(request, "candidate/email_failed.html", {"state": state.value}, status=400)


# --- Profile -------------------------------------------------------------------------------------


@candidate_required
@require_http_methods(["GET", "HEAD", "POST"])
def home(request):
    candidate = request.candidate
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=candidate)
        formset = WorkHistoryFormSet(request.POST, prefix="history")
        if form.is_valid() and formset.is_valid():
            data = {name: form.cleaned_data[name] for name in profiles.PROFILE_FIELDS}
            changed = profiles.update_profile(
                candidate=candidate,
                data=data,
                skills=form.cleaned_data["skills_text"],
                work_history=cleaned_work_history(formset),
            )
            messages.success(request, _("プロフィールを保存しました。") if changed else _("変更はありませんでした。"))
            return redirect("candidate:home")
        # ModelForm validation wrote the typed values onto the instance; the header shows the saved ones.
        candidate.refresh_from_db()
    else:
        form = ProfileForm(instance=candidate)
        formset = WorkHistoryFormSet(initial=work_history_initial(candidate), prefix="history")
    grant = privacy.active_grant(candidate, Consent.Purpose.EMPLOYER_RECONTACT)
    # The company that may contact the person (and open this profile): named, with its withdraw link.
    recontact_company = recontact_employer_name(candidate) if grant is not None else ""
    return render(
        request,
        "candidate/home.html",
        {"nav": "home", "form": form, "formset": formset, "recontact_company": recontact_company},
    )


# --- Résumé --------------------------------------------------------------------------------------


@candidate_required
@require_http_methods(["GET", "HEAD", "POST"])
def resume(request):
    candidate = request.candidate
    form = ResumeForm(request.POST, request.FILES) if request.method == "POST" else ResumeForm()
    if request.method == "POST" and form.is_valid():
        try:
            resumes.save_resume(candidate=candidate, upload=form.cleaned_data["file"])
        except resumes.ResumeRejected as rejected:
            form.add_error("file", rejected.message)
        else:
            messages.success(request, _("履歴書をアップロードしました。"))
            return redirect("candidate:resume")
    current = Resume.objects.filter(candidate=candidate).first()
    status = 400 if form.errors else 200
    return render(request, "candidate/resume.html", {"nav": "resume", "form": form, "resume": current}, status=status)


@candidate_required
@require_http_methods(["GET", "HEAD"])
def resume_download(request):
    try:
        opened = access.open_resume_for(request.candidate, request.candidate)
    except Resume.DoesNotExist:
        raise Http404 from None
    response = FileResponse(opened.file, as_attachment=True, filename=opened.filename, content_type=opened.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_POST
@candidate_required
def resume_delete(request):
    if resumes.delete_resume(candidate=request.candidate):
        messages.success(request, _("履歴書を削除しました。"))
    return redirect("candidate:resume")


# Introductions (/me/introductions/) live in careerrelay/portals/candidate/introductions.py.
