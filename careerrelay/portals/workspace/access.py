"""The tenant scope of the employer and agency workspaces. Every workspace view reaches its
organisation through `workspace_view`, and every object through a `_get_*_for_user` function
filtered by that organisation, so no view can forget the tenant check: another organisation's
objects are simply not found (404)."""

from functools import partial, wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from careerrelay.agencies.models import AgencyProfile
from careerrelay.organisations.models import Membership, Organisation
from careerrelay.organisations.services import membership_for
from careerrelay.portals.workspace.kinds import WORKSPACES, Workspace

ROLE_RANK = {Membership.Role.RECRUITER: 0, Membership.Role.ADMIN: 1}


def is_suspended(organisation: Organisation) -> bool:
    if not organisation.is_active:
        return True
    if organisation.kind == Organisation.Kind.AGENCY:
        profile = getattr(organisation, "agency_profile", None)
        return profile is None or profile.state == AgencyProfile.State.SUSPENDED
    return False


def is_open_to_members(workspace: Workspace, organisation: Organisation) -> bool:
    return workspace.open_while_pending or organisation.agency_profile.is_approved


def forbidden(request):
    return render(request, "workspace/forbidden.html", {"membership": request.membership}, status=403)


def workspace_view(kind: str, role: str = Membership.Role.RECRUITER, *, approved_only: bool = True):
    """Logs in, finds the user's membership in a workspace of `kind` and puts it on the request
    (`request.workspace`, `request.membership`, `request.organisation`, and for an agency
    `request.agency`, its profile). Outsiders get the portal's no-membership page, a suspended
    organisation its notice, an agency not yet approved the waiting notice (403) unless the view
    says it shows none of the candidates (`approved_only=False`), and a member below `role` 403."""
    workspace = WORKSPACES[kind]

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            request.workspace = workspace
            membership = membership_for(request.user, kind)
            if membership is None:
                return _no_membership(request, workspace)
            organisation = membership.organisation
            request.membership = membership
            request.organisation = organisation
            if kind == Organisation.Kind.AGENCY:
                request.agency = getattr(organisation, "agency_profile", None)
            if is_suspended(organisation):
                return render(
                    request,
                    workspace.template("suspended.html"),
                    {"organisation": organisation},
                    status=workspace.refusal_status,
                )
            if approved_only and not is_open_to_members(workspace, organisation):
                return render(request, workspace.template("pending.html"), status=403)
            if ROLE_RANK[membership.role] < ROLE_RANK[role]:
                return forbidden(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _no_membership(request, workspace: Workspace):
    # Agency staff who follow an employer link (the invitation email is one) land in their own
    # workspace; the agency pages, which are about candidates, simply refuse employer users.
    if workspace.kind == Organisation.Kind.EMPLOYER and membership_for(request.user, Organisation.Kind.AGENCY):
        return redirect("agency:home")
    return render(request, workspace.template("no_membership.html"), status=workspace.refusal_status)


employer_view = partial(workspace_view, Organisation.Kind.EMPLOYER)
agency_view = partial(workspace_view, Organisation.Kind.AGENCY)
