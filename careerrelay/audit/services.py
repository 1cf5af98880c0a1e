"""The audit log: one row per look at, download of, export of or change to a candidate's data."""

from careerrelay.audit.actor import Actor
from careerrelay.audit.models import AuditEvent

ActorKind = AuditEvent.ActorKind
Action = AuditEvent.Action

__all__ = ["Action", "Actor", "ActorKind", "record_event", "record_events"]


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
