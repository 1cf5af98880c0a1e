"""The audit log: one row per look at, download of, export of or change to a candidate's data."""

from careerrelay.audit.actor import Actor
from careerrelay.audit.models import AuditEvent
from careerrelay.common.bulk import insert_rows

ActorKind = AuditEvent.ActorKind
Action = AuditEvent.Action

__all__ = ["Action", "Actor", "ActorKind", "record_event", "record_events", "record_many"]


def record_event(
    *,
    actor: Actor,
    action: str,
    subject_key=None,
    organisation=None,
    object_type: str = "",
    object_id="",
    **detail,
) -> AuditEvent:
    """Append an audit event. Call it inside the transaction of the thing being audited.

    The actor gives the kind, the staff user (none for the candidate themselves and the system),
    and the address and browser the request came from. Extra keyword arguments go to `detail`
    and must be JSON-serialisable; never put a name, address or free text there.
    """
    event = _unsaved_event(
        actor=actor,
        action=action,
        subject_key=subject_key,
        organisation=organisation,
        object_type=object_type,
        object_id=object_id,
        **detail,
    )
    event.save(force_insert=True)
    return event


def record_events(events: list[dict]) -> list[AuditEvent]:
    """Append several events, each given as record_event's keyword arguments, in one query: a page
    that shows several candidates' data writes one row per candidate without a query per row."""
    return AuditEvent.objects.bulk_create([_unsaved_event(**event) for event in events])


def record_many(events: list[dict]) -> None:
    """record_events for thousands of events (an import): one COPY or multi-row INSERT, no model
    instance per event; the events share one timestamp."""
    rows = []
    for event in events:
        event = dict(event)
        actor = event.pop("actor")
        user = actor.user if actor.user is not None and actor.user.is_authenticated else None
        organisation = event.pop("organisation", None)
        rows.append(
            {
                "actor_user": user.pk if user is not None else None,
                "actor_kind": actor.kind,
                "action": event.pop("action"),
                "subject_key": event.pop("subject_key", None),
                "organisation": organisation.pk if organisation is not None else None,
                "object_type": event.pop("object_type", ""),
                "object_id": str(event.pop("object_id", "") or ""),
                "detail": event,
                "ip": actor.ip,
                "user_agent": actor.user_agent,
            }
        )
    insert_rows(AuditEvent, rows)


def _unsaved_event(
    *,
    actor: Actor,
    action: str,
    subject_key=None,
    organisation=None,
    object_type: str = "",
    object_id="",
    **detail,
) -> AuditEvent:
    user = actor.user if actor.user is not None and actor.user.is_authenticated else None
    return AuditEvent(
        actor_user=user,
        actor_kind=actor.kind,
        action=action,
        subject_key=subject_key,
        organisation=organisation,
        object_type=object_type,
        object_id=str(object_id or ""),
        detail=detail,
        ip=actor.ip,
        user_agent=actor.user_agent,
    )
