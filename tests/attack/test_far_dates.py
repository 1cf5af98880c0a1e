"""Dates near date.min and date.max typed into the analytics page, its CSV, the funnel API and the
operator console: a field error or a JSON 400, never a 500 from an overflowing date."""

import pytest
from django.test import Client

from careerrelay.audit.actor import Actor
from careerrelay.organisations.services import create_api_key
from tests.factories import OperatorFactory

pytestmark = pytest.mark.django_db

FAR = [
    ("9999-12-01", "9999-12-31", "week"),
    ("9999-12-01", "9999-12-31", "month"),
    ("0001-01-03", "0001-01-31", "week"),
]


@pytest.fixture
def api_headers(employer):
    secret = create_api_key(organisation=employer, name="BI", actor=Actor.system())[1]
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.mark.parametrize(("start", "end", "interval"), FAR)
def test_the_funnel_api_answers_far_dates_with_a_json_400(client, api_headers, start, end, interval):
    client.raise_request_exception = False
    response = client.get("/api/v1/analytics/funnel", {"from": start, "to": end, "interval": interval}, **api_headers)
    assert response.status_code == 400
    assert "2000-01-01" in response.json()["error"]["message"]


@pytest.mark.parametrize(("start", "end", "interval"), [*FAR, ("0001-01-01", "0001-01-31", "week")])
@pytest.mark.parametrize("url", ["/employer/analytics/", "/employer/analytics/export.csv"])
def test_the_analytics_page_and_csv_answer_far_dates_without_an_error(owner_client, url, start, end, interval):
    owner_client.raise_request_exception = False
    response = owner_client.get(url, {"start": start, "end": end, "interval": interval, "compare": "last_year"})
    assert response.status_code == 200
    if url.endswith("/"):
        assert "2000-01-01から2099-12-31までの日付を入力してください。" in response.text
        assert f'value="{start}"' in response.text  # what was typed is kept


@pytest.mark.parametrize(("start", "end", "interval"), FAR)
def test_the_operator_console_answers_far_dates_with_a_field_error(start, end, interval):
    client = Client(raise_request_exception=False)
    client.force_login(OperatorFactory(email="operator@careerrelay.example"))
    response = client.get("/operator/console/", {"start": start, "end": end, "interval": interval})
    assert response.status_code == 200
    assert "2000-01-01から2099-12-31までの日付を入力してください。" in response.text
