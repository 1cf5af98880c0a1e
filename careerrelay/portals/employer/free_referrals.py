"""The employer's free referrals (無料紹介) and the introductions made to it, under /employer/free-referrals/.

Requests and proposals are reached only through `_get_*_for_user`, which filter by the current
user's organisation; introductions only through matching.services.company_introductions, which
also leaves out everything the candidate has not accepted."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from careerrelay.audit.services import Action, Actor, record_event, record_events
from careerrelay.credits.models import LedgerEntry
from careerrelay.credits.services import NoCreditAvailable, get_balance
from careerrelay.matching import services as matching
from careerrelay.matching.forms import (
    DeclineProposalForm,
    FreeReferralRequestForm,
    InterviewForm,
    free_referral_initial,
)
from careerrelay.matching.models import FreeReferralProposal, Introduction
from careerrelay.portals.workspace.access import employer_view
from careerrelay.privacy.services import may_provide, providable_candidate_ids

State = FreeReferralProposal.State

FREE_REFERRAL_KINDS = (
    LedgerEntry.Kind.CREDIT_RESERVED,
    LedgerEntry.Kind.CREDIT_CONSUMED,
    LedgerEntry.Kind.CREDIT_RETURNED,
)


def _get_request_for_user(request, public_id):
    return get_object_or_404(matching.employer_requests(request.organisation), public_id=public_id)


def _get_proposal_for_user(request, pk) -> FreeReferralProposal:
    return get_object_or_404(
        FreeReferralProposal.objects.select_related("request", "introduction__candidate", "agency"),
        request__organisation=request.organisation,
        pk=pk,
    )


def _get_introduction_for_user(request, public_id) -> Introduction:
    return get_object_or_404(matching.company_introductions(request.organisation), public_id=public_id)


def _profile_view_event(request, introduction, *, anonymised=False) -> dict:
    return {
        "actor": Actor.from_request(request),
        "action": Action.VIEW,
        "subject_key": introduction.candidate.public_id,
        "organisation": request.organisation,
        "object_type": "introduction",
        "object_id": introduction.pk,
        "items": "anonymised_profile" if anonymised else "profile_and_contact",
    }


def _audit_profile_view(request, introduction, *, anonymised=False):
    record_event(**_profile_view_event(request, introduction, anonymised=anonymised))


@employer_view()
def index(request):
    requests = matching.employer_requests(request.organisation).prefetch_related("proposals")
    entries = LedgerEntry.objects.filter(organisation=request.organisation, kind__in=FREE_REFERRAL_KINDS)[:50]
    keys = {r.public_id: r for r in requests}
    for entry in entries:
        entry.free_referral = keys.get(entry.request_key)
    return render(
        request,
        "matching/employer/free_referrals.html",
        {
            "balance": get_balance(request.organisation),
            "requests": requests,
            "entries": entries,
            "nav": "free_referrals",
        },
    )


@employer_view()
@require_http_methods(["GET", "HEAD", "POST"])
def new(request):
    balance = get_balance(request.organisation)
    form = FreeReferralRequestForm(request.POST or None, initial=free_referral_initial())
    if request.method == "POST" and form.is_valid():
        try:
            free_referral = matching.file_free_referral_request(
                organisation=request.organisation, actor=Actor.from_request(request), data=form.cleaned_data
            )
        except NoCreditAvailable:
            form.add_error(
                None, _("利用できる無料紹介枠がありません。枠が戻るか、新しく付与されるまでお待ちください。")
            )
        else:
            messages.success(request, _("無料紹介を依頼しました。無料紹介枠を1つ予約しました。"))
            return redirect("employer:free_referral", free_referral.public_id)
    return render(
        request,
        "matching/employer/free_referral_new.html",
        {"form": form, "balance": balance, "nav": "free_referrals"},
        status=200,
    )


@employer_view()
def detail(request, public_id):
    free_referral = _get_request_for_user(request, public_id)
    proposals = list(
        free_referral.proposals.select_related("introduction__candidate", "agency").prefetch_related(
            "introduction__candidate__work_history", "introduction__candidate__skill_set"
        )
    )
    providable = providable_candidate_ids(proposal.introduction.candidate for proposal in proposals)
    views = []
    for proposal in proposals:
        # What the employer sees of the person (docs/trust-and-safety.md §3), and only while the
        # candidate's consent to sharing is active:
        # - pending: an anonymised résumé (no name, contact, address or résumé file);
        # - confirmed: name and contact too (provided when the interview was confirmed);
        # - declined or closed: nothing but the state, the date and the employer's own reason.
        visible = (
            proposal.state in (State.PENDING, State.CONFIRMED) and proposal.introduction.candidate_id in providable
        )
        if proposal.state == State.CONFIRMED and not matching.company_sees_person(proposal.introduction):
            visible = False
        proposal.show_profile = visible and proposal.state == State.CONFIRMED
        proposal.show_anonymised = visible and proposal.state == State.PENDING
        if proposal.show_anonymised:
            candidate = proposal.introduction.candidate
            proposal.anonymised_summary = matching.anonymised_text(candidate.summary, candidate)
        if visible:
            views.append(_profile_view_event(request, proposal.introduction, anonymised=proposal.show_anonymised))
    record_events(views)
    return render(
        request,
        "matching/employer/free_referral.html",
        {"free_referral": free_referral, "proposals": proposals, "nav": "free_referrals"},
    )


@employer_view()
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, pk):
    proposal = _get_proposal_for_user(request, pk)
    if proposal.state != FreeReferralProposal.State.PENDING or not proposal.request.is_open:
        messages.error(request, _("この提案はすでに確定・終了しているため、面接を確定できませんでした。"))
        return redirect("employer:free_referral", proposal.request.public_id)
    form = InterviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if matching.confirm_interview(
            proposal=proposal,
            organisation=request.organisation,
            actor=Actor.from_request(request),
            interview_at=form.cleaned_data["interview_at"],
            interview_place=form.cleaned_data["interview_place"],
        ):
            messages.success(request, _("面接を確定しました。無料紹介枠を1つ消化しました。"))
        else:
            messages.error(request, _("この提案はすでに確定・終了しているため、面接を確定できませんでした。"))
        return redirect("employer:free_referral", proposal.request.public_id)
    return render(
        request, "matching/employer/confirm.html", {"proposal": proposal, "form": form, "nav": "free_referrals"}
    )


@employer_view()
@require_http_methods(["GET", "HEAD", "POST"])
def decline(request, pk):
    proposal = _get_proposal_for_user(request, pk)
    if proposal.state != State.PENDING or not proposal.request.is_open:
        messages.error(request, _("この提案はすでに確定・終了しています。"))
        return redirect("employer:free_referral", proposal.request.public_id)
    form = DeclineProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if matching.decline_proposal(
            proposal=proposal,
            organisation=request.organisation,
            actor=Actor.from_request(request),
            category=form.cleaned_data["category"],
            reason=form.cleaned_data["reason"],
        ):
            messages.success(request, _("提案を見送りました。人材紹介会社は別の候補者を提案できます。"))
        else:
            messages.error(request, _("この提案はすでに確定・終了しています。"))
        return redirect("employer:free_referral", proposal.request.public_id)
    return render(
        request, "matching/employer/decline.html", {"proposal": proposal, "form": form, "nav": "free_referrals"}
    )


@employer_view()
def introductions(request):
    items = matching.company_introductions(request.organisation)
    return render(request, "matching/employer/introductions.html", {"rows": items, "nav": "free_referrals"})


@employer_view()
def introduction(request, public_id):
    item = _get_introduction_for_user(request, public_id)
    show_profile = matching.company_sees_person(item) and may_provide(item.candidate)
    if show_profile:
        _audit_profile_view(request, item)
    return render(
        request,
        "matching/employer/introduction.html",
        {
            "introduction": item,
            "events": matching.visible_events(item, Introduction.Party.COMPANY),
            "show_profile": show_profile,
            "nav": "free_referrals",
        },
    )
