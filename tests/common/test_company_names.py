"""A company name is the display name in the From header of the company's mail: at every entry
point it is one line, and a name stored with a line break still sends."""

from email.header import decode_header, make_header
from email.utils import parseaddr

import pytest
from django.core.mail import EmailMessage
from django.core.management import CommandError, call_command
from django.urls import reverse

from careerrelay.accounts.models import User
from careerrelay.organisations.models import Organisation
from careerrelay.outbox.services import from_address
from tests.factories import OperatorFactory

pytestmark = pytest.mark.django_db

PASSWORD = "kiso-tango-37-hoshi"


def signup(client, company_name):
    data = {
        "company_name": company_name,
        "name": "髙橋 花子",
        "email": "hanako@takahashi.example",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    return client.post(reverse("account_signup"), data)


def test_employer_signup_puts_a_company_name_with_line_breaks_on_one_line(client):
    response = signup(client, "株式会社髙橋\r\n商事")
    assert response.status_code == 302
    assert Organisation.objects.get().name == "株式会社髙橋 商事"


def test_employer_signup_refuses_control_characters_and_keeps_what_was_typed(client):
    response = signup(client, "株式会社髙橋\x1b商事")
    assert response.status_code == 200
    assert response.context["form"].errors["company_name"] == ["改行や制御文字は使えません。1行で入力してください。"]
    assert 'value="hanako@takahashi.example"' in response.text
    assert not User.objects.exists()
    assert not Organisation.objects.exists()


def test_create_company_refuses_control_characters(db):
    with pytest.raises(CommandError, match="control characters"):
        call_command("create_company", "株式会社\x07山﨑", "--admin-email", "admin@yamasaki.example")
    assert not Organisation.objects.exists()


def test_the_operator_cannot_save_a_company_name_with_a_line_break(client, employer):
    client.force_login(OperatorFactory(email="operator@careerrelay.example"))
    url = reverse("admin:organisations_organisation_change", args=[employer.pk])
    response = client.post(url, {"kind": "employer", "name": "株式会社\r\n山﨑製作所", "is_active": "on"})
    assert response.status_code == 200
    assert "改行や制御文字は使えません" in response.text
    employer.refresh_from_db()
    assert employer.name == "株式会社山﨑製作所"


def test_a_name_stored_with_a_line_break_still_makes_a_valid_from_header(settings):
    settings.DEFAULT_FROM_EMAIL = "CareerRelay <noreply@careerrelay.example>"
    sender = from_address("株式会社山﨑\r\nBcc: victim@example.com")
    message = EmailMessage("件名", "本文", sender, ["hanako@example.jp"]).message()  # no BadHeaderError
    name, address = parseaddr(message["From"])
    assert address == "noreply@careerrelay.example"
    assert str(make_header(decode_header(name))) == "株式会社山﨑 Bcc: victim@example.com"
    assert message["Bcc"] is None
