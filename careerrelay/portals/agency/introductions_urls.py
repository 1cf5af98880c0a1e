from django.urls import path

from careerrelay.portals.agency import matching

urlpatterns = [
    path("", matching.introductions, name="introductions"),
    path("new/<uuid:candidate_id>/", matching.introduction_new, name="introduction_new"),
    path("<uuid:public_id>/", matching.introduction, name="introduction"),
    path("<uuid:public_id>/stage/", matching.introduction_stage, name="introduction_stage"),
]
