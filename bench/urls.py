"""The application's URLs plus a bare Django view: the baseline the landing page is compared to."""

from django.http import HttpResponse
from django.urls import include, path

urlpatterns = [
    path("bench/bare/", lambda request: HttpResponse("ok")),
    path("", include("careerrelay.urls")),
]
