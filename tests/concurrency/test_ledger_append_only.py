"""The ledger's history cannot be rewritten even by SQL that bypasses the models
(careerrelay/credits/migrations/0002_append_only_triggers.py)."""

import uuid

import pytest
from django.db import DatabaseError, connection, transaction

from careerrelay.credits.models import LedgerEntry
from careerrelay.credits.services import get_balance, record_counted_referral
from tests.factories import EmployerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry():
    employer = EmployerFactory()
    record_counted_referral(organisation=employer, campaign=employer.campaigns.get(), subject_key=uuid.uuid4())
    return LedgerEntry.objects.get()


def test_the_database_refuses_to_update_a_ledger_entry(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=100)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE credits_ledgerentry SET kind = 'credit_granted' WHERE id = %s", [entry.pk])
    assert LedgerEntry.objects.get().amount == 1
    assert get_balance(entry.organisation).counted_referrals == 1


@pytest.mark.postgres_only
def test_the_database_refuses_to_delete_a_ledger_entry(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM credits_ledgerentry WHERE id = %s", [entry.pk])
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()
