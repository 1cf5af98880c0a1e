"""POST/GET /api/v1/integrations and GET /api/v1/integrations/<id>/deliveries: a company's ATS
webhooks. The secret and the Lever API key are accepted, never answered; another company's
integration is answered like one that does not exist (404).

The `generic` kind's webhook body is documented in docs/integrations/generic.md and below as the
`GenericRejectionEvent` schema.
"""

from datetime import datetime
from typing import Literal

from ninja import Router, Schema, Status
from pydantic import Field

from careerrelay.api.errors import AUTH_ERRORS, ErrorOut, error_response
from careerrelay.api.fields import Id
from careerrelay.audit.actor import Actor
from careerrelay.common.text import is_one_line
from careerrelay.integrations import services
from careerrelay.integrations.adapters import available_kinds

router = Router(tags=["integrations"])


class IntegrationIn(Schema):
    kind: Literal["greenhouse", "lever", "workable", "generic"]
    name: str = Field(min_length=1, max_length=100, examples=["Greenhouse（中途）"])
    secret: str = Field(
        min_length=8,
        max_length=200,
        description="What the ATS signs deliveries with: Greenhouse's secret key, Lever's signature token, "
        "Workable's subscription token, or a secret you choose for the generic kind.",
    )
    api_key: str = Field(default="", max_length=200, description="Lever only: a key that can read opportunities.")


class IntegrationOut(Schema):
    id: int
    kind: str
    name: str
    active: bool
    webhook_url: str
    created_at: datetime


class DeliveryOut(Schema):
    id: int
    event_id: str
    received_at: datetime
    outcome: Literal["pending", "processed", "ignored", "failed"]
    message: str
    counts: dict


class GenericCandidate(Schema):
    id: str = Field(description="Your system's id of the person (stable across applications).")
    email: str = ""
    family_name: str = ""
    given_name: str = ""
    phone: str = ""


class GenericApplication(Schema):
    id: str = ""
    job_title: str = ""
    stage: str = ""
    rejected_on: str = Field(default="", description="YYYY-MM-DD")
    reason: str = Field(default="", description="Your rejection reason, verbatim: the key of the reason mapping.")
    reason_type: str = ""


class GenericRejectionEvent(Schema):
    """POST to the integration's webhook_url with `Signature: sha256 <hex HMAC-SHA256 of the raw body>`."""

    event_id: str = Field(description="Unique per event; a repeat is ignored.")
    type: Literal["rejection", "ping"]
    occurred_at: str = Field(default="", description="ISO 8601 with a time zone; orders out-of-order deliveries.")
    candidate: GenericCandidate | None = None
    application: GenericApplication | None = None


def _out(integration) -> dict:
    return {
        "id": integration.pk,
        "kind": integration.kind,
        "name": integration.name,
        "active": integration.active,
        "webhook_url": services.webhook_url(integration),
        "created_at": integration.created_at,
    }


@router.post(
    "/integrations",
    response={201: IntegrationOut, 422: ErrorOut, **AUTH_ERRORS},
    summary="Add an ATS integration; answers its webhook URL",
)
def create_integration(request, payload: IntegrationIn):
    if payload.kind not in available_kinds():
        return _error(request, 422, "kind_not_available", "This kind of integration is not available yet.")
    bad = [
        name
        for name in ("name", "secret", "api_key")
        if not is_one_line(getattr(payload, name)) or (name != "api_key" and not getattr(payload, name).strip())
    ]
    if bad:
        return _error(
            request,
            422,
            "validation_error",
            "These fields must be one line of printable text.",
            [
                {"loc": ["body", "payload", name], "message": "not one line of text", "type": "value_error"}
                for name in bad
            ],
        )
    if payload.kind == "lever" and not payload.api_key:
        return _error(
            request,
            422,
            "validation_error",
            "Lever needs an API key.",
            [{"loc": ["body", "payload", "api_key"], "message": "required for lever", "type": "missing"}],
        )
    integration = services.create_integration(
        organisation=request.organisation,
        kind=payload.kind,
        name=payload.name.strip(),
        secret=payload.secret,
        api_key=payload.api_key,
        actor=Actor.from_request(request),
    )
    return Status(201, _out(integration))


@router.get(
    "/integrations", response={200: list[IntegrationOut], **AUTH_ERRORS}, summary="The company's ATS integrations"
)
def list_integrations(request):
    return Status(200, [_out(i) for i in services.integrations_for(request.organisation)])


@router.get(
    "/integrations/{integration_id}/deliveries",
    response={200: list[DeliveryOut], 404: ErrorOut, **AUTH_ERRORS},
    summary="The latest deliveries of an integration (at most 100), with their outcome",
)
def list_deliveries(request, integration_id: Id):
    integration = services.integrations_for(request.organisation).filter(pk=integration_id).first()
    if integration is None:
        return _error(request, 404, "not_found", "No such integration.")
    rows = services.deliveries_for(integration)[:100]
    return Status(
        200,
        [
            {
                "id": d.pk,
                "event_id": d.event_id,
                "received_at": d.received_at,
                "outcome": d.outcome,
                "message": d.message,
                "counts": d.counts,
            }
            for d in rows
        ],
    )


@router.get(
    "/integrations/generic-event-schema",
    response={200: GenericRejectionEvent, **AUTH_ERRORS},
    summary="An example of the generic kind's webhook body (the schema documents it)",
)
def generic_event_example(request):
    return Status(
        200,
        {
            "event_id": "evt-0001",
            "type": "rejection",
            "occurred_at": "2026-12-04T10:00:00+09:00",
            "candidate": {"id": "c-1", "email": "hanako@example.jp", "family_name": "山田", "given_name": "花子"},
            "application": {"id": "a-1", "job_title": "営業職", "rejected_on": "2026-12-04", "reason": "経験不足"},
        },
    )


def _error(request, status, code, message, details=None):
    # circular: careerrelay.api.api imports this module at import time to mount it
    from careerrelay.api.api import api

    return error_response(api, request, status=status, code=code, message=message, details=details)
