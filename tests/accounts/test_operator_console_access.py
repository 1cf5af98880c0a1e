"""Nobody takes over a staff or operator account. The console signs in through allauth's
rate-limited login, staff need a second factor, and the development mailbox is no way in."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.test import override_settings
from django.urls import reverse

from careerrelay.outbox.models import OutboundEmail
from tests.factories import OperatorFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
ATTACKER = {"REMOTE_ADDR": "203.0.113.9"}


def current_code(secret: str) -> str:
    counter = list(yield_hotp_counters_from_time())[len(list(yield_hotp_counters_from_time())) // 2]
    return format_hotp_value(hotp_value(secret, counter))


def sign_in(client, email, password=PASSWORD, next_url="/operator/"):
    return client.post(
        f"{reverse('account_login')}?next={next_url}", {"login": email, "password": password}, **ATTACKER
    )


def test_the_console_has_no_login_form_of_its_own(client):
    response = client.get("/operator/login/?next=/operator/auth/user/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Foperator%2Fauth%2Fuser%2F"
    # Opening the console signed out ends at allauth's login too.
    response = client.get("/operator/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=%2Foperator%2F"


def test_a_signed_in_non_staff_user_is_refused_not_sent_round_in_circles(client, owner):
    client.force_login(owner)
    assert client.get("/operator/login/?next=/operator/").status_code == 403


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ja", "ログイン失敗が連続しています。時間が経ってからやり直してください。"),
        ("en", "Too many failed login attempts. Try again later."),
    ],
)
def test_ten_wrong_passwords_at_the_console_login_lock_the_account_with_a_clear_message(client, language, message):
    operator = OperatorFactory(email="operator@careerrelay.example")
    client.cookies["django_language"] = language
    login_url = client.get("/operator/login/?next=/operator/", **ATTACKER)["Location"]
    pages = []
    for _attempt in range(10):
        response = client.post(login_url, {"login": operator.email, "password": "wrong password 123"}, **ATTACKER)
        pages.append(response.content.decode())
    assert message not in pages[0]
    assert message in pages[-1]
    # Locked means locked: the right password is refused as well, for now.
    response = sign_in(client, operator.email)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_without_a_second_factor_are_refused_from_the_console(client):
    operator = OperatorFactory(email="operator@careerrelay.example", second_factor=False)
    response = sign_in(client, operator.email)
    assert response["Location"] == "/operator/"
    response = client.get("/operator/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_index")
    assert "運営コンソールを使うには二段階認証が必要です" in response.content.decode()
    assert client.get("/operator/auth/user/")["Location"] == reverse("mfa_index")


def test_staff_with_an_authenticator_app_get_in_after_the_code_step(client):
    operator = OperatorFactory(email="operator@careerrelay.example")
    response = sign_in(client, operator.email)
    assert response["Location"] == reverse("mfa_authenticate")
    # The password alone signs nobody in: the console still asks for a login.
    assert client.get("/operator/")["Location"].startswith("/operator/login/")
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(operator.totp_secret)})
    assert response["Location"] == "/operator/"
    assert client.get("/operator/").status_code == 200


def test_every_user_is_offered_a_second_factor_from_the_workspace(client, owner):
    sign_in(client, owner.email, next_url=reverse("employer:dashboard"))
    page = client.get(reverse("employer:dashboard")).content.decode()
    assert f'href="{reverse("mfa_index")}"' in page
    # Setting up a factor asks for the password once more (allauth's reauthentication).
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(response["Location"], {"password": PASSWORD})
    activate = client.get(reverse("mfa_activate_totp"))
    assert activate.status_code == 200
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', activate.content.decode())
    secret = secret or re.search(r'value="([A-Z2-7]{32})"', activate.content.decode())
    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret.group(1))})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=owner, type=Authenticator.Type.TOTP).exists()


def test_the_reset_link_attack_on_the_operator_fails(client, settings, django_capture_on_commit_callbacks):
    """Request a reset for the operator, read the link in /dev/mailbox/, sign in to /operator/."""
    OperatorFactory(email="operator@careerrelay.example")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "operator@careerrelay.example"}, **ATTACKER)
    # The outbox no longer holds the link once the message is delivered.
    assert OutboundEmail.objects.get(to_email="operator@careerrelay.example").body_text == ""
    # A production start has no mailbox route at all (test_settings_deploy.py checks the
    # URLconf of a fresh production process); the test URLconf here is the production one.
    assert client.get("/dev/mailbox/", **ATTACKER).status_code == 404
    # Even on a server started with DEBUG on, a stranger is not shown the mailbox.
    settings.DEBUG = True
    with override_settings(ROOT_URLCONF="tests.outbox.dev_urlconf"):
        assert client.get("/dev/mailbox/", **ATTACKER).status_code == 404
        assert client.get("/dev/mailbox/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 404
    # And with the reset link in hand, the second factor still stands between them and the console.
    from django.core import mail

    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body).group(1)
    form_url = client.get(link, **ATTACKER)["Location"]
    changed = client.post(
        form_url, {"password1": "new-strong-pass-2026", "password2": "new-strong-pass-2026"}, **ATTACKER
    )
    assert changed.status_code == 302
    response = sign_in(client, "operator@careerrelay.example", password="new-strong-pass-2026")
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get("/operator/")["Location"].startswith("/operator/login/")


def test_admins_own_login_form_cannot_sign_in_another_account(client):
    """A signed-in operator posting someone else's password to /operator/login/ stays themself:
    that form would skip the failed-login lock and the other account's second factor."""
    operator = OperatorFactory(email="operator@careerrelay.example")
    other = OperatorFactory(email="other@careerrelay.example")
    client.force_login(operator)
    response = client.post("/operator/login/", {"username": other.email, "password": PASSWORD})
    assert response["Location"] == "/operator/"
    assert client.session["_auth_user_id"] == str(operator.pk)
