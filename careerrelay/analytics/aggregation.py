"""Counting the funnel from the raw tables, per company, Japan day, dimension and group.

Where each step is recorded (docs/architecture.md, "Analytics", says what the data cannot give):

- sent, clicked: the outbox rows of bulk sends (`OutboundEmail.sent_at`, `first_clicked_at`), with
  the send's campaign and template and the applicant's job title and rejection reason;
- views: the relay link's landing-page counter, through daily snapshots (LandingViewSnapshot);
- started, confirmed: registrations through a relay link (`Candidate.created_at`, `verified_at`,
  `source_campaign`);
- counted, credits_earned, credits_used: the credit ledger (`referral_counted`, `credit_granted`,
  `credit_consumed`);
- interviews, hired: free-referral introductions reaching 面接済み and 入社決定 (IntroductionEvent).

`count_days` is the one place that counts: the daily job stores what it returns, and the query
service calls it for today's live part, so stored and live figures cannot drift apart.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from careerrelay.analytics.models import (
    METRICS,
    AggregatedDay,
    DailyFigure,
    Dimension,
    LandingViewSnapshot,
    MonthlyFigure,
)
from careerrelay.candidates.models import Candidate
from careerrelay.credits.models import LedgerEntry
from careerrelay.matching.models import Introduction, IntroductionEvent
from careerrelay.outbox.models import OutboundEmail
from careerrelay.relay.models import RelayCampaign
from careerrelay.relay.services import flush_views
from careerrelay.sends.models import Send

TOKYO = ZoneInfo("Asia/Tokyo")

# Which steps each dimension can be split by. Only the emails know their template, job and reason;
# a registration knows only the relay link it came through; credits and interviews only the company.
DIMENSION_METRICS = {
    Dimension.TOTAL: METRICS,
    Dimension.CAMPAIGN: ("sent", "clicked", "views", "started", "confirmed", "counted"),
    Dimension.TEMPLATE: ("sent", "clicked"),
    Dimension.JOB: ("sent", "clicked"),
    Dimension.REASON: ("sent", "clicked"),
}

# How an outbox row names its group in each dimension: (key field, label field).
_EMAIL_GROUPS = {
    Dimension.CAMPAIGN: ("send__campaign_id", "send__campaign__name"),
    Dimension.TEMPLATE: ("send__template_id", "send__template_name"),
    Dimension.JOB: ("applicant__job_title", "applicant__job_title"),
    Dimension.REASON: ("applicant__reason_id", "applicant__reason__label"),
}


def today() -> date:
    return timezone.now().astimezone(TOKYO).date()


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=TOKYO)


@dataclass
class Cell:
    label: str = ""
    counts: dict = field(default_factory=lambda: dict.fromkeys(METRICS, 0))


# (organisation id, day, dimension, key) -> Cell
Cells = dict[tuple[int, date, str, str], Cell]


def _key(value) -> str:
    return "" if value is None else str(value)


def _add(cells: Cells, org_id, day, dimension, key, metric, n, label=""):
    cell = cells.setdefault((org_id, day, dimension, _key(key)), Cell())
    cell.counts[metric] += n
    if label and not cell.label:
        cell.label = label


def _window(qs, column, start: date, end: date, organisation_ids):
    qs = qs.filter(**{f"{column}__gte": day_start(start), f"{column}__lt": day_start(end + timedelta(days=1))})
    return qs.annotate(d=TruncDate(column, tzinfo=TOKYO))


# The live part reads the emails of recent or unfinished sends only (through the sends' own
# index), not every email the company ever sent: a click today on a mail of an older, finished send
# is counted when the daily job runs after midnight.
LIVE_SEND_DAYS = 14


def count_days(start: date, end: date, organisation_ids=None, dimensions=None, live: bool = False) -> Cells:
    """Every company's (or the given companies') funnel for the Japan days start..end inclusive,
    in every dimension (or the given ones), straight from the raw tables."""
    cells: Cells = {}
    dimensions = set(dimensions or Dimension.values)
    total = Dimension.TOTAL in dimensions
    by_campaign = total or Dimension.CAMPAIGN in dimensions

    def only(qs, org_field):
        return qs if organisation_ids is None else qs.filter(**{f"{org_field}__in": organisation_ids})

    emails = only(OutboundEmail.objects.filter(send__isnull=False), "send__organisation_id")
    if live:
        # The sends first (their organisation index), then their emails by the outbox's send index:
        # a few thousand rows instead of every email the company ever sent.
        recent = Q(created_at__gte=day_start(start - timedelta(days=LIVE_SEND_DAYS)))
        unfinished = Q(finished_at__isnull=True) | Q(finished_at__gte=day_start(start))
        sends = Send.objects.filter(recent | unfinished)
        if organisation_ids is not None:
            sends = sends.filter(organisation_id__in=organisation_ids)
        emails = emails.filter(send_id__in=list(sends.values_list("id", flat=True)))
    email_dimensions = [d for d in _EMAIL_GROUPS if d in dimensions] or [None]
    for metric, column in (("sent", "sent_at"), ("clicked", "first_clicked_at")):
        for i, dimension in enumerate(email_dimensions):
            fields = {"org": F("send__organisation_id")}
            if dimension is not None:
                key_field, label_field = _EMAIL_GROUPS[dimension]
                fields.update(k=F(key_field), lab=F(label_field))
            rows = _window(emails, column, start, end, organisation_ids).values("d", **fields).annotate(n=Count("id"))
            for row in rows:
                if dimension is not None:
                    _add(cells, row["org"], row["d"], dimension, row["k"], metric, row["n"], row["lab"] or "")
                # Every email is in exactly one group of any dimension: the first one gives the total.
                if i == 0 and total:
                    _add(cells, row["org"], row["d"], Dimension.TOTAL, "", metric, row["n"])

    if by_campaign:
        _count_registrations_and_ledger(cells, start, end, organisation_ids, only, dimensions)
    if total:
        _count_interviews(cells, start, end, organisation_ids, only)
    if by_campaign:
        _count_views(cells, start, end, organisation_ids)
    _fill_campaign_labels(cells)
    return cells


def _count_registrations_and_ledger(cells, start, end, organisation_ids, only, dimensions) -> None:
    # Started and confirmed apart, each a range of its moment through the (source_campaign,
    # created_at / verified_at) indexes, counted per day by the database like the emails.

    registrations = only(Candidate.objects.filter(source_campaign__isnull=False), "source_campaign__organisation_id")
    for metric, column in (("started", "created_at"), ("confirmed", "verified_at")):
        rows = (
            _window(registrations, column, start, end, organisation_ids)
            .values("d", org=F("source_campaign__organisation_id"), k=F("source_campaign_id"))
            .annotate(n=Count("id"))
        )
        for row in rows:
            _add(cells, row["org"], row["d"], Dimension.CAMPAIGN, row["k"], metric, row["n"])
            _add(cells, row["org"], row["d"], Dimension.TOTAL, "", metric, row["n"])

    ledger = only(LedgerEntry.objects.all(), "organisation_id")
    kinds = {LedgerEntry.Kind.REFERRAL_COUNTED: "counted"}
    if Dimension.TOTAL in dimensions:
        kinds.update(
            {LedgerEntry.Kind.CREDIT_GRANTED: "credits_earned", LedgerEntry.Kind.CREDIT_CONSUMED: "credits_used"}
        )
    rows = (
        _window(ledger.filter(kind__in=list(kinds)), "created_at", start, end, organisation_ids)
        .values("d", "kind", org=F("organisation_id"), k=F("campaign_id"))
        .annotate(n=Count("id"))
    )
    for row in rows:
        metric = kinds[row["kind"]]
        if metric == "counted":
            _add(cells, row["org"], row["d"], Dimension.CAMPAIGN, row["k"], metric, row["n"])
        _add(cells, row["org"], row["d"], Dimension.TOTAL, "", metric, row["n"])


def _count_interviews(cells, start, end, organisation_ids, only) -> None:
    events = only(
        IntroductionEvent.objects.filter(
            introduction__free_referral__isnull=False, introduction__company__isnull=False
        ),
        "introduction__company_id",
    )
    stages = {Introduction.Stage.INTERVIEWED: "interviews", Introduction.Stage.HIRED: "hired"}
    rows = (
        _window(events.filter(stage__in=list(stages)), "created_at", start, end, organisation_ids)
        .values("d", "stage", org=F("introduction__company_id"))
        .annotate(n=Count("introduction_id", distinct=True))
    )
    for row in rows:
        _add(cells, row["org"], row["d"], Dimension.TOTAL, "", stages[row["stage"]], row["n"])


def _count_views(cells: Cells, start: date, end: date, organisation_ids) -> None:
    """Views of day D: snapshot(D) - snapshot(D-1); for today (no snapshot yet) the live counter
    minus yesterday's snapshot. A day without both has no views counted (the counter's history
    before the first snapshot is not known day by day)."""
    snapshots = LandingViewSnapshot.objects.filter(day__gte=start - timedelta(days=1), day__lte=end)
    if organisation_ids is not None:
        snapshots = snapshots.filter(campaign__organisation_id__in=organisation_ids)
    by_campaign: dict[int, dict[date, int]] = defaultdict(dict)
    for campaign_id, day, views in snapshots.values_list("campaign_id", "day", "landing_views"):
        by_campaign[campaign_id][day] = views
    current = today()
    if start <= current <= end:
        flush_views()
        live = RelayCampaign.objects.filter(pk__in=list(by_campaign))
        for campaign_id, views in live.values_list("id", "landing_views"):
            by_campaign[campaign_id][current] = views
    if not by_campaign:
        return
    owners = dict(RelayCampaign.objects.filter(pk__in=list(by_campaign)).values_list("id", "organisation_id"))
    for campaign_id, days in by_campaign.items():
        for day, views in days.items():
            before = days.get(day - timedelta(days=1))
            if day < start or before is None or views <= before:
                continue
            _add(cells, owners[campaign_id], day, Dimension.CAMPAIGN, campaign_id, "views", views - before)
            _add(cells, owners[campaign_id], day, Dimension.TOTAL, "", "views", views - before)


def _fill_campaign_labels(cells: Cells) -> None:
    ids = {int(key) for (_o, _d, dimension, key), cell in cells.items() if dimension == Dimension.CAMPAIGN and key}
    names = dict(RelayCampaign.objects.filter(pk__in=ids).values_list("id", "name"))
    for (_o, _d, dimension, key), cell in cells.items():
        if dimension == Dimension.CAMPAIGN and key and not cell.label:
            cell.label = names.get(int(key), "")


def take_view_snapshots(day: date) -> int:
    """Each relay link's view counter as it stands now, as the end of `day` (the daily job runs
    just after midnight). Written once: a second call for the same day keeps the first."""
    flush_views()  # the views counted in Redis or this process's buffer but not yet in the table
    rows = [
        LandingViewSnapshot(campaign_id=campaign_id, day=day, landing_views=views)
        for campaign_id, views in RelayCampaign.objects.values_list("id", "landing_views")
    ]
    LandingViewSnapshot.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


def aggregate(start: date, end: date, organisation_ids=None) -> int:
    """Rewrites the stored figures of start..end (for every company, or the given ones) from the
    raw tables: delete and insert in one transaction, so running it again changes nothing and a
    reader sees the old day or the new one, never half. Returns the rows written."""
    cells = count_days(start, end, organisation_ids)
    rows = [
        DailyFigure(
            organisation_id=org,
            day=day,
            week=day - timedelta(days=day.weekday()),
            month=day.replace(day=1),
            dimension=dimension,
            key=key[:200],
            label=cell.label[:200],
            **cell.counts,
        )
        for (org, day, dimension, key), cell in cells.items()
        if any(cell.counts.values())
    ]
    with transaction.atomic():
        stored = DailyFigure.objects.filter(day__gte=start, day__lte=end)
        if organisation_ids is not None:
            stored = stored.filter(organisation_id__in=organisation_ids)
        stored.delete()
        DailyFigure.objects.bulk_create(rows, batch_size=2000)
        roll_up_months(start, end, organisation_ids)
        if organisation_ids is None:
            # Past days now answer from the table; today stays live until it is over.
            finished = timezone.now()
            done = [start + timedelta(days=i) for i in range((min(end, today() - timedelta(days=1)) - start).days + 1)]
            AggregatedDay.objects.filter(day__in=done).update(finished_at=finished)
            AggregatedDay.objects.bulk_create(
                [AggregatedDay(day=day, finished_at=finished) for day in done], ignore_conflicts=True
            )
    return len(rows)


def roll_up_months(start: date, end: date, organisation_ids=None, daily=DailyFigure, monthly=MonthlyFigure) -> int:
    """Rewrites the MonthlyFigure rows of the months start..end touches from their DailyFigure
    rows, summed by the database. (The models are parameters for the migration that fills the
    table: it passes its historical ones.)"""
    months = {start.replace(day=1), end.replace(day=1)}
    current = start.replace(day=1)
    while current < end:
        months.add(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    days = daily.objects.filter(month__in=months)
    stale = monthly.objects.filter(month__in=months)
    if organisation_ids is not None:
        days = days.filter(organisation_id__in=organisation_ids)
        stale = stale.filter(organisation_id__in=organisation_ids)
    stale.delete()
    sums = (
        days.values("organisation_id", "dimension", "key", "month")
        .annotate(group_label=Max("label"), **{f"sum_{m}": Sum(m) for m in METRICS})
        .order_by()
    )
    rows = [
        monthly(
            organisation_id=row["organisation_id"],
            month=row["month"],
            dimension=row["dimension"],
            key=row["key"],
            label=row["group_label"] or "",
            **{m: row[f"sum_{m}"] for m in METRICS},
        )
        for row in sums.iterator(chunk_size=5000)
    ]
    monthly.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def aggregate_yesterday_once() -> int | None:
    """The periodic job: yesterday (Japan time), once for all workers. Claims the day by creating
    its AggregatedDay row; a worker that loses the race, or comes after, does nothing."""
    yesterday = today() - timedelta(days=1)
    claimed, created = AggregatedDay.objects.get_or_create(day=yesterday)
    if not created:
        return None
    try:
        take_view_snapshots(yesterday)
        return aggregate(yesterday, yesterday)
    except BaseException:
        claimed.delete()  # the next round of the loop tries again
        raise


def last_aggregated_day() -> date | None:
    return (
        AggregatedDay.objects.filter(finished_at__isnull=False).order_by("-day").values_list("day", flat=True).first()
    )
