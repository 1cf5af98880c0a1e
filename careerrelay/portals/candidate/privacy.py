"""The candidate's privacy pages under /me/: consents, who received my data, download, deletion."""

import json

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careerrelay.audit.services import Action, Actor, record_event
from careerrelay.candidates.models import Consent
from careerrelay.candidates.notices import NOTICES, notice_for
from careerrelay.candidates.services import recontact_employer_name
from careerrelay.portals.candidate import auth
from careerrelay.portals.candidate.auth import candidate_required
from careerrelay.privacy import services as privacy
from careerrelay.privacy.deletion import delete_candidate
from careerrelay.privacy.export import export_candidate, readable_export
from careerrelay.privacy.forms import DeleteAccountForm, ReconsentForm
from careerrelay.privacy.models import ProvisionRecord


def _notice_or_404(purpose, candidate):
    """The notice as this person sees it (the re-contact one names their company). A person who
    did not register through a company's link has no company to give the re-contact consent to."""
    if purpose not in NOTICES:
        raise Http404
    employer = recontact_employer_name(candidate) if purpose == Consent.Purpose.EMPLOYER_RECONTACT else ""
    if purpose == Consent.Purpose.EMPLOYER_RECONTACT and not employer:
        raise Http404
    return notice_for(purpose, employer)


@require_GET
@candidate_required
@privacy.reconsent_exempt
def consents(request):
    candidate = request.candidate
    latest = privacy.latest_consents(candidate)
    employer = recontact_employer_name(candidate)
    rows = []
    for purpose in NOTICES:
        current = latest.get(purpose)
        active = current is not None and current.action == Consent.Action.GRANT
        if purpose == Consent.Purpose.EMPLOYER_RECONTACT and not employer and not active:
            continue  # registered without a company's link: nobody to be contacted by
        notice = notice_for(purpose, employer if purpose == Consent.Purpose.EMPLOYER_RECONTACT else "")
        rows.append(
            {
                "notice": notice,
                "title": Consent.Purpose(purpose).label,
                "current": current,
                "active": active,
                "outdated": active and current.notice_version != notice.version,
                "employer": employer if purpose == Consent.Purpose.EMPLOYER_RECONTACT else "",
            }
        )
    history = candidate.consents.order_by("-created_at", "-id")
    return render(
        request,
        "candidate/privacy/consents.html",
        {"nav": "consents", "rows": rows, "history": history, "current_version": settings.PRIVACY_NOTICE_VERSION},
    )


@require_POST
@candidate_required
@privacy.reconsent_exempt
def consent_grant(request, purpose):
    _notice_or_404(purpose, request.candidate)
    privacy.grant_consent(candidate=request.candidate, purpose=purpose, actor=Actor.from_request(request))
    messages.success(request, _("「%(label)s」に同意しました。") % {"label": Consent.Purpose(purpose).label})
    return redirect("candidate:consents")


@require_http_methods(["GET", "HEAD", "POST"])
@candidate_required
@privacy.reconsent_exempt
def consent_withdraw(request, purpose):
    candidate = request.candidate
    if purpose not in NOTICES:
        raise Http404
    if not privacy.active_grant(candidate, purpose):
        messages.info(request, _("この同意はすでに撤回されています。"))
        return redirect("candidate:consents")
    employer = recontact_employer_name(candidate) if purpose == Consent.Purpose.EMPLOYER_RECONTACT else ""
    notice = notice_for(purpose, employer)
    # Only the organisations that received the data under THIS consent get a stop-use notice.
    recipients = (
        ProvisionRecord.objects.filter(subject_key=candidate.public_id, purpose=purpose)
        .values_list("recipient_organisation__name", flat=True)
        .distinct()
    )
    if request.method == "POST":
        privacy.withdraw_consent(candidate=candidate, purpose=purpose, actor=Actor.from_request(request))
        if purpose == Consent.Purpose.EMPLOYER_RECONTACT:
            if recipients.exists():
                message = _(
                    "同意を撤回しました。%(employer)sの「再応募歓迎」の一覧からすぐに外れ、案内メールの対象からも外れました。"
                    "%(employer)sには、受け取った情報の利用の停止を求める通知を送りました。"
                )
            else:
                message = _(
                    "同意を撤回しました。%(employer)sの「再応募歓迎」の一覧からすぐに外れました。"
                    "%(employer)sはあなたの情報をまだ受け取っていないため、停止の通知は送っていません。"
                )
            messages.success(request, message % {"employer": employer or _("応募先企業")})
        elif recipients.exists():  # the withdrawal sent a stop-use notice to each of them
            messages.success(
                request,
                _(
                    "同意を撤回しました。あなたのプロフィールは人材紹介会社から見えなくなりました。"
                    "すでに情報を受け取った会社には、利用の停止を求める通知を送りました。"
                ),
            )
        else:
            messages.success(
                request,
                _(
                    "同意を撤回しました。あなたのプロフィールは人材紹介会社から見えなくなりました。"
                    "あなたの情報を受け取った会社はないため、停止の通知は送っていません。"
                ),
            )
        return redirect("candidate:consents")
    return render(
        request,
        "candidate/privacy/withdraw_confirm.html",
        {
            "nav": "consents",
            "notice": notice,
            "is_agency_sharing": purpose == Consent.Purpose.AGENCY_SHARING,
            "is_recontact": purpose == Consent.Purpose.EMPLOYER_RECONTACT,
            "employer": employer,
            "recipients": sorted(recipients),
        },
    )


def _safe_next(request, default):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@require_http_methods(["GET", "HEAD", "POST"])
@candidate_required
@privacy.reconsent_exempt
def reconsent(request):
    candidate = request.candidate
    purposes = privacy.outdated_purposes(candidate)
    next_url = _safe_next(request, reverse("candidate:home"))
    if not purposes:
        return redirect(next_url)
    form = ReconsentForm(request.POST or None, purposes=purposes, employer_name=recontact_employer_name(candidate))
    if request.method == "POST" and form.is_valid():
        actor = Actor.from_request(request)
        for purpose in purposes:
            if form.cleaned_data[purpose]:
                privacy.grant_consent(candidate=candidate, purpose=purpose, actor=actor)
            else:
                privacy.withdraw_consent(candidate=candidate, purpose=purpose, actor=actor)
        messages.success(request, _("同意の内容を保存しました。"))
        return redirect(next_url)
    return render(
        request,
        "candidate/privacy/reconsent.html",
        {"nav": "consents", "form": form, "next": next_url, "version": settings.PRIVACY_NOTICE_VERSION},
    )


@require_GET
@candidate_required
@privacy.reconsent_exempt
def provisions(request):
    records = (
        ProvisionRecord.objects.filter(subject_key=request.candidate.public_id)
        .select_related("recipient_organisation")
        .order_by("-created_at", "-id")
    )
    return render(request, "candidate/privacy/provisions.html", {"nav": "provisions", "records": records})


@require_GET
@candidate_required
@privacy.reconsent_exempt
def data(request):
    return render(request, "candidate/privacy/data.html", {"nav": "data"})


def _audit_export(request, fmt):
    record_event(
        actor=Actor.from_request(request),
        action=Action.EXPORT,
        subject_key=request.candidate.public_id,
        object_type="candidate",
        format=fmt,
    )


def _filename(ext):
    return f"careerrelay-mydata-{timezone.localdate():%Y%m%d}.{ext}"


@require_POST
@candidate_required
@privacy.reconsent_exempt
def data_json(request):
    payload = export_candidate(request.candidate)
    _audit_export(request, "json")
    response = HttpResponse(
        json.dumps(payload, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("json")}"'
    return response


@require_POST
@candidate_required
@privacy.reconsent_exempt
def data_html(request):
    payload = export_candidate(request.candidate)
    _audit_export(request, "html")
    html = render_to_string("candidate/privacy/export.html", {"data": readable_export(payload)}, request=request)
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("html")}"'
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@candidate_required
@privacy.reconsent_exempt
def delete(request):
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        delete_candidate(request.candidate, actor=Actor.from_request(request))
        auth.sign_out(request)
        return redirect("candidate:deleted")
    return render(request, "candidate/privacy/delete.html", {"nav": "delete", "form": form})


@require_GET
def deleted(request):
    return render(request, "candidate/privacy/deleted.html")
