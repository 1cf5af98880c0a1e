"""The site's URLs with the development mailbox, which careerrelay/urls.py routes only when DEBUG
is on at start-up."""

from django.urls import include, path

from careerrelay.urls import urlpatterns as site_urlpatterns

urlpatterns = [*site_urlpatterns, path("dev/", include("careerrelay.outbox.dev_urls"))]
