from django.urls import path

from careerrelay.portals.employer import analytics

urlpatterns = [
    path("", analytics.overview, name="analytics"),
    path("export.csv", analytics.export, name="analytics_export"),
    path("fee/", analytics.fee_settings, name="analytics_fee"),
]
