import pytest

from careerrelay.organisations.models import Organisation
from tests.factories import EmployerFactory, MembershipFactory, UserFactory
from tests.helpers.candidates import sign_in_candidate
from tests.helpers.privacy import make_candidate


@pytest.fixture
def candidate(db):
    # Registered through a company's relay link, so there is a company the re-contact consent is for.
    applied_to = EmployerFactory(name="株式会社応募先")
    return make_candidate(
        family_name="鈴木",
        given_name="一郎",
        email="ichiro.suzuki@example.jp",
        skills="Django",
        source_campaign=applied_to.campaigns.get(is_default=True),
    )


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
