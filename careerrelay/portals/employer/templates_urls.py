from django.urls import path

from careerrelay.portals.employer import templates_views

urlpatterns = [
    path("", templates_views.template_list, name="template_list"),
    path("new/", templates_views.template_create, name="template_create"),
    path("preview/", templates_views.template_preview, name="template_preview"),
    path("<int:pk>/", templates_views.template_edit, name="template_edit"),
    path("<int:pk>/delete/", templates_views.template_delete, name="template_delete"),
    path("<int:pk>/ats/", templates_views.template_ats, name="template_ats"),
]
