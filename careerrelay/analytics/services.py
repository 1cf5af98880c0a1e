"""The employer's funnel over time: stored daily figures plus the live part (today, and any day the
daily job has not finished), per week or month, in one dimension or in total.

Figures per group (campaign, template, job, reason) are shown coarsely, as the relay figures are
(relay.figures: 「5未満」 below the threshold, then in steps of 5): a group can be as small as one
person. Totals over the company stay exact. A step a dimension cannot split (a registration has no
template) is None in that dimension, never a made-up number.

Every read here but the credits (`next_credit`, money is read where it is written) may come from
the read replica (common.replica): figures that trail the newest click or registration by the
replica's lag, like the dashboard's. The daily job (analytics.aggregation) writes and reads the
primary.

The operator console can call `platform_funnel` (every company together, exact, per period) and
`totals_by_company` (stored totals per company) with the same arithmetic.
"""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, Sum
from django.utils.translation import gettext as _

from careerrelay.analytics.aggregation import DIMENSION_METRICS, TOKYO, count_days, day_start, today
from careerrelay.analytics.models import METRICS, AggregatedDay, DailyFigure, Dimension, MonthlyFigure
from careerrelay.audit.actor import Actor
from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import record_event
from careerrelay.common.replica import replica_reads
from careerrelay.credits.models import LedgerEntry
from careerrelay.credits.services import Balance
from careerrelay.organisations.models import Organisation
from careerrelay.relay.figures import Figure, coarse, coarse_part, threshold
from careerrelay.sends.models import Send

INTERVALS = ("week", "month")
GROUPINGS = ("campaign", "template", "job", "reason")
# The steps the API reports (the contract); the page shows interviews and hires as well.
API_METRICS = METRICS[:8]
FORECAST_DAYS = 28
MAX_DAYS = 366 * 5
# Days outside these cannot hold figures, and the date arithmetic near date.min and date.max
# (the week's Monday, the next month, the same day last year) would overflow.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)


class BadPeriod(ValueError):
    pass


def period_start(day: date, interval: str) -> date:
    if interval == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def periods(start: date, end: date, interval: str) -> list[date]:
    out, current = [], period_start(start, interval)
    while current <= end:
        out.append(current)
        current = current + timedelta(days=7) if interval == "week" else _next_month(current)
    return out


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def check_period(start: date, end: date, interval: str, group_by: str | None) -> None:
    if start < EARLIEST_DAY or end > LATEST_DAY:
        raise BadPeriod(out_of_range_message())
    if end < start:
        raise BadPeriod(_("期間の終わりが始まりより前です。"))
    if (end - start).days > MAX_DAYS:
        raise BadPeriod(_("期間は5年以内にしてください。"))
    if interval not in INTERVALS:
        raise BadPeriod(_("集計単位は週か月を選んでください。"))
    if group_by is not None and group_by not in GROUPINGS:
        raise BadPeriod(_("内訳の種類が正しくありません。"))


def out_of_range_message() -> str:
    return _("%(earliest)sから%(latest)sまでの日付を入力してください。") % {
        "earliest": EARLIEST_DAY.isoformat(),
        "latest": LATEST_DAY.isoformat(),
    }


def _stored_and_live(organisation_ids, start: date, end: date, interval: str, dimensions: list[str]) -> dict:
    """{dimension: {(period start, key): (label, counts)}} for start..end: the days the daily job
    finished summed by the database, the others (today, or days the job has not finished yet)
    counted live from the raw tables, once for all the dimensions asked."""
    finished = AggregatedDay.objects.filter(day__gte=start, day__lte=end, finished_at__isnull=False)
    stored_days = set(finished.values_list("day", flat=True))
    out: dict = {dimension: {} for dimension in dimensions}
    stored_end = min(end, today() - timedelta(days=1))
    if len(stored_days) == (stored_end - start).days + 1:
        # The usual case, every past day stored: plain ranges the (organisation, dimension, day)
        # index answers, rather than a subquery per row; whole months from their sums.
        ranges = _month_and_day_ranges(start, stored_end) if interval == "month" else [(DailyFigure, start, stored_end)]
        column = {DailyFigure: "day", MonthlyFigure: "month"}
        sources: list[tuple[Any, dict[str, Any]]] = [
            (model, {f"{column[model]}__gte": low, f"{column[model]}__lte": high}) for model, low, high in ranges
        ]
    else:
        sources = [(DailyFigure, {"day__in": finished.values("day")})]
    for dimension in dimensions:
        for model, days in sources:
            figures = model.objects.filter(dimension=dimension, **days)
            if organisation_ids is not None:
                figures = figures.filter(organisation_id__in=organisation_ids)
            rows = (
                figures.values("key", period=F(interval))
                .annotate(group_label=Max("label"), **{f"sum_{m}": Sum(m) for m in METRICS})
                .order_by()
            )
            for row in rows:
                _merge(
                    out[dimension],
                    (row["period"], row["key"]),
                    row["group_label"],
                    {m: row[f"sum_{m}"] for m in METRICS},
                )
    missing = [d for d in _days(start, min(end, today())) if d not in stored_days]
    if missing:
        wanted = set(missing)
        cells = count_days(min(missing), max(missing), organisation_ids, dimensions=dimensions, live=True)
        for (_org, day, dimension, key), cell in cells.items():
            if dimension in out and day in wanted:
                _merge(out[dimension], (period_start(day, interval), key), cell.label, cell.counts)
    return out


def _month_and_day_ranges(start: date, end: date) -> list[tuple[type[DailyFigure | MonthlyFigure], date, date]]:
    """start..end as (model, first, last): the whole months in it from MonthlyFigure, the days
    before and after them from DailyFigure. A month is either whole or in days, never both, so its
    label is the greatest of the same rows either way."""
    first_month = start if start.day == 1 else _next_month(start)
    after_last = end.replace(day=1) if (end + timedelta(days=1)).day != 1 else _next_month(end)
    if first_month >= after_last:
        return [(DailyFigure, start, end)]
    ranges: list[tuple[type[DailyFigure | MonthlyFigure], date, date]] = [
        (MonthlyFigure, first_month, after_last - timedelta(days=1))
    ]
    if start < first_month:
        ranges.append((DailyFigure, start, first_month - timedelta(days=1)))
    if after_last <= end:
        ranges.append((DailyFigure, after_last, end))
    return ranges


def _merge(buckets: dict, key, label: str, counts: dict) -> None:
    old_label, old = buckets.get(key, ("", None))
    if old is None:
        buckets[key] = (label or "", dict(counts))
        return
    for metric in METRICS:
        old[metric] += counts[metric]
    buckets[key] = (old_label or label or "", old)


def _days(start: date, end: date):
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


@dataclass
class FunnelRow:
    period_start: date
    group_key: str | None
    group_label: str | None
    counts: dict  # metric -> exact int, or None where the dimension cannot split the step
    grouped: bool

    def shown(self, metric: str) -> Figure | int | None:
        """What may be shown: exact for totals, coarse (「5未満」, steps of 5) per group; a group's
        clicks also hidden when few of its emails were not clicked (relay.figures.coarse_part)."""
        value = self.counts[metric]
        if value is None or not self.grouped:
            return value
        sent = self.counts.get("sent")
        if metric == "clicked" and sent is not None:
            return coarse_part(value, sent)
        return coarse(value)

    def as_api(self) -> dict:
        out: dict[str, str | int | None] = {"period_start": self.period_start.isoformat(), "group": self.group_label}
        if self.grouped:
            out["group_key"] = self.group_key
        for metric in API_METRICS:
            value = self.shown(metric)
            out[metric] = value.low if isinstance(value, Figure) else value
        return out


@dataclass
class Funnel:
    start: date
    end: date
    interval: str
    group_by: str | None
    rows: list[FunnelRow]
    totals: dict  # metric -> exact int over the whole period
    period_totals: list[FunnelRow] = field(default_factory=list)

    @property
    def unavailable(self) -> list[str]:
        dimension = self.group_by or Dimension.TOTAL
        return [m for m in METRICS if m not in DIMENSION_METRICS[Dimension(dimension)]]

    def rate(self, numerator: str, denominator: str) -> float | None:
        low, high = self.totals.get(denominator), self.totals.get(numerator)
        return None if not low or high is None else 100 * high / low


def _rows(buckets: dict, grouped: bool, dimension: str) -> list[FunnelRow]:
    available = DIMENSION_METRICS[Dimension(dimension)]
    rows = []
    for (start, key), (label, counts) in sorted(buckets.items(), key=lambda item: (item[0][0], item[0][1] or "")):
        if not any(counts.values()):
            continue
        counts = {m: (counts[m] if m in available else None) for m in METRICS}
        rows.append(
            FunnelRow(start, key if grouped else None, (label or _("(指定なし)")) if grouped else None, counts, grouped)
        )
    return rows


@replica_reads()
def funnel(organisation, start: date, end: date, interval: str = "week", group_by: str | None = None) -> Funnel:
    """The company's funnel, one row per period (and group): stored figures plus the live part."""
    check_period(start, end, interval, group_by)
    result = _funnel([organisation.pk], start, end, interval, group_by)
    for counts in (result.totals, *(row.counts for row in result.period_totals)):
        hide_click_remainder(counts)
    return result


def hide_click_remainder(counts: dict) -> None:
    """Clicks are a part of a whole the employer knows (the emails it sent): like a send's own
    page (relay.figures.coarse_part), a period's clicks are hidden (None, 「—」) when fewer than
    the threshold of its emails were not clicked — else "3 sent, 3 clicked" in a quiet week would
    say that each of the three clicked. A period with neither stays 0."""
    sent, clicked = counts.get("sent"), counts.get("clicked")
    if sent is not None and clicked is not None and (sent or clicked) and sent - clicked < threshold():
        counts["clicked"] = None


@replica_reads()
def platform_funnel(start: date, end: date, interval: str = "week") -> Funnel:
    """Every company together, for the operator console: exact totals per period (no groups)."""
    check_period(start, end, interval, None)
    return _funnel(None, start, end, interval, None)


def _funnel(organisation_ids, start, end, interval, group_by) -> Funnel:
    dimensions = [Dimension.TOTAL] + ([group_by] if group_by else [])
    buckets = _stored_and_live(organisation_ids, start, end, interval, dimensions)
    period_totals = _fill_periods(_rows(buckets[Dimension.TOTAL], False, Dimension.TOTAL), start, end, interval)
    totals = dict.fromkeys(METRICS, 0)
    for row in period_totals:
        for metric in METRICS:
            totals[metric] += row.counts[metric]
    rows = period_totals if group_by is None else _rows(buckets[group_by], True, group_by)
    return Funnel(start, end, interval, group_by, rows, totals, period_totals)


def _fill_periods(rows: list[FunnelRow], start, end, interval) -> list[FunnelRow]:
    """Totals have a row for every period, zeros included, so charts and tables show quiet weeks."""
    have = {row.period_start: row for row in rows}
    return [
        have.get(p) or FunnelRow(p, None, None, dict.fromkeys(METRICS, 0), False) for p in periods(start, end, interval)
    ]


def same_period_last_year(organisation, start: date, end: date, interval: str) -> Funnel:
    return funnel(organisation, _year_earlier(start), _year_earlier(end), interval)


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass
class BeforeAfter:
    template_label: str
    changed_on: date
    days: int
    before: dict
    after: dict


@replica_reads()
def before_and_after_template(organisation, template_id: int, days: int = 28) -> BeforeAfter | None:
    """The company's totals for `days` days before and after the first day a template was sent:
    what changing to it did (other things may have changed at the same time; the page says so)."""
    first = (
        DailyFigure.objects.filter(organisation=organisation, dimension=Dimension.TEMPLATE, key=str(template_id))
        .order_by("day")
        .values("day", "label")
        .first()
    )
    if first is None:
        return None
    changed_on = first["day"]
    before = funnel(organisation, changed_on - timedelta(days=days), changed_on - timedelta(days=1), "month").totals
    after = funnel(organisation, changed_on, min(changed_on + timedelta(days=days - 1), today()), "month").totals
    return BeforeAfter(first["label"], changed_on, days, before, after)


@replica_reads()
def templates_sent(organisation) -> list[tuple[str, str]]:
    """(template id, name) of the templates the company has sent, for the before/after chooser."""
    rows = (
        DailyFigure.objects.filter(organisation=organisation, dimension=Dimension.TEMPLATE)
        .exclude(key="")
        .values_list("key", "label")
        .distinct()
    )
    return sorted(set(rows), key=lambda row: row[1])


# --- Money and pace -----------------------------------------------------------------------------


@dataclass
class Money:
    fee_percent: int
    annual_salary: int
    referrals_used: int
    hires: int

    @property
    def fee_per_hire(self) -> int:
        return self.annual_salary * self.fee_percent // 100

    @property
    def saved(self) -> int:
        return self.referrals_used * self.fee_per_hire


def money(organisation, credits_used: int, hires: int) -> Money:
    return Money(organisation.agency_fee_percent, organisation.typical_annual_salary, credits_used, hires)


@dataclass
class NextCredit:
    remaining: int
    progress_percent: int
    per_day: float
    forecast: date | None


def next_credit(organisation) -> NextCredit:
    """Counted registrations still needed for the next free referral, and when it comes at the pace
    of the last FORECAST_DAYS days (None while nothing was counted in them)."""
    counted = LedgerEntry.objects.filter(organisation=organisation, kind=LedgerEntry.Kind.REFERRAL_COUNTED)
    # The same arithmetic as the dashboard's balance (credits.services.Balance), from the one count it needs.
    balance = Balance(counted.count(), 0, 0, 0, 0, 0, settings.REFERRALS_PER_CREDIT)
    since = today() - timedelta(days=FORECAST_DAYS)
    recent = counted.filter(created_at__gte=day_start(since)).count()
    per_day = recent / FORECAST_DAYS
    remaining = balance.referrals_to_next_credit
    forecast = today() + timedelta(days=math.ceil(remaining / per_day)) if per_day else None
    return NextCredit(remaining, balance.progress_percent, per_day, forecast)


@replica_reads()
def send_states(organisation, start: date, end: date, interval: str) -> list[tuple[date, dict]]:
    """Bulk sends created per period, by state (予約済み, 送信中, 完了, 取消…)."""
    sends = Send.objects.filter(
        organisation=organisation, created_at__gte=day_start(start), created_at__lt=day_start(end + timedelta(days=1))
    )
    buckets = {p: dict.fromkeys(Send.State.values, 0) for p in periods(start, end, interval)}
    for created_at, state in sends.values_list("created_at", "state"):
        buckets[period_start(created_at.astimezone(TOKYO).date(), interval)][state] += 1
    return sorted(buckets.items())


@replica_reads()
def totals_by_company(start: date, end: date) -> list[dict]:
    """Exact totals per company over start..end from the stored days (for the operator console)."""
    return list(
        DailyFigure.objects.filter(dimension=Dimension.TOTAL, day__gte=start, day__lte=end)
        .values("organisation_id")
        .annotate(**{m: Sum(m) for m in METRICS}, days=Count("day"))
        .order_by("organisation_id")
    )


@transaction.atomic
def set_agency_fee(*, organisation, fee_percent: int, annual_salary: int, actor: Actor) -> None:
    """The company's typical agency fee, which the 分析 page values its free referrals at."""
    Organisation.objects.filter(pk=organisation.pk).update(
        agency_fee_percent=fee_percent, typical_annual_salary=annual_salary
    )
    organisation.agency_fee_percent, organisation.typical_annual_salary = fee_percent, annual_salary
    record_event(
        actor=actor,
        action=AuditEvent.Action.CHANGE,
        organisation=organisation,
        object_type="organisation.agency_fee",
        object_id=organisation.pk,
        fee_percent=fee_percent,
        annual_salary=annual_salary,
    )
