"""「再応募歓迎」: people who registered through this company's relay link and agreed to be
contacted again by it (privacy.recontact). Every person is reached through the company's own list
(`privacy.recontact` filtered by `request.organisation`), so anybody else — another company's
registrant, a person without the consent or who withdrew it — is simply not found (404)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from careerrelay.audit.services import Actor
from careerrelay.portals.workspace.access import employer_view
from careerrelay.privacy import recontact
from careerrelay.privacy.services import acknowledge_stop_use_notice
from careerrelay.talent.services import DuplicateApplicant

NAV = "recontact"


def _not_found(request):
    return render(request, "employer/recontact/gone.html", {"nav": NAV}, status=404)


@never_cache
@employer_view()
def recontact_list(request):
    entries = recontact.recontact_list(organisation=request.organisation, actor=Actor.from_request(request))
    return render(
        request,
        "employer/recontact/list.html",
        {"entries": entries, "stop_use": recontact.stop_use_entries(request.organisation), "nav": NAV},
    )


@never_cache
@employer_view()
def recontact_detail(request, public_id):
    try:
        candidate, record = recontact.open_recontact_profile(
            organisation=request.organisation, actor=Actor.from_request(request), public_id=public_id
        )
    except recontact.NotOnTheList:
        return _not_found(request)
    return render(
        request,
        "employer/recontact/detail.html",
        {
            "candidate": candidate,
            "reference": recontact.reference_for(candidate.public_id),
            "entry": recontact.ListEntry.of(candidate),
            "skills": recontact.skill_list(candidate),
            "work_history": candidate.work_history.all(),
            "record": record,
            "pool_applicant": recontact.pool_applicant_for(organisation=request.organisation, candidate=candidate),
            "nav": NAV,
        },
    )


@employer_view()
@require_POST
def recontact_add_to_pool(request, public_id):
    try:
        result = recontact.add_to_talent_pool(
            organisation=request.organisation, actor=Actor.from_request(request), public_id=public_id
        )
    except recontact.NotOnTheList:
        return _not_found(request)
    except DuplicateApplicant:
        # Two clicks at once: the other one created the row; the person is in the pool.
        messages.info(request, _("この方はすでにタレントプールに登録されています。"))
        return redirect("employer:recontact_detail", public_id=public_id)
    if result.created:
        messages.success(
            request, _("%(name)s さんをタレントプールに追加しました。") % {"name": result.applicant.full_name}
        )
    else:
        messages.success(
            request, _("タレントプールの %(name)s さんの情報を更新しました。") % {"name": result.applicant.full_name}
        )
    return redirect("employer:applicant_detail", pk=result.applicant.pk)


@employer_view()
@require_POST
def stop_use_acknowledge(request, pk):
    notice = recontact.get_stop_use_notice(organisation=request.organisation, pk=pk)
    if notice is None:
        raise Http404
    acknowledge_stop_use_notice(notice=notice, actor=Actor.from_request(request))
    messages.success(request, _("利用停止の確認を記録しました。"))
    return redirect("employer:recontact")
