from django.urls import path

from careerrelay.portals.employer import followups

urlpatterns = [
    path("", followups.followup_list, name="followups"),
    path("settings/", followups.followup_settings, name="followup_settings"),
    path("new/", followups.followup_create, name="followup_create"),
    path("<int:pk>/", followups.followup_edit, name="followup_edit"),
    path("<int:pk>/active/", followups.followup_set_active, name="followup_set_active"),
]
