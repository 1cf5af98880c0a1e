from django.urls import path

from careerrelay.sends import views

app_name = "sends"
urlpatterns = [
    path("c/<str:token>/", views.click, name="click"),
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
