"""GET /api/v1/surveys/summary?group_by=template|job|stage|month: the candidate-experience survey
(NPS) of the company's rejection emails, in groups.

Aggregates only, like the workspace page: a group of fewer than 5 answers has `responses`,
`promoters`, `passives`, `detractors` and `nps` all null (even how many answered could say who),
and when the hidden groups together would come to 1–4 answers, the smallest shown groups are
hidden as well, so the exact `total` never gives them away by subtraction. No row ever carries an
applicant, a message or a date finer than a month.
"""

from typing import Literal

from ninja import Query, Router, Schema
from pydantic import Field

from careerrelay.api.errors import AUTH_ERRORS, ErrorOut
from careerrelay.surveys import services as surveys

router = Router(tags=["surveys"])


class SummaryQuery(Schema):
    group_by: Literal["template", "job", "stage", "month"] = Field(
        description="`template`, `job`, `stage` (reached) or `month` (sent, Japan time)."
    )


class GroupOut(Schema):
    key: str = Field(examples=["12"], description="Stable within a grouping: a template id, `job:<id>`, a month…")
    label: str = Field(examples=["中途採用・丁寧"])
    template_id: int | None = Field(default=None, description="With group_by=template.")
    job_id: int | None = Field(default=None, description="With group_by=job, for jobs of the job list.")
    month: str | None = Field(default=None, examples=["2026-11"], description="With group_by=month.")
    responses: int | None = Field(description="Null when the group is hidden (see below_threshold).")
    promoters: int | None = Field(description="Answers of 9 or 10.")
    passives: int | None = Field(description="Answers of 7 or 8.")
    detractors: int | None = Field(description="Answers of 0 to 6.")
    nps: float | None = Field(examples=[23.1], description="% promoters − % detractors, −100 to 100.")
    ci_low: float | None = Field(description="95% confidence interval (normal approximation), lower bound.")
    ci_high: float | None
    below_threshold: bool = Field(
        description="Fewer than 5 answers. A group with 5 or more may still be hidden, so the hidden ones "
        "cannot be worked out from the total."
    )


class TotalOut(Schema):
    responses: int = Field(description="Exact, always.")
    promoters: int | None = Field(description="Null while there are fewer than 5 answers in all.")
    passives: int | None
    detractors: int | None
    nps: float | None
    ci_low: float | None
    ci_high: float | None


class SummaryOut(Schema):
    group_by: str
    threshold: int = Field(examples=[5])
    total: TotalOut
    rows: list[GroupOut]


@router.get(
    "/surveys/summary",
    response={200: SummaryOut, 422: ErrorOut, **AUTH_ERRORS},
    summary="Candidate survey (NPS) by template, job, stage or month",
)
def summary(request, query: Query[SummaryQuery]):
    responses = surveys.responses_for(request.organisation)
    total = surveys.overall(responses)
    shown = total.responses >= surveys.THRESHOLD
    interval = total.interval if shown else None
    return {
        "group_by": query.group_by,
        "threshold": surveys.THRESHOLD,
        "total": {
            "responses": total.responses,
            "promoters": total.promoters if shown else None,
            "passives": total.passives if shown else None,
            "detractors": total.detractors if shown else None,
            "nps": round(total.score, 1) if shown and total.score is not None else None,
            "ci_low": round(interval[0], 1) if interval else None,
            "ci_high": round(interval[1], 1) if interval else None,
        },
        "rows": [group.as_api() for group in surveys.summary(responses, query.group_by)],
    }
