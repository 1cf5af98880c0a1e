import pytest
from django.urls import reverse

from careerrelay.sends.models import Send

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("applicant", ["abc", "1\x00", str(2**63), str(10**30), "-1"])
def test_a_preview_for_an_applicant_id_that_cannot_exist_is_a_404(member_client, template, applicant):
    response = member_client.get(reverse("employer:send_preview"), {"template": template.pk, "applicant": applicant})
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["employer:sends", "employer:applicants", "employer:dashboard"])
def test_a_page_number_beyond_64_bits_shows_the_last_page(member_client, name):
    assert member_client.get(reverse(name), {"page": "9223372036854775808"}).status_code == 200


@pytest.mark.parametrize("send_at", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_a_send_time_out_of_range_is_a_field_error_and_nothing_is_booked(member_client, template, applicants, send_at):
    data = {
        "template": template.pk,
        "applicants": [a.pk for a in applicants],
        "campaign": template.organisation.campaigns.get(is_default=True).pk,
        "when": "at",
        "send_at": send_at,
        "send_time": "10:00",
        "step": "send",
    }
    response = member_client.post(reverse("employer:send_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["send_at"] == ["1900年から2100年までの日付を入力してください。"]
    assert f'value="{send_at}"' in response.text
    assert not Send.objects.exists()
