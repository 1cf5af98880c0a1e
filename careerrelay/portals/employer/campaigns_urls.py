from django.urls import path

from careerrelay.portals.employer import views

urlpatterns = [
    path("", views.campaigns, name="campaigns"),
    path("<int:pk>/", views.campaign_edit, name="campaign_edit"),
    path("<int:pk>/active/", views.campaign_set_active, name="campaign_set_active"),
]
