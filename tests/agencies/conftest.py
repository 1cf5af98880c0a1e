"""People for the agency tests: an approved agency (owner, member), another approved agency, a
pending agency, plus the employer owner from tests/conftest.py; candidates who share with agencies,
indexed for search."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from careerrelay.audit.services import Actor
from careerrelay.candidates.models import Candidate
from careerrelay.candidates.resumes import save_resume
from careerrelay.organisations.models import Membership
from careerrelay.organisations.services import create_api_key
from careerrelay.privacy import services as privacy
from tests.factories import CandidateFactory, MembershipFactory, UserFactory
from tests.helpers.agencies import PDF, SHARING, make_agency


@pytest.fixture
def make_candidate(db, django_capture_on_commit_callbacks):
    """A verified candidate who shares with agencies, in the search index."""

    def make(*, consent=True, **fields):
        fields = {"status": Candidate.Status.VERIFIED, "verified_at": timezone.now(), **fields}
        with django_capture_on_commit_callbacks(execute=True):
            candidate = CandidateFactory(**fields)
            if consent:
                privacy.grant_consent(candidate=candidate, purpose=SHARING, actor=Actor.for_candidate(candidate))
        return candidate

    return make


@pytest.fixture
def candidate(make_candidate):
    return make_candidate(
        family_name="髙橋",
        given_name="花子",
        email="hanako.takahashi@example.jp",
        phone="090-1234-5678",
        skills="Java, Spring",
        summary="Javaでの開発経験が5年あります。",
        years_experience=5,
    )


@pytest.fixture
def resume(candidate):
    return save_resume(candidate=candidate, upload=SimpleUploadedFile("職務経歴書.pdf", PDF))


@pytest.fixture
def agency(db):
    organisation, _admin = make_agency("株式会社みらい人材", "13-ユ-300001", "owner@mirai.example")
    return organisation


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
    organisation, _admin = make_agency("株式会社よその紹介", "27-ユ-300002", "owner@yoso-shokai.example")
    return organisation


@pytest.fixture
def other_agency_owner(other_agency):
    return other_agency.memberships.get().user


@pytest.fixture
def pending_agency(db):
    organisation, _admin = make_agency("株式会社まだ審査中", "14-ユ-300003", "owner@pending.example", approve=False)
    return organisation


@pytest.fixture
def pending_owner(pending_agency):
    return pending_agency.memberships.get().user


@pytest.fixture
def agency_client(client, agency_owner):
    client.force_login(agency_owner)
    return client


@pytest.fixture
def agency_secret(agency):
    _key, secret = create_api_key(organisation=agency, name="CRM", actor=Actor.system())
    return secret


@pytest.fixture
def pending_secret(pending_agency):
    _key, secret = create_api_key(organisation=pending_agency, name="CRM", actor=Actor.system())
    return secret


@pytest.fixture
def employer_secret(employer):
    _key, secret = create_api_key(organisation=employer, name="ATS", actor=Actor.system())
    return secret
