"""The API keys page and revoke action, the same for an employer's and an agency's workspace.
The caller has already checked that the user is an admin of `request.organisation`."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from careerrelay.organisations import services as organisations
from careerrelay.organisations.models import ApiKey
from careerrelay.portals.employer.forms import ApiKeyForm


def api_keys_page(request, template: str):
    form = ApiKeyForm(request.POST or None)
    new_key = secret = None
    if request.method == "POST" and form.is_valid():
        # The secret is rendered in this response only: it is stored nowhere, not even in the
        # session, so reloading the page cannot show it again.
        new_key, secret = organisations.create_api_key(
            organisation=request.organisation, name=form.cleaned_data["name"], created_by=request.user
        )
        form = ApiKeyForm()
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
