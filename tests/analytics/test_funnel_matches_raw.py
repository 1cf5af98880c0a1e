"""The API's figures equal a count straight from the raw rows, for random periods, intervals and
groupings: stored days (the daily job's table) and today's live part together."""

import random
from collections import defaultdict
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careerrelay.analytics.aggregation import aggregate, today
from careerrelay.analytics.models import DailyFigure, MonthlyFigure
from careerrelay.credits.models import LedgerEntry
from careerrelay.relay.figures import coarse
from careerrelay.relay.services import create_campaign
from tests.analytics import helpers as h
from tests.factories import EmployerFactory

pytestmark = pytest.mark.django_db

DAYS = 40
METRICS = ("sent", "clicked", "views", "started", "confirmed", "counted", "credits_earned", "credits_used")
SPLITS = {
    None: METRICS,
    "campaign": ("sent", "clicked", "views", "started", "confirmed", "counted"),
    "template": ("sent", "clicked"),
    "job": ("sent", "clicked"),
    "reason": ("sent", "clicked"),
}


def _activity(organisation, rng, events):
    """Random activity over the last DAYS days (today included); each event noted as
    (metric, Japan day, {dimension: group key})."""
    campaigns = [create_campaign(organisation=organisation, name=f"求人媒体{i}") for i in range(2)] + [None]
    templates = [h.template(organisation, "丁寧"), h.template(organisation, "簡潔")]
    reasons = [h.reason(organisation, "経験不足"), None]
    jobs = ["エンジニア", "営業", ""]
    start = today() - timedelta(days=DAYS - 1)
    grants = 0
    for _ in range(18):
        created = h.at(start + timedelta(days=rng.randrange(DAYS)), rng.randrange(0, 24))
        campaign, template = rng.choice(campaigns), rng.choice(templates)
        the_send = h.send(organisation, campaign, template, created)
        for _m in range(rng.randrange(1, 12)):
            job, reason = rng.choice(jobs), rng.choice(reasons)
            sent_at = created + timedelta(minutes=rng.randrange(0, 60 * 30))
            clicked_at = sent_at + timedelta(hours=rng.randrange(1, 60)) if rng.random() < 0.4 else None
            if sent_at.date() > today():
                continue
            if clicked_at and clicked_at.astimezone(h.TOKYO).date() > today():
                clicked_at = None
            h.message(the_send, h.applicant(organisation, job, reason), sent_at, clicked_at)
            groups = {
                "campaign": str(campaign.pk) if campaign else "",
                "template": str(template.pk),
                "job": job,
                "reason": str(reason.pk) if reason else "",
            }
            events.append(("sent", sent_at.astimezone(h.TOKYO).date(), groups))
            if clicked_at:
                events.append(("clicked", clicked_at.astimezone(h.TOKYO).date(), groups))
    for _ in range(rng.randrange(20, 50)):
        campaign = rng.choice(campaigns[:2])
        created = h.at(start + timedelta(days=rng.randrange(DAYS)), rng.randrange(0, 24))
        verified = created + timedelta(hours=rng.randrange(0, 30)) if rng.random() < 0.7 else None
        if verified and verified.astimezone(h.TOKYO).date() > today():
            verified = None
        h.registration(campaign, created, verified)
        events.append(("started", created.date(), {"campaign": str(campaign.pk)}))
        if verified:
            events.append(("confirmed", verified.astimezone(h.TOKYO).date(), {"campaign": str(campaign.pk)}))
            if rng.random() < 0.8:
                h.ledger(organisation, LedgerEntry.Kind.REFERRAL_COUNTED, verified, campaign)
                events.append(("counted", verified.astimezone(h.TOKYO).date(), {"campaign": str(campaign.pk)}))
                if rng.random() < 0.2:
                    grants += 1
                    h.ledger(organisation, LedgerEntry.Kind.CREDIT_GRANTED, verified, sequence=grants)
                    events.append(("credits_earned", verified.astimezone(h.TOKYO).date(), {}))
    for _ in range(rng.randrange(0, 3)):
        moment = h.at(start + timedelta(days=rng.randrange(DAYS)), 10)
        h.ledger(organisation, LedgerEntry.Kind.CREDIT_CONSUMED, moment)
        events.append(("credits_used", moment.date(), {}))


@pytest.fixture
def activity(employer):
    rng = random.Random(13)
    events = []
    _activity(employer, rng, events)
    _activity(EmployerFactory(name="株式会社よそ"), rng, [])  # another company's: never counted
    # Every past day stored by the daily job; today stays live.
    aggregate(today() - timedelta(days=DAYS + 5), today() - timedelta(days=1))
    return events


def _period(day, interval):
    return day - timedelta(days=day.weekday()) if interval == "week" else day.replace(day=1)


def _expected(events, start, end, interval, group_by):
    buckets = defaultdict(lambda: dict.fromkeys(METRICS, 0))
    for metric, day, groups in events:
        if not start <= day <= end or metric not in SPLITS[group_by]:
            continue
        key = (_period(day, interval).isoformat(), groups[group_by] if group_by else None)
        buckets[key][metric] += 1
    out = {}
    for key, counts in buckets.items():
        out[key] = {
            m: (None if m not in SPLITS[group_by] else coarse(counts[m]).low if group_by else counts[m])
            for m in METRICS
        }
        # Clicks are hidden where fewer than 5 of the emails sent were not clicked (the rest would
        # name who clicked): per group as relay.figures.coarse_part, per period as None.
        sent, clicked = counts["sent"], counts["clicked"]
        if "clicked" in SPLITS[group_by] and (sent or clicked) and sent - clicked < coarse(0).step:
            out[key]["clicked"] = None
    return out


def _answered(client, api_headers, start, end, interval, group_by):
    params = {"from": start.isoformat(), "to": end.isoformat(), "interval": interval}
    if group_by:
        params["group_by"] = group_by
    response = client.get("/api/v1/analytics/funnel", params, **api_headers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["interval"] == interval
    return {(row["period_start"], row.get("group_key")): {m: row[m] for m in METRICS} for row in body["rows"]}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    offset=st.integers(min_value=0, max_value=DAYS + 3),
    length=st.integers(min_value=0, max_value=DAYS + 3),
    interval=st.sampled_from(["week", "month"]),
    group_by=st.sampled_from([None, "campaign", "template", "job", "reason"]),
)
def test_the_api_counts_what_the_raw_rows_say(client, api_headers, activity, offset, length, interval, group_by):
    start = today() - timedelta(days=offset)
    end = start + timedelta(days=length)
    answered = _answered(client, api_headers, start, end, interval, group_by)
    expected = _expected(activity, start, end, interval, group_by)
    if group_by is None:
        # Totals have every period, quiet ones as zeros. A period whose only event is a click on an
        # email sent in an earlier period shows nothing either (its clicks hidden, every count 0),
        # so both sides drop the periods with nothing to show.
        answered = {key: row for key, row in answered.items() if any(row.values())}
        expected = {key: row for key, row in expected.items() if any(row.values())}
    assert answered == expected


def test_running_the_aggregation_again_changes_nothing(activity):
    def stored():
        return sorted(DailyFigure.objects.values_list("organisation_id", "day", "dimension", "key", *METRICS))

    before = stored()
    assert before
    call_command("aggregate_analytics", "--from", str(today() - timedelta(days=DAYS + 5)), "--to", str(today()))
    call_command("aggregate_analytics", "--from", str(today() - timedelta(days=DAYS + 5)), "--to", str(today()))
    today_rows = [row for row in stored() if row[1] == today()]
    assert [row for row in stored() if row[1] != today()] == before
    # Today aggregated early is not "stored": the page still counts it live until the day is over.
    assert all(row[1] == today() for row in today_rows)


@pytest.mark.parametrize("group_by", [None, "campaign", "template", "job", "reason"])
def test_whole_months_from_their_sums_equal_the_raw_rows(client, api_headers, activity, group_by):
    # Over the whole DAYS there is at least one whole past month, read from MonthlyFigure, with
    # days before it and this month's days (and today live) after it.
    start, end = today() - timedelta(days=DAYS - 1), today()
    assert MonthlyFigure.objects.filter(month__gt=start, month__lt=end.replace(day=1)).exists()
    answered = _answered(client, api_headers, start, end, "month", group_by)
    if group_by is None:
        answered = {key: row for key, row in answered.items() if any(row.values())}
    assert answered == _expected(activity, start, end, "month", group_by)


def test_a_months_sums_follow_its_days_when_a_day_is_aggregated_again(employer, activity):
    def month_sums():
        return sorted(MonthlyFigure.objects.values_list("organisation_id", "month", "dimension", "key", *METRICS))

    def summed_days():
        rows = (
            DailyFigure.objects.values("organisation_id", "month", "dimension", "key")
            .annotate(**{f"s_{m}": Sum(m) for m in METRICS})
            .order_by()
        )
        return sorted(
            (r["organisation_id"], r["month"], r["dimension"], r["key"], *(r[f"s_{m}"] for m in METRICS)) for r in rows
        )

    assert month_sums() == summed_days()
    day = today() - timedelta(days=DAYS - 10)
    campaign = create_campaign(organisation=employer, name="追加の求人媒体")
    h.registration(campaign, h.at(day), h.at(day))
    aggregate(day, day)
    assert month_sums() == summed_days()
