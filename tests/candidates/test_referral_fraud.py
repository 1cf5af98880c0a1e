"""Credits can't be farmed: each attack driven through the relay page and the
emailed confirmation link, as a farming script would, and shown to fail."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from careerrelay.accounts.models import StaffSignIn
from careerrelay.audit.models import AuditEvent
from careerrelay.candidates import services
from careerrelay.candidates.models import Candidate
from careerrelay.common.japanese import normalize_email
from careerrelay.credits.models import LedgerEntry
from careerrelay.credits.services import get_balance
from careerrelay.ops.periodic import run_once
from careerrelay.organisations.models import Organisation
from careerrelay.relay.services import create_campaign
from tests.factories import EmployerFactory, MembershipFactory, OperatorFactory, UserFactory, registration_data

pytestmark = pytest.mark.django_db

Referral = Candidate.Referral
HoldReason = Candidate.HoldReason
FARM_IP = "198.51.100.77"


def register_and_confirm(campaign, email, capture, *, ip=FARM_IP, **typed):
    """The relay form, then the link in the newest email to that address; no phone, as a farm."""
    client = Client()
    with capture(execute=True):
        sent = client.post(
            campaign.get_absolute_url(), registration_data(email=email, phone=None, **typed), REMOTE_ADDR=ip
        )
    assert sent.status_code == 302
    [message] = [m for m in mail.outbox if [normalize_email(to) for to in m.to] == [normalize_email(email)]][-1:]
    link = re.search(r"http://testserver(/verify/[^\s/]+/)", message.body).group(1)
    with capture(execute=True):
        client.post(link, REMOTE_ADDR=ip)
    return Candidate.objects.get(email_normalized=normalize_email(email))


@pytest.fixture
def company(db):
    return EmployerFactory(name="株式会社ファーム")


@pytest.fixture
def link(company):
    return company.campaigns.get()


@pytest.fixture
def second_link(company):
    return create_campaign(organisation=company, name="二つ目のリンク")


def counted(company) -> int:
    return get_balance(company).counted_referrals


def test_ten_plus_tagged_spellings_of_one_mailbox_count_once_across_the_companys_links(
    company, link, second_link, django_capture_on_commit_callbacks
):
    outcomes = [
        register_and_confirm(link, f"me+{n}@example.com", django_capture_on_commit_callbacks).referral_status
        for n in range(1, 11)
    ]
    assert outcomes == [Referral.COUNTED] + [Referral.NOT_NEW] * 9
    # Each spelling may be a member (the rows exist, all confirmed), but one person counts once.
    assert Candidate.objects.filter(status=Candidate.Status.VERIFIED).count() == 10
    eleventh = register_and_confirm(second_link, "me+11@example.com", django_capture_on_commit_callbacks)
    assert eleventh.referral_status == Referral.NOT_NEW
    assert counted(company) == 1
    assert get_balance(company).credits_earned == 0


def test_gmail_dots_case_width_and_googlemail_are_one_mailbox(company, link, django_capture_on_commit_callbacks):
    spellings = ["taro.yamada@gmail.com", "taroyamada@googlemail.com", "T.A.R.O.Yamada+jobs@gmail.com"]
    outcomes = [register_and_confirm(link, s, django_capture_on_commit_callbacks).referral_status for s in spellings]
    assert outcomes == [Referral.COUNTED, Referral.NOT_NEW, Referral.NOT_NEW]
    assert counted(company) == 1


def test_thirty_one_registrations_from_one_ip_over_two_links_of_one_company_are_held(
    company, link, second_link, django_capture_on_commit_callbacks, settings
):
    assert settings.FRAUD_REVIEW_THRESHOLD == 30
    people = [
        register_and_confirm(
            link if n % 2 else second_link, f"person{n:02d}@gmail.com", django_capture_on_commit_callbacks
        )
        for n in range(31)
    ]
    # Neither link alone passes 30 from this address; the company does.
    assert [p.referral_status for p in people] == [Referral.COUNTED] * 30 + [Referral.HELD]
    assert people[-1].held_for_review
    assert people[-1].hold_reasons == [HoldReason.SAME_IP]
    assert counted(company) == 30


def test_a_registration_from_the_companys_own_domain_is_held(company, link, django_capture_on_commit_callbacks):
    MembershipFactory(organisation=company, user=UserFactory(email="jinji@farm-shoji.example"))
    held = register_and_confirm(link, "yamada@FARM-SHOJI.example", django_capture_on_commit_callbacks)
    assert held.referral_status == Referral.HELD
    assert held.hold_reasons == [HoldReason.COMPANY_DOMAIN]
    assert counted(company) == 0


def test_a_registration_from_an_address_the_companys_staff_sign_in_from_is_held(
    company, link, django_capture_on_commit_callbacks
):
    staff = MembershipFactory(organisation=company, user=UserFactory(email="hr@gmail.com")).user
    office = Client()
    signed_in = office.post(
        "/accounts/login/", {"login": staff.email, "password": "correct horse battery"}, REMOTE_ADDR="192.0.2.10"
    )
    assert signed_in.status_code == 302
    # Another company's staff at another address change nothing for this one.
    other = MembershipFactory(user=UserFactory(email="someone@gmail.com")).user
    credentials = {"login": other.email, "password": "correct horse battery"}
    Client().post("/accounts/login/", credentials, REMOTE_ADDR="192.0.2.99")

    from_office = register_and_confirm(link, "friend@gmail.com", django_capture_on_commit_callbacks, ip="192.0.2.10")
    assert from_office.referral_status == Referral.HELD
    assert from_office.hold_reasons == [HoldReason.STAFF_IP]
    elsewhere = register_and_confirm(link, "stranger@gmail.com", django_capture_on_commit_callbacks, ip="192.0.2.99")
    assert elsewhere.referral_status == Referral.COUNTED
    assert counted(company) == 1


def test_many_registrations_from_one_private_domain_are_held_but_a_public_provider_is_not(
    company, link, django_capture_on_commit_callbacks, settings
):
    assert settings.FRAUD_SHARED_DOMAIN_THRESHOLD == 3
    ips = iter(f"203.0.113.{n}" for n in range(1, 20))
    same_domain = [
        register_and_confirm(link, f"staff{n}@catchall.example", django_capture_on_commit_callbacks, ip=next(ips))
        for n in range(4)
    ]
    assert [c.referral_status for c in same_domain] == [Referral.COUNTED] * 2 + [Referral.HELD] * 2
    assert same_domain[2].hold_reasons == [HoldReason.SHARED_DOMAIN]
    public = [
        register_and_confirm(link, f"user{n}@docomo.ne.jp", django_capture_on_commit_callbacks, ip=next(ips))
        for n in range(4)
    ]
    assert {c.referral_status for c in public} == {Referral.COUNTED}
    assert counted(company) == 6


def test_an_operator_releases_one_and_rejects_another_in_the_console(
    company, link, django_capture_on_commit_callbacks, settings
):
    settings.FRAUD_REVIEW_THRESHOLD = 0  # every registration from one address is held
    operator = OperatorFactory(email="ops@careerrelay.example")
    released, rejected = (
        register_and_confirm(link, f"{name}@gmail.com", django_capture_on_commit_callbacks)
        for name in ("released", "rejected")
    )
    assert counted(company) == 0

    console = Client()
    console.force_login(operator)
    queue = console.get("/operator/candidates/candidate/?held_for_review__exact=1")
    assert queue.status_code == 200
    assert queue.context["cl"].result_count == 2
    # The queue says why, for whom and from where.
    assert "同じIPアドレスからこの企業への登録が多い" in queue.text
    assert "株式会社ファーム" in queue.text and "標準リレーリンク" in queue.text
    assert FARM_IP in queue.text and "gmail.com" in queue.text

    changelist = "/operator/candidates/candidate/"
    with django_capture_on_commit_callbacks(execute=True):
        console.post(changelist, {"action": "release", "_selected_action": [released.pk]})
        console.post(changelist, {"action": "reject", "_selected_action": [rejected.pk]})
    released.refresh_from_db()
    rejected.refresh_from_db()
    assert (released.referral_status, released.held_for_review) == (Referral.COUNTED, False)
    assert (rejected.referral_status, rejected.held_for_review) == (Referral.REJECTED, False)
    assert counted(company) == 1
    assert not LedgerEntry.objects.filter(subject_key=rejected.public_id).exists()

    decisions = {
        event.detail["review_decision"]: event
        for event in AuditEvent.objects.filter(action=AuditEvent.Action.STAFF_ACTION, detail__has_key="review_decision")
    }
    assert decisions["release"].actor_user == operator
    assert decisions["release"].subject_key == released.public_id
    assert decisions["release"].detail["referral_status"] == Referral.COUNTED
    assert decisions["reject"].actor_user == operator
    assert decisions["reject"].subject_key == rejected.public_id
    assert decisions["reject"].detail["hold_reasons"] == [HoldReason.SAME_IP]

    # A rejection is final: releasing it later, or running the rule again, counts nothing.
    console.post(changelist, {"action": "release", "_selected_action": [rejected.pk]})
    assert services.evaluate_referral(Candidate.objects.get(pk=rejected.pk)) == Referral.REJECTED
    rejected.refresh_from_db()
    assert rejected.referral_status == Referral.REJECTED
    assert counted(company) == 1


def test_operators_hear_once_a_day_per_company_however_many_links_are_farmed(
    company, link, second_link, django_capture_on_commit_callbacks, settings
):
    settings.FRAUD_REVIEW_THRESHOLD = 0
    OperatorFactory(email="ops@careerrelay.example")
    register_and_confirm(link, "a@gmail.com", django_capture_on_commit_callbacks)
    register_and_confirm(second_link, "b@gmail.com", django_capture_on_commit_callbacks)
    told = [m for m in mail.outbox if m.to == ["ops@careerrelay.example"]]
    assert len(told) == 1


def test_a_staff_sign_in_from_a_loopback_or_private_address_holds_nobody(
    company, link, django_capture_on_commit_callbacks
):
    # Behind a proxy without RATELIMIT_IP_META_KEY every request comes from the proxy's private
    # address; recording it would hold every registration.
    staff = MembershipFactory(organisation=company, user=UserFactory(email="hr@gmail.com")).user
    credentials = {"login": staff.email, "password": "correct horse battery"}
    for address in ("127.0.0.1", "10.0.0.5"):
        assert Client().post("/accounts/login/", credentials, REMOTE_ADDR=address).status_code == 302
    person = register_and_confirm(link, "friend@gmail.com", django_capture_on_commit_callbacks, ip="10.0.0.5")
    assert person.referral_status == Referral.COUNTED


def test_staff_addresses_older_than_the_retention_hold_nobody_and_are_deleted(
    company, link, django_capture_on_commit_callbacks, settings
):
    staff = MembershipFactory(organisation=company, user=UserFactory(email="hr@gmail.com")).user
    credentials = {"login": staff.email, "password": "correct horse battery"}
    Client().post("/accounts/login/", credentials, REMOTE_ADDR="192.0.2.10")
    long_ago = timezone.now() - timedelta(days=settings.STAFF_SIGNIN_IP_DAYS + 1)
    StaffSignIn.objects.filter(user=staff).update(first_seen_at=long_ago, last_seen_at=long_ago)

    person = register_and_confirm(link, "friend@gmail.com", django_capture_on_commit_callbacks, ip="192.0.2.10")
    assert person.referral_status == Referral.COUNTED
    assert run_once()["staff_signin_addresses_deleted"] == 1
    assert not StaffSignIn.objects.exists()


def test_a_company_nobody_has_approved_earns_nothing_until_an_operator_approves_it(
    client, django_capture_on_commit_callbacks
):
    # A self-service signup cannot send mail yet, but its relay link already opens: a farm could
    # fill it while the operator has not looked. Registrations wait, and count once it is approved.
    pending = EmployerFactory(name="株式会社審査中", status=Organisation.Status.PENDING)
    link = pending.campaigns.get()
    honest = register_and_confirm(link, "honest@gmail.com", django_capture_on_commit_callbacks, ip="203.0.113.1")
    own_domain_member = MembershipFactory(organisation=pending, user=UserFactory(email="hr@shinsa.example")).user
    insider = register_and_confirm(link, "friend@shinsa.example", django_capture_on_commit_callbacks, ip="203.0.113.2")
    assert honest.referral_status == insider.referral_status == Referral.HELD
    assert honest.hold_reasons == [HoldReason.COMPANY_NOT_APPROVED]
    assert set(insider.hold_reasons) == {HoldReason.COMPANY_NOT_APPROVED, HoldReason.COMPANY_DOMAIN}
    assert counted(pending) == 0
    assert own_domain_member.email.endswith("@shinsa.example")

    operator = OperatorFactory(email="ops@careerrelay.example")
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:organisations_organisation_changelist"),
            {"action": "approve", "_selected_action": [pending.pk]},
        )
    honest.refresh_from_db()
    insider.refresh_from_db()
    assert honest.referral_status == Referral.COUNTED
    assert insider.referral_status == Referral.HELD  # its own-domain reason still needs a person
    assert counted(pending) == 1
    assert AuditEvent.objects.filter(
        subject_key=honest.public_id, actor_user=operator, detail__review_decision="company_approved"
    ).exists()
