from django.urls import path

from careerrelay.portals.candidate import introductions

urlpatterns = [
    path("", introductions.index, name="introductions"),
    path("<uuid:public_id>/", introductions.detail, name="introduction"),
    path("<uuid:public_id>/accept/", introductions.accept, name="introduction_accept"),
    path("<uuid:public_id>/decline/", introductions.decline, name="introduction_decline"),
    path("<uuid:public_id>/withdraw/", introductions.withdraw, name="introduction_withdraw"),
]
