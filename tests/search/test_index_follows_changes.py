"""Every change that decides who an agency may find reaches the agency search, each starting where
the person makes it: the relay form and the confirmation link, the consents pages, the re-consent
page, the my page, the deletion page, and the retention job. The services call the index
themselves; nothing here relies on a model signal."""

import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from careerrelay.agencies import services as agencies
from careerrelay.agencies.services import reference_for
from careerrelay.candidates.models import Candidate
from careerrelay.privacy.retention import run_retention
from careerrelay.privacy.services import agency_visible_candidates
from careerrelay.search.models import SearchDocument
from careerrelay.search.services import search_candidates
from tests.factories import EmployerFactory, UserFactory, registration_data
from tests.helpers.candidates import sign_in_candidate

INDEX_TASK = "careerrelay.search.tasks.index_candidate"


@pytest.fixture
def agency_client():
    admin = UserFactory(email="advisor@mirai.example")
    agencies.create_agency(
        name="株式会社みらい人材",
        licence_number="13-ユ-310001",
        address="東京都千代田区丸の内1-1-1",
        representative="山﨑 太郎",
        admin=admin,
        approve=True,
    )
    client = Client()
    client.force_login(admin)
    return client


def agency_finds(agency_client, q) -> list[str]:
    """The references the agency search page lists for a keyword."""
    response = agency_client.get("/agency/search/", {"q": q})
    assert response.status_code == 200
    return [summary.reference for _hit, summary in response.context["rows"]]


def confirmation_path(text) -> str:
    return re.search(r"http://testserver(/verify/[^\s/]+/)", text).group(1)


def register_and_confirm(client, capture, **typed) -> Candidate:
    """Through the relay landing page and the emailed confirmation link; tasks run at each commit
    (the test settings' immediate backend), as a worker would within one pass."""
    campaign = EmployerFactory(name="株式会社リレー元").campaigns.get()
    with capture(execute=True):
        response = client.post(campaign.get_absolute_url(), registration_data(**typed), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    with capture(execute=True):
        assert client.post(confirmation_path(mail.outbox[-1].body)).status_code == 302
    return Candidate.objects.get(email_normalized=registration_data(**typed)["email"])


@pytest.mark.django_db(transaction=True)
def test_a_relay_registration_is_found_after_one_worker_pass_following_its_confirmation(
    client, settings, smtp_server, agency_client
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    campaign = EmployerFactory(name="株式会社リレー元").campaigns.get()
    response = client.post(
        campaign.get_absolute_url(), registration_data(skills="法人営業、Salesforce"), REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 302
    call_command("worker", burst=True)
    assert agency_finds(agency_client, "Salesforce") == []  # not yet confirmed

    [confirmation] = [m for m in smtp_server.sink.wait_for(2) if "hanako.takahashi@example.jp" in m.rcpt_tos]
    assert client.post(confirmation_path(confirmation.text())).status_code == 302
    candidate = Candidate.objects.get()
    # The index task was queued by the confirmation itself, after it committed.
    assert DBTaskResult.objects.filter(task_path=INDEX_TASK, status="READY").count() == 1

    call_command("worker", burst=True)
    assert agency_finds(agency_client, "Salesforce") == [reference_for(candidate.public_id)]
    assert DBTaskResult.objects.get(task_path=INDEX_TASK).status == "SUCCESSFUL"


@pytest.mark.django_db
def test_confirming_the_email_makes_the_person_findable_by_a_word_they_typed(
    client, agency_client, django_capture_on_commit_callbacks
):
    candidate = register_and_confirm(client, django_capture_on_commit_callbacks, skills="Kotlin、Android")
    assert agency_finds(agency_client, "Kotlin") == [reference_for(candidate.public_id)]


@pytest.mark.django_db
def test_withdrawing_takes_the_person_out_at_once_and_granting_again_brings_them_back(
    client, agency_client, django_capture_on_commit_callbacks
):
    candidate = register_and_confirm(client, django_capture_on_commit_callbacks, skills="COBOL")
    sign_in_candidate(client, candidate)
    # No task runs here: the withdrawal removes the entry in its own transaction.
    assert client.post("/me/consents/agency_sharing/withdraw/").status_code == 302
    assert agency_finds(agency_client, "COBOL") == []
    assert not SearchDocument.objects.filter(candidate=candidate).exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/me/consents/agency_sharing/grant/").status_code == 302
    assert agency_finds(agency_client, "COBOL") == [reference_for(candidate.public_id)]


@pytest.mark.django_db
def test_after_a_notice_change_the_re_consent_page_makes_the_person_findable_again(
    client, settings, agency_client, django_capture_on_commit_callbacks
):
    candidate = register_and_confirm(client, django_capture_on_commit_callbacks, skills="Haskell")
    settings.PRIVACY_NOTICE_VERSION = "2099-04-01"
    assert agency_finds(agency_client, "Haskell") == []
    sign_in_candidate(client, candidate)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/me/consents/renew/", {"agency_sharing": "on", "next": "/me/"})
    assert response.status_code == 302
    assert agency_finds(agency_client, "Haskell") == [reference_for(candidate.public_id)]
    assert SearchDocument.objects.get(candidate=candidate).notice_version == "2099-04-01"


@pytest.mark.django_db
def test_declining_the_new_notice_keeps_the_person_out(
    client, settings, agency_client, django_capture_on_commit_callbacks
):
    candidate = register_and_confirm(client, django_capture_on_commit_callbacks, skills="Haskell")
    settings.PRIVACY_NOTICE_VERSION = "2099-04-01"
    sign_in_candidate(client, candidate)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/me/consents/renew/", {"next": "/me/"}).status_code == 302
    assert not SearchDocument.objects.filter(candidate=candidate).exists()
    settings.PRIVACY_NOTICE_VERSION = candidate.consents.first().notice_version
    assert agency_finds(agency_client, "Haskell") == []


def profile_edit(**overrides):
    data = {
        "family_name": "髙橋",
        "given_name": "花子",
        "family_name_kana": "たかはし",
        "given_name_kana": "はなこ",
        "phone": "090-1234-5678",
        "prefecture": "13",
        "desired_job_categories": ["engineer_software"],
        "desired_prefectures": ["13"],
        "remote_preference": "hybrid",
        "desired_salary_min": "500",
        "desired_salary_max": "700",
        "years_experience": "5",
        "skills_text": "Rust、組込み",
        "summary": "Rustで組込み開発をしています。",
        "history-TOTAL_FORMS": "1",
        "history-INITIAL_FORMS": "0",
        "history-MIN_NUM_FORMS": "0",
        "history-MAX_NUM_FORMS": "20",
        "history-0-company": "",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_a_profile_edit_on_the_my_page_is_what_agencies_find(client, agency_client, django_capture_on_commit_callbacks):
    candidate = register_and_confirm(client, django_capture_on_commit_callbacks, skills="法人営業、Excel")
    assert agency_finds(agency_client, "法人営業") == [reference_for(candidate.public_id)]
    sign_in_candidate(client, candidate)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/me/", profile_edit())
    assert response.status_code == 302
    assert agency_finds(agency_client, "Rust") == [reference_for(candidate.public_id)]
    assert agency_finds(agency_client, "法人営業") == []
    assert [h.candidate_id for h in search_candidates(q="Rust", job_category="engineer_software").results] == [
        candidate.pk
    ]


@pytest.mark.django_db
def test_deleting_the_account_takes_the_person_out_of_the_search(
    client, agency_client, django_capture_on_commit_callbacks
):
    candidate = register_and_confirm(client, django_capture_on_commit_callbacks, skills="Fortran")
    sign_in_candidate(client, candidate)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/me/delete/", {"confirm": "削除"})
    assert response.status_code == 302
    assert not Candidate.objects.filter(pk=candidate.pk).exists()
    assert agency_finds(agency_client, "Fortran") == []
    assert SearchDocument.objects.count() == 0


@pytest.mark.django_db
def test_retention_deletion_takes_an_unused_profile_out_of_the_search(
    client, settings, agency_client, django_capture_on_commit_callbacks
):
    candidate = register_and_confirm(client, django_capture_on_commit_callbacks, skills="Fortran")
    assert agency_finds(agency_client, "Fortran") == [reference_for(candidate.public_id)]
    later = timezone.now() + timedelta(days=30 * settings.CANDIDATE_RETENTION_MONTHS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert run_retention(now=later).reminded == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert run_retention(now=later + timedelta(days=settings.RETENTION_GRACE_DAYS + 1)).deleted == 1
    assert agency_finds(agency_client, "Fortran") == []
    assert SearchDocument.objects.count() == 0


@pytest.mark.django_db
def test_the_demo_data_is_indexed_as_it_is_created(settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    visible = set(agency_visible_candidates().values_list("pk", flat=True))
    assert visible
    assert set(SearchDocument.objects.values_list("candidate_id", flat=True)) == visible
