"""POST /api/v1/sends and GET /api/v1/sends/<id>: an ATS sends a rejection template to its
applicants through CareerRelay and follows the progress.

Ids of another company's templates or applicants are answered exactly like ids that do not
exist, so a key never learns what other companies hold.

A company awaiting the operator's approval (or suspended) gets 403 and nothing is queued. A send
over the company's daily limit is accepted and held: `held_until` and `hold_message` say when it
resumes (by itself; nothing is dropped).
"""

from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from careerrelay.api.errors import AUTH_ERRORS, ErrorOut, error_response
from careerrelay.api.fields import BoundedDateTime, Id, OneLine, Text
from careerrelay.api.me import CoarseFigure
from careerrelay.rejections.models import RejectionTemplate
from careerrelay.sends import services as sends
from careerrelay.sends import trust
from careerrelay.sends.models import Send

router = Router(tags=["sends"])

MAX_RECIPIENTS = 10_000


class SendIn(Schema):
    template_id: Id = Field(examples=[12], description="A template from GET /api/v1/templates.")
    applicant_ids: list[Id] = Field(
        min_length=1, max_length=MAX_RECIPIENTS, examples=[[101, 102]], description="Ids from POST /api/v1/applicants."
    )
    send_at: BoundedDateTime | None = Field(
        default=None,
        examples=["2026-12-01T10:00:00+09:00"],
        description="When to send (ISO 8601; without an offset, Japan time). Omitted or past: now.",
    )
    sender_name: OneLine = Field(default="", max_length=100, examples=["人事部 鈴木"])
    signature: Text = Field(default="", max_length=2000)


class Counts(Schema):
    recipients: int
    queued: int = Field(description="Not sent yet (waiting for their time, a retry, or going out now).")
    sent: int
    failed: int = Field(description="Refused by the mail server for good; the reason is kept per message.")
    bounced: int = Field(description="The recipient's address does not exist (suppressed from then on).")
    cancelled: int
    suppressed: int = Field(description="Not sent: the address unsubscribed from your company's mail.")
    clicked: CoarseFigure = Field(
        description="Recipients who opened the relay link at least once: a coarse figure, null below 5 "
        "(or when fewer than 5 recipients did not click); which recipient clicked is never shown."
    )


class SendOut(Schema):
    id: int
    state: str = Field(
        description="`preparing` (a large send being rendered), `scheduled`, `sending`, `done` or `cancelled`."
    )
    held_until: datetime | None = Field(
        description="Set while messages wait for the company's daily sending limit: when they resume by themselves."
    )
    hold_message: str | None = Field(description="Why the send is held and when it resumes, for people.")
    paused: bool = Field(
        description="The company's sending is paused because recipients reported too much of its mail as spam "
        "(over 0.3%): the send waits until CareerRelay's operators lift the pause. `hold_message` says so."
    )
    template_id: int | None
    scheduled_at: datetime
    created_at: datetime
    counts: Counts


def send_out(send: Send) -> dict:
    c = sends.count_messages(send)
    return {
        "id": send.pk,
        "state": send.state,
        "held_until": send.held_until if send.is_open else None,
        "hold_message": trust.pause_message(send) or trust.hold_message(send),
        "paused": trust.pause_message(send) is not None,
        "template_id": send.template_id,
        "scheduled_at": send.scheduled_at,
        "created_at": send.created_at,
        "counts": {
            "recipients": c.recipients,
            "queued": c.queued + c.sending,
            "sent": c.sent,
            "failed": c.failed,
            "bounced": c.bounced,
            "cancelled": c.cancelled,
            "suppressed": c.suppressed,
            "clicked": c.clicked_figure.as_api(),
        },
    }


@router.post(
    "/sends",
    response={201: SendOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, **AUTH_ERRORS},
    summary="Send a rejection email to applicants (now or at send_at)",
)
def create_send(request, payload: SendIn):
    organisation = request.organisation
    refusal = trust.sending_refusal(organisation)
    if refusal:
        code = "pending_approval" if organisation.status == organisation.Status.PENDING else "sending_not_allowed"
        message = (
            "Your company is awaiting approval by CareerRelay's operators; nothing is sent until it is approved. "
            "Templates, applicants and previews work now."
            if code == "pending_approval"
            else "Your company may not send mail (not approved or suspended)."
        )
        return _error(request, 403, code, message)
    limit = settings.MAIL_MAX_RECIPIENTS_PER_SEND
    if len(set(payload.applicant_ids)) > limit:
        return _error(request, 422, "too_many_recipients", f"At most {limit} recipients per send; nothing was sent.")
    template = RejectionTemplate.objects.filter(
        Q(organisation=organisation) | Q(organisation=None), pk=payload.template_id
    ).first()
    if template is None:
        return _error(request, 404, "unknown_template", "No such template.")
    wanted = list(dict.fromkeys(payload.applicant_ids))
    found = {a.pk: a for a in sends.applicants_for(organisation).filter(pk__in=wanted)}
    unknown = [pk for pk in wanted if pk not in found]
    if unknown:
        return _error(
            request,
            422,
            "unknown_applicants",
            "Some applicant ids are unknown; nothing was sent.",
            [{"applicant_id": pk} for pk in unknown],
        )
    send_at = payload.send_at
    if send_at is not None:
        if timezone.is_naive(send_at):
            send_at = timezone.make_aware(send_at)
        if send_at <= timezone.now():
            send_at = None
    send = sends.create_send(
        organisation=organisation,
        template=template,
        applicants=[found[pk] for pk in wanted],
        campaign=None,
        sender_name=payload.sender_name,
        signature=payload.signature,
        send_at=send_at,
    )
    return Status(201, send_out(send))


@router.get("/sends/{send_id}", response={200: SendOut, 404: ErrorOut, **AUTH_ERRORS}, summary="A send's progress")
def get_send(request, send_id: Id):
    send = Send.objects.filter(organisation=request.organisation, pk=send_id).first()
    if send is None:
        return _error(request, 404, "not_found", "No such send.")
    return Status(200, send_out(send))


def _error(request, status, code, message, details=None):
    # circular: careerrelay.api.api imports this module at import time to mount it
    from careerrelay.api.api import api

    return error_response(api, request, status=status, code=code, message=message, details=details)
