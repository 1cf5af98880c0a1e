"""The API keys page and revoke action, the same for an employer's and an agency's workspace.
The caller has already checked that the user is an admin of `request.organisation`."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from careerrelay.organisations import services as organisations
from careerrelay.organisations.models import ApiKey
from careerrelay.portals.employer.forms import ApiKeyForm

NEW_KEY_SESSION = "new_api_key"


def api_keys_page(request, template: str):
    """POST creates a key and redirects, so a reload cannot create a second one. The secret
    crosses the redirect in the session and is taken out of it by the next page view: shown once,
    then stored nowhere (the database keeps only its hash)."""
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        new_key, secret = organisations.create_api_key(
            organisation=request.organisation, name=form.cleaned_data["name"], created_by=request.user
        )
        request.session[NEW_KEY_SESSION] = {"pk": new_key.pk, "secret": secret}
        return redirect(request.path)
    new_key = secret = None
    created = request.session.pop(NEW_KEY_SESSION, None) if request.method == "GET" else None
    if created:
        new_key = ApiKey.objects.filter(organisation=request.organisation, pk=created["pk"]).first()
        secret = created["secret"] if new_key else None
    keys = (
        ApiKey.objects.filter(organisation=request.organisation)
        .select_related("created_by")
        .order_by("revoked_at", "-created_at")
    )
    return render(
        request, template, {"keys": keys, "form": form, "new_key": new_key, "secret": secret, "nav": "api_keys"}
    )


def revoke_api_key(request, pk, redirect_to: str):
    key = get_object_or_404(ApiKey, organisation=request.organisation, pk=pk)
    organisations.revoke_api_key(key)
    messages.success(request, _("APIキー「%(name)s」を無効にしました。") % {"name": key.name})
    return redirect(redirect_to)
