import pytest
from django.utils import timezone

from careerrelay.candidates.models import Candidate, Consent
from careerrelay.organisations.models import Organisation
from careerrelay.privacy import services as privacy
from tests.candidates.helpers import sign_in_candidate
from tests.factories import CandidateFactory, EmployerFactory, MembershipFactory, UserFactory

AGENCY_SHARING = Consent.Purpose.AGENCY_SHARING
RECONTACT = Consent.Purpose.EMPLOYER_RECONTACT


def make_candidate(*, consents=(AGENCY_SHARING,), **fields):
    fields = {"status": Candidate.Status.VERIFIED, "verified_at": timezone.now(), **fields}
    candidate = CandidateFactory(**fields)
    for purpose in consents:
        privacy.grant_consent(candidate=candidate, purpose=purpose)
    return candidate


@pytest.fixture
def candidate(db):
    return make_candidate(family_name="鈴木", given_name="一郎", email="ichiro.suzuki@example.jp", skills="Django")


@pytest.fixture
def other_candidate(db):
    return make_candidate(family_name="佐藤", given_name="次郎", email="jiro.sato@example.jp")


@pytest.fixture
def agency(db):
    return EmployerFactory(name="株式会社みらい人材", kind=Organisation.Kind.AGENCY)


@pytest.fixture
def agency_user(agency):
    return MembershipFactory(organisation=agency, user=UserFactory(email="recruiter@mirai.example")).user


@pytest.fixture
def candidate_client(client, candidate):
    return sign_in_candidate(client, candidate)
