from django.urls import include, path

from careerrelay.organisations.models import Organisation
from careerrelay.portals.agency import free_referrals_urls, introductions_urls, job_orders_urls, views
from careerrelay.portals.workspace.urls import api_key_urls, notification_urls, team_urls, webhook_urls

AGENCY = Organisation.Kind.AGENCY

app_name = "agency"
urlpatterns = [
    path("", views.home, name="home"),
    path("signup/", views.signup, name="signup"),
    path("signup/done/", views.signup_done, name="signup_done"),
    path("search/", views.search, name="search"),
    path("candidates/<uuid:public_id>/", views.candidate_detail, name="candidate"),
    path("candidates/<uuid:public_id>/resume/", views.candidate_resume, name="candidate_resume"),
    path("jobs/", include(job_orders_urls)),
    path("team/", include(team_urls(AGENCY))),
    path("api-keys/", include(api_key_urls(AGENCY))),
    path("webhooks/", include(webhook_urls(AGENCY))),
    path("notifications/", include(notification_urls(AGENCY))),
    path("introductions/", include(introductions_urls)),
    path("free-referrals/", include(free_referrals_urls)),
]
