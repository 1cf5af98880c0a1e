"""A withdrawal racing the company's 「タレントプールに追加」 (PostgreSQL, real threads): whichever
wins, the person never ends up in the pool as someone who may be mailed, and a company that got
the data is always told to stop."""

import pytest
from django.utils import timezone

from careerrelay.audit.services import Actor
from careerrelay.candidates.models import Candidate, Consent
from careerrelay.privacy import recontact
from careerrelay.privacy import services as privacy
from careerrelay.privacy.models import ProvisionRecord, StopUseNotice
from careerrelay.talent.models import Applicant
from tests.factories import CandidateFactory
from tests.helpers.concurrency import at_once

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

RECONTACT = Consent.Purpose.EMPLOYER_RECONTACT


def test_withdrawal_and_adding_to_the_pool_at_once_never_leave_a_mailable_row(employer, owner):
    campaign = employer.campaigns.get(is_default=True)
    for round_number in range(4):
        person = CandidateFactory(
            source_campaign=campaign, status=Candidate.Status.VERIFIED, verified_at=timezone.now()
        )
        privacy.grant_consent(candidate=person, purpose=RECONTACT, actor=Actor.for_candidate(person))

        def act(which, person=person):
            if which == "withdraw":
                return privacy.withdraw_consent(candidate=person, purpose=RECONTACT, actor=Actor.for_candidate(person))
            try:
                return recontact.add_to_talent_pool(
                    organisation=employer, actor=Actor.system(), public_id=person.public_id
                )
            except recontact.NotOnTheList:
                return None

        at_once(act, ["withdraw", "pool"])

        assert privacy.active_grant(person, RECONTACT) is None, round_number
        pooled = Applicant.objects.filter(candidate_public_id=person.public_id)
        assert not pooled.filter(recontact_ok=True).exists(), round_number
        provided = ProvisionRecord.objects.filter(subject_key=person.public_id).exists()
        assert pooled.exists() == provided, round_number
        assert StopUseNotice.objects.filter(subject_key=person.public_id).exists() == provided, round_number
