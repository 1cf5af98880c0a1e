from django.conf import settings
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control


def home(request):
    return render(request, "home.html", {"referrals_per_credit": settings.REFERRALS_PER_CREDIT})


@cache_control(max_age=86400, public=True)
def favicon(request):
    """Pages link the icon from base.html; browsers and bots that ask /favicon.ico anyway get it too."""
    return redirect(static("favicon.ico"), permanent=True)
