import pytest

from careerrelay.organisations.models import Organisation
from tests.factories import EmployerFactory, MembershipFactory, UserFactory


@pytest.fixture
def agency(db):
    return EmployerFactory(name="株式会社みらい人材", kind=Organisation.Kind.AGENCY)


@pytest.fixture
def agency_user(agency):
    return MembershipFactory(organisation=agency, user=UserFactory(email="recruiter@mirai.example")).user
