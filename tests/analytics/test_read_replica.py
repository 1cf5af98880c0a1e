"""The 分析 page and the funnel API read their figures through the read replica
(common.replica.replica_reads); the credits for the next free referral, the audit and the daily
job's writes stay on the primary."""

from datetime import timedelta

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from careerrelay.analytics.aggregation import aggregate, today
from careerrelay.relay.models import RelayCampaign
from tests.analytics import helpers as h

PAGE = "/employer/analytics/"


def sql_of(captured) -> str:
    return "\n".join(query["sql"] for query in captured.captured_queries)


def some_activity(employer):
    campaign = RelayCampaign.objects.get(organisation=employer, is_default=True)
    for days_ago in (3, 0):
        h.registration(campaign, h.at(today() - timedelta(days=days_ago)), h.at(today() - timedelta(days=days_ago)))
    the_send = h.send(employer, campaign, h.template(employer), h.at(today(), 0, 1))
    h.message(the_send, h.applicant(employer, "エンジニア"), h.at(today(), 0, 2))
    aggregate(today() - timedelta(days=7), today() - timedelta(days=1))


@pytest.mark.django_db(transaction=True)
def test_the_analytics_page_reads_its_figures_from_the_replica(owner_client, employer, replica):
    some_activity(employer)
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(replica) as copy:
        response = owner_client.get(PAGE, {"group_by": "campaign"})

    assert response.status_code == 200
    # The stored days and today's live part (registrations, emails) both come from the replica.
    for table in ("analytics_dailyfigure", "candidates_candidate", "mailings_outboundemail", "mailings_send"):
        assert table in sql_of(copy), table
        assert table not in sql_of(primary), table
    assert "INSERT" not in sql_of(copy).upper() and "UPDATE" not in sql_of(copy).upper()
    # The balance towards the next free referral is money: read where it is written.
    assert "credits_ledgerentry" in sql_of(primary)
    assert response.context["funnel"].totals["started"] == 2


@pytest.mark.django_db(transaction=True)
def test_the_funnel_api_reads_the_replica(client, employer, api_headers, replica):
    some_activity(employer)
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(replica) as copy:
        body = client.get(
            "/api/v1/analytics/funnel",
            {"from": (today() - timedelta(days=6)).isoformat(), "to": today().isoformat(), "interval": "month"},
            **api_headers,
        ).json()

    assert sum(row["started"] for row in body["rows"]) == 2
    assert "analytics_dailyfigure" in sql_of(copy) and "candidates_candidate" in sql_of(copy)
    assert "analytics_dailyfigure" not in sql_of(primary) and "candidates_candidate" not in sql_of(primary)


@pytest.mark.django_db(transaction=True)
def test_the_daily_job_writes_and_reads_the_primary(employer, replica):
    some_activity(employer)
    with CaptureQueriesContext(replica) as copy:
        aggregate(today() - timedelta(days=2), today() - timedelta(days=1))
    assert copy.captured_queries == []
