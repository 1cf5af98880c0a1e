"""Steps the staff-side browser tests share."""

from django.conf import settings as django_settings
from django.test import Client

from tests.helpers.browser import DESKTOP


def logged_in_page(new_page, live_server, user):
    """A desktop browser page signed in as `user` (the session made by the test client)."""
    client = Client()
    client.force_login(user)
    page = new_page(**DESKTOP)
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return page
