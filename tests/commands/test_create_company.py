import json
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from careerrelay.accounts.models import User
from careerrelay.organisations.models import ApiKey, Membership, Organisation

pytestmark = pytest.mark.django_db


def create_company(*args):
    out = StringIO()
    call_command("create_company", *args, stdout=out)
    return out.getvalue()


def test_it_creates_the_company_admin_and_key_and_prints_json(client):
    output = create_company("株式会社山﨑", "--admin-email", "Ｔａｒｏ@Yamasaki.example", "--json")

    result = json.loads(output)
    organisation = Organisation.objects.get(pk=result["organisation_id"])
    assert organisation.name == "株式会社山﨑"
    assert organisation.kind == "employer"
    assert result["admin_email"] == "taro@yamasaki.example"
    campaign = organisation.campaigns.get(is_default=True)
    assert result["relay_url"] == f"http://testserver/r/{campaign.code}/"
    membership = Membership.objects.get(organisation=organisation)
    assert membership.role == "admin"
    assert membership.user.email == "taro@yamasaki.example"
    assert membership.user.has_usable_password() is False
    assert EmailAddress.objects.get(user=membership.user).verified is True
    assert ApiKey.objects.filter(organisation=organisation).count() == 1

    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {result['api_key']}")
    assert me.status_code == 200
    assert me.json()["name"] == "株式会社山﨑"
    assert me.json()["relay_links"][0]["url"] == result["relay_url"]
    assert client.get(result["relay_url"].removeprefix("http://testserver")).status_code == 200


def test_the_set_password_link_lets_the_admin_choose_a_password_once(client):
    result = json.loads(create_company("株式会社山﨑", "--admin-email", "admin@yamasaki.example", "--json"))
    link = result["set_password_url"].removeprefix("http://testserver")

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    form_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    response = client.post(form_url, {"password1": "kirin-no-senaka-2026", "password2": "kirin-no-senaka-2026"})
    assert response.status_code == 302
    assert User.objects.get(email="admin@yamasaki.example").check_password("kirin-no-senaka-2026")

    client.logout()
    again = client.get(link, follow=True)
    assert "password1" not in again.text
    assert client.login(email="admin@yamasaki.example", password="kirin-no-senaka-2026")


def test_text_output_names_the_relay_url_and_the_key():
    output = create_company("髙橋フーズ株式会社", "--admin-email", "admin@takahashi.example")
    organisation = Organisation.objects.get(name="髙橋フーズ株式会社")
    assert organisation.campaigns.get().url in output
    key_line = next(line for line in output.splitlines() if line.startswith("API key:"))
    assert key_line.split()[-1].startswith("cr_")


def test_an_existing_user_without_a_company_becomes_the_admin():
    user = User.objects.create_user(email="solo@example.jp", password="a-long-password-1")
    result = json.loads(create_company("株式会社ひとり", "--admin-email", "solo@example.jp", "--json"))
    assert Membership.objects.get(user=user).organisation_id == result["organisation_id"]
    assert result["set_password_url"] is None
    user.refresh_from_db()
    assert user.check_password("a-long-password-1")


def test_an_admin_of_another_company_is_refused(owner):
    with pytest.raises(CommandError, match="already belongs to 株式会社山﨑製作所"):
        create_company("株式会社ふたつめ", "--admin-email", "OWNER@yamasaki.example")
    assert not Organisation.objects.filter(name="株式会社ふたつめ").exists()


@pytest.mark.parametrize("name", ["", "   ", "\u3000"])
def test_an_empty_name_is_refused(name):
    with pytest.raises(CommandError, match="must not be empty"):
        create_company(name, "--admin-email", "admin@example.jp")
    assert Organisation.objects.count() == 0
    assert User.objects.count() == 0


@pytest.mark.parametrize("email", ["not-an-email", "", "a@", "@example.jp", "two@@example.jp"])
def test_a_bad_email_is_refused(email):
    with pytest.raises(CommandError, match="Not a valid email address"):
        create_company("株式会社山﨑", "--admin-email", email)
    assert Organisation.objects.count() == 0


def test_the_admin_email_is_required():
    with pytest.raises(CommandError, match="--admin-email"):
        create_company("株式会社山﨑")
