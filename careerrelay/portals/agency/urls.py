from django.urls import include, path

from careerrelay.portals.agency import views

app_name = "agency"
urlpatterns = [
    path("", views.home, name="home"),
    path("signup/", views.signup, name="signup"),
    path("signup/done/", views.signup_done, name="signup_done"),
    path("search/", views.search, name="search"),
    path("candidates/<uuid:public_id>/", views.candidate_detail, name="candidate"),
    path("candidates/<uuid:public_id>/resume/", views.candidate_resume, name="candidate_resume"),
    path("jobs/", views.job_orders, name="job_orders"),
    path("jobs/<int:pk>/", views.job_order_edit, name="job_order_edit"),
    path("jobs/<int:pk>/status/", views.job_order_status, name="job_order_status"),
    path("jobs/<int:pk>/candidates/", views.job_order_find, name="job_order_find"),
    path("team/", views.team, name="team"),
    path("team/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("api-keys/", views.api_keys, name="api_keys"),
    path("api-keys/<int:pk>/revoke/", views.api_key_revoke, name="api_key_revoke"),
    path("notifications/", views.notifications, name="notifications"),
    path("", include("careerrelay.portals.agency.matching")),  # introductions, free referrals
]
