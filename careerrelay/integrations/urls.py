from django.urls import path

from careerrelay.integrations import views

app_name = "integrations"
urlpatterns = [
    path("hooks/ats/<str:public_id>/", views.receive, name="receive"),
]
