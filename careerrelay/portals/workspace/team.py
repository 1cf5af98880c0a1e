"""The team page of a workspace: its members and their roles, and invitations to join. An admin
invites, revokes invitations, changes others' roles and removes others; everyone sees the team."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from careerrelay.audit.actor import Actor
from careerrelay.organisations import services as organisations
from careerrelay.organisations.models import Invitation, Membership, Organisation
from careerrelay.portals.workspace.access import forbidden
from careerrelay.portals.workspace.forms import InviteForm, RoleForm


def _get_invitation_for_user(request, pk) -> Invitation:
    return get_object_or_404(Invitation, organisation=request.organisation, pk=pk)


def _get_member_for_user(request, pk) -> Membership:
    return get_object_or_404(Membership.objects.select_related("user"), organisation=request.organisation, pk=pk)


def _back_to_team(request):
    return redirect(request.workspace.urls["team"])


@require_http_methods(["GET", "HEAD", "POST"])
def team(request):
    workspace = request.workspace
    if request.method == "POST" and not request.membership.is_admin:
        return forbidden(request)
    form = InviteForm(request.POST or None, organisation=request.organisation, workspace=workspace)
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
        return _back_to_team(request)
    members = list(
        Membership.objects.filter(organisation=request.organisation).select_related("user").order_by("created_at")
    )
    invitations = [
        i
        for i in Invitation.objects.filter(
            organisation=request.organisation, used_at__isnull=True, revoked_at__isnull=True
        ).select_related("invited_by")
        if i.is_open
    ]
    for item in [*members, *invitations]:
        item.role_label = workspace.role_label(item.role)
    context = {"members": members, "invitations": invitations, "form": form, "roles": workspace.role_choices()}
    if request.organisation.kind == Organisation.Kind.EMPLOYER:
        # Replies to the company's mail: only employers send mail in their own name.
        context["reply_to_choices"] = organisations.verified_member_addresses(request.organisation)
    return render(request, "workspace/team.html", {**context, "nav": "team"})


@require_POST
def invitation_revoke(request, pk):
    invitation = _get_invitation_for_user(request, pk)
    organisations.revoke_invitation(invitation)
    messages.success(request, _("%(email)s への招待を取り消しました。") % {"email": invitation.email})
    return _back_to_team(request)


@require_POST
def member_role(request, pk):
    member = _get_member_for_user(request, pk)
    if member.pk == request.membership.pk:
        # An admin who demotes themself could leave the organisation without any admin.
        messages.error(request, _("自分自身の権限は変更できません。ほかの管理者に依頼してください。"))
        return _back_to_team(request)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["role"][0])
        return _back_to_team(request)
    organisations.change_role(member, form.cleaned_data["role"], actor=Actor.from_request(request))
    messages.success(
        request,
        _("%(name)s さんの権限を「%(role)s」に変更しました。")
        % {"name": member.user.name or member.user.email, "role": request.workspace.role_label(member.role)},
    )
    return _back_to_team(request)


@require_POST
def member_remove(request, pk):
    member = _get_member_for_user(request, pk)
    if member.pk == request.membership.pk:
        messages.error(request, _("自分自身はチームから外せません。ほかの管理者に依頼してください。"))
        return _back_to_team(request)
    organisations.remove_member(member, actor=Actor.from_request(request))
    messages.success(
        request, _("%(name)s さんをチームから外しました。") % {"name": member.user.name or member.user.email}
    )
    return _back_to_team(request)
