"""「似ている応募者」: ranked by shared skills, the same job, similar years; per company."""

import pytest
from django.urls import reverse

from tests.factories import EmployerFactory
from tests.helpers.pool import pool_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def subject(employer):
    return pool_member(
        employer, "髙橋", job_title="バックエンドエンジニア", skills="Python, AWS, Docker", years_experience=5
    )


def similar_names(client, applicant):
    response = client.get(reverse("employer:applicant_similar", args=[applicant.pk]))
    assert response.status_code == 200
    return [item.applicant.family_name for item in response.context["similar"]], response


def test_ranked_by_shared_skills_then_job_then_years(owner_client, employer, subject):
    pool_member(employer, "二つ", skills="ｐｙｔｈｏｎ, aws", job_title="営業")  # 6
    pool_member(employer, "三つ", skills="Python, AWS, Docker, Go", job_title="営業")  # 9
    pool_member(employer, "一つと職種", skills="Docker", job_title="バックエンドエンジニア", years_experience=20)  # 5
    pool_member(employer, "一つと年数", skills="AWS", years_experience=6)  # 4
    pool_member(employer, "職種だけ", skills="Excel", job_title="バックエンドエンジニア")  # 2
    pool_member(employer, "無関係", skills="Excel", job_title="経理", years_experience=5)  # nothing shared
    EmployerFactory()  # another company's people never appear
    ranked, response = similar_names(owner_client, subject)
    assert ranked == ["三つ", "二つ", "一つと職種", "一つと年数", "職種だけ"]
    first = response.context["similar"][0]
    assert (first.score, first.shared_skills) == (9, ["Python", "AWS", "Docker"])
    assert "髙橋" in response.content.decode()


def test_reachable_from_the_list_and_for_members(member_client, employer, subject):
    page = member_client.get(reverse("employer:applicants"))
    assert reverse("employer:applicant_similar", args=[subject.pk]) in page.content.decode()
    assert similar_names(member_client, subject)[0] == []


def test_another_companys_applicant_is_not_found(outsider_client, subject):
    assert outsider_client.get(reverse("employer:applicant_similar", args=[subject.pk])).status_code == 404


def test_the_other_companys_lookalikes_are_not_listed(owner_client, employer, subject):
    other = EmployerFactory()
    pool_member(other, "よその人", skills="Python, AWS, Docker", job_title="バックエンドエンジニア")
    assert similar_names(owner_client, subject)[0] == []


def test_the_applicants_page_leads_to_the_similar_ones(owner_client, subject):
    page = owner_client.get(reverse("employer:applicant_detail", args=[subject.pk])).content.decode()
    assert reverse("employer:applicant_similar", args=[subject.pk]) in page
