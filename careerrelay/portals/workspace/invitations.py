"""Accepting an invitation to an employer's or an agency's team, by the link in the email: with
the account one has, or with a new one for the invited address."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from careerrelay.accounts.models import User
from careerrelay.accounts.services import create_user
from careerrelay.organisations import services as organisations
from careerrelay.portals.workspace.forms import InvitationSignupForm
from careerrelay.portals.workspace.kinds import WORKSPACES


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def accept_invitation(request, token):
    invitation = organisations.find_open_invitation(token)
    if invitation is None:
        return render(request, "workspace/invitation_invalid.html", status=404)
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
                    user = create_user(
                        invitation.email,
                        signup_form.cleaned_data["password1"],
                        name=signup_form.cleaned_data["name"],
                        language=request.LANGUAGE_CODE,  # their emails follow the language they signed up in
                        email_verified=True,  # the invitation link reached it
                    )
                    membership = organisations.accept_invitation(token=token, user=user)
            except IntegrityError:
                # Someone created the account a moment ago: they can log in instead.
                messages.error(request, _("このメールアドレスのアカウントはすでにあります。ログインしてください。"))
                return redirect(request.path)
            except organisations.InvitationError as error:
                messages.error(request, str(error))
                return redirect(request.path)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return _joined(request, membership)

    return render(
        request,
        "workspace/invitation.html",
        {
            "invitation": invitation,
            "role_label": WORKSPACES[invitation.organisation.kind].role_label(invitation.role),
            "token": token,
            "has_account": has_account,
            "signup_form": signup_form,
            "wrong_user": user is not None and user.email != invitation.email,
            # The workspace shows a user's first organisation; say so before they join a second one.
            "current_membership": organisations.membership_for(user, invitation.organisation.kind)
            if user is not None
            else None,
        },
    )


def _accept(request, token, user):
    try:
        membership = organisations.accept_invitation(token=token, user=user)
    except organisations.InvitationError as error:
        messages.error(request, str(error))
        return redirect(request.path)
    return _joined(request, membership)


def _joined(request, membership):
    organisation = membership.organisation
    messages.success(request, _("%(organisation)s に参加しました。") % {"organisation": organisation.name})
    return redirect(WORKSPACES[organisation.kind].home_url)


@require_POST
def switch_account(request, token):
    """From an invitation opened while logged in as somebody else: log out, come back."""
    logout(request)
    return redirect("employer:accept_invitation", token=token)
