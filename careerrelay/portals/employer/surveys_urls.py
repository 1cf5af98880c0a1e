from django.urls import path

from careerrelay.portals.employer import surveys

urlpatterns = [
    path("", surveys.survey_dashboard, name="surveys"),
]
