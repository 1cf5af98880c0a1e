"""The talent pool's read side beyond the list: saved searches and 「似ている応募者」.

Saved searches belong to the company: every member sees and runs them; the member who saved one
or an administrator may delete it. Everything is reached through the request's organisation, so
another company's ids are not found (404).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from careerrelay.audit.actor import Actor
from careerrelay.organisations.models import Membership
from careerrelay.portals.workspace.access import employer_view, forbidden
from careerrelay.talent import saved_searches, services
from careerrelay.talent.pool_forms import SavedSearchForm, search_params
from careerrelay.talent.similar import similar_applicants

NAV = "applicants"


def _get_saved_search_for_user(request, pk):
    saved = saved_searches.get_saved_search(organisation=request.organisation, pk=pk)
    if saved is None:
        raise Http404
    return saved


@employer_view()
@require_POST
def saved_search_add(request):
    params = search_params(QueryDict(request.POST.get("query", "")))
    back = reverse("employer:applicants") + ("?" + urlencode(params, doseq=True) if params else "")
    form = SavedSearchForm(request.POST, organisation=request.organisation)
    if not params:
        messages.error(request, _("保存する条件がありません。絞り込んでから保存してください。"))
        return redirect(back)
    if form.is_valid():
        try:
            saved = saved_searches.save_search(
                organisation=request.organisation,
                actor=Actor.from_request(request),
                name=form.cleaned_data["name"],
                params=params,
            )
        except saved_searches.NameTaken:
            form.add_error("name", _("同じ名前の保存済み検索があります。別の名前にしてください。"))
        else:
            messages.success(request, _("検索「%(name)s」を保存しました。") % {"name": saved.name})
            return redirect(back)
    # Keep what was typed: the name with its error, on the list page with the same conditions.
    for error in form.errors.get("name", []):
        messages.error(request, error)
    return redirect(back)


@never_cache
@employer_view()
def saved_search_run(request, pk):
    saved = _get_saved_search_for_user(request, pk)
    return redirect(reverse("employer:applicants") + "?" + urlencode(saved.params, doseq=True))


@employer_view()
@require_POST
def saved_search_delete(request, pk):
    saved = _get_saved_search_for_user(request, pk)
    is_admin = request.membership.role == Membership.Role.ADMIN
    if not saved_searches.may_delete(saved, user=request.user, is_admin=is_admin):
        # Only the member who saved it or an administrator.
        return forbidden(request)
    saved_searches.delete_saved_search(saved=saved, actor=Actor.from_request(request))
    messages.success(request, _("検索「%(name)s」を削除しました。") % {"name": saved.name})
    return redirect("employer:applicants")


@never_cache
@employer_view()
def applicant_similar(request, pk):
    applicant = services.get_applicant(organisation=request.organisation, pk=pk)
    if applicant is None:
        raise Http404
    return render(
        request,
        "employer/applicants/similar.html",
        {"applicant": applicant, "similar": similar_applicants(applicant), "nav": NAV},
    )
