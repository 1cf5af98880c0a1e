from django.urls import path

from careerrelay.portals.employer import recontact

urlpatterns = [
    path("", recontact.recontact_list, name="recontact"),
    path("<uuid:public_id>/", recontact.recontact_detail, name="recontact_detail"),
    path("<uuid:public_id>/pool/", recontact.recontact_add_to_pool, name="recontact_add_to_pool"),
    path("stop-use/<int:pk>/acknowledge/", recontact.stop_use_acknowledge, name="recontact_stop_use_acknowledge"),
]
