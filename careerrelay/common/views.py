from django.shortcuts import render
from django.utils.translation import gettext as _


def rate_limited(request, exception=None):
    return render(
        request,
        "rate_limited.html",
        {"message": _("短時間にリクエストが集中しています。しばらく時間をおいてから、もう一度お試しください。")},
        status=429,
    )
