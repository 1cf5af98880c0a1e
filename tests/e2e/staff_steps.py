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


def operator_signs_in(page, live_server, operator, next_url="/operator/"):
    """An operator (OperatorFactory: password 'correct horse battery', an authenticator app on
    .totp_secret) signs in through allauth's login and its second-factor step, and lands on next_url."""
    import re

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    counters = list(yield_hotp_counters_from_time())
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("input[name=login]", operator.email)
    page.fill("input[name=password]", "correct horse battery")
    page.locator("form[action^='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.fill("input[name=code]", format_hotp_value(hotp_value(operator.totp_secret, counters[len(counters) // 2])))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(re.escape(next_url)))
