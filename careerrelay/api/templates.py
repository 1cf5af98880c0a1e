"""GET /api/v1/templates: the rejection templates an employer can send with (presets and its own),
each with its subject and its one body (the email's text and HTML parts are both made from it).

POST /api/v1/templates: a new template of the company's own, checked like the editor checks it:
unknown variables and links outside the link policy (CareerRelay's links, the company's verified
domains and the operator's allow-list) are 422 with one detail per problem, naming the field."""

from datetime import datetime

from ninja import Router, Schema, Status
from pydantic import Field

from careerrelay.api.errors import AUTH_ERRORS, ErrorOut, error_response
from careerrelay.api.fields import OneLine, Text
from careerrelay.common.japanese import normalize_text
from careerrelay.rejections.models import RejectionTemplate
from careerrelay.rejections.services import create_template, templates_for_organisation, validate_template

router = Router(tags=["templates"])


class TemplateOut(Schema):
    id: int = Field(examples=[12], description="Pass as `template_id` when creating a send.")
    name: str = Field(examples=["中途採用・丁寧"])
    language: str = Field(examples=["ja"], description="`ja` or `en`.")
    preset: bool = Field(examples=[False], description="A built-in preset shared by every company (read-only).")
    subject: str = Field(examples=["選考結果のご連絡（{{company_name}}）"])
    body: str = Field(
        examples=["{{applicant_name}} 様\n\n…\n{{relay_link}}"],
        description="The one body, with `{{variable}}` slots; the plain-text and HTML parts are both made from it.",
    )
    updated_at: datetime


class TemplateIn(Schema):
    name: OneLine = Field(min_length=1, max_length=100, examples=["中途採用・丁寧"])
    language: str = Field(default="ja", pattern="^(ja|en)$")
    subject: OneLine = Field(min_length=1, max_length=200, examples=["選考結果のご連絡（{{company_name}}）"])
    body: Text = Field(min_length=1, max_length=20_000, examples=["{{applicant_name}} 様\n\n…\n{{relay_link}}"])


def template_out(t: RejectionTemplate) -> dict:
    return {
        "id": t.pk,
        "name": t.name,
        "language": t.language,
        "preset": t.is_preset,
        "subject": t.subject,
        "body": t.body,
        "updated_at": t.updated_at,
    }


@router.get("/templates", response={200: list[TemplateOut], **AUTH_ERRORS}, summary="Rejection email templates")
def list_templates(request):
    return [template_out(t) for t in templates_for_organisation(request.organisation)]


@router.post(
    "/templates", response={201: TemplateOut, 422: ErrorOut, **AUTH_ERRORS}, summary="Create a rejection template"
)
def create(request, payload: TemplateIn):
    # circular: careerrelay.api.api imports this module at import time to mount it
    from careerrelay.api.api import api

    problems = [
        p for p in validate_template(payload.subject, payload.body, organisation=request.organisation) if p.is_error
    ]
    if problems:
        return error_response(
            api,
            request,
            status=422,
            code="invalid_template",
            message="The template was not saved.",
            details=[{"field": p.field, "message": str(p.message)} for p in problems],
        )
    template = create_template(
        organisation=request.organisation,
        name=normalize_text(payload.name),
        language=payload.language,
        subject=payload.subject,
        body=payload.body,
    )
    return Status(201, template_out(template))
