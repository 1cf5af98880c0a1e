"""The blank landing page is rendered once per process; what each visitor gets must still be
their own (CSRF token), current (employer name, link state) and counted."""

import re

import pytest
from django.test import Client

from careerrelay.candidates.models import Candidate
from careerrelay.relay.services import flush_views, update_campaign
from tests.factories import EmployerFactory, registration_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return EmployerFactory(name="株式会社さくら").campaigns.get()


def csrf_token_in(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_each_visitor_gets_a_working_token_of_their_own(campaign, django_capture_on_commit_callbacks):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_one = first.get(campaign.get_absolute_url()).text
    page_two = second.get(campaign.get_absolute_url()).text
    assert "csrf-token-placeholder" not in page_one
    assert csrf_token_in(page_one) != csrf_token_in(page_two)
    with django_capture_on_commit_callbacks(execute=True):
        response = second.post(
            campaign.get_absolute_url(),
            {**registration_data(), "csrfmiddlewaretoken": csrf_token_in(page_two)},
        )
    assert response.status_code == 302
    assert Candidate.objects.count() == 1


def test_every_view_is_counted_and_changes_show_at_once(client, campaign):
    assert "株式会社さくら" in client.get(campaign.get_absolute_url()).text
    organisation = campaign.organisation
    organisation.name = "さくら株式会社"
    organisation.save()  # as the operators' console saves it
    assert "さくら株式会社" in Client().get(campaign.get_absolute_url()).text
    update_campaign(campaign, name=campaign.name, is_active=False)
    assert Client().get(campaign.get_absolute_url()).status_code == 404
    flush_views()
    campaign.refresh_from_db()
    assert campaign.landing_views == 2


def test_a_pending_flash_message_is_shown_not_lost_to_the_cached_page(client, campaign, owner):
    client.get(campaign.get_absolute_url())  # the blank page is now cached in this process
    response = client.post("/accounts/login/", {"login": owner.email, "password": "correct horse battery"})
    assert response.status_code == 302  # allauth leaves a "signed in" flash message
    page = client.get(campaign.get_absolute_url()).text
    assert '<ul class="flash">' in page
    assert '<ul class="flash">' not in Client().get(campaign.get_absolute_url()).text


def test_the_english_page_is_cached_apart_from_the_japanese_one(campaign):
    japanese = Client().get(campaign.get_absolute_url()).text
    english = Client(headers={"accept-language": "en"}).get(campaign.get_absolute_url()).text
    assert "プロフィール登録" in japanese
    assert "プロフィール登録" not in english
