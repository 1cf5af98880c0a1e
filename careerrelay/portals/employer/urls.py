from django.urls import include, path

from careerrelay.organisations.models import Organisation
from careerrelay.portals.employer import (
    analytics_urls,
    applicants_urls,
    campaigns_urls,
    followups_urls,
    free_referrals_urls,
    integrations_urls,
    jobs_urls,
    recontact_urls,
    rejection_reasons_urls,
    sends_urls,
    surveys_urls,
    templates_urls,
    views,
)
from careerrelay.portals.workspace.urls import api_key_urls, invitation_urls, notification_urls, team_urls, webhook_urls

EMPLOYER = Organisation.Kind.EMPLOYER

app_name = "employer"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("campaigns/", include(campaigns_urls)),
    path("team/", include([*team_urls(EMPLOYER), path("reply-to/", views.reply_to, name="reply_to")])),
    path("api-keys/", include(api_key_urls(EMPLOYER))),
    path("webhooks/", include(webhook_urls(EMPLOYER))),
    path("brand/", views.brand_settings, name="brand"),
    path("notifications/", include(notification_urls(EMPLOYER))),
    # An invitation to an agency's team comes by the same link.
    path("invitations/", include(invitation_urls)),
    path("applicants/", include(applicants_urls)),
    path("rejection-reasons/", include(rejection_reasons_urls)),
    path("jobs/", include(jobs_urls)),
    path("templates/", include(templates_urls)),
    path("sends/", include(sends_urls)),
    path("followups/", include(followups_urls)),
    path("integrations/", include(integrations_urls)),
    path("free-referrals/", include(free_referrals_urls)),
    path("recontact/", include(recontact_urls)),
    path("surveys/", include(surveys_urls)),
    path("analytics/", include(analytics_urls)),
]
