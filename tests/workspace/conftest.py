"""An approved agency with its owner (admin) and an advisor, beside the employer's three people
from tests/conftest.py."""

import pytest

from tests.factories import MembershipFactory, UserFactory
from tests.helpers.agencies import make_agency


@pytest.fixture
def agency(db):
    organisation, _admin = make_agency("株式会社みらい人材", "13-ユ-300001", "owner@mirai.example")
    return organisation


@pytest.fixture
def agency_owner(agency):
    return agency.memberships.get().user


@pytest.fixture
def advisor(agency):
    return MembershipFactory(organisation=agency, role="recruiter", user=UserFactory(email="advisor@mirai.example"))


@pytest.fixture
def agency_member(advisor):
    return advisor.user
