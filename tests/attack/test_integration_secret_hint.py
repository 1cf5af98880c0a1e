"""The integration page shows members the end of the signing secret; for a short secret that end
would be half of it, so a member (who may not set up auto-sends) could guess the rest and sign
deliveries in the company's name."""

import pytest
from django.urls import reverse

from careerrelay.integrations.models import Integration

pytestmark = pytest.mark.django_db


def test_a_short_secret_shows_no_characters_to_a_member(member_client, employer):
    integration = Integration.objects.create(organisation=employer, kind="generic", name="自社ATS", secret="ab12cd34")
    page = member_client.get(reverse("employer:integration_detail", args=[integration.pk])).text
    assert "cd34" not in page and "d34" not in page


def test_a_long_secret_still_shows_its_last_four_characters(member_client, employer):
    integration = Integration.objects.create(
        organisation=employer, kind="generic", name="自社ATS", secret="a-long-signing-secret-9f3e"
    )
    page = member_client.get(reverse("employer:integration_detail", args=[integration.pk])).text
    assert "…9f3e" in page and "a-long-signing-secret" not in page
