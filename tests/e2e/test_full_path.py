"""One full free-referral path in real browsers: the employer files a free-referral request and one
credit is reserved; the agency claims it, searches in Japanese, opens the candidate and proposes
them; the candidate signs in by an email link from a real SMTP server, opens the introduction
from its email on a phone and accepts the interview (面談確約); the employer sees the profile,
confirms the interview, and the credit is consumed."""

import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from careerrelay.audit.services import Actor, ActorKind
from careerrelay.candidates.models import Consent
from careerrelay.credits.models import LedgerEntry
from careerrelay.credits.services import adjust_credits, get_balance
from careerrelay.matching.models import FreeReferralProposal, FreeReferralRequest, Introduction
from careerrelay.privacy import services as privacy
from careerrelay.privacy.models import ProvisionRecord
from tests.e2e.accessibility import assert_accessible
from tests.e2e.candidate_steps import field, sign_in_by_email
from tests.factories import CandidateFactory, EmployerFactory, MembershipFactory, UserFactory
from tests.helpers.agencies import make_agency
from tests.helpers.browser import DESKTOP


def logged_in_page(new_page, live_server, user):
    client = Client()
    client.force_login(user)
    page = new_page(**DESKTOP)
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return page


def shared_candidate(**fields):
    candidate = CandidateFactory(status="verified", verified_at=timezone.now(), **fields)
    privacy.grant_consent(
        candidate=candidate, purpose=Consent.Purpose.AGENCY_SHARING, actor=Actor.for_candidate(candidate)
    )
    return candidate


@pytest.fixture
def people(live_server, settings, db):
    settings.SITE_URL = live_server.url
    employer = EmployerFactory(name="株式会社山﨑製作所")
    owner = MembershipFactory(
        organisation=employer, role="admin", user=UserFactory(email="owner@yamasaki.example")
    ).user
    adjust_credits(
        organisation=employer,
        amount=1,
        reason="紹介10名の達成分(テスト)",
        actor=Actor.for_user(owner, ActorKind.EMPLOYER),
    )
    _agency, advisor = make_agency("株式会社みらい人材", "13-ユ-500001", "advisor@mirai.example")
    hanako = shared_candidate(
        family_name="髙橋",
        given_name="花子",
        email="hanako@example.jp",
        email_normalized="hanako@example.jp",
        skills="Java, Spring Boot",
        summary="Javaでの開発経験が5年あります。決済システムのバックエンドを担当しました。",
        years_experience=5,
    )
    shared_candidate(
        family_name="佐藤",
        given_name="次郎",
        email="jiro@example.jp",
        email_normalized="jiro@example.jp",
        job_category="sales",
        skills="法人営業",
        summary="法人営業を7年経験しました。",
    )
    return {"employer": employer, "owner": owner, "advisor": advisor, "hanako": hanako}


def test_agency_proposes_the_candidate_accepts_and_the_employer_confirms_consuming_the_credit(
    people, new_page, live_server, smtp_server
):
    employer = people["employer"]

    # The employer files a free-referral request: one credit is reserved at once.
    office = logged_in_page(new_page, live_server, people["owner"])
    office.goto(live_server.url + "/employer/")
    office.get_by_role("link", name="無料紹介", exact=True).click()
    expect(office.locator("#stat-available")).to_have_text("1")
    assert_accessible(office)
    office.get_by_role("link", name="無料紹介を依頼する").click()
    expect(field(office, "募集職種")).to_be_visible()
    assert_accessible(office)
    field(office, "募集職種").fill("バックエンドエンジニア")
    field(office, "求める経験・スキル").fill("Javaでの開発経験3年以上")
    field(office, "勤務地(都道府県)").select_option(label="東京都")
    field(office, "年収(下限・万円)").fill("５００")
    field(office, "年収(上限・万円)").fill("８００")
    office.get_by_role("button", name="依頼して枠を予約する").click()
    expect(office.get_by_text("無料紹介枠を1つ予約しました。")).to_be_visible()
    expect(office.locator("#request-state")).to_have_text("受付中")
    assert_accessible(office)
    assert get_balance(employer).credits_available == 0

    # The agency claims the request, searches in Japanese and proposes the candidate.
    desk = logged_in_page(new_page, live_server, people["advisor"])
    desk.goto(live_server.url + "/agency/")
    assert_accessible(desk)
    desk.get_by_role("link", name="無料紹介の依頼").click()
    expect(desk.get_by_role("link", name="バックエンドエンジニア")).to_be_visible()
    assert_accessible(desk)
    desk.get_by_role("link", name="バックエンドエンジニア").click()
    desk.get_by_role("button", name="この依頼を担当する").click()
    expect(desk.get_by_text("この依頼を担当しました。")).to_be_visible()
    assert_accessible(desk)
    desk.get_by_role("link", name="この依頼の条件で求職者を検索する").click()
    field(desk, "キーワード").fill("Java開発")
    desk.get_by_role("button", name="検索", exact=True).click()
    results = desk.locator("#results > li")
    expect(results).to_have_count(1)  # 法人営業 does not match
    assert_accessible(desk)
    results.first.get_by_role("link").first.click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("髙橋 花子")
    assert_accessible(desk)
    desk.get_by_role("link", name="この求職者を紹介する").click()
    field(desk, "無料紹介の依頼(担当中)").select_option(label="株式会社山﨑製作所 / バックエンドエンジニア")
    field(desk, "本人へのメッセージ").fill("決済システムのご経験が活かせる求人です。")
    assert_accessible(desk)
    desk.get_by_role("button", name="紹介を送る").click()
    expect(desk.get_by_text("紹介を送りました。")).to_be_visible()
    expect(desk.locator("#introduction-stage")).to_have_text("本人の回答待ち")
    assert_accessible(desk)
    assert ProvisionRecord.objects.filter(recipient_organisation=employer).count() == 0

    # The candidate signs in on a phone, opens the introduction from its email and accepts.
    phone = new_page()
    sign_in_by_email(phone, live_server, smtp_server, "hanako@example.jp")
    introduction_mail = next(m for m in smtp_server.sink.messages if "求人のご紹介" in m.message["Subject"])
    assert introduction_mail.rcpt_tos == ["hanako@example.jp"]
    link = re.search(r"(http://\S+/me/introductions/[0-9a-f-]+/)", introduction_mail.text()).group(1)
    phone.goto(link)
    expect(phone.get_by_role("heading", level=2, name="株式会社山﨑製作所")).to_be_visible()
    expect(phone.get_by_text("決済システムのご経験が活かせる求人です。")).to_be_visible()
    assert_accessible(phone)
    phone.get_by_role("link", name="承諾する").click()
    expect(phone.get_by_text("承諾すると、この企業との面接を確約することになります(面談確約)。")).to_be_visible()
    assert_accessible(phone)
    phone.get_by_role("button", name="承諾して情報を提供する").click()
    expect(phone.get_by_text("紹介を承諾しました。")).to_be_visible()
    expect(phone.locator("#introduction-stage")).to_have_text("本人が承諾")
    assert_accessible(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert ProvisionRecord.objects.filter(recipient_organisation=employer, channel="introduction").count() == 1

    # The employer sees an anonymised résumé (no name, no contact) and confirms the interview.
    office.goto(live_server.url + "/employer/free-referrals/")
    office.locator("#free-referral-requests").get_by_role("link", name="バックエンドエンジニア").click()
    proposal = office.locator(".proposal")
    expect(proposal).to_contain_text("匿名レジュメ")
    expect(proposal).not_to_contain_text("髙橋")
    expect(proposal).not_to_contain_text("hanako@example.jp")
    assert_accessible(office)
    proposal.get_by_role("link", name="面接を確定する").click()
    expect(office.get_by_role("button", name="面接を確定して枠を消化する")).to_be_visible()
    assert_accessible(office)
    interview_day = timezone.localdate() + timedelta(days=7)
    office.get_by_label("面接日時").fill(f"{interview_day:%Y-%m-%d}T14:30")
    office.get_by_label("面接の場所またはURL").fill("本社 7階 会議室A")
    office.get_by_role("button", name="面接を確定して枠を消化する").click()
    expect(office.get_by_text("面接を確定しました。無料紹介枠を1つ消化しました。")).to_be_visible()
    assert_accessible(office)
    expect(office.locator("#request-state")).to_have_text("面接確定(枠を消化)")
    expect(office.locator(".proposal")).to_contain_text("髙橋 花子")  # name and contact once confirmed
    expect(office.locator(".proposal")).to_contain_text("hanako@example.jp")
    office.get_by_role("link", name="無料紹介の一覧に戻る").click()
    expect(office.locator("#stat-consumed")).to_have_text("1")
    expect(office.locator("#stat-available")).to_have_text("0")

    free_referral = FreeReferralRequest.objects.get()
    assert free_referral.state == FreeReferralRequest.State.FULFILLED
    assert FreeReferralProposal.objects.get().state == FreeReferralProposal.State.CONFIRMED
    assert list(
        LedgerEntry.objects.filter(request_key=free_referral.public_id).order_by("id").values_list("kind", "amount")
    ) == [("credit_reserved", -1), ("credit_consumed", 0)]
    introduction = Introduction.objects.get()
    assert introduction.stage == Introduction.Stage.INTERVIEW_SCHEDULED
    assert (timezone.localtime(introduction.interview_at).strftime("%Y-%m-%d %H:%M"), introduction.interview_place) == (
        f"{interview_day:%Y-%m-%d} 14:30",
        "本社 7階 会議室A",
    )

    # The agency and the candidate see the interview confirmed.
    desk.reload()
    expect(desk.locator("#introduction-stage")).to_have_text("面接日程の確定")
    phone.reload()
    expect(phone.locator("#introduction-stage")).to_have_text("面接日程の確定")
