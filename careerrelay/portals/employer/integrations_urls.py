from django.urls import path

from careerrelay.portals.employer import integrations

urlpatterns = [
    path("", integrations.integration_list, name="integrations"),
    path("new/", integrations.integration_create, name="integration_create"),
    path("<int:pk>/", integrations.integration_detail, name="integration_detail"),
    path("<int:pk>/active/", integrations.integration_set_active, name="integration_set_active"),
    path("<int:pk>/deliveries/", integrations.delivery_list, name="integration_deliveries"),
    path("<int:pk>/deliveries/<int:delivery_pk>/replay/", integrations.delivery_replay, name="integration_replay"),
    path("<int:pk>/reasons/<int:mapping_pk>/", integrations.mapping_edit, name="integration_mapping"),
    path("<int:pk>/reasons/<int:mapping_pk>/copy/", integrations.mapping_copy, name="integration_mapping_copy"),
]
