"""The registration form names the version of the privacy notice the person agrees to."""

import pytest

from tests.factories import EmployerFactory, registration_data

pytestmark = pytest.mark.django_db


def test_the_landing_page_shows_the_notice_version(client, settings):
    # The blank form is rendered once per process, so the setting is read, not overridden.
    campaign = EmployerFactory(name="株式会社さくら").campaigns.get()
    page = client.get(campaign.get_absolute_url()).text
    assert f"通知バージョン {settings.PRIVACY_NOTICE_VERSION}。" in page
    assert "通知バージョン 。" not in page


def test_the_form_shown_again_with_errors_shows_it_too(client, settings):
    settings.PRIVACY_NOTICE_VERSION = "2027-04-01"
    campaign = EmployerFactory(name="株式会社さくら").campaigns.get()
    response = client.post(campaign.get_absolute_url(), {**registration_data(), "email": "not-an-address"})
    assert response.status_code == 200
    assert "通知バージョン 2027-04-01。" in response.text
