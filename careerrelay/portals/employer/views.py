"""The employer workspace's own pages: the dashboard, relay campaigns, the reply-to address and
the company's brand.
Every view reaches the organisation through `employer_view`, and every object through a
`_get_*_for_user` function that filters by that organisation (see portals/workspace/access.py)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from careerrelay.audit.actor import Actor
from careerrelay.common.contrast import WHITE, contrast_ratio
from careerrelay.credits.models import LedgerEntry
from careerrelay.credits.services import get_balance
from careerrelay.organisations import brand
from careerrelay.organisations import services as organisations
from careerrelay.organisations.models import Membership
from careerrelay.portals.employer.forms import BrandForm, CampaignForm, too_many_campaigns_message
from careerrelay.portals.workspace.access import employer_view
from careerrelay.relay import services as relay
from careerrelay.relay.figures import threshold as figure_threshold
from careerrelay.relay.models import RelayCampaign

LEDGER_PAGE_SIZE = 20


def _get_campaign_for_user(request, pk) -> RelayCampaign:
    return get_object_or_404(RelayCampaign, organisation=request.organisation, pk=pk)


def _relay_campaign(campaigns):
    """The link the dashboard offers: the default one while it works, else the first active one."""
    active = [c for c in campaigns if c.is_active]
    default = next((c for c in campaigns if c.is_default), None)
    if default is not None and default.is_active:
        return default
    return active[0] if active else default


# --- Dashboard --------------------------------------------------------------------------------


@employer_view()
def dashboard(request):
    funnel = relay.employer_funnel(request.organisation)
    campaigns = [row.campaign for row in funnel.rows]
    ledger = Paginator(LedgerEntry.objects.filter(organisation=request.organisation), LEDGER_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "employer/dashboard.html",
        {
            "funnel": funnel,
            "balance": get_balance(request.organisation),
            "relay_campaign": _relay_campaign(campaigns),
            "ledger": ledger,
            "threshold": figure_threshold(),
            "nav": "dashboard",
        },
    )


# --- Campaigns --------------------------------------------------------------------------------


@employer_view()
@require_http_methods(["GET", "HEAD", "POST"])
def campaigns(request):
    form = CampaignForm(request.POST or None, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = relay.create_campaign(organisation=request.organisation, name=form.cleaned_data["name"])
        except relay.TooManyCampaigns:  # another recruiter took the last place a moment ago
            form.add_error("name", too_many_campaigns_message())
        else:
            messages.success(request, _("キャンペーン「%(name)s」を作成しました。") % {"name": campaign.name})
            return redirect("employer:campaigns")
    return _campaigns_page(request, form)


def _campaigns_page(request, form, *, activation_error=None, status=200):
    items = list(RelayCampaign.objects.filter(organisation=request.organisation))
    for item in items:
        item.activation_error = activation_error if activation_error and activation_error[0] == item.pk else None
    return render(
        request,
        "employer/campaigns.html",
        {
            "campaigns": items,
            "form": form,
            "active_count": sum(1 for item in items if item.is_active),
            "active_limit": relay.active_campaign_limit(),
            "threshold": figure_threshold(),
            "nav": "campaigns",
        },
        status=status,
    )


@employer_view()
@require_http_methods(["GET", "HEAD", "POST"])
def campaign_edit(request, pk):
    campaign = _get_campaign_for_user(request, pk)
    form = CampaignForm(
        request.POST or None,
        organisation=request.organisation,
        campaign=campaign,
        initial={"name": campaign.name, "message": campaign.message},
    )
    if request.method == "POST" and form.is_valid():
        renamed = form.cleaned_data["name"] != campaign.name
        relay.update_campaign(
            campaign,
            name=form.cleaned_data["name"],
            is_active=campaign.is_active,
            message=form.cleaned_data["message"],
        )
        if renamed:
            messages.success(request, _("キャンペーン名を「%(name)s」に変更しました。") % {"name": campaign.name})
        else:
            messages.success(request, _("キャンペーン「%(name)s」を保存しました。") % {"name": campaign.name})
        return redirect("employer:campaigns")
    return render(request, "employer/campaign_edit.html", {"campaign": campaign, "form": form, "nav": "campaigns"})


@employer_view()
@require_POST
def campaign_set_active(request, pk):
    # Locked so that two recruiters disabling the last two links at once cannot both succeed.
    with transaction.atomic():
        list(RelayCampaign.objects.select_for_update().filter(organisation=request.organisation))
        campaign = _get_campaign_for_user(request, pk)
        active = request.POST.get("active") == "1"
        if not active and campaign.is_active:
            others = RelayCampaign.objects.filter(organisation=request.organisation, is_active=True).exclude(
                pk=campaign.pk
            )
            if not others.exists():
                messages.error(
                    request,
                    _(
                        "有効なリレーリンクが1つもなくなるため、このキャンペーンは無効にできません。先に別のキャンペーンを作成してください。"
                    ),
                )
                return redirect("employer:campaigns")
        try:
            relay.update_campaign(campaign, name=campaign.name, is_active=active)
        except relay.TooManyCampaigns:
            # Said next to the link's own button; the page is shown again rather than redirected.
            form = CampaignForm(organisation=request.organisation)
            return _campaigns_page(request, form, activation_error=(campaign.pk, too_many_campaigns_message()))
    if active:
        messages.success(request, _("「%(name)s」を有効にしました。") % {"name": campaign.name})
    else:
        messages.success(
            request,
            _("「%(name)s」を無効にしました。このリンクを開いた方には案内終了のページが表示されます。")
            % {"name": campaign.name},
        )
    return redirect("employer:campaigns")


# --- Team: the company's reply-to address (the rest of the team page is the workspace's) -------


@employer_view(Membership.Role.ADMIN)
@require_POST
def reply_to(request):
    """Replies to the company's mail go to one of its members' verified addresses, never to an
    address typed in (that would let anyone route replies to a stranger)."""
    try:
        organisations.set_reply_to(organisation=request.organisation, email=request.POST.get("email", ""))
    except organisations.ReplyToError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("返信先を %(email)s にしました。") % {"email": request.organisation.reply_to_email})
    return redirect("employer:team")


# --- Brand: the company's logo and colour on its relay pages and in its mail -------------------


@employer_view(Membership.Role.ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def brand_settings(request):
    organisation = request.organisation
    form = BrandForm(request.POST or None, request.FILES or None, initial={"brand_colour": organisation.brand_colour})
    if request.method == "POST" and form.is_valid():
        brand.update_brand(
            organisation=organisation,
            actor=Actor.from_request(request),
            colour=form.cleaned_data["brand_colour"],
            logo=form.cleaned_data["logo"],
            remove_logo=form.cleaned_data["remove_logo"],
        )
        messages.success(request, _("ブランド設定を保存しました。"))
        return redirect("employer:brand")
    current = brand.organisation_brand(organisation)
    return render(
        request,
        "employer/brand.html",
        {
            "form": form,
            "brand": current,
            "text_contrast": contrast_ratio(current.text_colour, current.colour) if current.colour else None,
            "link_contrast": contrast_ratio(current.link_colour, WHITE) if current.colour else None,
            "nav": "brand",
        },
    )
