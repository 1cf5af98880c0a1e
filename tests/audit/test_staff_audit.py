"""Staff looking at or acting on candidate data in the operator console leaves audit events;
the audit log itself can be filtered but never edited, by anybody."""

import pytest
from django.contrib import admin

from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import Actor, record_event
from careerrelay.common.tokens import pseudonym
from careerrelay.privacy import services as privacy
from tests.factories import CandidateFactory, OperatorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db):
    return OperatorFactory(email="operator@careerrelay.example")


@pytest.fixture
def operator_client(client, operator):
    client.force_login(operator)
    return client


@pytest.fixture
def person(db):
    candidate = CandidateFactory(family_name="監査", status="verified")
    privacy.grant_consent(candidate=candidate, purpose="agency_sharing", actor=Actor.for_candidate(candidate))
    return candidate


def staff_events(**filters):
    return AuditEvent.objects.filter(actor_kind="staff", **filters)


def test_opening_a_candidate_records_who_what_when_and_from_where(operator_client, operator, person):
    response = operator_client.get(
        f"/operator/candidates/candidate/{person.pk}/change/", REMOTE_ADDR="192.0.2.10", HTTP_USER_AGENT="OpsBrowser"
    )
    assert response.status_code == 200
    event = staff_events(action="view").get()
    assert event.actor_user == operator
    assert event.subject_key == person.public_id
    assert (event.object_type, event.object_id) == ("candidate", str(person.pk))
    assert (event.ip, event.user_agent) == ("192.0.2.10", "OpsBrowser")
    assert event.created_at is not None


def test_the_candidate_list_records_each_person_shown_and_hashes_the_search(operator_client, person):
    other = CandidateFactory()
    operator_client.get("/operator/candidates/candidate/")
    assert set(staff_events(action="list").values_list("subject_key", flat=True)) == {
        person.public_id,
        other.public_id,
    }
    operator_client.get("/operator/candidates/candidate/", {"q": person.email_normalized})
    searched = staff_events(action="list", subject_key=person.public_id).order_by("-id").first()
    assert searched.detail["search"] == pseudonym(person.email_normalized, "audit:search")
    assert person.email_normalized not in str(searched.detail)


def test_consent_list_and_history_views_are_audited(operator_client, person):
    consent = person.consents.get()
    operator_client.get("/operator/candidates/consent/")
    operator_client.get(f"/operator/candidates/consent/{consent.pk}/change/")
    operator_client.get(f"/operator/candidates/candidate/{person.pk}/history/")
    assert staff_events(action="list", object_type="consent", subject_key=person.public_id).count() == 1
    assert staff_events(action="view", object_type="consent", subject_key=person.public_id).count() == 1
    assert staff_events(action="view", object_type="candidate", detail__page="history").count() == 1


def test_a_staff_action_on_candidates_is_audited_per_person(operator_client, person):
    held = CandidateFactory(held_for_review=True, status="verified")
    operator_client.post(
        "/operator/candidates/candidate/", {"action": "release", "_selected_action": [held.pk, person.pk]}
    )
    events = staff_events(action="staff_action", detail__has_key="admin_action")
    assert set(events.values_list("subject_key", flat=True)) == {held.public_id, person.public_id}
    assert {e.detail["admin_action"] for e in events} == {"release"}
    # The review decision itself is audited too, for the held registration only.
    [decision] = staff_events(action="staff_action", detail__has_key="review_decision")
    assert (decision.subject_key, decision.detail["review_decision"]) == (held.public_id, "release")


def test_an_unknown_candidate_id_records_nothing(operator_client):
    operator_client.get("/operator/candidates/candidate/99999/change/")
    assert staff_events().count() == 0


def test_staff_can_filter_the_audit_log_but_nobody_can_edit_it(operator_client, operator, person):
    record_event(actor=Actor.system(), action="retention_reminder", subject_key=person.public_id)
    operator_client.get(f"/operator/candidates/candidate/{person.pk}/change/")
    listing = operator_client.get("/operator/audit/auditevent/", {"actor_kind": "staff", "action": "view"})
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 1
    by_subject = operator_client.get("/operator/audit/auditevent/", {"q": str(person.public_id)})
    assert by_subject.context["cl"].result_count == 3  # their consent, the reminder, the staff view
    model_admin = admin.site._registry[AuditEvent]
    request = listing.wsgi_request
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.get_actions(request) == {}
    event = AuditEvent.objects.first()
    assert operator_client.post(f"/operator/audit/auditevent/{event.pk}/delete/").status_code == 403
    assert operator_client.get("/operator/audit/auditevent/add/").status_code == 403
    assert operator_client.get(f"/operator/audit/auditevent/{event.pk}/change/").status_code == 200  # view only


def test_looking_at_the_audit_log_is_not_candidate_data(operator_client):
    operator_client.get("/operator/audit/auditevent/")
    assert AuditEvent.objects.count() == 0
