"""Nobody can take over a registration: somebody registers another person's
address with invented data through one employer's link; the real person later registers through
another employer's link and confirms. What is confirmed must be what the confirming person
submitted, with their consents, for the link they used. And unconfirmed registrations do not
linger once their link has expired."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from careerrelay.candidates.models import Candidate, Consent, VerificationToken
from careerrelay.candidates.services import has_active_consent
from careerrelay.credits.services import get_balance
from careerrelay.ops.periodic import run_once
from tests.factories import EmployerFactory, registration_data

pytestmark = pytest.mark.django_db

VICTIM = "victim@example.com"
ATTACKER_IP = "198.51.100.66"
OWNER_IP = "203.0.113.5"


def links_to(address):
    return [
        re.search(r"http://testserver(/verify/[^\s/]+/)", m.body).group(1)
        for m in mail.outbox
        if m.to == [address] and "/verify/" in m.body
    ]


@pytest.fixture
def company_a(db):
    return EmployerFactory(name="株式会社エー")


@pytest.fixture
def company_b(db):
    return EmployerFactory(name="株式会社ビー")


def test_the_person_who_confirms_gets_their_own_data_consents_and_referral(
    company_a, company_b, django_capture_on_commit_callbacks
):
    link_a, link_b = company_a.campaigns.get(), company_b.campaigns.get()
    attacker, owner = Client(), Client()
    with django_capture_on_commit_callbacks(execute=True):
        attacker.post(
            link_a.get_absolute_url(),
            registration_data(
                email=VICTIM,
                family_name="偽名",
                given_name="太郎",
                phone="080-9999-0000",
                summary="でたらめ",
                skills="偽のスキル",
                consent_employer_recontact="on",
            ),
            REMOTE_ADDR=ATTACKER_IP,
        )
        owner.post(
            link_b.get_absolute_url(),
            # No re-contact consent ticked, and no skills typed.
            registration_data(email=VICTIM, phone="090-1234-5678", skills=""),
            REMOTE_ADDR=OWNER_IP,
        )
    first_link, newest_link = links_to(VICTIM)

    # The link mailed for the invented data no longer confirms anything.
    with django_capture_on_commit_callbacks(execute=True):
        refused = attacker.post(first_link)
    assert refused.status_code == 400
    assert Candidate.objects.get().status == Candidate.Status.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        owner.post(newest_link)
    person = Candidate.objects.get()
    assert person.status == Candidate.Status.VERIFIED
    assert (person.family_name, person.given_name, person.phone_normalized) == ("髙橋", "花子", "+819012345678")
    assert person.summary == "法人営業を5年経験しました。"
    assert person.skills == ""  # nothing the attacker typed survives, also where the owner typed nothing
    assert person.registration_ip == OWNER_IP
    assert person.source_campaign == link_b

    # Consents: the owner's own, with the owner's evidence; the attacker's are history only.
    assert has_active_consent(person, Consent.Purpose.AGENCY_SHARING)
    assert not has_active_consent(person, Consent.Purpose.EMPLOYER_RECONTACT)
    current = person.consents.filter(purpose=Consent.Purpose.AGENCY_SHARING).last()
    assert (current.action, current.ip_address) == (Consent.Action.GRANT, OWNER_IP)
    history = [(c.purpose, c.action, c.ip_address) for c in person.consents.all()]
    assert ("employer_recontact", "grant", ATTACKER_IP) in history
    assert ("employer_recontact", "superseded", OWNER_IP) in history
    assert ("agency_sharing", "superseded", OWNER_IP) in history

    # The referral goes to the link the confirming person used, and each funnel counts it once.
    assert person.referral_status == Candidate.Referral.COUNTED
    assert get_balance(company_b).counted_referrals == 1
    assert get_balance(company_a).counted_referrals == 0
    link_a.refresh_from_db()
    link_b.refresh_from_db()
    assert (link_a.registrations, link_b.registrations) == (0, 1)

    # And the old link stays dead afterwards.
    assert attacker.post(first_link).status_code == 400
    assert get_balance(company_a).counted_referrals == 0


def test_a_confirmed_registration_is_not_replaced(company_a, company_b, django_capture_on_commit_callbacks):
    owner = Client()
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(company_b.campaigns.get().get_absolute_url(), registration_data(email=VICTIM))
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(links_to(VICTIM)[0])
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(
            company_a.campaigns.get().get_absolute_url(),
            registration_data(email=VICTIM, family_name="偽名", consent_employer_recontact="on"),
            REMOTE_ADDR=ATTACKER_IP,
        )
    person = Candidate.objects.get()
    assert person.family_name == "髙橋"
    assert not has_active_consent(person, Consent.Purpose.EMPLOYER_RECONTACT)
    assert "登録済み" in mail.outbox[-1].subject


def test_the_sweep_deletes_exactly_the_unconfirmed_registrations_whose_newest_link_expired(
    company_a, django_capture_on_commit_callbacks
):
    link = company_a.campaigns.get()
    for email in ("expired@example.jp", "fresh@example.jp", "resent@example.jp", "confirmed@example.jp"):
        with django_capture_on_commit_callbacks(execute=True):
            Client().post(link.get_absolute_url(), registration_data(email=email, phone=None))
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(links_to("confirmed@example.jp")[0])

    a_day_and_more = timezone.now() - timedelta(days=2)
    Candidate.objects.exclude(email_normalized="fresh@example.jp").update(created_at=a_day_and_more)
    VerificationToken.objects.exclude(candidate__email_normalized="fresh@example.jp").update(expires_at=a_day_and_more)
    # "resent" asked for a new link: it lives until that one expires.
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/verify/resend/", {"email": "resent@example.jp"})
    expired = Candidate.objects.get(email_normalized="expired@example.jp")
    assert expired.consents.exists()

    result = run_once()

    assert result["unconfirmed_registrations_deleted"] == 1
    remaining = set(Candidate.objects.values_list("email_normalized", flat=True))
    assert remaining == {"fresh@example.jp", "resent@example.jp", "confirmed@example.jp"}
    assert not Consent.objects.filter(candidate_id=expired.pk).exists()
    assert not VerificationToken.objects.filter(candidate_id=expired.pk).exists()
