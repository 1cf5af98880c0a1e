"""Audit events and provision records cannot be rewritten even by SQL that bypasses the models
(the triggers in careerrelay/audit/migrations/0002 and careerrelay/privacy/migrations/0002).
The database may only clear a foreign key when the row it points to is deleted."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import Actor, ActorKind, record_event
from careerrelay.privacy import services as privacy
from careerrelay.privacy.models import ProvisionRecord
from careerrelay.privacy.retention import purge_expired_provision_records
from tests.factories import UserFactory
from tests.helpers.privacy import make_candidate

pytestmark = pytest.mark.django_db


def sql(statement, params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def event(agency):
    return record_event(
        actor=Actor.for_user(UserFactory(), ActorKind.AGENCY),
        action="view",
        organisation=agency,
        subject_key=make_candidate().public_id,
    )


@pytest.fixture
def record(agency, agency_user):
    return privacy.record_provision(
        candidate=make_candidate(),
        recipient_organisation=agency,
        items=["profile"],
        channel="page",
        actor=Actor.for_user(agency_user, ActorKind.AGENCY),
    )


def test_the_database_refuses_to_update_an_audit_event(event):
    with pytest.raises(DatabaseError, match="append-only"):
        sql("UPDATE audit_auditevent SET action = 'list' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(detail={"rewritten": True})
    with pytest.raises(DatabaseError, match="append-only"):
        sql("UPDATE audit_auditevent SET organisation_id = %s WHERE id = %s", [event.organisation_id + 1000, event.pk])
    event.refresh_from_db()
    assert (event.action, event.detail) == ("view", {})


def test_deleting_the_actor_only_clears_the_link(event):
    event.actor_user.delete()
    event.refresh_from_db()
    assert event.actor_user is None
    assert event.action == "view"


def test_the_model_refuses_changes_and_deletes(event):
    event.action = "delete"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


def test_the_database_refuses_to_update_a_provision_record(record):
    with pytest.raises(DatabaseError, match="append-only"):
        sql("UPDATE privacy_provisionrecord SET items = %s WHERE id = %s", ['["contact"]', record.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ProvisionRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - timedelta(days=9999))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ProvisionRecord.objects.filter(pk=record.pk).update(candidate=make_candidate())
    record.refresh_from_db()
    assert record.items == ["profile"]


def test_deleting_the_candidate_keeps_the_record_without_the_link(record):
    record.candidate.delete()
    record.refresh_from_db()
    assert record.candidate is None and record.consent is None
    assert record.consent_notice_version


@pytest.mark.postgres_only
def test_postgresql_refuses_to_delete_audit_events_and_unexpired_provision_records(event, record):
    with pytest.raises(DatabaseError, match="append-only"):
        sql("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError, match="kept until they expire"):
        sql("DELETE FROM privacy_provisionrecord WHERE id = %s", [record.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert ProvisionRecord.objects.filter(pk=record.pk).exists()


def test_expired_provision_records_are_purged_by_the_retention_job(record, agency):
    long_ago = timezone.now() - timedelta(days=3 * 365 + 10)
    expired = ProvisionRecord.objects.create(
        subject_key=record.subject_key,
        recipient_organisation=agency,
        items=["profile"],
        purpose="agency_sharing",
        consent_notice_version="2023-01-01",
        consent_notice_hash="0" * 64,
        channel="page",
        created_at=long_ago,
        expires_at=long_ago + timedelta(days=3 * 365 + 1),
    )
    assert purge_expired_provision_records() == 1
    assert list(ProvisionRecord.objects.all()) == [record]
    assert not ProvisionRecord.objects.filter(pk=expired.pk).exists()
