import re

import pytest
from django.core import mail
from django.urls import reverse

from careerrelay.accounts.models import User
from careerrelay.organisations.models import Membership
from careerrelay.relay.models import RelayCampaign

pytestmark = pytest.mark.django_db

PASSWORD = "kiso-tango-37-hoshi"


def signup_data(**overrides):
    data = {
        "company_name": "株式会社髙橋商事",
        "name": "髙橋 花子",
        "email": "hanako@takahashi.example",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


def link_in(message, pattern) -> str:
    return re.search(rf"http://testserver({pattern})", message.body).group(1)


def test_signup_verification_and_confirmation_lead_to_the_dashboard(client, django_capture_on_commit_callbacks):
    page = client.get(reverse("account_signup"))
    assert page.status_code == 200
    assert 'autocomplete="organization"' in page.text
    assert "企業の新規登録" in page.text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), signup_data(email="Hanako@Takahashi.example"))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "確認メールを送りました" in client.get(response["Location"]).text

    user = User.objects.get()
    assert user.email == "hanako@takahashi.example"
    assert user.name == "髙橋 花子"
    membership = Membership.objects.get(user=user)
    assert membership.organisation.name == "株式会社髙橋商事"
    assert membership.role == "admin"
    assert RelayCampaign.objects.filter(organisation=membership.organisation, is_default=True).count() == 1

    # Not usable before the address is confirmed.
    assert client.get(reverse("employer:dashboard")).status_code == 302

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["hanako@takahashi.example"]
    confirm_path = link_in(mail.outbox[0], r"/accounts/confirm-email/[^\s]+/")

    # Opening the link (as a mail scanner would) verifies nothing; the button's POST does.
    page = client.get(confirm_path)
    assert page.status_code == 200
    assert "確認してはじめる" in page.text
    assert not user.emailaddress_set.get().verified

    response = client.post(confirm_path)
    assert response.status_code == 302
    assert user.emailaddress_set.get().verified
    dashboard = client.get(response["Location"], follow=True)
    assert dashboard.status_code == 200
    assert "株式会社髙橋商事" in dashboard.text
    assert "あなたの会社のリレーリンク" in dashboard.text


def test_signup_errors_are_in_japanese_and_keep_what_was_typed(client):
    response = client.post(reverse("account_signup"), signup_data(company_name="", password2="something-else-entirely"))
    assert response.status_code == 200
    assert User.objects.count() == 0
    assert "このフィールドは必須です。" in response.text or "入力してください" in response.text
    assert 'value="髙橋 花子"' in response.text
    assert 'value="hanako@takahashi.example"' in response.text
    assert "入力内容をご確認ください。" in response.text


def test_login_and_logout(client, owner):
    page = client.get(reverse("account_login"))
    assert page.status_code == 200
    assert f'href="{reverse("account_reset_password")}"' in page.text
    response = client.post(reverse("account_login"), {"login": owner.email, "password": "correct horse battery"})
    assert response.status_code == 302
    assert response["Location"] == reverse("employer:dashboard")
    assert client.get(reverse("employer:dashboard")).status_code == 200

    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert client.get(reverse("employer:dashboard")).status_code == 302


def test_wrong_password_gets_a_japanese_message(client, owner):
    response = client.post(reverse("account_login"), {"login": owner.email, "password": "wrong password"})
    assert response.status_code == 200
    assert "正しくありません" in response.text
    assert f'value="{owner.email}"' in response.text


def test_login_is_rate_limited_per_address_with_a_clear_message(client, owner):
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": owner.email, "password": "wrong password"})
        assert "ログイン失敗が連続しています" not in response.text
    # Even the right password is refused for a while after five failures.
    response = client.post(reverse("account_login"), {"login": owner.email, "password": "correct horse battery"})
    assert response.status_code == 200
    assert "ログイン失敗が連続しています。時間が経ってからやり直してください。" in response.text
    assert client.get(reverse("employer:dashboard")).status_code == 302


def test_login_rate_limit_can_be_switched_off(client, owner, settings):
    settings.ACCOUNT_RATE_LIMITS = False
    for _ in range(6):
        client.post(reverse("account_login"), {"login": owner.email, "password": "wrong password"})
    response = client.post(reverse("account_login"), {"login": owner.email, "password": "correct horse battery"})
    assert response.status_code == 302


def test_password_reset_end_to_end(client, owner, django_capture_on_commit_callbacks):
    page = client.get(reverse("account_reset_password"))
    assert page.status_code == 200
    assert "パスワードの再設定" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "OWNER@yamasaki.example"})
    assert response.status_code == 302
    assert "再設定メールを送りました" in client.get(response["Location"]).text
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [owner.email]

    reset_path = link_in(mail.outbox[0], r"/accounts/password/reset/key/[^\s]+/")
    page = client.get(reset_path, follow=True)
    assert page.status_code == 200
    assert "新しいパスワードの設定" in page.text
    form_path = page.redirect_chain[-1][0] if page.redirect_chain else reset_path
    response = client.post(form_path, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert "パスワードを変更しました" in client.get(response["Location"]).text

    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    response = client.post(reverse("account_login"), {"login": owner.email, "password": PASSWORD})
    assert response.status_code == 302

    # The link works once.
    client.post(reverse("account_logout"))
    assert "リンクが無効です" in client.get(reset_path, follow=True).text


def test_pages_use_the_site_layout(client):
    for name in ("account_login", "account_signup", "account_reset_password"):
        html = client.get(reverse(name)).text
        assert "css/app.css" in html
        assert 'class="site-header"' in html


def test_too_many_signups_from_one_address_get_a_friendly_429(client, settings, django_capture_on_commit_callbacks):
    settings.ACCOUNT_RATE_LIMITS = {"signup": "1/h/ip"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("account_signup"), signup_data()).status_code == 302
    response = client.post(reverse("account_signup"), signup_data(email="jiro@takahashi.example"))
    assert response.status_code == 429
    assert "短時間にリクエストが集中しています。" in response.text
    assert 'class="site-header"' in response.text
    assert not User.objects.filter(email="jiro@takahashi.example").exists()


def test_password_change_from_the_workspace(owner_client, owner):
    team = owner_client.get(reverse("employer:team")).text
    assert f'href="{reverse("account_change_password")}"' in team
    page = owner_client.get(reverse("account_change_password"))
    assert 'class="site-header"' in page.text
    assert '<button class="button primary" type="submit">' in page.text
    response = owner_client.post(
        reverse("account_change_password"),
        {"oldpassword": "correct horse battery", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
