"""Agency API: search the candidates who share with agencies, and open one.

    GET /api/v1/agency/search?q=Java開発&prefecture=13&min_years=3
    GET /api/v1/agency/candidates/<id>

Agency keys only (created in the agency workspace or by `create_agency`); an employer's key is
refused with 401. An agency that is not approved gets 403. Search results name nobody (no name,
no contact data); opening a candidate returns the full profile and writes the provision record
(channel `api`) and the audit entry first, exactly like opening the profile page.
"""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field, model_validator

from careerrelay.agencies import services as agencies
from careerrelay.api.auth import ApiKeyAuth
from careerrelay.api.errors import AUTH_ERRORS, ErrorOut
from careerrelay.api.fields import BoundedDate, OneLine, PageNumber
from careerrelay.audit.actor import Actor
from careerrelay.candidates.choices import JobCategory, Prefecture, RemotePreference
from careerrelay.organisations.models import Organisation
from careerrelay.privacy.models import ProvisionRecord


class AgencyKeyAuth(ApiKeyAuth):
    openapi_description = (
        "An agency API key (created in the agency workspace or with `manage.py create_agency`), "
        "sent as `Authorization: Bearer <key>`."
    )

    def __init__(self):
        super().__init__(kinds=(Organisation.Kind.AGENCY,))


router = Router(tags=["agency"], auth=AgencyKeyAuth())

AGENCY_ERRORS = {**AUTH_ERRORS, 403: ErrorOut}
NOT_APPROVED = "Your agency has not been approved by CareerRelay yet (or is suspended): no candidate can be shown."


SALARY_FILTER = "万円; a stated desired range must overlap (profiles stating none are kept)."


class SearchFilters(Schema):
    q: OneLine = Field(default="", max_length=500, description="Words in Japanese or English; all must match.")
    preferred: OneLine = Field(
        default="",
        max_length=500,
        description="Words that need not match; profiles matching them rank higher (e.g. preferred skills).",
    )
    prefecture: Literal[tuple(Prefecture.values)] | None = Field(  # type: ignore[valid-type]
        default=None, description="JIS X 0401 code, e.g. `13` for 東京都.", examples=["13"]
    )
    job_category: Literal[tuple(JobCategory.values)] | None = Field(  # type: ignore[valid-type]
        default=None, description="Only profiles wanting this job category.", examples=["engineer_software"]
    )
    rank_job_category: Literal[tuple(JobCategory.values)] | None = Field(  # type: ignore[valid-type]
        default=None, description="Profiles wanting this job category rank higher; others are kept."
    )
    min_years: int | None = Field(default=None, ge=0, le=60, description="Years of experience, at least.")
    max_years: int | None = Field(default=None, ge=0, le=60, description="Years of experience, at most.")
    salary_min: int | None = Field(default=None, ge=0, le=10000, description=SALARY_FILTER)
    salary_max: int | None = Field(default=None, ge=0, le=10000, description=SALARY_FILTER)
    remote: bool | None = Field(
        default=None, description="`true`: open to remote work; `false`: will come to the office."
    )
    updated_since: BoundedDate | None = Field(default=None, description="Profiles updated on or after this day.")
    page: PageNumber = 1
    per_page: int = Field(default=20, ge=1, le=100)

    @model_validator(mode="after")
    def _ranges(self):
        if self.min_years is not None and self.max_years is not None and self.min_years > self.max_years:
            raise ValueError("max_years must not be less than min_years")
        if self.salary_min is not None and self.salary_max is not None and self.salary_min > self.salary_max:
            raise ValueError("salary_max must not be less than salary_min")
        return self


class MatchedTermOut(Schema):
    query: str = Field(examples=["PM"], description="The query word.")
    term: str = Field(examples=["プロジェクトマネージャー"], description="What matched in the profile.")
    fields: list[str] = Field(examples=[["skills", "work_history"]])
    synonym: bool = Field(description="Matched through the synonym list.")


class SearchResultOut(Schema):
    id: UUID = Field(description="The candidate id for /agency/candidates/<id>.")
    reference: str = Field(examples=["CR-1A2B3C4D"], description="A short reference for people.")
    score: float = Field(examples=[7.42])
    explanation: list[str] = Field(examples=[["スキルに「Java」が一致", "勤務地・居住地: 東京都"]])
    matched_terms: list[MatchedTermOut]
    prefecture: str = Field(examples=["東京都"])
    job_categories: list[str] = Field(examples=[["ITエンジニア"]])
    years_experience: int = Field(examples=[5])
    skills: list[str] = Field(examples=[["Java", "Spring"]])
    summary_excerpt: str = Field(description="The first 80 characters of the self-introduction.")
    profile_updated_at: datetime


class SearchOut(Schema):
    results: list[SearchResultOut]
    total: int = Field(
        description="How many candidates match: exact up to 1,000; when more match it is 1,000 and "
        "total_capped is true (pages end at the 1,000th candidate)."
    )
    total_capped: bool = Field(description="True when more than 1,000 candidates match (「1,000件以上」).")
    page: int
    num_pages: int
    per_page: int


class WorkHistoryOut(Schema):
    company: str
    role: str
    started_on: date
    ended_on: date | None
    description: str


class ProvisionOut(Schema):
    record_id: int = Field(description="The provision record this response created.")
    provider: str = Field(examples=["キャリアリレー(運営)"], description="Record it on your side: 提供元.")
    how_obtained: str = Field(examples=["本人登録・同意"], description="Record it on your side: 取得の経緯.")
    provided_at: datetime
    items: list[str]
    consent_given_at: datetime | None


class CandidateOut(Schema):
    id: UUID
    reference: str
    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    email: str
    phone: str
    prefecture: str = Field(examples=["13"])
    job_categories: list[str] = Field(examples=[["engineer_software"]])
    desired_prefectures: list[str]
    remote_preference: RemotePreference | Literal[""]
    desired_salary_min: int | None
    desired_salary_max: int | None
    years_experience: int
    skills: list[str]
    summary: str
    work_history: list[WorkHistoryOut]
    has_resume: bool
    profile_updated_at: datetime
    provision: ProvisionOut


@router.get(
    "/agency/search",
    response={200: SearchOut, **AGENCY_ERRORS},
    summary="Search candidates (ranked and explained; no contact data)",
)
def search(request, filters: Query[SearchFilters]):
    params = filters.model_dump()
    page_number, per_page = params.pop("page"), params.pop("per_page")
    try:
        page = agencies.search_for_agency(
            organisation=request.organisation,
            actor=Actor.from_request(request),
            channel=ProvisionRecord.Channel.API,
            page=page_number,
            per_page=per_page,
            **params,
        )
    except agencies.AgencyNotApproved:
        raise HttpError(403, NOT_APPROVED) from None
    summaries = agencies.summaries_for(page.results)
    results = []
    for hit in page.results:
        summary = summaries.get(hit.candidate_id)
        if summary is None:  # left the pool between the search and this line
            continue
        results.append(
            {
                "id": hit.public_id,
                "reference": summary.reference,
                "score": round(hit.score, 4),
                "explanation": [str(line) for line in hit.explanation],
                "matched_terms": [
                    {"query": t.query, "term": t.term, "fields": list(t.fields), "synonym": t.synonym}
                    for t in hit.matched_terms
                ],
                "prefecture": summary.prefecture,
                "job_categories": summary.job_categories,
                "years_experience": summary.years_experience,
                "skills": summary.skills,
                "summary_excerpt": summary.summary_excerpt,
                "profile_updated_at": summary.profile_updated_at,
            }
        )
    return {
        "results": results,
        "total": page.total,
        "total_capped": page.total_capped,
        "page": page.page,
        "num_pages": page.num_pages,
        "per_page": page.per_page,
    }


@router.get(
    "/agency/candidates/{candidate_id}",
    response={200: CandidateOut, 404: ErrorOut, **AGENCY_ERRORS},
    summary="A candidate's full profile (writes a provision record)",
)
def candidate_detail(request, candidate_id: str):
    try:
        candidate, record = agencies.open_candidate_profile(
            organisation=request.organisation,
            public_id=candidate_id,
            channel=ProvisionRecord.Channel.API,
            actor=Actor.from_request(request),
        )
    except agencies.AgencyNotApproved:
        raise HttpError(403, NOT_APPROVED) from None
    except agencies.CandidateNotVisible:
        raise HttpError(404, "No such candidate, or the candidate no longer shares their profile.") from None
    source = agencies.source_note(record)
    return {
        "id": candidate.public_id,
        "reference": agencies.reference_for(candidate.public_id),
        "family_name": candidate.family_name,
        "given_name": candidate.given_name,
        "family_name_kana": candidate.family_name_kana,
        "given_name_kana": candidate.given_name_kana,
        "email": candidate.email,
        "phone": candidate.phone,
        "prefecture": candidate.prefecture,
        "job_categories": candidate.desired_job_categories or [candidate.job_category],
        "desired_prefectures": candidate.desired_prefectures or [],
        "remote_preference": candidate.remote_preference,
        "desired_salary_min": candidate.desired_salary_min,
        "desired_salary_max": candidate.desired_salary_max,
        "years_experience": candidate.years_experience,
        "skills": agencies.CandidateSummary.of(candidate).skills,
        "summary": candidate.summary,
        "work_history": [
            {
                "company": w.company,
                "role": w.role,
                "started_on": w.started_on,
                "ended_on": w.ended_on,
                "description": w.description,
            }
            for w in candidate.work_history.all()
        ],
        "has_resume": hasattr(candidate, "resume"),
        "profile_updated_at": candidate.profile_updated_at,
        "provision": {
            "record_id": source["record_id"],
            "provider": str(source["provider"]),
            "how_obtained": str(source["how_obtained"]),
            "provided_at": source["date"],
            "items": [str(item) for item in source["items"]],
            "consent_given_at": source["consent_given_at"],
        },
    }
