"""GET /api/v1/analytics/funnel?from=YYYY-MM-DD&to=YYYY-MM-DD&interval=week|month&group_by=…: the
employer's funnel over time, the figures of the workspace's 分析 page.

Rows per period, or per period and group. A group's figure is coarse like every per-link figure
(null below 5, else rounded down to a multiple of 5); rows without group_by are exact, except
`clicked`, which is null where fewer than 5 of the period's emails were not clicked (it would say
who clicked). A step the
grouping cannot split (registrations by template, say) is null and named in `unavailable`."""

from datetime import date
from typing import Literal

from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from careerrelay.analytics import services as analytics
from careerrelay.api.errors import AUTH_ERRORS, ErrorOut
from careerrelay.relay.figures import threshold

router = Router(tags=["analytics"])


class FunnelQuery(Schema):
    start: date = Field(alias="from", description="First day (Japan time), YYYY-MM-DD.")
    end: date = Field(alias="to", description="Last day, inclusive.")
    interval: Literal["week", "month"] = Field("week", description="Weeks start on Monday.")
    group_by: Literal["campaign", "template", "job", "reason"] | None = Field(
        None, description="Split each period by relay link, rejection template, job title or rejection reason."
    )


class FunnelRowOut(Schema):
    period_start: date
    group: str | None = Field(description="The group's name; null for rows without group_by.")
    group_key: str | None = Field(default=None, description="Stable id of the group (with group_by).")
    sent: int | None = Field(description="Rejection emails sent.")
    clicked: int | None = Field(description="Emails whose relay link was clicked (first click).")
    views: int | None = Field(description="Relay landing page views.")
    started: int | None = Field(description="Registrations started through a relay link.")
    confirmed: int | None = Field(description="Registrations whose email address was confirmed.")
    counted: int | None = Field(description="Registrations counted towards free referrals.")
    credits_earned: int | None = Field(description="Free-referral credits granted.")
    credits_used: int | None = Field(description="Free referrals used (credits consumed).")


class FunnelOut(Schema):
    interval: str
    group_by: str | None
    threshold: int = Field(examples=[5], description="Group figures below it are null.")
    unavailable: list[str] = Field(description="Steps this grouping cannot split: null in every row.")
    rows: list[FunnelRowOut]


@router.get(
    "/analytics/funnel",
    response={200: FunnelOut, 400: ErrorOut, 422: ErrorOut, **AUTH_ERRORS},
    summary="The funnel from rejection email to free referral, per week or month",
)
def funnel(request, query: Query[FunnelQuery]):
    if query.end < query.start:
        raise HttpError(400, "`to` is before `from`.")
    if query.start < analytics.EARLIEST_DAY or query.end > analytics.LATEST_DAY:
        raise HttpError(400, f"Dates must be between {analytics.EARLIEST_DAY} and {analytics.LATEST_DAY}.")
    if (query.end - query.start).days > analytics.MAX_DAYS:
        raise HttpError(400, f"The period may be at most {analytics.MAX_DAYS} days.")
    try:
        result = analytics.funnel(request.organisation, query.start, query.end, query.interval, query.group_by)
    except analytics.BadPeriod as error:
        raise HttpError(400, str(error)) from None
    unavailable = [m for m in result.unavailable if m in analytics.API_METRICS]
    return {
        "interval": result.interval,
        "group_by": result.group_by,
        "threshold": threshold(),
        "unavailable": unavailable,
        "rows": [row.as_api() for row in result.rows],
    }
