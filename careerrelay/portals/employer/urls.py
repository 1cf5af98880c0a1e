from django.urls import path

from careerrelay.portals.employer import views

app_name = "employer"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
]
