"""Parallel requests against PostgreSQL: real threads, each with its own database connection.

SQLite serialises every writer on one file lock, so these races cannot happen there and the
tests only run in the PostgreSQL pass.
"""

import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from careerrelay.candidates import services as candidates
from careerrelay.candidates.models import Candidate, Consent, VerificationToken
from careerrelay.credits.models import LedgerEntry
from careerrelay.credits.services import get_balance
from careerrelay.relay.models import RelayCampaign
from careerrelay.relay.services import TooManyCampaigns, create_campaign
from tests.factories import EmployerFactory, registration_data
from tests.helpers.concurrency import at_once

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.REFERRALS_PER_CREDIT = 10
    # The rate limiter is not what these tests are about.
    settings.RATELIMIT_ENABLE = False


@pytest.fixture
def campaign():
    return EmployerFactory(name="株式会社山﨑製作所").campaigns.get()


def register(campaign, email, phone="", ip="203.0.113.1"):
    return candidates.register_candidate(
        campaign=campaign,
        data={
            "family_name": "髙橋",
            "given_name": "花子",
            "email": email,
            "phone": phone,
            "prefecture": "13",
            "job_category": "sales",
            "years_experience": 5,
        },
        consents={Consent.Purpose.AGENCY_SHARING},
        ip=ip,
    ).candidate


def token_from(message) -> str:
    return re.search(r"/verify/([^\s/]+)/", message.body).group(1)


def test_the_same_link_posted_many_times_at_once_verifies_and_counts_once(campaign):
    candidate = register(campaign, "hanako@example.jp")
    path = f"/verify/{token_from(mail.outbox[-1])}/"

    responses = at_once(lambda _: Client().post(path), range(8))

    assert sorted(r.status_code for r in responses) == [302] + [400] * 7  # 302: signed in, to the my page
    assert sum("すでに使われています" in r.text for r in responses) == 7
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.VERIFIED
    assert candidate.referral_status == Candidate.Referral.COUNTED
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFERRAL_COUNTED).count() == 1
    assert RelayCampaign.objects.get(pk=campaign.pk).verified == 1
    assert get_balance(campaign.organisation).counted_referrals == 1


def test_many_candidates_verified_at_once_count_each_and_grant_every_tenth(campaign):
    # Twenty, so the last referrals to commit complete the second credit: a grant missed in a
    # race would not be made up by a later referral. Spread over five links of one employer, so
    # that nothing but the employer's own lock orders the counting.
    employer = campaign.organisation
    links = [campaign] + [create_campaign(organisation=employer, name=f"求人{n}") for n in range(4)]
    tokens = []
    for n in range(20):
        # Each at a mail domain of their own: many from one private domain would be held for review.
        email = f"candidate{n}@firm{n}.example.jp"
        register(links[n % 5], email, phone=f"090-0000-{n:04d}", ip=f"198.51.100.{n}")
        tokens.append(token_from(mail.outbox[-1]))

    states = at_once(lambda token: candidates.verify_email(token)[0], tokens)

    assert states == [candidates.TokenState.VALID] * 20
    assert Candidate.objects.filter(referral_status=Candidate.Referral.COUNTED).count() == 20
    ledger = LedgerEntry.objects.filter(organisation=employer)
    counted = ledger.filter(kind=LedgerEntry.Kind.REFERRAL_COUNTED)
    assert counted.count() == 20
    assert counted.values("subject_key").distinct().count() == 20
    assert sorted(counted.values_list("campaign_id", flat=True)) == sorted([link.pk for link in links] * 4)
    grants = ledger.filter(kind=LedgerEntry.Kind.CREDIT_GRANTED)
    assert sorted(grants.values_list("sequence", flat=True)) == [1, 2]
    assert ledger.exclude(kind__in=[LedgerEntry.Kind.REFERRAL_COUNTED, LedgerEntry.Kind.CREDIT_GRANTED]).count() == 0
    balance = get_balance(employer)
    assert (balance.counted_referrals, balance.credits_earned, balance.credits_available) == (20, 2, 2)
    assert balance.referrals_to_next_credit == 10
    assert sorted(RelayCampaign.objects.filter(organisation=employer).values_list("verified", flat=True)) == [4] * 5


def test_duplicate_registrations_submitted_at_once_make_one_candidate(campaign):
    spellings = [
        "hanako.takahashi@example.jp",
        "hanako.takahashi@example.jp",
        "HANAKO.TAKAHASHI@EXAMPLE.JP",
        "Hanako.Takahashi@Example.jp",
        "ｈａｎａｋｏ.ｔａｋａｈａｓｈｉ＠ｅｘａｍｐｌｅ.ｊｐ",
        "ＨＡＮＡＫＯ.Ｔａｋａｈａｓｈｉ＠example.jp",
    ]

    def submit(email):
        return Client().post(campaign.get_absolute_url(), registration_data(email=email), REMOTE_ADDR="203.0.113.7")

    responses = at_once(submit, spellings)

    assert [r.status_code for r in responses] == [302] * len(spellings)
    candidate = Candidate.objects.get()
    assert candidate.email_normalized == "hanako.takahashi@example.jp"
    # Each later submission replaced the one before (its grant superseded, its own granted):
    # one consent is in effect, and the history is complete.
    assert candidates.has_active_consent(candidate, Consent.Purpose.AGENCY_SHARING)
    assert Consent.objects.filter(candidate=candidate, action=Consent.Action.GRANT).count() == len(spellings)
    assert Consent.objects.filter(candidate=candidate, action=Consent.Action.SUPERSEDED).count() == len(spellings) - 1
    assert RelayCampaign.objects.get(pk=campaign.pk).registrations == 1
    # Everybody is told to check the mailbox, and each submission mailed a fresh link; only the
    # newest link still works, so what is confirmed is what was submitted last.
    assert VerificationToken.objects.filter(candidate=candidate).count() == len(spellings)
    assert VerificationToken.objects.filter(candidate=candidate, expires_at__gt=timezone.now()).count() == 1
    assert len(mail.outbox) == len(spellings)


def test_a_registration_and_its_duplicate_then_both_links_posted_at_once_count_once(campaign):
    at_once(lambda email: register(campaign, email), ["hanako@example.jp", "Hanako@Example.JP"])
    paths = [f"/verify/{token_from(message)}/" for message in mail.outbox]
    assert len(paths) == 2

    responses = at_once(lambda path: Client().post(path), paths * 3)

    # The second submission replaced the first and expired its link: one link confirms, once.
    assert sorted(r.status_code for r in responses) == [302] + [400] * 5
    candidate = Candidate.objects.get()
    assert candidate.status == Candidate.Status.VERIFIED
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFERRAL_COUNTED).count() == 1
    assert RelayCampaign.objects.get(pk=campaign.pk).verified == 1


def test_two_recruiters_at_once_cannot_both_take_the_last_active_link(campaign, settings):
    settings.MAX_ACTIVE_CAMPAIGNS = 3
    employer = campaign.organisation
    create_campaign(organisation=employer, name="求人A")  # 2 active: one place left

    def add(name):
        try:
            create_campaign(organisation=employer, name=name)
            return "created"
        except TooManyCampaigns:
            return "refused"

    assert sorted(at_once(add, ["求人B", "求人C", "求人D"])) == ["created", "refused", "refused"]
    assert RelayCampaign.objects.filter(organisation=employer, is_active=True).count() == 3
