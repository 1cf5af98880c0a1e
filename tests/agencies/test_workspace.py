"""The agency workspace: search without contact data, profiles and résumés with provision records
and audit entries, withdrawn consent, job orders."""

import pytest
from django.urls import reverse

from careerrelay.agencies.models import JobOrder
from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import Actor
from careerrelay.privacy import services as privacy
from careerrelay.privacy.deletion import delete_candidate
from careerrelay.privacy.models import ProvisionRecord
from tests.helpers.agencies import PDF, SHARING

pytestmark = pytest.mark.django_db


def test_search_lists_the_candidate_without_name_or_contact_data(agency_client, agency, candidate):
    response = agency_client.get(reverse("agency:search"), {"q": "Java開発"})
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("agency:candidate", args=[candidate.public_id]) in body
    assert "Spring" in body  # skills are shown
    assert "東京都" in body
    for private in ("髙橋", "花子", "hanako.takahashi@example.jp", "090-1234-5678"):
        assert private not in body
    assert ProvisionRecord.objects.count() == 0  # a result list provides no personal data


def test_every_search_is_audited_with_the_query_and_filters(agency_client, agency, agency_owner, candidate):
    agency_client.get(reverse("agency:search"), {"q": "Java", "prefecture": "13", "min_years": "3"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.SEARCH)
    assert event.organisation == agency
    assert event.actor_user == agency_owner
    assert event.actor_kind == "agency"
    assert event.detail["q"] == "Java"
    assert event.detail["prefecture"] == "13"
    assert event.detail["min_years"] == 3
    assert event.detail["channel"] == "page"


def test_search_filters_and_explanation(agency_client, make_candidate, candidate):
    make_candidate(prefecture="27", skills="Java", summary="大阪でJava開発", years_experience=1)
    response = agency_client.get(reverse("agency:search"), {"q": "Java", "prefecture": "13"})
    assert response.context["page"].total == 1
    assert [hit.public_id for hit, _summary in response.context["rows"]] == [candidate.public_id]
    assert "勤務地・居住地: 東京都" in response.content.decode()


def test_a_bad_filter_is_an_error_on_the_form_not_a_500(agency_client, candidate):
    response = agency_client.get(reverse("agency:search"), {"min_years": "5", "max_years": "2", "q": "Java"})
    assert response.status_code == 200
    assert response.context["form"].errors["max_years"] == ["上限は下限以上にしてください。"]
    assert 'value="Java"' in response.content.decode()
    assert AuditEvent.objects.filter(action="search").count() == 0


def test_search_pages_keep_the_filters(agency_client, make_candidate):
    for n in range(22):
        make_candidate(skills="Go", summary=f"Go開発{n}")
    first = agency_client.get(reverse("agency:search"), {"q": "Go"})
    assert first.context["page"].num_pages == 2
    assert "?q=Go&amp;page=2" in first.content.decode()
    second = agency_client.get(reverse("agency:search"), {"q": "Go", "page": "2"})
    assert len(second.context["rows"]) == 2


def test_opening_a_profile_writes_the_provision_record_and_shows_what_to_record(
    agency_client, agency, agency_owner, candidate
):
    response = agency_client.get(reverse("agency:candidate", args=[candidate.public_id]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "hanako.takahashi@example.jp" in body
    assert "髙橋" in body
    assert "キャリアリレー" in body and "本人登録・同意" in body
    record = ProvisionRecord.objects.get()
    assert record.recipient_organisation == agency
    assert record.recipient_user == agency_owner
    assert record.subject_key == candidate.public_id
    assert record.channel == "page"
    assert sorted(record.items) == ["contact", "profile", "work_history"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.PROVIDE)
    assert event.subject_key == candidate.public_id
    assert event.organisation == agency
    assert (event.object_type, event.object_id) == ("provision_record", str(record.pk))
    assert response["Cache-Control"].startswith("max-age=0")


def test_downloading_the_resume_writes_its_own_provision_record(agency_client, agency, candidate, resume):
    response = agency_client.get(reverse("agency:candidate_resume", args=[candidate.public_id]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    record = ProvisionRecord.objects.get()
    assert record.items == ["resume"]
    assert record.recipient_organisation == agency
    actions = sorted(AuditEvent.objects.filter(subject_key=candidate.public_id).values_list("action", flat=True))
    assert actions == ["consent_grant", "download", "provide"]


def test_a_candidate_without_a_resume_gives_404_and_no_record(agency_client, candidate):
    response = agency_client.get(reverse("agency:candidate_resume", args=[candidate.public_id]))
    assert response.status_code == 404
    assert ProvisionRecord.objects.count() == 0


def test_withdrawn_consent_hides_the_candidate_from_search_and_profile_at_once(agency_client, candidate):
    privacy.withdraw_consent(candidate=candidate, purpose=SHARING, actor=Actor.for_candidate(candidate))
    search = agency_client.get(reverse("agency:search"), {"q": "Java"})
    assert search.context["page"].total == 0
    profile = agency_client.get(reverse("agency:candidate", args=[candidate.public_id]))
    assert profile.status_code == 404
    assert "髙橋" not in profile.content.decode()
    assert ProvisionRecord.objects.count() == 0


def test_a_deleted_candidate_is_gone(agency_client, candidate):
    public_id = candidate.public_id
    delete_candidate(candidate, actor=Actor.for_candidate(candidate))
    assert agency_client.get(reverse("agency:search"), {"q": "Java"}).context["page"].total == 0
    response = agency_client.get(reverse("agency:candidate", args=[public_id]))
    assert response.status_code == 404


def test_an_unknown_candidate_is_404(agency_client, db):
    response = agency_client.get(reverse("agency:candidate", args=["00000000-0000-0000-0000-000000000000"]))
    assert response.status_code == 404


def test_home_lists_the_agencys_own_provision_records_only(agency_client, agency, other_agency_owner, candidate):
    agency_client.get(reverse("agency:candidate", args=[candidate.public_id]))
    home = agency_client.get(reverse("agency:home"))
    assert len(home.context["recent_provisions"]) == 1
    agency_client.force_login(other_agency_owner)
    assert len(agency_client.get(reverse("agency:home")).context["recent_provisions"]) == 0


# --- Job orders ------------------------------------------------------------------------------

ORDER = {
    "client_company": "株式会社さくらテック",
    "title": "Javaエンジニア",
    "job_category": "engineer_software",
    "employment_type": "full_time",
    "prefecture": "13",
    "salary_min": "500",
    "salary_max": "800",
    "required_skills": "Java、Spring",
    "preferred_skills": "",
    "requirements": "Webサービスの開発",
}


def test_an_agency_records_a_job_order(agency_client, agency, agency_owner):
    response = agency_client.post(reverse("agency:job_orders"), ORDER)
    assert response.status_code == 302
    order = JobOrder.objects.get()
    assert order.agency == agency
    assert order.created_by == agency_owner
    assert (order.title, order.salary_min, order.status) == ("Javaエンジニア", 500, "open")
    assert "Javaエンジニア" in agency_client.get(reverse("agency:job_orders")).content.decode()


def test_a_job_order_with_a_bad_salary_range_keeps_what_was_typed(agency_client):
    response = agency_client.post(reverse("agency:job_orders"), {**ORDER, "salary_min": "900", "salary_max": "500"})
    assert response.status_code == 200
    assert response.context["form"].errors["salary_max"] == ["上限は下限以上にしてください。"]
    assert 'value="株式会社さくらテック"' in response.content.decode()
    assert JobOrder.objects.count() == 0


def test_a_job_order_needs_company_and_title_in_japanese(agency_client):
    response = agency_client.post(reverse("agency:job_orders"), {**ORDER, "client_company": "", "title": ""})
    errors = response.context["form"].errors
    assert errors["client_company"] == ["求人企業名を入力してください。"]
    assert errors["title"] == ["職種・ポジションを入力してください。"]


def test_edit_and_close_a_job_order(agency_client):
    agency_client.post(reverse("agency:job_orders"), ORDER)
    order = JobOrder.objects.get()
    agency_client.post(reverse("agency:job_order_edit", args=[order.pk]), {**ORDER, "title": "Javaリードエンジニア"})
    order.refresh_from_db()
    assert order.title == "Javaリードエンジニア"
    agency_client.post(reverse("agency:job_order_status", args=[order.pk]), {"status": "closed"})
    order.refresh_from_db()
    assert order.status == "closed"
    assert order.closed_at is not None
    assert list(agency_client.get(reverse("agency:job_orders")).context["orders"]) == []
    assert list(agency_client.get(reverse("agency:job_orders") + "?status=closed").context["orders"]) == [order]


def test_find_candidates_for_a_job_order_searches_with_its_skills_and_filters(agency_client, make_candidate):
    wanted = {"skills": "Java, Spring", "summary": "Java開発", "desired_salary_min": 600, "desired_salary_max": 700}
    candidate = make_candidate(**wanted)
    make_candidate(**{**wanted, "prefecture": "27"})  # elsewhere
    make_candidate(**{**wanted, "desired_salary_min": 1000, "desired_salary_max": 1200})  # too expensive
    make_candidate(**{**wanted, "skills": "PHP", "summary": "PHP開発"})  # other skills
    agency_client.post(reverse("agency:job_orders"), {**ORDER, "title": "エンジニア"})
    order = JobOrder.objects.get()
    response = agency_client.get(reverse("agency:job_order_find", args=[order.pk]), follow=True)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.cleaned_data["q"] == "Java Spring"
    assert form.cleaned_data["preferred"] == "エンジニア"
    assert form.cleaned_data["prefecture"] == "13"
    assert form.cleaned_data["salary_min"] == 500
    assert response.context["job_order"] == order
    found = [hit.public_id for hit, _summary in response.context["rows"]]
    assert found == [candidate.public_id]


def test_search_runs_the_same_number_of_queries_for_one_or_three_results(agency_client, make_candidate):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as context:
            response = agency_client.get(reverse("agency:search"), {"q": "Rust"})
        return len(context.captured_queries), len(response.context["rows"])

    make_candidate(skills="Rust", summary="Rust開発")
    queries()  # the first search fills the synonym and statistics caches
    one, found = queries()
    assert found == 1
    make_candidate(skills="Rust", summary="Rust開発")
    make_candidate(skills="Rust", summary="Rust開発")
    three, found = queries()
    assert found == 3
    assert three == one


# --- Team ------------------------------------------------------------------------------------


def test_an_invited_advisor_joins_and_lands_in_the_agency_workspace(client, agency, agency_owner):
    from careerrelay.outbox.models import OutboundEmail

    client.force_login(agency_owner)
    response = client.post(reverse("agency:team"), {"email": "new.advisor@mirai.example", "role": "recruiter"})
    assert response.status_code == 302
    mail = OutboundEmail.objects.get(to_email="new.advisor@mirai.example")
    token = mail.body_text.split("/employer/invitations/")[1].split("/")[0]
    client.logout()
    url = reverse("employer:accept_invitation", args=[token])
    response = client.post(
        url,
        {
            "action": "signup",
            "name": "佐藤 三郎",
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("agency:home")
    membership = agency.memberships.get(user__email="new.advisor@mirai.example")
    assert membership.role == "recruiter"
    assert "キャリアアドバイザー" in client.get(reverse("agency:team")).content.decode()


def test_an_advisor_cannot_invite(client, agency_member):
    client.force_login(agency_member)
    response = client.post(reverse("agency:team"), {"email": "x@mirai.example", "role": "admin"})
    assert response.status_code == 403


def test_a_broad_search_counts_up_to_the_limit_then_says_more(agency_client, make_candidate, monkeypatch):
    # The limit is 1,000 candidates; five stand for it here.
    monkeypatch.setattr("careerrelay.search.services.MAX_EXACT_TOTAL", 5)
    for n in range(7):
        make_candidate(skills="Go", summary=f"Go開発{n}")
    response = agency_client.get(reverse("agency:search"), {"q": "Go"})
    page = response.context["page"]
    assert (page.total, page.total_capped) == (5, True)
    assert "5件以上が見つかりました" in response.content.decode()
    exact = agency_client.get(reverse("agency:search"), {"q": "Go開発0"})
    assert (exact.context["page"].total, exact.context["page"].total_capped) == (1, False)
    assert "1人が見つかりました" in exact.content.decode()
