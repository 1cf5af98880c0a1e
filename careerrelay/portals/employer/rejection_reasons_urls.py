from django.urls import path

from careerrelay.portals.employer import rejection_reasons

urlpatterns = [
    path("", rejection_reasons.reason_list, name="rejection_reasons"),
    path("<int:pk>/edit/", rejection_reasons.reason_edit, name="rejection_reason_edit"),
    path("<int:pk>/move/", rejection_reasons.reason_move, name="rejection_reason_move"),
    path("<int:pk>/active/", rejection_reasons.reason_set_active, name="rejection_reason_set_active"),
]
