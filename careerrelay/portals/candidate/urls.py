from django.urls import path

from careerrelay.portals.candidate import views

app_name = "relay"
urlpatterns = [
    path("r/<str:code>/", views.landing, name="landing"),
    path("r/<str:code>/sent/", views.sent, name="sent"),
    path("verify/resend/", views.resend, name="resend"),
    path("verify/<str:token>/", views.verify, name="verify"),
]
