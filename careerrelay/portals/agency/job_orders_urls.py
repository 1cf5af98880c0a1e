from django.urls import path

from careerrelay.portals.agency import views

urlpatterns = [
    path("", views.job_orders, name="job_orders"),
    path("<int:pk>/", views.job_order_edit, name="job_order_edit"),
    path("<int:pk>/status/", views.job_order_status, name="job_order_status"),
    path("<int:pk>/candidates/", views.job_order_find, name="job_order_find"),
]
