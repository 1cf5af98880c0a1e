"""A registration held for fraud review waits for an operator, so the operators are told — once per
link a day, however many registrations a farming attempt holds — and nothing in the email names
the person."""

import re

import pytest
from django.test import Client

from careerrelay.candidates.models import Candidate
from careerrelay.notifications.models import Notification
from tests.factories import EmployerFactory, OperatorFactory, registration_data

HELD_SUBJECT = "不正確認のために保留された登録があります"


@pytest.fixture
def operator(db):
    return OperatorFactory(email="ops@careerrelay.example")


def register_and_confirm(campaign, email, capture, smtp_server):
    """Through the relay page and the emailed link, from one address, as a farming script would."""
    client = Client()
    with capture(execute=True):
        client.post(
            campaign.get_absolute_url(),
            registration_data(email=email, phone=None),
            REMOTE_ADDR="198.51.100.7",
        )
    [verification] = [m for m in smtp_server.messages if email in m.rcpt_tos]
    link = re.search(r"http://testserver(/verify/[^\s/]+/)", verification.text()).group(1)
    with capture(execute=True):
        client.post(link)
    return Candidate.objects.get(email_normalized=email)


def held_mails(smtp_server, address):
    return [m for m in smtp_server.messages if address in m.rcpt_tos and HELD_SUBJECT in str(m.message["Subject"])]


def test_operators_hear_once_a_day_per_link_of_registrations_held_for_review(
    settings, smtp_server, operator, django_capture_on_commit_callbacks
):
    settings.FRAUD_REVIEW_THRESHOLD = 1  # the second verified registration from one IP is held
    employer = EmployerFactory(name="株式会社山﨑製作所")
    campaign = employer.campaigns.get()

    first = register_and_confirm(campaign, "farm1@example.jp", django_capture_on_commit_callbacks, smtp_server)
    assert first.referral_status == Candidate.Referral.COUNTED
    assert held_mails(smtp_server, operator.email) == []

    held = [
        register_and_confirm(campaign, f"farm{n}@example.jp", django_capture_on_commit_callbacks, smtp_server)
        for n in (2, 3, 4)
    ]
    assert {c.referral_status for c in held} == {Candidate.Referral.HELD}
    [told] = held_mails(smtp_server, operator.email)
    assert "株式会社山﨑製作所" in told.text()
    assert "held_for_review__exact=1" in told.text()
    assert "farm" not in told.text() and "髙橋" not in told.text()  # nobody is named
    assert Notification.objects.filter(user=operator, kind="referral_held").count() == 1

    # The operator console's list opens at the held registrations.
    console = Client()
    console.force_login(operator)
    page = console.get("/operator/candidates/candidate/?held_for_review__exact=1")
    assert page.status_code == 200
    assert page.context["cl"].result_count == 3


def test_each_operator_sees_their_own_notifications_in_the_console(
    settings, smtp_server, operator, django_capture_on_commit_callbacks
):
    settings.FRAUD_REVIEW_THRESHOLD = 0  # the first verified registration from one IP is held
    colleague = OperatorFactory(email="ops2@careerrelay.example")
    campaign = EmployerFactory(name="株式会社山﨑製作所").campaigns.get()
    register_and_confirm(campaign, "farm1@example.jp", django_capture_on_commit_callbacks, smtp_server)
    assert Notification.objects.count() == 2  # one for each operator

    console = Client()
    console.force_login(operator)
    listed = console.get("/operator/notifications/notification/")
    assert listed.status_code == 200
    assert listed.context["cl"].result_count == 1  # their own, not the colleague's
    assert "株式会社山﨑製作所 のリンク" in listed.text
    assert "/operator/candidates/candidate/?held_for_review__exact=1" in listed.text
    assert Notification.objects.get(user=operator).read_at is not None  # opening the list reads it
    assert Notification.objects.get(user=colleague).read_at is None
