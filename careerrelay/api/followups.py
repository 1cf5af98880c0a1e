"""GET /api/v1/followups and PATCH /api/v1/followups/<id>: a company's follow-up steps (the
re-challenge mails sent a number of days after a rejection) with their counts; an ATS turns them
on or off and changes their delay and template.

Another company's step is answered exactly like one that does not exist (404), another
company's template like an unknown one (422), so a key never learns what other companies hold.
"""

from django.db.models import Q
from ninja import Router, Schema, Status
from pydantic import Field, StrictBool

from careerrelay.api.errors import AUTH_ERRORS, ErrorOut, error_response
from careerrelay.api.fields import Id
from careerrelay.audit.actor import Actor
from careerrelay.followups import services as followups
from careerrelay.followups.models import MAX_DELAY_DAYS
from careerrelay.rejections.models import RejectionTemplate

router = Router(tags=["followups"])


class FollowupCounts(Schema):
    upcoming: int = Field(description="Still to be sent: not due yet, due now, or queued in the outbox.")
    sent: int
    skipped: int = Field(
        description="Not sent: the person had no re-contact consent, unsubscribed, was hired or applied again, "
        "the step fell due more than 60 days before it was decided, or the mail could not be delivered."
    )


class FollowupOut(Schema):
    id: int
    name: str
    delay_days: int = Field(description="Days after the rejection date.")
    template_id: int | None
    active: bool
    counts: FollowupCounts


class FollowupPatch(Schema):
    active: StrictBool | None = Field(default=None, examples=[True])
    delay_days: int | None = Field(default=None, ge=1, le=MAX_DELAY_DAYS, strict=True, examples=[182])
    template_id: Id | None = Field(default=None, description="A template from GET /api/v1/templates.")


def _out(step, counts) -> dict:
    return {
        "id": step.pk,
        "name": step.name,
        "delay_days": step.delay_days,
        "template_id": step.template_id,
        "active": step.active,
        "counts": {"upcoming": counts.upcoming, "sent": counts.sent, "skipped": counts.skipped},
    }


@router.get("/followups", response={200: list[FollowupOut], **AUTH_ERRORS}, summary="The company's follow-up steps")
def list_followups(request):
    steps = list(followups.steps_for(request.organisation))
    counts = followups.counts_for(steps)
    return Status(200, [_out(step, counts[step.pk]) for step in steps])


@router.patch(
    "/followups/{step_id}",
    response={200: FollowupOut, 404: ErrorOut, 422: ErrorOut, **AUTH_ERRORS},
    summary="Turn a follow-up step on or off, change its delay or template",
)
def patch_followup(request, step_id: Id, payload: FollowupPatch):
    organisation = request.organisation
    step = followups.steps_for(organisation).filter(pk=step_id).first()
    if step is None:
        return _error(request, 404, "not_found", "No such follow-up step.")
    given = payload.model_fields_set
    nulls = [name for name in sorted(given) if getattr(payload, name) is None]
    if nulls:
        return _error(
            request,
            422,
            "validation_error",
            "These fields may not be null.",
            [{"loc": ["body", "payload", name], "message": "may not be null", "type": "null"} for name in nulls],
        )
    changes: dict = {}
    if "active" in given:
        changes["active"] = payload.active
    if "delay_days" in given:
        changes["delay_days"] = payload.delay_days
    if "template_id" in given:
        template = RejectionTemplate.objects.filter(
            Q(organisation=organisation) | Q(organisation=None), pk=payload.template_id
        ).first()
        if template is None:
            return _error(
                request,
                422,
                "unknown_template",
                "No such template.",
                [{"loc": ["body", "payload", "template_id"], "message": "unknown template", "type": "unknown"}],
            )
        changes["template"] = template
    step = followups.update_step(step=step, actor=Actor.from_request(request), **changes)
    return Status(200, _out(step, followups.counts_for([step])[step.pk]))


def _error(request, status, code, message, details=None):
    # circular: careerrelay.api.api imports this module at import time to mount it
    from careerrelay.api.api import api

    return error_response(api, request, status=status, code=code, message=message, details=details)
