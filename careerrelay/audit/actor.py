"""Who does something: the one value every service that changes or reveals data takes as `actor`.

A view builds it once from the request (`Actor.from_request(request)`); the operator console,
management commands, tasks and tests name the person (`Actor.for_user`, `Actor.for_candidate`) or
the system (`Actor.system()`). The audit log records what it carries: the kind of actor, the
staff user, the address and the browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from careerrelay.audit.models import AuditEvent
from careerrelay.common.http import client_ip, user_agent

if TYPE_CHECKING:
    from careerrelay.accounts.models import User
    from careerrelay.candidates.models import Candidate

ActorKind = AuditEvent.ActorKind


@dataclass(frozen=True)
class Actor:
    kind: str
    user: User | None = None
    candidate: Candidate | None = None
    ip: str | None = None
    user_agent: str = ""

    def __post_init__(self):
        if self.user is not None and self.candidate is not None:
            raise ValueError("An actor is a user or a candidate, not both.")

    @classmethod
    def system(cls) -> Actor:
        return cls(kind=ActorKind.SYSTEM)

    @classmethod
    def for_user(cls, user: User, kind: str) -> Actor:
        return cls(kind=kind, user=user)

    @classmethod
    def for_candidate(cls, candidate: Candidate) -> Actor:
        return cls(kind=ActorKind.CANDIDATE, candidate=candidate)

    @classmethod
    def from_request(cls, request) -> Actor:
        """The signed-in candidate (request.candidate, set by the candidate's session), else the
        signed-in user acting for the organisation of the page (request.organisation, set by the
        workspace decorators and the API key), else an operator. An anonymous request acts for
        nobody: a ValueError, because a page that changes data must have asked who is there."""
        extra = {"ip": client_ip(request), "user_agent": user_agent(request)}
        candidate = getattr(request, "candidate", None)
        if candidate is not None:
            return cls(kind=ActorKind.CANDIDATE, candidate=candidate, **extra)
        user = getattr(request, "user", None)
        if user is not None and not user.is_authenticated:
            user = None
        organisation = getattr(request, "organisation", None)
        if organisation is not None:
            # The audit log's actor kinds name the two kinds of organisation with the same values.
            kind = ActorKind(organisation.kind)
            # An API key acts for its organisation, not for whoever's session cookie came along.
            if getattr(request, "api_key", None) is not None:
                user = None
            return cls(kind=kind, user=user, **extra)
        if user is not None and user.is_staff:
            return cls(kind=ActorKind.STAFF, user=user, **extra)
        raise ValueError("This request acts for nobody: no candidate, organisation or operator signed in.")
