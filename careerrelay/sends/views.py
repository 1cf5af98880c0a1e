"""The two links in every sent rejection email: the relay link (through a click counter) and
the unsubscribe link. Both are public and keyed by unguessable per-recipient tokens."""

from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from careerrelay.sends import services as sends


@never_cache
def click(request, token):
    """Counts the click, then sends the applicant to the plain campaign URL: no applicant id,
    email or token in the URL, and nothing written to the session."""
    campaign = sends.record_click(token)
    if campaign is None:
        return render(request, "sends/link_invalid.html", status=404)
    response = redirect(campaign.get_absolute_url())
    response["Referrer-Policy"] = "no-referrer"
    return response


# RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without cookies, so this one view
# cannot ask for a CSRF token. The token in the URL is the authorisation, and unsubscribing is
# all a forged request could do.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    message = sends.find_by_unsubscribe_token(token)
    if message is None:
        return render(request, "sends/link_invalid.html", status=404)
    organisation = message.send.organisation
    if request.method == "POST":
        sends.unsubscribe(token)
        return render(request, "sends/unsubscribed.html", {"organisation": organisation})
    # GET only shows a button: link scanners in mail filters must not unsubscribe anybody.
    return render(
        request,
        "sends/unsubscribe.html",
        {
            "organisation": organisation,
            "already": sends.is_suppressed(organisation, message.to_email),
        },
    )
