from django.conf import settings
from django.shortcuts import render


def home(request):
    return render(request, "home.html", {"referrals_per_credit": settings.REFERRALS_PER_CREDIT})
