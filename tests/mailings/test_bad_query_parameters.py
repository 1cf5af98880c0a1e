import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("applicant", ["abc", "1\x00", str(2**63), str(10**30), "-1"])
def test_a_preview_for_an_applicant_id_that_cannot_exist_is_a_404(member_client, template, applicant):
    response = member_client.get(reverse("employer:send_preview"), {"template": template.pk, "applicant": applicant})
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["employer:sends", "employer:applicants", "employer:dashboard"])
def test_a_page_number_beyond_64_bits_shows_the_last_page(member_client, name):
    assert member_client.get(reverse(name), {"page": "9223372036854775808"}).status_code == 200
