"""GET /api/v1/templates: the rejection templates an employer can send with (presets and its own),
each with its subject and its one body (the email's text and HTML parts are both made from it)."""

from datetime import datetime

from ninja import Router, Schema
from pydantic import Field

from careerrelay.api.errors import AUTH_ERRORS
from careerrelay.rejections.services import templates_for_organisation

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


@router.get("/templates", response={200: list[TemplateOut], **AUTH_ERRORS}, summary="Rejection email templates")
def list_templates(request):
    return [
        {
            "id": t.pk,
            "name": t.name,
            "language": t.language,
            "preset": t.is_preset,
            "subject": t.subject,
            "body": t.body,
            "updated_at": t.updated_at,
        }
        for t in templates_for_organisation(request.organisation)
    ]
