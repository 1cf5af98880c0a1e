"""Actor.from_request: who a request acts for, as the workspaces, the candidate's session, the
API key and the operator console establish it, with the address the audit log keeps."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse

from careerrelay.audit.actor import Actor, ActorKind
from careerrelay.organisations.models import Organisation
from careerrelay.portals.candidate.auth import candidate_required
from careerrelay.portals.workspace.access import agency_view, employer_view
from tests.factories import CandidateFactory, OperatorFactory, UserFactory
from tests.helpers.agencies import make_agency
from tests.helpers.candidates import sign_in_candidate

pytestmark = pytest.mark.django_db

BROWSER = {"REMOTE_ADDR": "192.0.2.10", "HTTP_USER_AGENT": "Browser/1.0"}


def actor_seen_by(decorator, request) -> Actor:
    seen = []

    @decorator
    def view(request):
        seen.append(Actor.from_request(request))
        return HttpResponse()

    view(request)
    assert seen, "the view did not run"
    return seen[0]


def test_an_employer_member_on_a_workspace_page_acts_as_the_employer(rf, owner):
    request = rf.post("/employer/team/", **BROWSER)
    request.user, request.session = owner, SessionStore()
    actor = actor_seen_by(employer_view(), request)
    assert actor == Actor(kind="employer", user=owner, ip="192.0.2.10", user_agent="Browser/1.0")


def test_an_agency_member_on_a_workspace_page_acts_as_the_agency(rf):
    _agency, admin = make_agency("株式会社ひかり人材", "13-ユ-310001", "admin@hikari.example")
    request = rf.post("/agency/api-keys/", **BROWSER)
    request.user, request.session = admin, SessionStore()
    actor = actor_seen_by(agency_view(), request)
    assert (actor.kind, actor.user, actor.candidate, actor.ip) == ("agency", admin, None, "192.0.2.10")


def test_an_operator_in_the_console_acts_as_staff(rf):
    operator = OperatorFactory()
    request = rf.post("/operator/organisations/organisation/", **BROWSER)
    request.user = operator
    assert Actor.from_request(request) == Actor(kind="staff", user=operator, ip="192.0.2.10", user_agent="Browser/1.0")


def test_a_signed_in_candidate_acts_as_themself_and_no_user(client, rf):
    candidate = CandidateFactory(status="verified")
    sign_in_candidate(client, candidate)
    request = rf.post("/me/consents/", **BROWSER)
    request.user, request.session = AnonymousUser(), client.session
    actor = actor_seen_by(candidate_required, request)
    assert (actor.kind, actor.candidate, actor.user, actor.ip) == ("candidate", candidate, None, "192.0.2.10")


def test_an_api_key_acts_for_its_organisation_and_not_for_a_session_that_came_along(rf, employer, owner):
    request = rf.get("/api/v1/me", **BROWSER)
    request.user, request.organisation, request.api_key = owner, employer, object()
    assert Actor.from_request(request) == Actor(kind="employer", ip="192.0.2.10", user_agent="Browser/1.0")


def test_an_anonymous_request_acts_for_nobody(rf):
    request = rf.post("/employer/team/", **BROWSER)
    request.user = AnonymousUser()
    with pytest.raises(ValueError):
        Actor.from_request(request)


def test_a_signed_in_user_outside_any_workspace_acts_for_nobody(rf):
    request = rf.post("/employer/team/", **BROWSER)
    request.user = UserFactory()
    with pytest.raises(ValueError):
        Actor.from_request(request)


def test_the_address_comes_from_the_header_the_load_balancer_sets(rf, settings, owner, employer):
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"
    request = rf.post("/employer/team/", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.2", REMOTE_ADDR="10.0.0.2")
    request.user, request.organisation = owner, employer
    assert Actor.from_request(request).ip == "203.0.113.9"


def test_without_a_trusted_proxy_header_a_forwarded_for_is_ignored(rf, settings, owner, employer):
    settings.RATELIMIT_IP_META_KEY = None
    request = rf.post("/employer/team/", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="192.0.2.10")
    request.user, request.organisation = owner, employer
    assert Actor.from_request(request).ip == "192.0.2.10"


def test_an_actor_is_a_user_or_a_candidate_never_both(owner):
    with pytest.raises(ValueError):
        Actor(kind="employer", user=owner, candidate=CandidateFactory())


def test_the_system_and_named_actors_carry_no_address(owner):
    assert Actor.system() == Actor(kind="system")
    assert Actor.for_user(owner, "employer") == Actor(kind="employer", user=owner)
    candidate = CandidateFactory()
    assert Actor.for_candidate(candidate) == Actor(kind="candidate", candidate=candidate)


def test_every_kind_of_organisation_is_a_kind_of_actor():
    # Actor.from_request turns the organisation's kind into the actor's kind by value.
    for kind in Organisation.Kind.values:
        assert ActorKind(kind).value == kind
