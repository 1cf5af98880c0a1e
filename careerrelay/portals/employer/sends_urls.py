from django.urls import path

from careerrelay.portals.employer import sends

urlpatterns = [
    path("", sends.send_list, name="sends"),
    path("new/", sends.send_create, name="send_create"),
    path("new/preview/", sends.send_preview, name="send_preview"),
    path("<int:pk>/", sends.send_detail, name="send_detail"),
    path("<int:pk>/progress/", sends.send_progress, name="send_progress"),
    path("<int:pk>/cancel/", sends.send_cancel, name="send_cancel"),
]
