from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from careerrelay.api.api import api
from careerrelay.api.errors import not_found_view as api_not_found
from careerrelay.portals.views import brand_logo, favicon, home

urlpatterns = [
    path("", home, name="home"),
    path("favicon.ico", favicon),
    path("brand/<str:brand_key>/<str:logo_file>", brand_logo, name="brand_logo"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("careerrelay.portals.candidate.urls")),
    path("me/", include("careerrelay.portals.candidate.mypage_urls")),
    path("employer/", include("careerrelay.portals.employer.urls")),
    path("agency/", include("careerrelay.portals.agency.urls")),
    path("", include("careerrelay.sends.urls")),
    # Mail providers' tracking webhooks (bounces, complaints): /hooks/mail/<provider>/tracking/
    path("hooks/mail/", include("careerrelay.outbox.webhooks")),
    path("", include("careerrelay.portals.candidate.surveys_urls")),
    path("", include("careerrelay.followups.urls")),
    path("", include("careerrelay.integrations.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", api.urls),
    path("api/v1/<path:unknown>", api_not_found),
    path("operator/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += [path("dev/", include("careerrelay.outbox.dev_urls"))]
