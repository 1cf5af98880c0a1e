"""Follow-up steps (re-challenge mails) in the employer workspace: the list with upcoming, sent
and skipped counts per step, where the 「募集中の求人」 link points, adding and editing a step,
turning one on or off.

Included from careerrelay/portals/employer/urls.py under "followups/". Every member sees the
list; changing what is mailed automatically in the company's name is for admins, like the
company's reply-to address. Steps are reached only through `_get_step_for_user`, filtered by
the request's organisation, so another company's steps are simply not found (404).
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from careerrelay.audit.actor import Actor
from careerrelay.followups import services as followups
from careerrelay.followups.forms import FollowupSettingsForm, FollowupStepForm
from careerrelay.followups.models import FollowupStep
from careerrelay.organisations.models import Membership
from careerrelay.portals.workspace.access import employer_view

NAV = "followups"
ADMIN = Membership.Role.ADMIN


def _get_step_for_user(request, pk) -> FollowupStep:
    return get_object_or_404(followups.steps_for(request.organisation), pk=pk)


def _list_context(request, settings_form=None):
    organisation = request.organisation
    steps = list(followups.steps_for(organisation))
    counts = followups.counts_for(steps)
    current = followups.settings_for(organisation)
    return {
        "nav": NAV,
        "rows": [(step, counts[step.pk], followups.skip_reasons_for(step)) for step in steps],
        "settings_form": settings_form
        or FollowupSettingsForm(initial={"openings_url": current.openings_url}, organisation=organisation),
        "openings_url": followups.openings_url_for(organisation),
        "is_admin": request.membership.is_admin,
    }


@employer_view()
def followup_list(request):
    return render(request, "employer/followups/list.html", _list_context(request))


@employer_view(ADMIN)
@require_POST
def followup_settings(request):
    form = FollowupSettingsForm(request.POST, organisation=request.organisation)
    if not form.is_valid():
        return render(request, "employer/followups/list.html", _list_context(request, form), status=400)
    followups.save_settings(
        organisation=request.organisation,
        actor=Actor.from_request(request),
        openings_url=form.cleaned_data["openings_url"],
    )
    messages.success(request, _("募集中の求人のリンク先を保存しました。"))
    return redirect("employer:followups")


def _form_initial(step: FollowupStep) -> dict:
    return {
        "name": step.name,
        "delay_days": step.delay_days,
        "template": step.template_id,
        "reason_kinds": step.reason_kinds,
        "active": step.active,
    }


@employer_view(ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def followup_create(request):
    organisation = request.organisation
    if request.method == "POST":
        form = FollowupStepForm(request.POST, organisation=organisation)
        if form.is_valid():
            followups.create_step(organisation=organisation, actor=Actor.from_request(request), **form.cleaned_data)
            messages.success(request, _("フォローアップを追加しました。"))
            return redirect("employer:followups")
    else:
        form = FollowupStepForm(organisation=organisation, initial={"delay_days": 90})
    return render(request, "employer/followups/edit.html", {"nav": NAV, "form": form, "step": None})


@employer_view(ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def followup_edit(request, pk):
    step = _get_step_for_user(request, pk)
    if request.method == "POST":
        form = FollowupStepForm(request.POST, organisation=request.organisation)
        if form.is_valid():
            followups.update_step(step=step, actor=Actor.from_request(request), **form.cleaned_data)
            messages.success(request, _("フォローアップを保存しました。"))
            return redirect("employer:followups")
    else:
        form = FollowupStepForm(organisation=request.organisation, initial=_form_initial(step))
    return render(request, "employer/followups/edit.html", {"nav": NAV, "form": form, "step": step})


@employer_view(ADMIN)
@require_POST
def followup_set_active(request, pk):
    step = _get_step_for_user(request, pk)
    active = request.POST.get("active") == "1"
    followups.update_step(step=step, actor=Actor.from_request(request), active=active)
    if active:
        messages.success(
            request,
            _("「%(name)s」を有効にしました。送信予定日から60日以上たった応募には送らず、対象外として数えます。")
            % {"name": step.name},
        )
    else:
        messages.success(request, _("「%(name)s」を停止しました。") % {"name": step.name})
    return redirect("employer:followups")
