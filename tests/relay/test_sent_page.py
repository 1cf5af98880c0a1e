import pytest

from careerrelay.candidates.models import Candidate
from tests.factories import EmployerFactory, registration_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return EmployerFactory().campaigns.get()


def test_the_page_after_registering_shows_the_address_without_a_session(client, campaign):
    response = client.post(campaign.get_absolute_url(), registration_data(email="ＨＡＮＡＫＯ@example.jp"))
    assert response.status_code == 302
    assert "sessionid" not in response.cookies
    cookie = response.cookies["relay_sent_to"]
    assert (cookie["path"], cookie["httponly"]) == (response["Location"], True)
    page = client.get(response["Location"])
    assert f"<strong>{Candidate.objects.get().email}</strong>" in page.text


def test_without_the_cookie_or_with_a_forged_one_the_page_names_no_address(client, campaign):
    sent = f"{campaign.get_absolute_url()}sent/"
    assert "<strong>" not in client.get(sent).text
    client.cookies["relay_sent_to"] = "someone@example.jp"
    assert "someone@example.jp" not in client.get(sent).text
