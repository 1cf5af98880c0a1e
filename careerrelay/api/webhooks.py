"""An organisation's outbound webhooks, for employer and agency keys alike (docs/webhooks.md).

    GET    /api/v1/webhooks                  the endpoints (never their secrets)
    POST   /api/v1/webhooks                  register one; the answer carries its secret, once
    DELETE /api/v1/webhooks/<id>
    GET    /api/v1/webhooks/<id>/deliveries  the newest deliveries with their attempts

Another organisation's endpoint is answered exactly like one that does not exist (404).
"""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from careerrelay.api.auth import ApiKeyAuth
from careerrelay.api.errors import AUTH_ERRORS, ErrorOut, error_response
from careerrelay.api.fields import Id, OneLine, PageNumber
from careerrelay.audit.actor import Actor
from careerrelay.organisations.models import Organisation
from careerrelay.webhooks import services as webhooks
from careerrelay.webhooks.models import Endpoint


class OrganisationKeyAuth(ApiKeyAuth):
    openapi_description = "An employer's or an agency's API key, sent as `Authorization: Bearer <key>`."

    def __init__(self):
        super().__init__(kinds=(Organisation.Kind.EMPLOYER, Organisation.Kind.AGENCY))


router = Router(tags=["webhooks"], auth=OrganisationKeyAuth())

PAGE_SIZE = 50


class EndpointOut(Schema):
    id: int
    url: str
    description: str
    event_types: list[str] = Field(examples=[["credit.earned", "introduction.stage_changed"]])
    active: bool
    disabled_reason: str = Field(description="`failing` when CareerRelay turned it off after failing for days.")
    created_at: datetime


class EndpointCreated(EndpointOut):
    secret: str = Field(description="Signs every delivery (`Signature: sha256 <hex>`); shown only in this answer.")


class EndpointIn(Schema):
    url: OneLine = Field(max_length=500, examples=["https://ats.example.jp/hooks/careerrelay"])
    description: OneLine = Field(default="", max_length=200)
    event_types: list[OneLine] = Field(
        min_length=1, max_length=10, examples=[["credit.earned"]], description="Events to receive."
    )


class AttemptOut(Schema):
    number: int
    status_code: int | None
    response_excerpt: str = Field(description="The first 1 KB of the answer.")
    error: str
    duration_ms: int
    created_at: datetime


class DeliveryOut(Schema):
    id: int
    event_id: str = Field(description="The `Webhook-Id` header: the same in every attempt.")
    event_type: str
    state: str = Field(description="pending, succeeded, retrying or failed.")
    attempts: list[AttemptOut]
    next_attempt_at: datetime | None
    created_at: datetime


def _out(endpoint: Endpoint) -> dict:
    return {
        "id": endpoint.pk,
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": endpoint.event_types,
        "active": endpoint.active,
        "disabled_reason": endpoint.disabled_reason,
        "created_at": endpoint.created_at,
    }


def _error(request, status, code, message, details=None):
    # circular: careerrelay.api.api imports this module at import time to mount it
    from careerrelay.api.api import api

    return error_response(api, request, status=status, code=code, message=message, details=details)


def _endpoint(request, endpoint_id) -> Endpoint | None:
    return webhooks.endpoints_for(request.organisation).filter(pk=endpoint_id).first()


@router.get("/webhooks", response={200: list[EndpointOut], **AUTH_ERRORS}, summary="The organisation's webhooks")
def list_webhooks(request: HttpRequest):
    return Status(200, [_out(endpoint) for endpoint in webhooks.endpoints_for(request.organisation)])


@router.post(
    "/webhooks",
    response={201: EndpointCreated, 422: ErrorOut, **AUTH_ERRORS},
    summary="Register a webhook endpoint (https only; the answer shows its secret once)",
)
def create_webhook(request: HttpRequest, payload: EndpointIn):
    try:
        endpoint, secret = webhooks.create_endpoint(
            organisation=request.organisation,
            url=payload.url,
            description=payload.description,
            event_types=payload.event_types,
            actor=Actor.from_request(request),
        )
    except webhooks.WebhookError as error:
        allowed = [str(t) for t in webhooks.event_types_for(request.organisation)]
        message = (
            f"Allowed event types: {', '.join(allowed)}."
            if error.field == "event_types"
            else f"The URL must be https:// and reach a public address ({error})."
        )
        return _error(
            request, 422, "validation_error", message, [{"loc": ["body", "payload", error.field], "message": message}]
        )
    return Status(201, {**_out(endpoint), "secret": secret})


@router.delete(
    "/webhooks/{endpoint_id}", response={204: None, 404: ErrorOut, **AUTH_ERRORS}, summary="Delete a webhook"
)
def delete_webhook(request: HttpRequest, endpoint_id: Id):
    endpoint = _endpoint(request, endpoint_id)
    if endpoint is None:
        return _error(request, 404, "not_found", "No such webhook.")
    webhooks.delete_endpoint(endpoint=endpoint, actor=Actor.from_request(request))
    return Status(204, None)


@router.get(
    "/webhooks/{endpoint_id}/deliveries",
    response={200: list[DeliveryOut], 404: ErrorOut, **AUTH_ERRORS},
    summary="A webhook's deliveries, newest first (50 a page)",
)
def list_deliveries(request: HttpRequest, endpoint_id: Id, page: PageNumber = 1):
    endpoint = _endpoint(request, endpoint_id)
    if endpoint is None:
        return _error(request, 404, "not_found", "No such webhook.")
    start = (page - 1) * PAGE_SIZE
    deliveries = webhooks.deliveries_for(endpoint)[start : start + PAGE_SIZE]
    return Status(
        200,
        [
            {
                "id": delivery.pk,
                "event_id": delivery.event.webhook_id,
                "event_type": delivery.event.type,
                "state": delivery.state,
                "attempts": [
                    {
                        "number": attempt.number,
                        "status_code": attempt.status_code,
                        "response_excerpt": attempt.response_excerpt,
                        "error": attempt.error,
                        "duration_ms": attempt.duration_ms,
                        "created_at": attempt.created_at,
                    }
                    for attempt in delivery.attempt_log.all()
                ],
                "next_attempt_at": delivery.next_attempt_at,
                "created_at": delivery.created_at,
            }
            for delivery in deliveries
        ],
    )
