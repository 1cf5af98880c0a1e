from django.urls import path

from careerrelay.followups import views

app_name = "followups"
urlpatterns = [
    path("openings/<str:code>/", views.openings, name="openings"),
]
