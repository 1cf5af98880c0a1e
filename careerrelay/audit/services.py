"""The audit log: one row per look at, download of, export of or change to a candidate's data."""

from careerrelay.audit.models import AuditEvent
from careerrelay.common.http import client_ip, user_agent

ActorKind = AuditEvent.ActorKind
Action = AuditEvent.Action


def record_event(
    *,
    actor=None,
    actor_kind: str,
    action: str,
    subject_key=None,
    organisation=None,
    request=None,
    object_type: str = "",
    object_id="",
    **detail,
) -> AuditEvent:
    """Append an audit event. Call it inside the transaction of the thing being audited.

    `actor` is a User (or None for the candidate themselves and the system); when a request is
    given, the address and browser it came from are kept. Extra keyword arguments go to
    `detail` and must be JSON-serialisable; never put a name, address or free text there.
    """
    event = _unsaved_event(
        actor=actor,
        actor_kind=actor_kind,
        action=action,
        subject_key=subject_key,
        organisation=organisation,
        request=request,
        object_type=object_type,
        object_id=object_id,
        **detail,
    )
    event.save(force_insert=True)
    return event


def record_events(events: list[dict], *, request=None) -> list[AuditEvent]:
    """Append several events, each given as record_event's keyword arguments, in one query: a page
    that shows several candidates' data writes one row per candidate without a query per row."""
    return AuditEvent.objects.bulk_create([_unsaved_event(request=request, **event) for event in events])


def _unsaved_event(
    *,
    actor=None,
    actor_kind: str,
    action: str,
    subject_key=None,
    organisation=None,
    request=None,
    object_type: str = "",
    object_id="",
    **detail,
) -> AuditEvent:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent(
        actor_user=actor,
        actor_kind=actor_kind,
        action=action,
        subject_key=subject_key,
        organisation=organisation,
        object_type=object_type,
        object_id=str(object_id or ""),
        detail=detail,
        ip=client_ip(request) if request is not None else None,
        user_agent=user_agent(request) if request is not None else "",
    )
