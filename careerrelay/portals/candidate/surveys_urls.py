from django.urls import path

from careerrelay.portals.candidate import surveys

app_name = "surveys"
urlpatterns = [
    path("s/<str:token>/", surveys.answer, name="answer"),
    path("s/<str:token>/thanks/", surveys.thanks, name="thanks"),
]
