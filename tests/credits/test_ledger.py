import uuid

import pytest
from django.db import IntegrityError, transaction

from careerrelay.audit.actor import Actor, ActorKind
from careerrelay.credits.models import LedgerEntry
from careerrelay.credits.services import adjust_credits, get_balance, record_counted_referral
from tests.factories import EmployerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return EmployerFactory()


def count(organisation, n):
    campaign = organisation.campaigns.get()
    for _ in range(n):
        assert record_counted_referral(organisation=organisation, campaign=campaign, subject_key=uuid.uuid4())


def test_every_tenth_counted_referral_grants_one_credit_and_the_rest_carries_over(organisation):
    count(organisation, 9)
    balance = get_balance(organisation)
    assert (balance.counted_referrals, balance.credits_earned, balance.referrals_to_next_credit) == (9, 0, 1)
    count(organisation, 1)
    assert get_balance(organisation).credits_earned == 1
    count(organisation, 13)
    balance = get_balance(organisation)
    assert balance.counted_referrals == 23
    assert balance.credits_earned == 2
    assert balance.credits_available == 2
    assert balance.referrals_to_next_credit == 7
    assert balance.progress_percent == 30
    sequences = sorted(
        LedgerEntry.objects.filter(kind=LedgerEntry.Kind.CREDIT_GRANTED).values_list("sequence", flat=True)
    )
    assert sequences == [1, 2]


def test_the_threshold_is_a_setting(organisation, settings):
    settings.REFERRALS_PER_CREDIT = 3
    count(organisation, 7)
    balance = get_balance(organisation)
    assert (balance.credits_earned, balance.referrals_to_next_credit) == (2, 2)


def test_a_person_counts_once(organisation):
    campaign = organisation.campaigns.get()
    key = uuid.uuid4()
    assert record_counted_referral(organisation=organisation, campaign=campaign, subject_key=key)
    assert not record_counted_referral(organisation=organisation, campaign=campaign, subject_key=key)
    assert get_balance(organisation).counted_referrals == 1


def test_the_database_refuses_a_second_grant_of_the_same_credit(organisation):
    LedgerEntry.objects.create(organisation=organisation, kind="credit_granted", amount=1, sequence=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(organisation=organisation, kind="credit_granted", amount=1, sequence=1)


def test_the_database_refuses_an_adjustment_without_a_reason(organisation):
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(organisation=organisation, kind="adjustment", amount=1, reason="")


def test_operator_adjustments_need_a_reason_and_move_the_balance(organisation, owner):
    with pytest.raises(ValueError):
        adjust_credits(
            organisation=organisation, amount=1, reason="  ", actor=Actor.for_user(owner, ActorKind.EMPLOYER)
        )
    adjust_credits(
        organisation=organisation, amount=2, reason="キャンペーン特典", actor=Actor.for_user(owner, ActorKind.EMPLOYER)
    )
    adjust_credits(
        organisation=organisation, amount=-1, reason="重複登録の取消", actor=Actor.for_user(owner, ActorKind.EMPLOYER)
    )
    assert get_balance(organisation).credits_available == 1
    assert get_balance(organisation).credits_earned == 0


def test_entries_cannot_be_changed_or_deleted_through_the_orm(organisation):
    entry = LedgerEntry.objects.create(organisation=organisation, kind="credit_granted", amount=1, sequence=1)
    entry.amount = 5
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_balances_are_per_organisation(organisation):
    other = EmployerFactory()
    count(organisation, 10)
    assert get_balance(other).counted_referrals == 0
    assert get_balance(other).credits_available == 0
