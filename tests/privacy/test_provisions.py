"""Provision records (APPI Art. 29): refused without consent, written with their audit event,
kept after the account, shown to the candidate as "who has received my data"."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import Actor, ActorKind
from careerrelay.privacy import services as privacy
from careerrelay.privacy.models import ProvisionRecord
from tests.factories import EmployerFactory
from tests.helpers.privacy import RECONTACT, make_candidate

pytestmark = pytest.mark.django_db


def test_provision_is_refused_without_an_agency_sharing_consent(agency, agency_user):
    for candidate in (make_candidate(consents=()), make_candidate(consents=(RECONTACT,))):
        with pytest.raises(privacy.ProvisionRefused):
            privacy.record_provision(
                candidate=candidate,
                recipient_organisation=agency,
                items=["profile"],
                channel="page",
                actor=Actor.for_user(agency_user, ActorKind.AGENCY),
            )
    assert ProvisionRecord.objects.count() == 0
    assert AuditEvent.objects.filter(action="provide").count() == 0


def test_provision_is_refused_for_an_unverified_registration(agency):
    pending = make_candidate(status="pending")
    with pytest.raises(privacy.ProvisionRefused):
        privacy.record_provision(
            candidate=pending,
            recipient_organisation=agency,
            items=["profile"],
            channel="api",
            actor=Actor(ActorKind.AGENCY),
        )


def test_unknown_items_are_a_programming_error(candidate, agency):
    with pytest.raises(ValueError, match="Unknown provision items"):
        privacy.record_provision(
            candidate=candidate,
            recipient_organisation=agency,
            items=["religion"],
            channel="page",
            actor=Actor(ActorKind.AGENCY),
        )


def test_a_provision_records_recipient_items_time_and_consent_with_its_audit_event(candidate, agency, agency_user, rf):
    request = rf.get("/agency/candidates/1/", REMOTE_ADDR="192.0.2.44", HTTP_USER_AGENT="AgencyBrowser/1.0")
    request.user, request.organisation = agency_user, agency
    record = privacy.record_provision(
        candidate=candidate,
        recipient_organisation=agency,
        items=["profile", "resume"],
        channel="introduction",
        actor=Actor.from_request(request),
    )
    grant = privacy.active_grant(candidate, "agency_sharing")
    assert record.subject_key == candidate.public_id
    assert record.consent == grant
    assert record.consent_notice_version == grant.notice_version
    assert record.consent_notice_hash == grant.notice_hash
    assert (record.expires_at - record.created_at).days == 3 * 365 + 1
    event = AuditEvent.objects.get(action="provide")
    assert event.actor_user == agency_user
    assert event.actor_kind == "agency"
    assert event.organisation == agency
    assert event.subject_key == candidate.public_id
    assert event.ip == "192.0.2.44"
    assert event.user_agent == "AgencyBrowser/1.0"
    assert event.detail == {"items": ["profile", "resume"], "channel": "introduction", "purpose": "agency_sharing"}


def test_the_record_and_its_audit_event_commit_or_roll_back_together(candidate, agency):
    with pytest.raises(RuntimeError), transaction.atomic():
        privacy.record_provision(
            candidate=candidate,
            recipient_organisation=agency,
            items=["profile"],
            channel="page",
            actor=Actor(ActorKind.AGENCY),
        )
        raise RuntimeError("the page failed to render")
    assert ProvisionRecord.objects.count() == 0
    assert AuditEvent.objects.filter(action="provide").count() == 0


def test_an_employer_recipient_is_audited_as_employer(candidate):
    company = EmployerFactory(name="株式会社紹介先")
    privacy.record_provision(
        candidate=candidate,
        recipient_organisation=company,
        items=["profile"],
        channel="introduction",
        actor=Actor(ActorKind.EMPLOYER),
    )
    assert AuditEvent.objects.get(action="provide").actor_kind == "employer"


def test_provisions_page_shows_who_received_what_when_and_under_which_consent(candidate_client, candidate, agency):
    privacy.record_provision(
        candidate=candidate,
        recipient_organisation=agency,
        items=["profile", "contact"],
        channel="page",
        actor=Actor(ActorKind.AGENCY),
    )
    other = make_candidate()
    privacy.record_provision(
        candidate=other,
        recipient_organisation=EmployerFactory(name="株式会社他人宛"),
        items=["profile"],
        channel="page",
        actor=Actor(ActorKind.AGENCY),
    )
    response = candidate_client.get("/me/provisions/")
    assert response.status_code == 200
    assert "わたしの情報を受け取った会社" in response.text
    assert "株式会社みらい人材" in response.text
    assert "プロフィール(希望職種・経験・スキル・自己紹介)、氏名・連絡先" in response.text
    assert "提携人材紹介会社への提供" in response.text
    assert "株式会社他人宛" not in response.text


def test_provisions_page_without_records_says_so(candidate_client):
    assert "まだありません" in candidate_client.get("/me/provisions/").text


def test_provision_records_cannot_be_changed_through_the_model(candidate, agency):
    record = privacy.record_provision(
        candidate=candidate,
        recipient_organisation=agency,
        items=["profile"],
        channel="page",
        actor=Actor(ActorKind.AGENCY),
    )
    record.items = []
    with pytest.raises(ValueError, match="append-only"):
        record.save()
    with pytest.raises(ValueError, match="append-only"):
        record.delete()


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_candidates_pages_run_no_query_per_record(candidate_client, candidate, agency):
    privacy.record_provision(
        candidate=candidate,
        recipient_organisation=agency,
        items=["profile"],
        channel="page",
        actor=Actor(ActorKind.AGENCY),
    )
    one = {url: _queries(candidate_client, url) for url in ("/me/provisions/", "/me/consents/")}
    for name in ("株式会社二", "株式会社三"):
        privacy.record_provision(
            candidate=candidate,
            recipient_organisation=EmployerFactory(name=name),
            items=["profile"],
            channel="page",
            actor=Actor(ActorKind.AGENCY),
        )
        privacy.withdraw_consent(candidate=candidate, purpose="agency_sharing", actor=Actor.for_candidate(candidate))
        privacy.grant_consent(candidate=candidate, purpose="agency_sharing", actor=Actor.for_candidate(candidate))
    three = {url: _queries(candidate_client, url) for url in ("/me/provisions/", "/me/consents/")}
    assert three == one
