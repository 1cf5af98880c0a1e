"""Account security and the Content-Security-Policy in a real browser: an operator signs in through
allauth, is sent to set up an authenticator app before the console opens, does so, and reaches the
console, with no Content-Security-Policy violation on the way (allauth's MFA pages and our own
scripts)."""

import re

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

from tests.factories import OperatorFactory
from tests.helpers.browser import DESKTOP

pytestmark = pytest.mark.django_db(transaction=True)


def code(secret):
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def watch_csp(page):
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.on("pageerror", lambda error: violations.append(str(error)))
    return violations


def test_an_operator_sets_up_an_authenticator_app_and_reaches_the_console(new_page, live_server, settings):
    settings.SITE_URL = live_server.url
    OperatorFactory(email="operator@careerrelay.example", second_factor=False)
    page = new_page(**DESKTOP)
    violations = watch_csp(page)

    page.goto(f"{live_server.url}/operator/")
    assert "/accounts/login/" in page.url
    # The watcher does see a violation: an inline script without the nonce is refused.
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.x = 1'; document.body.append(s); }"
    )
    assert page.evaluate("() => window.x") is None
    assert violations and "Content Security Policy" in violations[0]
    violations.clear()
    page.fill("input[name=login]", "operator@careerrelay.example")
    page.fill("input[name=password]", "correct horse battery")
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/$"))
    assert "運営コンソールを使うには二段階認証が必要です" in page.content()

    page.goto(f"{live_server.url}/accounts/2fa/totp/activate/")
    if "/reauthenticate/" in page.url:
        page.fill("input[name=password]", "correct horse battery")
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/"))
    qr = page.locator("img[src^='data:image/svg+xml']")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # the data: QR code is allowed
    secret = page.locator("#authenticator_secret").input_value()
    page.fill("input[name=code]", code(secret))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/accounts/2fa/"))

    page.goto(f"{live_server.url}/accounts/2fa/recovery-codes/")
    assert page.locator("main").inner_text()

    page.goto(f"{live_server.url}/operator/")
    assert page.url.endswith("/operator/")
    assert "運営メニュー" in page.content()
    assert violations == []


def test_the_delete_confirmation_still_asks_now_that_its_script_is_a_static_file(new_page, live_server, settings):
    from django.test import Client

    from careerrelay.talent.models import Applicant
    from tests.factories import EmployerFactory, MembershipFactory, UserFactory
    from tests.helpers.rejections import make_applicant

    settings.SITE_URL = live_server.url
    employer = EmployerFactory(name="株式会社山﨑製作所")
    owner = MembershipFactory(organisation=employer, role="admin", user=UserFactory(email="o@yamasaki.example")).user
    applicant = make_applicant(employer, family_name="髙橋", given_name="一郎", email="ichiro@example.jp")
    client = Client()
    client.force_login(owner)
    page = new_page(**DESKTOP)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    violations = watch_csp(page)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto(f"{live_server.url}/employer/applicants/{applicant.pk}/")
    page.get_by_role("button", name="削除する").click()

    assert dialogs == ["この応募者を削除します。元に戻せません。よろしいですか?"]
    assert Applicant.objects.filter(pk=applicant.pk).exists()  # dismissed: nothing deleted
    assert violations == []


def test_a_security_key_can_be_added_under_the_policy(new_page, live_server, settings):
    """allauth's WebAuthn page is the most script-heavy of its MFA pages; Chromium's virtual
    authenticator stands in for the key."""
    from allauth.mfa.models import Authenticator

    settings.SITE_URL = live_server.url
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # http://localhost, as with `make run`
    operator = OperatorFactory(email="operator@careerrelay.example")
    page = new_page(**DESKTOP)
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    violations = watch_csp(page)

    page.goto(f"{live_server.url}/accounts/login/?next=/accounts/2fa/webauthn/add/")
    page.fill("input[name=login]", operator.email)
    page.fill("input[name=password]", "correct horse battery")
    page.locator("form[action^='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.fill("input[name=code]", code(operator.totp_secret))
    page.locator("main form button[type=submit]").first.click()
    # Wait until the second-factor step has really finished: "/accounts/" alone already matches
    # the authenticate page, and leaving it early cancelled the sign-in (a CI flake).
    page.wait_for_url(lambda url: "/accounts/" in url and "/2fa/authenticate/" not in url)
    if "/2fa/webauthn/add/" not in page.url:
        page.goto(f"{live_server.url}/accounts/2fa/webauthn/add/")
    if "/reauthenticate/" in page.url:
        page.fill("input[name=password]", "correct horse battery")
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url(re.compile(r"/accounts/2fa/webauthn/add/"))
    page.fill("input[name=name]", "USBキー")
    page.locator("#mfa_webauthn_add").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)

    assert Authenticator.objects.filter(user=operator, type=Authenticator.Type.WEBAUTHN).exists()
    assert violations == []
