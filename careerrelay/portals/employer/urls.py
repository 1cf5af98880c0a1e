from django.urls import include, path

from careerrelay.portals.employer import views

app_name = "employer"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/<int:pk>/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/active/", views.campaign_set_active, name="campaign_set_active"),
    path("team/", views.team, name="team"),
    path("team/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("team/members/<int:pk>/role/", views.member_role, name="member_role"),
    path("team/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("team/reply-to/", views.reply_to, name="reply_to"),
    path("api-keys/", views.api_keys, name="api_keys"),
    path("api-keys/<int:pk>/revoke/", views.api_key_revoke, name="api_key_revoke"),
    path("notifications/", views.notifications, name="notifications"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("invitations/<str:token>/switch/", views.switch_account, name="switch_account"),
    # Other portals' pages (applicants, templates, sends) are added below this line.
    path("applicants/", include("careerrelay.portals.employer.applicants_urls")),
    path("templates/", include("careerrelay.portals.employer.templates_views")),
    path("sends/", include("careerrelay.portals.employer.sends")),
    path("free-referrals/", include("careerrelay.portals.employer.free_referrals")),
]
