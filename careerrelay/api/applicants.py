"""POST /api/v1/applicants: an ATS hands over a list of rejected applicants.

All or nothing: every item is validated first (the same rules as the CSV import), and when any
item fails, nothing is saved and the answer is 422 with each failing item's index and reasons.
Otherwise, in one transaction, each item creates a new applicant or updates the company's
existing one (the same `ats_id`, else the same email); an item that describes another
application than the person's latest one (another job title or rejection date) adds it to their
history. The answer lists, in the order of the request, what happened to each item.
"""

from typing import Literal

from ninja import Router, Schema, Status
from pydantic import Field

from careerrelay.api.errors import AUTH_ERRORS, ErrorOut
from careerrelay.api.fields import OneLine, Text
from careerrelay.audit.actor import Actor
from careerrelay.talent import services
from careerrelay.talent.models import RejectionReason, Stage

router = Router(tags=["applicants"])

MAX_ITEMS = 1000

_KINDS = ", ".join(f"`{value}`" for value in RejectionReason.Kind.values)


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
    email: OneLine = Field(
        max_length=320,
        examples=["hanako.takahashi@example.jp"],
        description="Identifies the person when no `ats_id` matches: an existing applicant is updated.",
    )
    phone: OneLine = Field(default="", max_length=40, examples=["090-1234-5678"])
    ats_id: OneLine = Field(
        default="",
        max_length=100,
        examples=["A-10023"],
        description="The person's id in your ATS. An applicant with this id is updated rather than "
        "created; it is unique within your company.",
    )
    job_title: OneLine = Field(default="", max_length=400, examples=["法人営業"])
    stage: OneLine = Field(
        default=Stage.OTHER,
        description="One of "
        + ", ".join(f"`{v}`" for v in Stage.values)
        + " (Japanese labels such as 一次面接 work too).",
        examples=[Stage.FIRST_INTERVIEW],
    )
    rejection_reason: OneLine = Field(
        default="",
        max_length=200,
        examples=["経験・スキル不足", "skills_gap"],
        description="The structured reason: one of your company's reason labels (as on the 不採用理由 "
        "settings page; full-width/half-width and spaces do not matter) or a reason kind code ("
        + _KINDS
        + "). Anything else is a 422 whose `fields` list the allowed labels. Put free text in "
        "`rejection_detail`.",
    )
    rejection_detail: Text = Field(
        default="", max_length=10_000, description="The reason in your own words, visible to your company only."
    )
    # A string rather than a date, so that a bad date is reported per item like every other
    # problem; 2026-11-20, 2026/11/20 and 2026年11月20日 are read.
    rejected_at: OneLine | None = Field(default=None, examples=["2026-11-20"], description="YYYY-MM-DD")
    rejected_on: OneLine | None = Field(
        default=None, description="The old name of `rejected_at`, still accepted.", deprecated=True
    )
    source: OneLine = Field(default="", max_length=400, examples=["自社サイト"])
    notes: Text = Field(default="", max_length=20_000, description="Evaluation notes, visible to your company only.")
    recontact_ok: bool = Field(default=False, description="The applicant agreed to be contacted again.")
    skills: list[OneLine] | OneLine | None = Field(
        default=None,
        examples=[["Python", "法人営業"]],
        description="A list (or one string separated by commas or 、). ＰＹＴＨＯＮ and python are one skill. "
        "Replaces the stored skills when given.",
    )
    tags: list[OneLine] | OneLine | None = Field(
        default=None,
        examples=[["PM候補"]],
        description="Your company's labels, as `skills`; a tag new to your company is created.",
    )
    years_experience: int | None = Field(default=None, ge=0, le=80, examples=[5])


class FieldError(Schema):
    field: str = Field(examples=["rejection_reason"])
    message: str
    allowed: list[str] = Field(default_factory=list, description="The values that field accepts.")


class ItemError(Schema):
    index: int = Field(description="Position of the item in the request list, from 0.")
    email: str
    messages: list[str]
    fields: list[FieldError] = Field(
        default_factory=list, description="Errors of a single field, with its allowed values."
    )


class ItemResult(Schema):
    index: int
    id: int
    status: Literal["created", "updated", "unchanged"] = Field(
        description="`updated` includes a person who applied again (`applied_again`)."
    )
    applied_again: bool = Field(default=False, description="A new application was added to the person's history.")


class SavedOut(Schema):
    ids: list[int] = Field(description="The applicants' ids (new or existing), in the order of the request.")
    created: int
    updated: int
    unchanged: int = Field(description="Items that matched an applicant and changed nothing.")
    results: list[ItemResult]
    errors: list[ItemError] = Field(default_factory=list, description="Always empty on success.")


class RejectedOut(Schema):
    ids: list[int] = Field(default_factory=list, description="Always empty: nothing was saved.")
    created: int = 0
    updated: int = 0
    errors: list[ItemError]


@router.post(
    "/applicants",
    response={200: SavedOut, 201: SavedOut, 409: ErrorOut, 422: RejectedOut, **AUTH_ERRORS},
    summary="Add or update rejected applicants (all or nothing)",
    description="201 when at least one applicant was created, 200 when every item updated (or "
    "matched unchanged) an existing one. Fields an item leaves out, or sends empty, keep their "
    "stored value on update.",
)
def create_applicants(request, items: list[ApplicantIn]):
    if len(items) > MAX_ITEMS:
        # Reported at the first item over the limit; nothing is created.
        message = f"At most {MAX_ITEMS} applicants per request: send the rest in another request."
        return Status(422, {"ids": [], "errors": [{"index": MAX_ITEMS, "email": "", "messages": [message]}]})
    # Only what the client sent: an update leaves everything else as it is.
    records = [(index, item.model_dump(exclude_unset=True)) for index, item in enumerate(items)]
    try:
        outcome = services.import_applicants(
            organisation=request.organisation,
            records=records,
            actor=Actor.from_request(request),
            line_word="items[%(line)d]",
            strict_reasons=True,
        )
    except services.ImportRefused as refused:
        errors = [
            {
                "index": problem.line,
                "email": items[problem.line].email,
                "messages": problem.reasons,
                "fields": problem.fields,
            }
            for problem in refused.validation.problems
        ]
        return Status(422, {"ids": [], "errors": errors})
    except services.ImportCollided as collided:
        return Status(409, {"error": {"code": "conflict", "message": str(collided)}})
    status = {line: "created" for line in outcome.created}
    status.update({line: "updated" for line in outcome.updated})
    status.update({line: "unchanged" for line in outcome.unchanged})
    again = set(outcome.applied_again)
    results = [
        {"index": index, "id": outcome.ids[index], "status": status[index], "applied_again": index in again}
        for index in range(len(items))
    ]
    body = {
        "ids": [outcome.ids[index] for index in range(len(items))],
        "created": len(outcome.created),
        "updated": len(outcome.updated),
        "unchanged": len(outcome.unchanged),
        "results": results,
        "errors": [],
    }
    return Status(201 if outcome.created else 200, body)
