import pytest

from careerrelay.audit.services import Actor, ActorKind
from careerrelay.credits.services import adjust_credits
from careerrelay.organisations.models import Membership
from careerrelay.organisations.services import create_api_key, invite_member
from careerrelay.relay.models import RelayCampaign
from tests.helpers.employer import count_referrals


@pytest.fixture
def campaign(employer):
    return employer.campaigns.get(is_default=True)


@pytest.fixture
def api_key(employer, owner):
    return create_api_key(organisation=employer, name="山﨑ATS連携", actor=Actor.for_user(owner, ActorKind.EMPLOYER))[0]


@pytest.fixture
def invitation(employer, owner):
    return invite_member(
        organisation=employer, email="newcomer@yamasaki.example", role="recruiter", invited_by=owner, site_url=""
    )


@pytest.fixture
def member_membership(employer, member):
    return Membership.objects.get(organisation=employer, user=member)


@pytest.fixture
def activity(employer, campaign, owner):
    """Distinctive figures for the employer, so a test can tell whether they leak."""
    RelayCampaign.objects.filter(pk=campaign.pk).update(landing_views=987654, registrations=87654, verified=7654)
    count_referrals(employer, campaign, 13)
    adjust_credits(
        organisation=employer, amount=2, reason="山﨑さま向け補填", actor=Actor.for_user(owner, ActorKind.EMPLOYER)
    )
    return employer


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Three people per test: the production hasher's deliberate slowness would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
