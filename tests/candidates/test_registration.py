import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from careerrelay.candidates.models import Candidate, Consent, VerificationToken
from careerrelay.credits.services import get_balance
from careerrelay.portals.candidate import auth
from careerrelay.relay.models import RelayCampaign
from careerrelay.relay.services import flush_views
from tests.factories import EmployerFactory, registration_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return EmployerFactory(name="株式会社さくら").campaigns.get()


def register(client, campaign, capture, **overrides):
    with capture(execute=True):
        return client.post(campaign.get_absolute_url(), registration_data(**overrides), REMOTE_ADDR="203.0.113.7")


def verification_link(message) -> str:
    return re.search(r"http://testserver(/verify/[^\s/]+/)", message.body).group(1)


def test_landing_page_is_in_the_employers_name_and_counts_a_view(client, campaign):
    response = client.get(campaign.get_absolute_url())
    assert response.status_code == 200
    assert "株式会社さくら" in response.text
    assert 'autocomplete="family-name"' in response.text
    assert 'autocomplete="email"' in response.text
    flush_views()  # the view was counted outside the request's round trip
    campaign.refresh_from_db()
    assert campaign.landing_views == 1


def test_consent_boxes_are_separate_and_unchecked(client, campaign):
    html = client.get(campaign.get_absolute_url()).text
    boxes = re.findall(r'<input type="checkbox"[^>]*>', html)
    assert len(boxes) == 2
    assert not any("checked" in box for box in boxes)


def test_unknown_and_disabled_links_get_a_friendly_page(client, campaign):
    assert client.get("/r/no-such-code/").status_code == 404
    RelayCampaign.objects.filter(pk=campaign.pk).update(is_active=False)
    response = client.get(campaign.get_absolute_url())
    assert response.status_code == 404
    assert "ご利用いただけません" in response.text


def test_registration_creates_a_pending_candidate_with_consent_records(
    client, campaign, django_capture_on_commit_callbacks
):
    response = register(client, campaign, django_capture_on_commit_callbacks, consent_employer_recontact="on")
    assert response.status_code == 302
    candidate = Candidate.objects.get()
    assert candidate.status == Candidate.Status.PENDING
    assert candidate.family_name == "髙橋"
    assert candidate.family_name_kana == "タカハシ"
    assert candidate.phone_normalized == "+819012345678"
    assert candidate.source_campaign == campaign
    consents = {c.purpose: c for c in Consent.objects.all()}
    assert set(consents) == {"agency_sharing", "employer_recontact"}
    agency = consents["agency_sharing"]
    assert agency.action == "grant"
    assert agency.ip_address == "203.0.113.7"
    assert len(agency.notice_hash) == 64
    assert agency.notice_version
    assert len(mail.outbox) == 1
    assert "髙橋様" in mail.outbox[0].body
    campaign.refresh_from_db()
    assert campaign.registrations == 1


def test_mistakes_get_field_messages_and_keep_what_was_typed(client, campaign, django_capture_on_commit_callbacks):
    response = register(
        client,
        campaign,
        django_capture_on_commit_callbacks,
        email="not-an-email",
        consent_agency_sharing=None,
        family_name="  ",
        phone="12",
    )
    assert response.status_code == 200
    html = response.text
    assert 'id="id_email_error"' in html
    assert 'id="id_family_name_error"' in html
    assert 'id="id_phone_error"' in html
    assert "提携人材紹介会社への提供への同意が必要です" in html
    assert 'value="not-an-email"' in html
    assert 'value="花子"' in html
    assert "法人営業を5年経験しました。" in html
    assert Candidate.objects.count() == 0
    assert mail.outbox == []


def test_mistakes_are_summed_up_first_with_a_link_to_each_field(client, campaign, django_capture_on_commit_callbacks):
    response = register(client, campaign, django_capture_on_commit_callbacks, email="not-an-email", phone="12")
    html = response.text
    summary = html[html.index('id="form-errors"') : html.index("</div>", html.index('id="form-errors"'))]
    assert "autofocus" in summary  # the phone opens the page here, not at the introduction
    assert html.index('id="form-errors"') < html.index('novalidate class="stack"')  # above the form
    assert '<a href="#id_email">メールアドレス: ' in summary
    assert '<a href="#id_phone">電話番号(任意): ' in summary
    assert summary.count("<li>") == 2


def test_the_same_address_in_full_width_or_upper_case_is_recognised(
    client, campaign, django_capture_on_commit_callbacks
):
    register(client, campaign, django_capture_on_commit_callbacks)
    response = register(
        client, campaign, django_capture_on_commit_callbacks, email="ＨＡＮＡＫＯ.Takahashi＠example.jp"
    )
    assert response.status_code == 302
    assert Candidate.objects.count() == 1
    # A fresh verification link goes to the one account; no second account is made.
    assert len(mail.outbox) == 2
    assert VerificationToken.objects.count() == 2
    follow = client.get(response.url)
    assert "メールボックスをご確認ください" in follow.text


def test_verification_link_needs_the_button(client, campaign, django_capture_on_commit_callbacks):
    register(client, campaign, django_capture_on_commit_callbacks)
    link = verification_link(mail.outbox[0])
    page = client.get(link)
    assert page.status_code == 200
    assert "登録を完了する" in page.text
    assert Candidate.objects.get().status == Candidate.Status.PENDING  # a GET verifies nobody
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(link)
    assert done.status_code == 302
    candidate = Candidate.objects.get()
    assert candidate.status == Candidate.Status.VERIFIED
    assert candidate.referral_status == Candidate.Referral.COUNTED
    assert get_balance(campaign.organisation).counted_referrals == 1
    # Single use.
    again = client.post(link)
    assert again.status_code == 400
    assert "すでに使われています" in again.text
    assert get_balance(campaign.organisation).counted_referrals == 1


def test_confirming_the_registration_signs_in_to_the_my_page_without_another_email(
    client, campaign, django_capture_on_commit_callbacks
):
    register(client, campaign, django_capture_on_commit_callbacks)
    link = verification_link(mail.outbox[0])
    client.get(link)
    planted = client.session  # e.g. a session key an attacker made the browser use
    planted.save()
    before = client.cookies["sessionid"].value
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(link)
    assert done["Location"] == "/me/"
    assert client.cookies["sessionid"].value != before  # a new session key: nothing planted survives
    my_page = client.get("/me/")
    assert my_page.status_code == 200
    assert "髙橋様、ご登録ありがとうございます。登録が完了しました。" in my_page.text
    assert my_page.context["request"].candidate == Candidate.objects.get()
    # The confirmation and the welcome; no sign-in link on top.
    assert len(mail.outbox) == 2
    assert "ご登録が完了しました" in mail.outbox[1].subject


def test_a_confirmation_older_than_a_sign_in_link_confirms_but_signs_nobody_in(
    client, campaign, django_capture_on_commit_callbacks, settings
):
    # A forwarded or shared email found hours later must not open the person's my page.
    register(client, campaign, django_capture_on_commit_callbacks)
    link = verification_link(mail.outbox[0])
    too_old = timezone.now() - timedelta(minutes=settings.CANDIDATE_SIGNIN_TOKEN_MINUTES + 1)
    VerificationToken.objects.update(created_at=too_old)
    later = Client()
    with django_capture_on_commit_callbacks(execute=True):
        done = later.post(link)
    assert Candidate.objects.get().status == Candidate.Status.VERIFIED
    assert done["Location"] == "http://testserver/me/signin/#email=hanako.takahashi%40example.jp"
    assert later.get("/me/").status_code == 302  # not signed in
    page = later.get("/me/signin/")
    assert "マイページへは、メールでお送りするリンクからログインしてください。" in page.text


def test_the_session_from_confirming_times_out_like_a_sign_in(
    client, campaign, django_capture_on_commit_callbacks, settings
):
    settings.CANDIDATE_SESSION_IDLE_MINUTES = 10
    register(client, campaign, django_capture_on_commit_callbacks)
    link = verification_link(mail.outbox[0])
    client.get(link)
    client.post(link)
    session = client.session
    session[auth.SESSION_SEEN] -= 10 * 60
    session.save()
    response = client.get("/me/")
    assert response.status_code == 302
    assert response["Location"].startswith("/me/signin/")


def test_expired_token_is_refused(client, campaign, django_capture_on_commit_callbacks):
    register(client, campaign, django_capture_on_commit_callbacks)
    VerificationToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(verification_link(mail.outbox[0]))
    assert response.status_code == 400
    assert "有効期限" in response.text
    assert Candidate.objects.get().status == Candidate.Status.PENDING


def test_resend_sends_a_new_link_without_revealing_registration(client, campaign, django_capture_on_commit_callbacks):
    register(client, campaign, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("relay:resend"), {"email": "hanako.takahashi@example.jp"})
        unknown = client.post(reverse("relay:resend"), {"email": "nobody@example.jp"})
    assert known.status_code == unknown.status_code == 200
    assert len(mail.outbox) == 2
    assert [m.to for m in mail.outbox] == [["hanako.takahashi@example.jp"]] * 2
