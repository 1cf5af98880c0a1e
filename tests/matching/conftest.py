"""People for the matching tests: the employer (owner, member, outsider from tests/conftest.py) with
two credits, an approved agency and another one, a pending agency, and two candidates who share
with agencies."""

import pytest

from careerrelay.audit.services import Actor, ActorKind
from careerrelay.credits.services import adjust_credits
from careerrelay.matching import services as matching
from careerrelay.organisations.models import Membership
from tests.factories import MembershipFactory, UserFactory
from tests.helpers.agencies import make_agency
from tests.helpers.candidates import sign_in_candidate
from tests.helpers.matching import REQUEST_DATA, make_candidate


@pytest.fixture
def candidate(db):
    return make_candidate(
        family_name="髙橋",
        given_name="花子",
        email="hanako.takahashi@example.jp",
        phone="090-1234-5678",
        skills="Java, Spring",
        summary="Javaでの開発経験が5年あります。",
    )


@pytest.fixture
def other_candidate(db):
    return make_candidate(family_name="佐藤", given_name="次郎", email="jiro.sato@example.jp")


@pytest.fixture
def agency(db):
    return make_agency("株式会社みらい人材", "13-ユ-400001", "owner@mirai.example")[0]


@pytest.fixture
def agency_owner(agency):
    return agency.memberships.get().user


@pytest.fixture
def agency_member(agency):
    return MembershipFactory(
        organisation=agency, role=Membership.Role.RECRUITER, user=UserFactory(email="advisor@mirai.example")
    ).user


@pytest.fixture
def other_agency(db):
    return make_agency("株式会社よその紹介", "27-ユ-400002", "owner@yoso-shokai.example")[0]


@pytest.fixture
def other_agency_owner(other_agency):
    return other_agency.memberships.get().user


@pytest.fixture
def pending_agency(db):
    return make_agency("株式会社まだ審査中", "14-ユ-400003", "owner@pending.example", approve=False)[0]


@pytest.fixture
def credits(employer, owner):
    adjust_credits(
        organisation=employer, amount=2, reason="テスト用の付与", actor=Actor.for_user(owner, ActorKind.EMPLOYER)
    )
    return 2


@pytest.fixture
def free_referral(employer, owner, credits):
    return matching.file_free_referral_request(
        organisation=employer, actor=Actor.for_user(owner, ActorKind.EMPLOYER), data=dict(REQUEST_DATA)
    )


@pytest.fixture
def claimed(free_referral, agency, agency_owner):
    assert matching.claim_request(
        free_referral=free_referral, agency=agency, actor=Actor.for_user(agency_owner, ActorKind.AGENCY)
    )
    free_referral.refresh_from_db()
    return free_referral


@pytest.fixture
def proposal(claimed, agency, agency_owner, candidate):
    """The candidate accepted an interview-committed introduction: the employer has a proposal."""
    introduction = matching.propose_introduction(
        agency=agency,
        actor=Actor.for_user(agency_owner, ActorKind.AGENCY),
        candidate_public_id=candidate.public_id,
        free_referral=claimed,
    )
    assert matching.respond_to_introduction(
        candidate=candidate, introduction=introduction, accept=True, actor=Actor.for_candidate(candidate)
    )
    return introduction.proposal


@pytest.fixture
def introduce(agency, agency_owner):
    """introduce(candidate, **kwargs) -> an Introduction from `agency` to a named company."""

    def make(candidate, **kwargs):
        kwargs.setdefault("company_name", "株式会社クライアント")
        kwargs.setdefault("role", "営業マネージャー")
        return matching.propose_introduction(
            agency=kwargs.pop("agency", agency),
            actor=Actor.for_user(kwargs.pop("user", agency_owner), ActorKind.AGENCY),
            candidate_public_id=candidate.public_id,
            **kwargs,
        )

    return make


@pytest.fixture
def candidate_client(client, candidate):
    return sign_in_candidate(client, candidate)
