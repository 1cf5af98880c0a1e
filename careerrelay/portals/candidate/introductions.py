"""The candidate's introductions under /me/introductions/: which company and role, from which agency,
accept or decline (each after a confirmation page), the stages that follow, withdrawal.

Every view is wrapped in candidate_required and finds introductions only among the signed-in
candidate's own (matching.services.candidate_introductions): another person's id is a 404."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from careerrelay.audit.actor import Actor
from careerrelay.matching import services as matching
from careerrelay.matching.models import Introduction
from careerrelay.portals.candidate.auth import candidate_required
from careerrelay.privacy.models import ProvisionRecord


def _get_introduction_for_candidate(request, public_id) -> Introduction:
    return get_object_or_404(matching.candidate_introductions(request.candidate), public_id=public_id)


@candidate_required
def index(request):
    return render(
        request,
        "candidate/introductions.html",
        {"nav": "introductions", "introductions": matching.candidate_introductions(request.candidate)},
    )


@candidate_required
def detail(request, public_id):
    item = _get_introduction_for_candidate(request, public_id)
    return render(
        request,
        "matching/candidate/introduction.html",
        {
            "introduction": item,
            "events": matching.visible_events(item, Introduction.Party.CANDIDATE),
            "recipient": item.company or item.agency,
            "can_withdraw": item.stage in matching.CANDIDATE_WITHDRAWABLE,
            "nav": "introductions",
        },
    )


def _respond(request, public_id, accept: bool):
    item = _get_introduction_for_candidate(request, public_id)
    if request.method == "POST":
        try:
            done = matching.respond_to_introduction(
                candidate=request.candidate, introduction=item, accept=accept, actor=Actor.from_request(request)
            )
        except matching.MatchingError:
            messages.error(
                request, _("同意の状態が確認できないため、承諾できませんでした。同意の管理をご確認ください。")
            )
            return redirect("candidate:introduction", item.public_id)
        if not done:
            messages.info(request, _("この紹介にはすでに回答済みです。"))
        elif accept:
            messages.success(request, _("紹介を承諾しました。企業にあなたのプロフィールが提供されました。"))
        else:
            messages.success(request, _("紹介を辞退しました。企業にあなたの情報は提供されていません。"))
        return redirect("candidate:introduction", item.public_id)
    if item.stage != Introduction.Stage.PROPOSED:
        return redirect("candidate:introduction", item.public_id)
    return render(
        request,
        "matching/candidate/respond.html",
        {
            "introduction": item,
            "accept": accept,
            "recipient": item.company or item.agency,
            "items": [
                label for value, label in ProvisionRecord.Item.choices if value in matching.introduction_items(item)
            ],
            "nav": "introductions",
        },
    )


@candidate_required
@require_http_methods(["GET", "HEAD", "POST"])
def accept(request, public_id):
    return _respond(request, public_id, accept=True)


@candidate_required
@require_http_methods(["GET", "HEAD", "POST"])
def decline(request, public_id):
    return _respond(request, public_id, accept=False)


@candidate_required
@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request, public_id):
    item = _get_introduction_for_candidate(request, public_id)
    if request.method == "POST":
        if matching.withdraw_by_candidate(
            candidate=request.candidate, introduction=item, actor=Actor.from_request(request)
        ):
            messages.success(request, _("選考を辞退しました。人材紹介会社と企業に伝わります。"))
        return redirect("candidate:introduction", item.public_id)
    if item.stage not in matching.CANDIDATE_WITHDRAWABLE:
        return redirect("candidate:introduction", item.public_id)
    return render(request, "matching/candidate/withdraw.html", {"introduction": item, "nav": "introductions"})


# Included from careerrelay/portals/candidate/mypage_urls.py under "introductions/" (namespace "candidate").
