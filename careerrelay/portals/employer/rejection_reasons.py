"""The company's own list of structured rejection reasons (不採用理由の設定).

Every member sees the list; admins change it, since a renamed or retired reason changes what
everyone's applicants show. A retired reason stays on the applications that have it.
"""

from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from careerrelay.audit.actor import Actor
from careerrelay.organisations.models import Membership
from careerrelay.portals.workspace.access import employer_view, forbidden
from careerrelay.talent import services
from careerrelay.talent.forms import ReasonForm
from careerrelay.talent.models import RejectionReason

NAV = "rejection_reasons"
ADMIN = Membership.Role.ADMIN


def _get_reason_for_user(request, pk) -> RejectionReason:
    reason = services.get_reason(organisation=request.organisation, pk=pk)
    if reason is None:
        raise Http404
    return reason


@never_cache
@employer_view()
@require_http_methods(["GET", "HEAD", "POST"])
def reason_list(request):
    form = ReasonForm(request.POST or None, prefix="new")
    if request.method == "POST":
        if not request.membership.is_admin:
            return forbidden(request)
        if form.is_valid():
            try:
                reason = services.add_reason(
                    organisation=request.organisation,
                    label=form.cleaned_data["label"],
                    kind=form.cleaned_data["kind"],
                    actor=Actor.from_request(request),
                )
            except services.DuplicateReasonLabel as exc:
                form.add_error("label", str(exc))
            else:
                messages.success(request, _("「%(label)s」を追加しました。") % {"label": reason.label})
                return redirect("employer:rejection_reasons")
    reasons = services.rejection_reasons_for(request.organisation, include_retired=True).annotate(
        used=Count("applications")
    )
    return render(
        request,
        "employer/rejection_reasons.html",
        {"reasons": reasons, "form": form, "nav": NAV},
        status=400 if form.errors else 200,
    )


@never_cache
@employer_view(ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def reason_edit(request, pk):
    reason = _get_reason_for_user(request, pk)
    form = ReasonForm(request.POST or None, instance=reason)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_reason(
                reason=reason,
                label=form.cleaned_data["label"],
                kind=form.cleaned_data["kind"],
                actor=Actor.from_request(request),
            )
        except services.DuplicateReasonLabel as exc:
            form.add_error("label", str(exc))
        else:
            messages.success(request, _("不採用理由を更新しました。"))
            return redirect("employer:rejection_reasons")
    return render(request, "employer/rejection_reason_form.html", {"form": form, "reason": reason, "nav": NAV})


@employer_view(ADMIN)
@require_POST
def reason_move(request, pk):
    reason = _get_reason_for_user(request, pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    services.move_reason(reason=reason, offset=offset, actor=Actor.from_request(request))
    return redirect("employer:rejection_reasons")


@employer_view(ADMIN)
@require_POST
def reason_set_active(request, pk):
    reason = _get_reason_for_user(request, pk)
    active = request.POST.get("active") == "1"
    services.set_reason_active(reason=reason, active=active, actor=Actor.from_request(request))
    if active:
        messages.success(request, _("「%(label)s」を再び使えるようにしました。") % {"label": reason.label})
    else:
        messages.success(
            request,
            _("「%(label)s」の使用をやめました。これまでの応募にはそのまま残ります。") % {"label": reason.label},
        )
    return redirect("employer:rejection_reasons")
