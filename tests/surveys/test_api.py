"""GET /api/v1/surveys/summary with a real API key."""

from datetime import date

import pytest

from careerrelay.audit.services import Actor, ActorKind
from careerrelay.organisations.services import create_api_key
from careerrelay.rejections.models import RejectionTemplate
from tests.factories import EmployerFactory
from tests.surveys.helpers import answers

pytestmark = pytest.mark.django_db
URL = "/api/v1/surveys/summary"


@pytest.fixture
def auth(employer, owner):
    _key, secret = create_api_key(organisation=employer, name="ATS", actor=Actor.for_user(owner, ActorKind.EMPLOYER))
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_rows_by_template_hide_small_groups_and_the_total_is_exact(client, employer, auth):
    polite = RejectionTemplate.objects.create(organisation=employer, name="丁寧", subject="s", body="b")
    short = RejectionTemplate.objects.create(organisation=employer, name="簡潔", subject="s", body="b")
    answers(employer, [10, 9, 9, 8, 2, 10], template=polite)
    answers(employer, [0, 1, 2, 3, 4], template=short)
    body = client.get(URL, {"group_by": "template"}, **auth).json()
    assert body["threshold"] == 5
    # p = 4/11, d = 6/11: NPS −18.18; variance (10/11) − (2/11)² = 0.87603; SE = 100·√(0.87603/11)
    # = 28.2204; margin 1.96 × SE = 55.3120.
    assert body["total"] == {
        "responses": 11,
        "promoters": 4,
        "passives": 1,
        "detractors": 6,
        "nps": -18.2,
        "ci_low": -73.5,
        "ci_high": 37.1,
    }
    rows = {row["label"]: row for row in body["rows"]}
    assert rows["丁寧"] | {"ci_low": None, "ci_high": None} == {
        "key": str(polite.pk),
        "label": "丁寧",
        "template_id": polite.pk,
        "job_id": None,
        "month": None,
        "responses": 6,
        "promoters": 4,
        "passives": 1,
        "detractors": 1,
        "nps": 50.0,
        "ci_low": None,
        "ci_high": None,
        "below_threshold": False,
    }
    assert rows["簡潔"]["nps"] == -100.0
    for row in body["rows"]:
        assert not {"applicant", "applicant_id", "message_id", "email"} & set(row)


def test_a_month_of_fewer_than_5_answers_is_not_released_at_all(client, employer, auth):
    answers(employer, [10] * 6, month=date(2026, 10, 1))
    answers(employer, [0], month=date(2026, 11, 1))
    body = client.get(URL, {"group_by": "month"}, **auth).json()
    # November's one answer counts nowhere: not in a row, not in the total (no subtraction).
    assert body["total"]["responses"] == 6
    assert [(row["month"], row["nps"]) for row in body["rows"]] == [("2026-10", 100.0)]


def test_answers_in_a_cell_of_fewer_than_5_count_nowhere(client, employer, auth):
    answers(employer, [10, 10, 9, 9, 8], job_title="営業職")
    answers(employer, [0, 1], job_title="経理")
    body = client.get(URL, {"group_by": "job"}, **auth).json()
    assert body["total"]["responses"] == 5
    assert [(row["label"], row["nps"]) for row in body["rows"]] == [("営業職", 80.0)]


def test_a_months_row_minus_a_jobs_row_cannot_isolate_one_answer(client, employer, auth):
    answers(employer, [10] * 5, job_title="X", month=date(2026, 10, 1))
    answers(employer, [10] * 5, job_title="Y", month=date(2026, 11, 1))
    answers(employer, [0], job_title="Z", month=date(2026, 11, 1))  # the only applicant for Z
    by_job = {r["label"]: r for r in client.get(URL, {"group_by": "job"}, **auth).json()["rows"]}
    by_month = {r["month"]: r for r in client.get(URL, {"group_by": "month"}, **auth).json()["rows"]}
    assert "Z" not in by_job
    assert by_month["2026-11"]["responses"] == by_job["Y"]["responses"] == 5
    assert by_month["2026-11"]["detractors"] - by_job["Y"]["detractors"] == 0


def test_this_months_answers_wait_for_the_month_to_close(client, employer, auth, settings):
    from careerrelay.surveys.services import month_of

    this_month = month_of(date.today())
    answers(employer, [10] * 5, month=date(2026, 10, 1))
    before = client.get(URL, {"group_by": "month"}, **auth).json()
    answers(employer, [0] * 5, month=this_month)
    after = client.get(URL, {"group_by": "month"}, **auth).json()
    assert after == before  # one more answer now changes nothing anyone can read until next month


@pytest.mark.parametrize("query", [{"group_by": "applicant"}, {}, {"group_by": ""}, {"group_by": "template' OR 1"}])
def test_a_bad_group_by_is_a_422_in_json(client, auth, query):
    response = client.get(URL, query, **auth)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_another_companys_key_sees_only_its_own(client, employer, auth):
    answers(employer, [10] * 5)
    other = EmployerFactory()
    answers(other, [0] * 5)
    assert client.get(URL, {"group_by": "month"}, **auth).json()["total"]["nps"] == 100.0
    assert client.get(URL, {"group_by": "month"}).status_code == 401
