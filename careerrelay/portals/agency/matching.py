"""The agency's introductions and the free-referral requests it may claim (/agency/introductions/,
/agency/free-referrals/). Every view goes through `agency_view` (approved agencies only);
introductions are fetched only through matching.services.agency_introductions, candidates only
through agencies.find_visible_candidate (agency_visible_candidates)."""

import uuid

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from careerrelay.agencies import services as agencies
from careerrelay.agencies.models import JobOrder
from careerrelay.audit.actor import Actor
from careerrelay.matching import services as matching
from careerrelay.matching.forms import IntroductionForm, StageForm
from careerrelay.matching.models import FreeReferralRequest, Introduction
from careerrelay.portals.workspace.access import agency_view

ERRORS = {
    "candidate_not_visible": gettext_lazy("この求職者は現在紹介できません(同意の撤回または退会)。"),
    "request_closed": gettext_lazy("この無料紹介の依頼はすでに終了しています。"),
    "not_claimed": gettext_lazy("この無料紹介の依頼を担当していません。先に担当してください。"),
    "job_order_not_found": gettext_lazy("求人票が見つかりません。"),
    "job_order_closed": gettext_lazy("この求人票は募集を終了しています。"),
    "company_required": gettext_lazy("紹介先の企業名と職種を入力してください。"),
    "already_introduced": gettext_lazy("この求職者は、同じ求人にすでに紹介中です。"),
}


def _get_introduction_for_user(request, public_id) -> Introduction:
    return get_object_or_404(matching.agency_introductions(request.organisation), public_id=public_id)


def _get_open_request(public_id) -> FreeReferralRequest:
    # Open requests are shown to every approved agency; closed ones to nobody here.
    return get_object_or_404(matching.requests_for_agencies(), public_id=public_id)


def _claimed_requests(request):
    now = timezone.now()
    return matching.requests_for_agencies().filter(claimed_by=request.organisation, claim_expires_at__gt=now)


# --- Introductions ------------------------------------------------------------------------------


@agency_view()
def introductions(request):
    items = matching.agency_introductions(request.organisation)
    for item in items:
        item.reference = agencies.reference_for(item.candidate.public_id)
    return render(request, "matching/agency/introductions.html", {"rows": items, "nav": "introductions"})


@never_cache
@agency_view()
@require_http_methods(["GET", "HEAD", "POST"])
def introduction_new(request, candidate_id):
    candidate = agencies.find_visible_candidate(candidate_id)
    if candidate is None:
        return render(request, "agency/candidate_gone.html", status=404)
    job_orders = agencies.agency_job_orders(request.organisation).filter(status=JobOrder.Status.OPEN)
    claimed = _claimed_requests(request)
    initial = {}
    try:
        initial["free_referral"] = claimed.filter(public_id=uuid.UUID(request.GET.get("free_referral", ""))).first()
    except ValueError:
        pass
    form = IntroductionForm(request.POST or None, job_orders=job_orders, free_referrals=claimed, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            introduction = matching.propose_introduction(
                agency=request.organisation,
                actor=Actor.from_request(request),
                candidate_public_id=candidate.public_id,
                job_order=data.get("job_order"),
                free_referral=data.get("free_referral"),
                company_name=data.get("company_name") or "",
                role=data.get("role") or "",
                message=data.get("message") or "",
            )
        except matching.MatchingError as error:
            form.add_error(None, ERRORS.get(error.code, _("紹介できませんでした。")))
        else:
            messages.success(request, _("紹介を送りました。本人が承諾すると、企業にプロフィールが提供されます。"))
            return redirect("agency:introduction", introduction.public_id)
    return render(
        request,
        "matching/agency/introduction_new.html",
        {
            "form": form,
            "candidate": candidate,
            "reference": agencies.reference_for(candidate.public_id),
            "nav": "introductions",
        },
    )


@never_cache
@agency_view()
def introduction(request, public_id):
    item = _get_introduction_for_user(request, public_id)
    return render(
        request,
        "matching/agency/introduction.html",
        {
            "introduction": item,
            "reference": agencies.reference_for(item.candidate.public_id),
            "events": matching.visible_events(item, Introduction.Party.AGENCY),
            "form": StageForm(),
            "can_change": item.stage in Introduction.OPEN_STAGES and item.stage != Introduction.Stage.PROPOSED,
            "nav": "introductions",
        },
    )


@agency_view()
@require_POST
def introduction_stage(request, public_id):
    item = _get_introduction_for_user(request, public_id)
    form = StageForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if matching.change_stage(
            introduction=item,
            stage=data["stage"],
            agency=request.organisation,
            actor=Actor.from_request(request),
            interview_at=data.get("interview_at"),
            interview_place=data.get("interview_place") or "",
            note=data.get("note") or "",
        ):
            messages.success(request, _("状況を更新しました。"))
            return redirect("agency:introduction", item.public_id)
        form.add_error("stage", _("今の状況からは、この状況に進められません。"))
    return render(
        request,
        "matching/agency/introduction.html",
        {
            "introduction": item,
            "reference": agencies.reference_for(item.candidate.public_id),
            "events": matching.visible_events(item, Introduction.Party.AGENCY),
            "form": form,
            "can_change": True,
            "nav": "introductions",
        },
        status=200,
    )


# --- Free referrals -------------------------------------------------------------------------------


@agency_view()
def free_referrals(request):
    items = matching.requests_for_agencies().filter(deadline__gte=timezone.localdate()).order_by("deadline", "id")
    now = timezone.now()
    for item in items:
        item.holder = item.claim_holder(now)
    return render(request, "matching/agency/free_referrals.html", {"rows": items, "nav": "free_referrals"})


@agency_view()
def free_referral(request, public_id):
    item = _get_open_request(public_id)
    item.holder = item.claim_holder()
    # Each line shows the proposal's state and the employer's reason, if it declined.
    mine = matching.agency_introductions(request.organisation).filter(free_referral=item).select_related("proposal")
    for intro in mine:
        intro.reference = agencies.reference_for(intro.candidate.public_id)
    search = agencies.free_referral_search_params(item) | {"free_referral": item.public_id}
    return render(
        request,
        "matching/agency/free_referral.html",
        {
            "free_referral": item,
            "introductions": mine,
            "search_url": reverse("agency:search") + "?" + urlencode(search),
            "nav": "free_referrals",
        },
    )


@agency_view()
@require_POST
def free_referral_claim(request, public_id):
    item = _get_open_request(public_id)
    if matching.claim_request(free_referral=item, agency=request.organisation, actor=Actor.from_request(request)):
        messages.success(request, _("この依頼を担当しました。面接を承諾した候補者を提案してください。"))
    else:
        messages.error(request, _("この依頼は、ほかの人材紹介会社が担当しています。"))
    return redirect("agency:free_referral", item.public_id)


@agency_view()
@require_POST
def free_referral_release(request, public_id):
    item = _get_open_request(public_id)
    if matching.release_claim(free_referral=item, agency=request.organisation, actor=Actor.from_request(request)):
        messages.success(request, _("担当を外れました。"))
    return redirect("agency:free_referral", item.public_id)
