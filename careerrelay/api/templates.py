"""GET /api/v1/templates: the rejection templates an employer can send with (presets and its own)."""

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


@router.get("/templates", response={200: list[TemplateOut], **AUTH_ERRORS}, summary="Rejection email templates")
def list_templates(request):
    return [
        {"id": t.pk, "name": t.name, "language": t.language, "preset": t.is_preset}
        for t in templates_for_organisation(request.organisation)
    ]
