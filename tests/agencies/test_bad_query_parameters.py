import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", ["9223372036854775808", str(10**30), "-5", "abc", "１"])
def test_the_search_page_answers_any_page_number(agency_client, candidate, page):
    response = agency_client.get(reverse("agency:search"), {"q": "Java", "page": page})
    assert response.status_code == 200


@pytest.mark.parametrize("job_order", ["abc", str(2**63), "1\x00"])
def test_a_job_order_id_that_cannot_exist_is_a_404(agency_client, job_order):
    assert agency_client.get(reverse("agency:search"), {"job_order": job_order}).status_code == 404


def test_a_search_word_with_nul_is_a_field_error_not_an_audit_failure(agency_client, candidate):
    response = agency_client.get(reverse("agency:search"), {"q": "Java\x00"})
    assert response.status_code == 200
    assert "q" in response.context["form"].errors
