"""Free referrals under concurrent requests, on PostgreSQL: real threads, each with its own
database connection (SQLite serialises every writer, so these races cannot happen there)."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from itertools import accumulate

import pytest
from django.db import IntegrityError, connection, transaction

from careerrelay.audit.services import Actor, ActorKind
from careerrelay.credits.models import AvailableCredits, LedgerEntry
from careerrelay.credits.services import NoCreditAvailable, get_balance
from careerrelay.matching import services as matching
from careerrelay.matching.models import FreeReferralProposal, FreeReferralRequest
from tests.helpers.matching import REQUEST_DATA

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

Kind = LedgerEntry.Kind


def at_once(function, arguments):
    """Call function(argument) for every argument in its own thread, released together."""
    barrier = threading.Barrier(len(arguments))

    def run(argument):
        try:
            barrier.wait(timeout=30)
            return function(argument)
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=len(arguments)) as pool:
        return list(pool.map(run, arguments))


def running_balances(organisation):
    """The available balance after each ledger row, in the order they were written."""
    amounts = LedgerEntry.objects.filter(organisation=organisation, kind__in=LedgerEntry.CREDIT_KINDS).order_by("id")
    return list(accumulate(amounts.values_list("amount", flat=True)))


def test_ten_requests_at_once_with_two_credits_reserve_exactly_two(employer, owner, credits):
    def file(n):
        try:
            matching.file_free_referral_request(
                organisation=employer,
                actor=Actor.for_user(owner, ActorKind.EMPLOYER),
                data={**REQUEST_DATA, "role": f"エンジニア{n}"},
            )
        except NoCreditAvailable:
            return "refused"
        return "reserved"

    outcomes = at_once(file, list(range(10)))

    assert sorted(outcomes) == ["refused"] * 8 + ["reserved"] * 2
    assert FreeReferralRequest.objects.count() == 2
    assert LedgerEntry.objects.filter(kind=Kind.CREDIT_RESERVED).count() == 2
    assert get_balance(employer).credits_available == 0
    assert AvailableCredits.objects.get(organisation=employer).available == 0
    assert min(running_balances(employer)) == 0


def test_without_the_lock_the_database_alone_still_refuses_to_overspend(employer, credits):
    """Reservations written straight to the ledger, no lock and no balance check: only the
    database's CHECK on the trigger-kept AvailableCredits stands in the way."""

    def reserve(_):
        try:
            with transaction.atomic():
                LedgerEntry.objects.create(
                    organisation=employer, kind=Kind.CREDIT_RESERVED, amount=-1, request_key=uuid.uuid4()
                )
        except IntegrityError:
            return "refused"
        return "reserved"

    outcomes = at_once(reserve, list(range(10)))

    assert sorted(outcomes) == ["refused"] * 8 + ["reserved"] * 2
    assert get_balance(employer).credits_available == 0
    assert min(running_balances(employer)) == 0


def test_the_same_proposal_confirmed_at_once_consumes_one_credit(employer, owner, member, proposal):
    users = [owner, member] * 4

    outcomes = at_once(
        lambda user: matching.confirm_interview(
            proposal=proposal, organisation=employer, actor=Actor.for_user(user, ActorKind.EMPLOYER)
        ),
        users,
    )

    assert sorted(outcomes) == [False] * 7 + [True]
    assert LedgerEntry.objects.filter(kind=Kind.CREDIT_CONSUMED).count() == 1
    proposal.refresh_from_db()
    assert proposal.state == FreeReferralProposal.State.CONFIRMED
    assert FreeReferralRequest.objects.get().state == FreeReferralRequest.State.FULFILLED
    balance = get_balance(employer)
    assert (balance.credits_available, balance.credits_consumed, balance.credits_returned) == (1, 1, 0)


def test_confirmation_racing_the_deadline_job_settles_the_credit_once(employer, owner, proposal):
    day_after = proposal.request.deadline + timedelta(days=1)

    def act(what):
        if what == "confirm":
            return matching.confirm_interview(
                proposal=proposal, organisation=employer, actor=Actor.for_user(owner, ActorKind.EMPLOYER)
            )
        return matching.expire_due_requests(today=day_after)

    at_once(act, ["confirm", "expire", "expire", "confirm"])

    settlements = LedgerEntry.objects.filter(kind__in=[Kind.CREDIT_CONSUMED, Kind.CREDIT_RETURNED])
    assert settlements.count() == 1
    state = FreeReferralRequest.objects.get().state
    expected = Kind.CREDIT_CONSUMED if state == FreeReferralRequest.State.FULFILLED else Kind.CREDIT_RETURNED
    assert settlements.get().kind == expected


def test_two_agencies_claiming_at_once_one_wins(free_referral, agency, agency_owner, other_agency, other_agency_owner):
    pairs = [(agency, agency_owner), (other_agency, other_agency_owner)] * 3

    outcomes = at_once(
        lambda pair: (
            pair[0].pk,
            matching.claim_request(
                free_referral=free_referral, agency=pair[0], actor=Actor.for_user(pair[1], ActorKind.AGENCY)
            ),
        ),
        pairs,
    )

    winners = {organisation for organisation, won in outcomes if won}
    assert len(winners) == 1
    free_referral.refresh_from_db()
    assert free_referral.claimed_by_id in winners
