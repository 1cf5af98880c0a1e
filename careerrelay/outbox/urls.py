from django.urls import path

from careerrelay.outbox import views

app_name = "mailings"
urlpatterns = [
    path("c/<str:token>/", views.click, name="click"),
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
