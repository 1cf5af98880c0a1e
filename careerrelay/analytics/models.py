"""The employer's funnel, one row per company, Japan day, dimension and group: what the daily job
(analytics.aggregation) counted from the raw tables. Rows are derived data: the job deletes and
rewrites a day whole, so they can be rebuilt for any range (`manage.py aggregate_analytics`)."""

from django.db import models
from django.utils import timezone

from careerrelay.organisations.models import Organisation
from careerrelay.relay.models import RelayCampaign

# Every figure of a DailyFigure row, in funnel order.
METRICS = (
    "sent",
    "clicked",
    "views",
    "started",
    "confirmed",
    "counted",
    "credits_earned",
    "credits_used",
    "interviews",
    "hired",
)


class Dimension(models.TextChoices):
    TOTAL = "total", "total"
    CAMPAIGN = "campaign", "campaign"
    TEMPLATE = "template", "template"
    JOB = "job", "job"
    REASON = "reason", "reason"


class FigureRow(models.Model):
    """What a day's and a month's rows share: the company, the dimension and group, and one count
    per step of METRICS."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=16, choices=Dimension.choices)
    # The group within the dimension: a campaign's, template's or reason's id, a job title; "" for
    # the total and for what has no group (a send without campaign, an applicant without reason).
    key = models.CharField(max_length=200, blank=True)
    label = models.CharField(max_length=200, blank=True)
    sent = models.PositiveIntegerField(default=0)
    clicked = models.PositiveIntegerField(default=0)
    views = models.PositiveIntegerField(default=0)
    started = models.PositiveIntegerField(default=0)
    confirmed = models.PositiveIntegerField(default=0)
    counted = models.PositiveIntegerField(default=0)
    credits_earned = models.PositiveIntegerField(default=0)
    credits_used = models.PositiveIntegerField(default=0)
    interviews = models.PositiveIntegerField(default=0)
    hired = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class DailyFigure(FigureRow):
    day = models.DateField()  # Asia/Tokyo
    # The Monday of the day's week and the first of its month, stored so that the database sums by
    # period without a date function per row.
    week = models.DateField()
    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "dimension", "day", "key"], name="one_figure_row_per_group")
        ]
        indexes = [models.Index(fields=["day"], name="dailyfigure_day")]


class MonthlyFigure(FigureRow):
    """The DailyFigure rows of one month summed, per company, dimension and group (label: the
    greatest of the month's, as the query over days takes): a two-year request by job title reads
    40 groups x 24 months instead of 40 x 730 days. Rewritten with the month's days by the daily
    job (analytics.aggregation.aggregate), in the same transaction, so it never disagrees with them."""

    month = models.DateField()  # the first of the month

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "dimension", "month", "key"], name="one_monthly_row_per_group"
            )
        ]
        indexes = [models.Index(fields=["month"], name="monthlyfigure_month")]


class LandingViewSnapshot(models.Model):
    """A relay link's landing-page view counter (RelayCampaign.landing_views) as the daily job
    found it just after the end of a day. The counter has no dates, and the landing page is the
    busiest page, so rather than writing a dated row per view, the views of day D are the
    difference of two snapshots (D and D-1). A snapshot is written once and never rewritten."""

    campaign = models.ForeignKey(RelayCampaign, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    landing_views = models.PositiveBigIntegerField()
    taken_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "day"], name="one_view_snapshot_per_day")]


class AggregatedDay(models.Model):
    """A Japan day the daily job has aggregated for every company: the periodic loop claims
    yesterday by creating this row (unique), so two workers never both run it."""

    day = models.DateField(unique=True)
    finished_at = models.DateTimeField(null=True, blank=True)
