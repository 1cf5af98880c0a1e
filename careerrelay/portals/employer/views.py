"""The employer workspace. Every view reaches the organisation through `employer_view`, and every
object through a `_get_*_for_user` function that filters by that organisation, so no view can
forget the tenant check: another company's objects are simply not found (404)."""

from functools import wraps

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from careerrelay.accounts.models import User
from careerrelay.agencies.services import get_agency_membership as agency_membership_for
from careerrelay.audit.actor import Actor
from careerrelay.credits.models import LedgerEntry
from careerrelay.credits.services import get_balance
from careerrelay.notifications.models import EMPLOYER_KINDS
from careerrelay.organisations import services as organisations
from careerrelay.organisations.models import Invitation, Membership, Organisation
from careerrelay.portals.api_keys import api_keys_page, revoke_api_key
from careerrelay.portals.employer.forms import (
    CampaignForm,
    InvitationSignupForm,
    InviteForm,
    RoleForm,
    too_many_campaigns_message,
)
from careerrelay.portals.notifications import notifications_page
from careerrelay.relay import services as relay
from careerrelay.relay.figures import threshold as figure_threshold
from careerrelay.relay.models import RelayCampaign

LEDGER_PAGE_SIZE = 20


# --- Tenant scope -----------------------------------------------------------------------------


def get_membership(user) -> Membership | None:
    """The user's employer membership: the first one, when a user somehow has several."""
    for membership in organisations.memberships_for(user):
        if membership.organisation.kind == Organisation.Kind.EMPLOYER:
            return membership
    return None


def employer_view(admin_only=False):
    """Logs in, finds the membership and puts it on the request as `request.membership`.

    Without a membership the person gets a friendly page; a recruiter on an admin page gets 403.
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            membership = get_membership(request.user)
            if membership is None:
                if agency_membership_for(request.user) is not None:  # agency staff land in their own workspace
                    return redirect("agency:home")
                return render(request, "employer/no_membership.html")
            if not membership.organisation.is_active:
                return render(request, "employer/suspended.html", {"organisation": membership.organisation})
            if admin_only and not membership.is_admin:
                return render(request, "employer/forbidden.html", {"membership": membership}, status=403)
            request.membership = membership
            request.organisation = membership.organisation
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _get_campaign_for_user(request, pk) -> RelayCampaign:
    return get_object_or_404(RelayCampaign, organisation=request.organisation, pk=pk)


def _get_invitation_for_user(request, pk) -> Invitation:
    return get_object_or_404(Invitation, organisation=request.organisation, pk=pk)


def _get_member_for_user(request, pk) -> Membership:
    return get_object_or_404(Membership.objects.select_related("user"), organisation=request.organisation, pk=pk)


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
        request.POST or None, organisation=request.organisation, campaign=campaign, initial={"name": campaign.name}
    )
    if request.method == "POST" and form.is_valid():
        relay.update_campaign(campaign, name=form.cleaned_data["name"], is_active=campaign.is_active)
        messages.success(request, _("キャンペーン名を「%(name)s」に変更しました。") % {"name": campaign.name})
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


# --- Team -------------------------------------------------------------------------------------


@employer_view()
@require_http_methods(["GET", "HEAD", "POST"])
def team(request):
    if request.method == "POST" and not request.membership.is_admin:
        return render(request, "employer/forbidden.html", {"membership": request.membership}, status=403)
    form = InviteForm(request.POST or None, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        organisations.invite_member(
            organisation=request.organisation,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            invited_by=request.user,
            # The configured address, never the request's Host header: this link goes out by email.
            site_url=settings.SITE_URL,
        )
        messages.success(request, _("%(email)s に招待メールを送りました。") % {"email": form.cleaned_data["email"]})
        return redirect("employer:team")
    members = Membership.objects.filter(organisation=request.organisation).select_related("user").order_by("created_at")
    invitations = [
        i
        for i in Invitation.objects.filter(
            organisation=request.organisation, used_at__isnull=True, revoked_at__isnull=True
        ).select_related("invited_by")
        if i.is_open
    ]
    return render(
        request,
        "employer/team.html",
        {
            "members": members,
            "invitations": invitations,
            "form": form,
            "roles": Membership.Role.choices,
            "reply_to_choices": organisations.verified_member_addresses(request.organisation),
            "nav": "team",
        },
    )


@employer_view(admin_only=True)
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


@employer_view(admin_only=True)
@require_POST
def invitation_revoke(request, pk):
    invitation = _get_invitation_for_user(request, pk)
    organisations.revoke_invitation(invitation)
    messages.success(request, _("%(email)s への招待を取り消しました。") % {"email": invitation.email})
    return redirect("employer:team")


@employer_view(admin_only=True)
@require_POST
def member_role(request, pk):
    member = _get_member_for_user(request, pk)
    if member.pk == request.membership.pk:
        # An admin who demotes themself could leave the company without any admin.
        messages.error(request, _("自分自身の権限は変更できません。ほかの管理者に依頼してください。"))
        return redirect("employer:team")
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["role"][0])
        return redirect("employer:team")
    organisations.change_role(member, form.cleaned_data["role"], actor=Actor.from_request(request))
    messages.success(
        request,
        _("%(name)s さんの権限を「%(role)s」に変更しました。")
        % {"name": member.user.name or member.user.email, "role": member.get_role_display()},
    )
    return redirect("employer:team")


@employer_view(admin_only=True)
@require_POST
def member_remove(request, pk):
    member = _get_member_for_user(request, pk)
    if member.pk == request.membership.pk:
        messages.error(request, _("自分自身はチームから外せません。ほかの管理者に依頼してください。"))
        return redirect("employer:team")
    organisations.remove_member(member, actor=Actor.from_request(request))
    messages.success(
        request, _("%(name)s さんをチームから外しました。") % {"name": member.user.name or member.user.email}
    )
    return redirect("employer:team")


# --- API keys ---------------------------------------------------------------------------------


@never_cache
@employer_view(admin_only=True)
@require_http_methods(["GET", "HEAD", "POST"])
def api_keys(request):
    return api_keys_page(request, "employer/api_keys.html")


@employer_view(admin_only=True)
@require_POST
def api_key_revoke(request, pk):
    return revoke_api_key(request, pk, "employer:api_keys")


# --- Accepting an invitation ------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def accept_invitation(request, token):
    invitation = organisations.find_open_invitation(token)
    if invitation is None:
        return render(request, "employer/invitation_invalid.html", status=404)
    has_account = User.objects.filter(email=invitation.email).exists()
    user = request.user if request.user.is_authenticated else None
    signup_form = None
    if user is None and not has_account:
        signup_form = InvitationSignupForm(request.POST if request.method == "POST" else None, email=invitation.email)

    if request.method == "POST":
        action = request.POST.get("action")
        if action == "accept" and user is not None:
            return _accept(request, token, user)
        if action == "signup" and signup_form is not None and signup_form.is_valid():
            try:
                with transaction.atomic():
                    user = User.objects.create_user(
                        email=invitation.email,
                        password=signup_form.cleaned_data["password1"],
                        name=signup_form.cleaned_data["name"],
                        language=request.LANGUAGE_CODE,  # their emails follow the language they signed up in
                    )
                    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
                    organisations.accept_invitation(token=token, user=user)
            except IntegrityError:
                # Someone created the account a moment ago: they can log in instead.
                messages.error(request, _("このメールアドレスのアカウントはすでにあります。ログインしてください。"))
                return redirect(request.path)
            except organisations.InvitationError as error:
                messages.error(request, str(error))
                return redirect(request.path)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("%(organisation)s に参加しました。") % {"organisation": invitation.organisation.name}
            )
            return redirect("employer:dashboard")

    return render(
        request,
        "employer/invitation.html",
        {
            "invitation": invitation,
            "token": token,
            "has_account": has_account,
            "signup_form": signup_form,
            "wrong_user": user is not None and user.email != invitation.email,
            # The workspace shows a user's first company; say so before they join a second one.
            "current_membership": get_membership(user) if user is not None else None,
        },
    )


def _accept(request, token, user):
    try:
        membership = organisations.accept_invitation(token=token, user=user)
    except organisations.InvitationError as error:
        messages.error(request, str(error))
        return redirect(request.path)
    messages.success(request, _("%(organisation)s に参加しました。") % {"organisation": membership.organisation.name})
    return redirect("employer:dashboard")


@require_POST
def switch_account(request, token):
    """From an invitation opened while logged in as somebody else: log out, come back."""
    logout(request)
    return redirect("employer:accept_invitation", token=token)


@never_cache
@employer_view()
@require_http_methods(["GET", "HEAD", "POST"])
def notifications(request):
    return notifications_page(
        request, kinds=EMPLOYER_KINDS, base_template="employer/base.html", url_name="employer:notifications"
    )
