#!/usr/bin/env python
"""The employer's 分析 page and funnel API over two years of one employer's activity, and the
daily aggregation of one day for 1,000 companies, run by hand.

    .venv/bin/python bench/analytics_bench.py                   # SQLite in a temporary directory
    .venv/bin/python bench/analytics_bench.py --sends 50000 --registrations 5000   # quicker
    .venv/bin/python bench/analytics_bench.py --database-url postgres://postgres@127.0.0.1:5432/cr_analytics_bench

On a fresh database: one approved employer with two years of synthetic activity (by default
500,000 rejection emails in bulk sends, 10% clicked, over 4 relay links, 4 templates, 40 job
titles and 6 rejection reasons; 50,000 registrations, 80% confirmed, 70% counted, a credit per 10
counted, a few hundred credits used; daily landing-view snapshots), aggregated by
`manage.py aggregate_analytics` for every past day. Then, with the test client, --repeat
requests each (after one warm-up) of:

  baseline    the bare count query (the employer's sent emails in the period) and a bare view
  API         GET /api/v1/analytics/funnel: 12 weeks weekly, 1 year weekly, 2 years monthly by
              campaign, 2 years monthly by job, 1 year weekly by template
  page        the 分析 page: its default (12 weeks), 1 year, 2 years monthly by campaign

p50/p95/max in ms (target p95 < 200 ms). Every request includes today's live part (counted
from the raw tables). Last, 999 more companies get a day of activity each and the daily job's
aggregation of that day for all 1,000 companies is timed (target < 30 s). Prints Markdown for
bench/RESULTS.md. A PostgreSQL database named by --database-url is dropped and recreated.
"""

import argparse
import os
import platform
import random
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench_setup import setup_django

TOKYO = ZoneInfo("Asia/Tokyo")
DAYS = 730


def percentile(values, p):
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def moment(day, rng):
    return datetime.combine(day, datetime.min.time(), tzinfo=TOKYO) + timedelta(seconds=rng.randrange(86400))


def make_employer(name, code_prefix):
    from careerrelay.organisations.models import Organisation
    from careerrelay.relay.models import RelayCampaign

    org = Organisation.objects.create(name=name, kind="employer", status="approved")
    campaigns = [
        RelayCampaign.objects.create(organisation=org, name=f"リンク{i}", code=f"{code_prefix}-{i}", is_default=i == 0)
        for i in range(4)
    ]
    return org, campaigns


def two_years(org, campaigns, n_sends, n_registrations, rng, today):
    from careerrelay.candidates.models import Candidate
    from careerrelay.credits.models import LedgerEntry
    from careerrelay.outbox.models import OutboundEmail
    from careerrelay.rejections.models import RejectionTemplate
    from careerrelay.sends.models import Send
    from careerrelay.talent.models import Applicant, RejectionReason

    start = today - timedelta(days=DAYS)
    templates = [
        RejectionTemplate.objects.create(organisation=org, name=f"テンプレート{i}", subject="選考結果", body="本文")
        for i in range(4)
    ]
    reasons = [RejectionReason.objects.create(organisation=org, label=f"理由{i}") for i in range(6)]
    jobs = [f"職種{i}" for i in range(40)]
    Applicant.objects.bulk_create(
        [
            Applicant(
                organisation=org,
                family_name="髙橋",
                email=f"a{i}@example.jp",
                email_normalized=f"a{i}@example.jp",
                job_title=jobs[i % 40],
                reason=reasons[i % 6],
            )
            for i in range(min(50_000, n_sends))
        ],
        batch_size=5000,
    )
    applicant_ids = list(Applicant.objects.filter(organisation=org).values_list("pk", flat=True))
    per_day = max(1, n_sends // DAYS)
    Send.objects.bulk_create(
        [
            Send(
                organisation=org,
                template=templates[d % 4],
                template_name=templates[d % 4].name,
                campaign=campaigns[d % 4],
                scheduled_at=moment(start + timedelta(days=d), rng),
                created_at=moment(start + timedelta(days=d), rng),
                finished_at=moment(start + timedelta(days=d + 1), rng),
                state="done",
            )
            for d in range(DAYS)
        ],
        batch_size=2000,
    )
    send_ids = list(Send.objects.filter(organisation=org).order_by("created_at").values_list("pk", flat=True))
    batch, serial = [], 0
    for d in range(DAYS):
        day = start + timedelta(days=d)
        for _ in range(per_day):
            sent_at = moment(day, rng)
            clicked = sent_at + timedelta(hours=rng.randrange(1, 48)) if rng.random() < 0.1 else None
            batch.append(
                OutboundEmail(
                    to_email="x@example.jp",
                    from_email="noreply@example.jp",
                    subject="選考結果",
                    body_text="",
                    message_id=f"<{org.pk}-{serial}@bench>",
                    state="sent",
                    send_id=send_ids[d],
                    applicant_id=applicant_ids[serial % len(applicant_ids)],
                    sent_at=sent_at,
                    created_at=sent_at,
                    first_clicked_at=clicked,
                    clicks=1 if clicked else 0,
                )
            )
            serial += 1
            if len(batch) == 10_000:
                OutboundEmail.objects.bulk_create(batch)
                batch = []
    OutboundEmail.objects.bulk_create(batch)

    candidates, ledger, grants = [], [], 0
    for i in range(n_registrations):
        created = moment(start + timedelta(days=rng.randrange(DAYS)), rng)
        verified = created + timedelta(minutes=rng.randrange(1, 600)) if rng.random() < 0.8 else None
        campaign = campaigns[i % 4]
        candidates.append(
            Candidate(
                family_name="山﨑",
                given_name="太郎",
                email=f"c{org.pk}-{i}@example.jp",
                email_normalized=f"c{org.pk}-{i}@example.jp",
                prefecture="13",
                job_category="sales",
                years_experience=3,
                source_campaign=campaign,
                created_at=created,
                verified_at=verified,
                status="verified" if verified else "pending",
            )
        )
        if verified and rng.random() < 0.875:
            ledger.append(
                LedgerEntry(
                    organisation=org,
                    kind="referral_counted",
                    amount=1,
                    campaign=campaign,
                    subject_key=uuid.uuid4(),
                    created_at=verified,
                )
            )
    Candidate.objects.bulk_create(candidates, batch_size=5000)
    ledger.sort(key=lambda e: e.created_at)
    counted = list(ledger)
    for n, entry in enumerate(counted, 1):
        if n % 10 == 0:
            grants += 1
            ledger.append(
                LedgerEntry(
                    organisation=org, kind="credit_granted", amount=1, sequence=grants, created_at=entry.created_at
                )
            )
    # A credit is used a little after every fourth one is granted, so none is spent before it exists.
    grant_times = [e.created_at for e in ledger if e.kind == "credit_granted"]
    for k in range(grants // 4):
        at = grant_times[4 * k + 3] + timedelta(minutes=30)
        key = uuid.uuid4()
        ledger.append(LedgerEntry(organisation=org, kind="credit_reserved", amount=-1, request_key=key, created_at=at))
        ledger.append(LedgerEntry(organisation=org, kind="credit_consumed", amount=0, request_key=key, created_at=at))
    ledger.sort(key=lambda e: (e.created_at, e.kind != "credit_granted"))
    LedgerEntry.objects.bulk_create(ledger, batch_size=5000)
    return DAYS * per_day, len(candidates), len(ledger)


def snapshots(campaigns, today, rng):
    from careerrelay.analytics.models import LandingViewSnapshot
    from careerrelay.relay.models import RelayCampaign

    rows = []
    for campaign in campaigns:
        views = 0
        for d in range(DAYS, 0, -1):
            views += rng.randrange(50, 200)
            rows.append(LandingViewSnapshot(campaign=campaign, day=today - timedelta(days=d), landing_views=views))
        RelayCampaign.objects.filter(pk=campaign.pk).update(landing_views=views + 40)
    LandingViewSnapshot.objects.bulk_create(rows, batch_size=5000)


def measure(fn, repeat):
    fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--sends", type=int, default=500_000)
    parser.add_argument("--registrations", type=int, default=50_000)
    parser.add_argument("--companies", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    tmp = Path(tempfile.mkdtemp(prefix="analytics-bench-"))
    os.environ["BENCH_STATIC_ROOT"] = str(tmp / "static")
    database = setup_django(args.database_url, tmp)

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    override_settings(
        ROOT_URLCONF="bench.urls",
        ALLOWED_HOSTS=["testserver"],
        SECURE_SSL_REDIRECT=False,
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ).enable()

    from careerrelay.accounts.services import create_user
    from careerrelay.analytics.aggregation import aggregate, today
    from careerrelay.audit.actor import Actor
    from careerrelay.candidates.models import Candidate
    from careerrelay.credits.models import LedgerEntry
    from careerrelay.organisations.models import Membership, Organisation
    from careerrelay.organisations.services import create_api_key
    from careerrelay.outbox.models import OutboundEmail
    from careerrelay.relay.models import RelayCampaign
    from careerrelay.sends.models import Send

    rng = random.Random(13)
    now_day = today()
    started = time.perf_counter()
    org, campaigns = make_employer("株式会社ベンチ", "bench")
    sent, registrations, ledger_rows = two_years(org, campaigns, args.sends, args.registrations, rng, now_day)
    snapshots(campaigns, now_day, rng)
    build = time.perf_counter() - started
    started = time.perf_counter()
    call_command(
        "aggregate_analytics",
        "--from",
        str(now_day - timedelta(days=DAYS)),
        "--to",
        str(now_day - timedelta(days=1)),
        stdout=open(os.devnull, "w"),
    )
    aggregate_all = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    user = create_user(email="owner@bench.example", password=None, email_verified=True)
    Membership.objects.create(organisation=org, user=user, role="admin")
    secret = create_api_key(organisation=org, name="bench", actor=Actor.system())[1]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    page = Client()
    page.force_login(user)
    year, two = now_day - timedelta(days=364), now_day - timedelta(days=DAYS)
    weeks12 = now_day - timedelta(weeks=12) + timedelta(days=1)

    def get(client, url, params=None):
        def run():
            response = client.get(url, params or {})
            assert response.status_code == 200, response.content[:300]

        return run

    def bare_count():
        OutboundEmail.objects.filter(
            send__organisation=org, sent_at__gte=datetime.combine(year, datetime.min.time(), tzinfo=TOKYO)
        ).count()

    cases = [
        ("baseline: bare count query (1 year of sent emails)", bare_count),
        ("baseline: bare Django view", get(page, "/bench/bare/")),
    ]
    funnel = "/api/v1/analytics/funnel"
    for label, params in (
        ("API: 12 weeks, weekly", {"from": weeks12, "to": now_day}),
        ("API: 1 year, weekly", {"from": year, "to": now_day}),
        (
            "API: 2 years, monthly by campaign",
            {"from": two, "to": now_day, "interval": "month", "group_by": "campaign"},
        ),
        ("API: 2 years, monthly by job", {"from": two, "to": now_day, "interval": "month", "group_by": "job"}),
        ("API: 1 year, weekly by template", {"from": year, "to": now_day, "group_by": "template"}),
    ):
        cases.append((label, get(api, funnel, {k: str(v) for k, v in params.items()})))
    for label, params in (
        ("page: default (12 weeks)", {}),
        ("page: 1 year, weekly", {"start": year, "end": now_day, "interval": "week"}),
        (
            "page: 2 years, monthly by campaign",
            {"start": two, "end": now_day, "interval": "month", "group_by": "campaign"},
        ),
    ):
        cases.append((label, get(page, "/employer/analytics/", {k: str(v) for k, v in params.items()})))

    results = [(label, measure(fn, args.repeat)) for label, fn in cases]

    # 1,000 companies, one day each: the daily job's aggregation of that day.
    day = now_day - timedelta(days=1)
    others = Organisation.objects.bulk_create(
        [Organisation(name=f"会社{i}", kind="employer", status="approved") for i in range(args.companies - 1)]
    )
    others = list(Organisation.objects.exclude(pk=org.pk).order_by("pk"))
    links = RelayCampaign.objects.bulk_create(
        [RelayCampaign(organisation=o, name="標準", code=f"c-{o.pk}", is_default=True) for o in others]
    )
    links = {c.organisation_id: c for c in RelayCampaign.objects.filter(organisation__in=others)}
    Send.objects.bulk_create(
        [
            Send(
                organisation=o,
                template_name="標準",
                campaign=links[o.pk],
                scheduled_at=moment(day, rng),
                created_at=moment(day, rng),
                state="done",
            )
            for o in others
        ]
    )
    sends = dict(Send.objects.filter(organisation__in=others).values_list("organisation_id", "pk"))
    OutboundEmail.objects.bulk_create(
        [
            OutboundEmail(
                to_email="y@example.jp",
                from_email="n@example.jp",
                subject="s",
                body_text="",
                message_id=f"<o{o.pk}-{i}@bench>",
                state="sent",
                send_id=sends[o.pk],
                sent_at=moment(day, rng),
                first_clicked_at=moment(day, rng) if i % 5 == 0 else None,
            )
            for o in others
            for i in range(20)
        ],
        batch_size=5000,
    )
    Candidate.objects.bulk_create(
        [
            Candidate(
                family_name="佐藤",
                given_name="花子",
                email=f"o{o.pk}-{i}@example.jp",
                email_normalized=f"o{o.pk}-{i}@example.jp",
                prefecture="13",
                job_category="sales",
                years_experience=1,
                source_campaign=links[o.pk],
                created_at=moment(day, rng),
                verified_at=moment(day, rng),
                status="verified",
            )
            for o in others
            for i in range(3)
        ],
        batch_size=5000,
    )
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                organisation=o,
                kind="referral_counted",
                amount=1,
                campaign=links[o.pk],
                subject_key=uuid.uuid4(),
                created_at=moment(day, rng),
            )
            for o in others
        ],
        batch_size=5000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    one_day = []
    for _ in range(3):
        started = time.perf_counter()
        written = aggregate(day, day)
        one_day.append(time.perf_counter() - started)

    print(
        f"**{database}** — run {datetime.now(tz=ZoneInfo('UTC')):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}; 1-minute load average before the run: {load:.1f}, "
        f"after: {os.getloadavg()[0]:.1f}. One employer: {sent:,} emails sent in {DAYS} bulk sends over {DAYS} days, "
        f"{registrations:,} registrations, {ledger_rows:,} ledger rows; built in {build:.0f} s, "
        f"`aggregate_analytics` over the {DAYS} days in {aggregate_all:.1f} s. "
        f"{args.repeat} requests each after one warm-up.\n"
    )
    print("| request | p50 ms | p95 ms | max ms |\n| --- | ---: | ---: | ---: |")
    worst = 0.0
    for label, samples in results:
        p95 = percentile(samples, 95)
        if not label.startswith("baseline"):
            worst = max(worst, p95)
        print(f"| {label} | {statistics.median(samples):.1f} | {p95:.1f} | {max(samples):.1f} |")
    print(f"\nWorst p95 of the API and page: {worst:.1f} ms (target < 200 ms).")
    print(
        f"\nDaily aggregation of one day for {args.companies:,} companies ({written:,} rows written): "
        + ", ".join(f"{s:.2f} s" for s in one_day)
        + " (3 runs; target < 30 s)."
    )


if __name__ == "__main__":
    main()
