"""An agency's "find candidates" from a job order, and the search link of a free-referral request:
the obvious matches are found. Required skills must all match; the title, preferred skills and the
job category rank; a salary range leaves out only profiles whose stated range does not fit."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from careerrelay.agencies.models import JobOrder
from careerrelay.agencies.services import reference_for
from careerrelay.audit.actor import Actor, ActorKind
from careerrelay.credits.services import adjust_credits
from careerrelay.matching.models import FreeReferralRequest
from careerrelay.matching.services import default_deadline

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(make_candidate):
    """Who an agency would call for a Java/Spring backend opening in Tokyo at 600–900万円."""
    common = {"prefecture": "13", "years_experience": 5}
    return {
        "with_aws": make_candidate(
            skills="Java, Spring, AWS",
            desired_job_categories=["engineer_software"],
            desired_salary_min=650,
            desired_salary_max=850,
            email="aws@example.jp",
            **common,
        ),
        "fits": make_candidate(
            skills="Java, Spring",
            desired_job_categories=["engineer_software"],
            desired_salary_min=600,
            desired_salary_max=800,
            email="fits@example.jp",
            **common,
        ),
        "other_category_no_salary": make_candidate(
            skills="Java, Spring",
            job_category="consulting",
            desired_job_categories=["consulting"],
            email="consultant@example.jp",
            **common,
        ),
        "lacks_spring": make_candidate(
            skills="Java",
            desired_job_categories=["engineer_software"],
            email="nospring@example.jp",
            **common,
        ),
        "wants_less": make_candidate(
            skills="Java, Spring",
            desired_job_categories=["engineer_software"],
            desired_salary_min=300,
            desired_salary_max=400,
            email="less@example.jp",
            **common,
        ),
    }


def listed(response) -> list[str]:
    assert response.status_code == 200
    return [summary.reference for _hit, summary in response.context["rows"]]


def refs(*candidates) -> list[str]:
    return [reference_for(c.public_id) for c in candidates]


def test_find_candidates_from_a_job_order_finds_the_obvious_matches_in_a_sensible_order(agency_client, pool):
    response = agency_client.post(
        "/agency/jobs/",
        {
            "client_company": "株式会社クライアント",
            "title": "バックエンドエンジニア",
            "job_category": "engineer_software",
            "employment_type": "full_time",
            "prefecture": "13",
            "salary_min": "600",
            "salary_max": "900",
            "required_skills": "Java、Spring",
            "preferred_skills": "AWS",
            "requirements": "自社サービスの開発",
        },
    )
    assert response.status_code == 302
    order = JobOrder.objects.get()

    response = agency_client.get(f"/agency/jobs/{order.pk}/candidates/", follow=True)
    assert listed(response) == refs(pool["with_aws"], pool["fits"], pool["other_category_no_salary"])
    form = response.context["form"]
    assert (form["q"].value(), form["preferred"].value()) == ("Java Spring", "バックエンドエンジニア AWS")
    assert form["rank_job_category"].value() == "engineer_software"
    assert not form["job_category"].value()
    assert "求人票「株式会社クライアント / バックエンドエンジニア」の条件で検索しています" in response.text
    hit = response.context["rows"][0][0]
    assert "「AWS」がスキルに一致" in hit.explanation
    assert "希望職種「ITエンジニア」の人を上位に表示" in hit.explanation


def test_a_job_order_without_required_skills_lists_everyone_its_filters_keep_ranked_by_its_words(agency_client, pool):
    agency_client.post(
        "/agency/jobs/",
        {
            "client_company": "株式会社クライアント",
            "title": "AWSエンジニア",
            "job_category": "consulting",
            "employment_type": "full_time",
            "prefecture": "13",
        },
    )
    order = JobOrder.objects.get()
    found = listed(agency_client.get(f"/agency/jobs/{order.pk}/candidates/", follow=True))
    assert sorted(found) == sorted(refs(*pool.values()))
    assert found[:2] == refs(pool["with_aws"], pool["other_category_no_salary"])


def test_the_search_page_salary_filter_keeps_profiles_that_state_no_salary(agency_client, pool):
    found = listed(agency_client.get("/agency/search/", {"q": "Spring", "salary_min": "600", "salary_max": "900"}))
    assert sorted(found) == sorted(refs(pool["with_aws"], pool["fits"], pool["other_category_no_salary"]))


def test_the_search_link_of_a_free_referral_request_opens_the_search_with_its_conditions(
    agency_client, owner, employer, pool
):
    adjust_credits(
        organisation=employer, amount=1, reason="テスト用の付与", actor=Actor.for_user(owner, ActorKind.EMPLOYER)
    )
    employer_client = Client()
    employer_client.force_login(owner)
    response = employer_client.post(
        "/employer/free-referrals/new/",
        {
            "role": "Javaエンジニア",
            "requirements": "Spring Bootでの開発経験、AWSの運用経験",
            "prefecture": "13",
            "location_note": "",
            "salary_min": "600",
            "salary_max": "900",
            "deadline": default_deadline().isoformat(),
        },
    )
    assert response.status_code == 302
    request = FreeReferralRequest.objects.get()
    assert agency_client.post(f"/agency/free-referrals/{request.public_id}/claim/").status_code == 302

    page = agency_client.get(f"/agency/free-referrals/{request.public_id}/")
    link = page.context["search_url"]
    assert f'href="{link.replace("&", "&amp;")}"' in page.text
    query = parse_qs(urlsplit(link).query)
    assert query["prefecture"] == ["13"]
    assert (query["salary_min"], query["salary_max"]) == (["600"], ["900"])
    assert query["free_referral"] == [str(request.public_id)]

    response = agency_client.get(link)
    found = listed(response)
    # Nobody is left out for not matching every word of the request's prose; the closest rank first.
    assert found[0] == reference_for(pool["with_aws"].public_id)
    assert sorted(found) == sorted(
        refs(pool["with_aws"], pool["fits"], pool["other_category_no_salary"], pool["lacks_spring"])
    )
    assert response.context["form"]["prefecture"].value() == "13"
    assert "無料紹介の依頼「株式会社山﨑製作所: Javaエンジニア」の条件で検索しています" in response.text
