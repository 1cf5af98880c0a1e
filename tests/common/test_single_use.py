"""common.single_use: the one way every link that works once is issued, read and spent.

The base is abstract, so it is tested through VerificationToken (nothing but the base and a
candidate) and Invitation (which can also be revoked)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from careerrelay.candidates.models import VerificationToken
from careerrelay.common import single_use
from careerrelay.common.single_use import TokenState
from careerrelay.common.tokens import hash_token
from careerrelay.organisations.models import Invitation
from tests.factories import CandidateFactory, EmployerFactory
from tests.helpers.concurrency import at_once


def issue(lifetime=timedelta(hours=1)):
    return single_use.issue(VerificationToken, lifetime=lifetime, candidate=CandidateFactory())


@pytest.mark.django_db
def test_it_stores_only_the_hash_of_the_secret():
    row, secret = issue(timedelta(hours=3))
    row.refresh_from_db()
    assert row.token_hash == hash_token(secret) != secret
    assert row.expires_at - row.created_at == timedelta(hours=3)
    assert row.used_at is None


@pytest.mark.django_db
def test_reading_a_token_never_spends_it():
    row, secret = issue()
    assert single_use.inspect(VerificationToken, secret) == (TokenState.VALID, row)
    assert single_use.inspect(VerificationToken.objects.all(), secret)[0] is TokenState.VALID
    row.refresh_from_db()
    assert row.used_at is None


@pytest.mark.django_db
def test_a_token_is_spent_once():
    row, secret = issue()
    state, spent = single_use.consume(VerificationToken, secret)
    assert state is TokenState.VALID and spent.pk == row.pk and spent.used_at is not None
    assert single_use.consume(VerificationToken, secret)[0] is TokenState.USED
    assert single_use.inspect(VerificationToken, secret)[0] is TokenState.USED


@pytest.mark.django_db
def test_an_expired_token_is_refused_and_left_unspent():
    row, secret = issue()
    VerificationToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert single_use.consume(VerificationToken, secret)[0] is TokenState.EXPIRED
    row.refresh_from_db()
    assert row.used_at is None


@pytest.mark.django_db
def test_an_unknown_or_guessed_secret_finds_nothing():
    row, secret = issue()
    assert single_use.consume(VerificationToken, secret + "x") == (TokenState.UNKNOWN, None)
    assert single_use.consume(VerificationToken, row.token_hash) == (TokenState.UNKNOWN, None)


@pytest.mark.django_db
def test_a_token_outside_the_queryset_is_unknown():
    row, secret = issue()
    elsewhere = VerificationToken.objects.exclude(candidate=row.candidate)
    assert single_use.consume(elsewhere, secret) == (TokenState.UNKNOWN, None)
    row.refresh_from_db()
    assert row.used_at is None


@pytest.mark.django_db
def test_a_condition_that_does_not_hold_spends_nothing():
    row, secret = issue()
    state, _row = single_use.consume(VerificationToken, secret, candidate_id=row.candidate_id + 1)
    assert state is TokenState.USED  # refused, as if somebody else had been first
    row.refresh_from_db()
    assert row.used_at is None


@pytest.mark.django_db
def test_spend_open_and_expire_open_leave_finished_tokens_alone():
    used, used_secret = issue()
    single_use.consume(VerificationToken, used_secret)
    used.refresh_from_db()
    open_row, open_secret = issue()
    _other_row, other_secret = issue()

    assert single_use.spend_open(VerificationToken.objects.filter(pk__in=[used.pk, open_row.pk])) == 1
    assert single_use.inspect(VerificationToken, open_secret)[0] is TokenState.USED
    assert single_use.expire_open(VerificationToken.objects.all()) == 1
    assert single_use.inspect(VerificationToken, other_secret)[0] is TokenState.EXPIRED
    assert VerificationToken.objects.get(pk=used.pk).used_at == used.used_at


@pytest.mark.django_db
def test_a_revoked_invitation_cannot_be_accepted():
    employer = EmployerFactory()
    invitation, secret = single_use.issue(
        Invitation, lifetime=timedelta(days=7), organisation=employer, email="new@example.jp"
    )
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    assert single_use.inspect(Invitation, secret)[0] is TokenState.REVOKED
    assert single_use.consume(Invitation, secret, revoked_at__isnull=True)[0] is TokenState.REVOKED
    assert Invitation.objects.get(pk=invitation.pk).used_at is None


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_consumers_racing_spend_the_token_once():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency tests need PostgreSQL; SQLite serialises all writers")
    row, secret = issue()
    outcomes = at_once(lambda _: single_use.consume(VerificationToken, secret)[0], range(8))
    assert sorted(o.value for o in outcomes) == ["used"] * 7 + ["valid"]
    row.refresh_from_db()
    assert row.used_at is not None


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_acceptance_racing_a_revocation_loses_if_the_revocation_is_first():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency tests need PostgreSQL; SQLite serialises all writers")
    employer = EmployerFactory()
    invitation, secret = single_use.issue(
        Invitation, lifetime=timedelta(days=7), organisation=employer, email="new@example.jp"
    )

    def act(which):
        if which == "revoke":
            return Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(revoked_at=timezone.now())
        return single_use.consume(Invitation, secret, revoked_at__isnull=True)[0] is TokenState.VALID

    revoked, accepted = at_once(act, ["revoke", "accept"])
    invitation.refresh_from_db()
    # Exactly one of the two changed the row, never both.
    assert bool(revoked) != bool(accepted)
    assert (invitation.revoked_at is not None) == bool(revoked)
    assert (invitation.used_at is not None) == bool(accepted)
