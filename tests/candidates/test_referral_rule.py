"""The referral rule of DESIGN.md, exercised through the services a registration goes through."""

import re

import pytest
from django.core import mail

from careerrelay.audit.services import Actor, ActorKind
from careerrelay.candidates import services
from careerrelay.candidates.models import Candidate, Consent
from careerrelay.credits.services import get_balance
from careerrelay.relay.services import flush_views
from tests.factories import EmployerFactory

pytestmark = pytest.mark.django_db


def register_and_verify(campaign, capture, *, email, phone="", consents=("agency_sharing",), ip="198.51.100.1"):
    data = {
        "family_name": "山田",
        "given_name": "太郎",
        "family_name_kana": "",
        "given_name_kana": "",
        "email": email,
        "phone": phone,
        "prefecture": "27",
        "job_category": "sales",
        "years_experience": 2,
        "skills": "",
        "summary": "",
    }
    mail.outbox.clear()
    with capture(execute=True):
        services.register_candidate(campaign=campaign, data=data, consents=set(consents), ip=ip)
    token = re.search(r"/verify/([^/\s]+)/", mail.outbox[-1].body).group(1)
    with capture(execute=True):
        state, candidate = services.verify_email(token)
    assert state is services.TokenState.VALID
    return candidate


@pytest.fixture
def sakura():
    return EmployerFactory(name="さくら").campaigns.get()


@pytest.fixture
def fuji():
    return EmployerFactory(name="富士").campaigns.get()


def test_a_verified_consenting_newcomer_counts_for_the_link_they_used(sakura, django_capture_on_commit_callbacks):
    candidate = register_and_verify(sakura, django_capture_on_commit_callbacks, email="a@example.jp")
    assert candidate.referral_status == Candidate.Referral.COUNTED
    assert get_balance(sakura.organisation).counted_referrals == 1
    sakura.refresh_from_db()
    assert (sakura.registrations, sakura.verified) == (1, 1)


def test_first_touch_wins(sakura, fuji, django_capture_on_commit_callbacks):
    register_and_verify(sakura, django_capture_on_commit_callbacks, email="a@example.jp")
    with django_capture_on_commit_callbacks(execute=True):
        result = services.register_candidate(
            campaign=fuji,
            data={
                "email": "Ａ@example.jp",
                "family_name": "山田",
                "given_name": "太郎",
                "prefecture": "13",
                "job_category": "sales",
                "years_experience": 1,
            },
            consents={"agency_sharing"},
        )
    assert not result.created
    assert result.candidate.source_campaign == sakura
    assert get_balance(fuji.organisation).counted_referrals == 0
    assert "登録済み" in mail.outbox[-1].subject


def test_a_phone_seen_before_is_not_new_to_the_platform(sakura, fuji, django_capture_on_commit_callbacks):
    register_and_verify(sakura, django_capture_on_commit_callbacks, email="a@example.jp", phone="090-1111-2222")
    again = register_and_verify(fuji, django_capture_on_commit_callbacks, email="b@example.jp", phone="09011112222")
    assert again.referral_status == Candidate.Referral.NOT_NEW
    assert again.is_verified  # still a member; only the referral is not counted
    assert get_balance(fuji.organisation).counted_referrals == 0


def test_a_deleted_person_registering_again_does_not_count_twice(sakura, fuji, django_capture_on_commit_callbacks):
    first = register_and_verify(sakura, django_capture_on_commit_callbacks, email="a@example.jp")
    first.delete()
    again = register_and_verify(fuji, django_capture_on_commit_callbacks, email="a@example.jp")
    assert again.referral_status == Candidate.Referral.NOT_NEW
    assert get_balance(sakura.organisation).counted_referrals == 1
    assert get_balance(fuji.organisation).counted_referrals == 0


def test_without_agency_consent_nothing_counts(sakura, django_capture_on_commit_callbacks):
    candidate = register_and_verify(sakura, django_capture_on_commit_callbacks, email="a@example.jp", consents=())
    assert candidate.referral_status == Candidate.Referral.NO_CONSENT
    assert get_balance(sakura.organisation).counted_referrals == 0


def test_a_registration_farm_is_held_for_review_until_an_operator_releases_it(
    sakura, settings, django_capture_on_commit_callbacks
):
    settings.FRAUD_REVIEW_THRESHOLD = 2
    outcomes = [
        register_and_verify(sakura, django_capture_on_commit_callbacks, email=f"f{i}@example.jp").referral_status
        for i in range(4)
    ]
    # More than two verified from one address for one link in a day: the third is held.
    assert outcomes == ["counted", "counted", "held", "held"]
    held = Candidate.objects.filter(referral_status="held").first()
    assert held.held_for_review
    assert get_balance(sakura.organisation).counted_referrals == 2
    assert services.release_from_review(held, actor=Actor(ActorKind.STAFF)) == Candidate.Referral.COUNTED
    assert get_balance(sakura.organisation).counted_referrals == 3


def test_clicks_and_unverified_registrations_never_count(sakura, client, django_capture_on_commit_callbacks):
    client.get(sakura.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        services.register_candidate(
            campaign=sakura,
            data={
                "email": "p@example.jp",
                "family_name": "山田",
                "given_name": "太郎",
                "prefecture": "13",
                "job_category": "sales",
                "years_experience": 1,
            },
            consents={"agency_sharing"},
        )
    flush_views()
    sakura.refresh_from_db()
    assert (sakura.landing_views, sakura.registrations, sakura.verified) == (1, 1, 0)
    assert get_balance(sakura.organisation).counted_referrals == 0
    assert Consent.objects.count() == 1
