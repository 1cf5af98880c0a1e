"""POST /api/v1/applicants: an ATS hands over a list of rejected applicants.

All or nothing: every item is validated first (the same rules as the CSV import), and when any
item fails, nothing is created and the answer is 422 with each failing item's index and reasons.
Otherwise all items are created in one transaction and the answer is 201 with their ids, in the
order of the request. A client fixes or drops the failing items and sends the list again.
"""

from ninja import Router, Schema, Status
from pydantic import Field

from careerrelay.api.errors import AUTH_ERRORS
from careerrelay.api.fields import OneLine, Text
from careerrelay.talent import services
from careerrelay.talent.models import Stage

router = Router(tags=["applicants"])

MAX_ITEMS = 1000


class ApplicantIn(Schema):
    family_name: OneLine = Field(default="", max_length=200, examples=["髙橋"])
    given_name: OneLine = Field(default="", max_length=200, examples=["花子"])
    full_name: OneLine = Field(
        default="",
        max_length=400,
        description="Alternative to family_name/given_name: 「髙橋 花子」, split at the first space.",
    )
    family_name_kana: OneLine = Field(default="", max_length=200, examples=["タカハシ"])
    given_name_kana: OneLine = Field(default="", max_length=200, examples=["ハナコ"])
    email: OneLine = Field(max_length=320, examples=["hanako.takahashi@example.jp"])
    phone: OneLine = Field(default="", max_length=40, examples=["090-1234-5678"])
    job_title: OneLine = Field(default="", max_length=400, examples=["法人営業"])
    stage: OneLine = Field(
        default=Stage.OTHER,
        description="One of "
        + ", ".join(f"`{v}`" for v in Stage.values)
        + " (Japanese labels such as 一次面接 work too).",
        examples=[Stage.FIRST_INTERVIEW],
    )
    rejection_reason: Text = Field(default="", max_length=10_000)
    # A string rather than a date, so that a bad date is reported per item like every other
    # problem; 2026-11-20, 2026/11/20 and 2026年11月20日 are read.
    rejected_on: OneLine | None = Field(default=None, examples=["2026-11-20"], description="YYYY-MM-DD")
    source: OneLine = Field(default="", max_length=400, examples=["自社サイト"])
    notes: Text = Field(default="", max_length=20_000, description="Evaluation notes, visible to your company only.")
    recontact_ok: bool = Field(default=False, description="The applicant agreed to be contacted again.")


class ItemError(Schema):
    index: int = Field(description="Position of the item in the request list, from 0.")
    email: str
    messages: list[str]


class CreatedOut(Schema):
    ids: list[int] = Field(description="The new applicants' ids, in the order of the request.")
    errors: list[ItemError] = Field(default_factory=list, description="Always empty on success.")


class RejectedOut(Schema):
    ids: list[int] = Field(default_factory=list, description="Always empty: nothing was created.")
    errors: list[ItemError]


@router.post(
    "/applicants",
    response={201: CreatedOut, 422: RejectedOut, **AUTH_ERRORS},
    summary="Add rejected applicants (all or nothing)",
)
def create_applicants(request, items: list[ApplicantIn]):
    if len(items) > MAX_ITEMS:
        # Reported at the first item over the limit; nothing is created.
        message = f"At most {MAX_ITEMS} applicants per request: send the rest in another request."
        return Status(422, {"ids": [], "errors": [{"index": MAX_ITEMS, "email": "", "messages": [message]}]})
    records = [(index, item.model_dump()) for index, item in enumerate(items)]
    try:
        created, _validation = services.bulk_create_applicants(
            organisation=request.organisation, records=records, line_word="items[%(line)d]"
        )
    except services.ImportRefused as refused:
        errors = [
            {"index": problem.line, "email": items[problem.line].email, "messages": problem.reasons}
            for problem in refused.validation.problems
        ]
        return Status(422, {"ids": [], "errors": errors})
    return Status(201, {"ids": [applicant.pk for applicant in created], "errors": []})
