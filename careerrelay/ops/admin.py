"""The console's overview page joins the operator console (Django's admin at /operator/) here,
where the admin's autodiscovery finds it: as a URL of the admin site, behind its sign-in and the
second-factor gate (accounts.middleware), at /operator/console/ (`admin:console`)."""

from django.contrib import admin
from django.urls import path

from careerrelay.ops.views import console_view

_admin_urls = admin.site.get_urls


def _urls_with_console():
    return [path("console/", admin.site.admin_view(console_view), name="console"), *_admin_urls()]


admin.site.get_urls = _urls_with_console
