"""The whole loop, walked as the people in it live it, starting from nothing.

Only the operator's two shell commands set anything up (`create_company`, `create_agency`);
everything after that happens through pages: the admins choose their passwords from the
one-time links; rejected applicants register on phones through the employer's relay link (the
first with a mistake to fix) and confirm from the email a real SMTP server received; the agency
finds a person by a word they typed into their skills, introduces them, and the person accepts;
enough registrations earn the employer a credit (REFERRALS_PER_CREDIT is 2 here); the employer
requests a free referral; the agency claims it and proposes; the person accepts; the employer
confirms the interview with its date, time and place; the credit is consumed.

Each page along the way is checked for server errors and with axe-core. This test guards the
seams between the pieces; the focused tests of each piece live beside their code's tests.
"""

import io
import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from careerrelay.credits.models import LedgerEntry
from careerrelay.matching.models import FreeReferralRequest
from tests.e2e.accessibility import assert_accessible
from tests.e2e.candidate_steps import field
from tests.helpers.browser import DESKTOP

PASSWORD = "relay-loop-2026-pass"


def run_command(*args) -> dict:
    out = io.StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())


def mails_to(smtp_server, address, subject_part=""):
    return [m for m in smtp_server.sink.messages if address in m.rcpt_tos and subject_part in str(m.message["Subject"])]


def wait_for_mail(smtp_server, address, subject_part="", count=1):
    """The count-th message to `address` whose subject contains `subject_part`."""
    for _ in range(200):
        found = mails_to(smtp_server, address, subject_part)
        if len(found) >= count:
            return found[count - 1]
        with smtp_server.sink.arrived:
            smtp_server.sink.arrived.wait(timeout=0.05)
    raise AssertionError(
        f"no mail #{count} to {address} with {subject_part!r}; got "
        + repr([(m.rcpt_tos, str(m.message["Subject"])) for m in smtp_server.sink.messages])
    )


def link_in(message, pattern):
    text = message.text()
    found = re.search(pattern, text)
    assert found, f"{pattern} not in:\n{text}"
    link = found.group(0)
    assert link in message.html()  # the HTML part carries the same link
    return link


def choose_password(page, live_server, set_password_url, email):
    page.goto(set_password_url)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.get_by_role("button", name="パスワードを変更する").click()
    page.goto(live_server.url + "/accounts/login/")
    field(page, "メールアドレス").fill(email)
    field(page, "パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()


def register(page, relay_url, smtp_server, checks, *, family, given, email, skills, summary, with_mistake=False):
    """A rejected applicant on a phone: relay link → form → the email's link → the button."""
    page.goto(relay_url)
    expect(page.locator(".eyebrow")).to_contain_text("株式会社山﨑製作所からのご案内")
    checks.accessible(page)
    field(page, "姓").fill(family)
    field(page, "名").fill(given)
    field(page, "メールアドレス").fill(email.split("@")[0] + "@" if with_mistake else email)
    field(page, "都道府県").select_option(label="東京都")
    field(page, "希望職種").select_option(label="ITエンジニア")
    field(page, "経験年数").fill("5")
    field(page, "スキル").fill(skills)
    field(page, "自己紹介").fill(summary)
    page.locator("#id_consent_agency_sharing").check()
    page.get_by_role("button", name="同意して登録する(無料)").click()
    if with_mistake:
        summary_box = page.locator("#form-errors")
        expect(summary_box).to_be_visible()
        expect(summary_box).to_be_focused()
        checks.accessible(page, state="errors")
        expect(field(page, "自己紹介")).to_have_value(summary)  # nothing typed is lost
        expect(field(page, "スキル")).to_have_value(skills)
        field(page, "メールアドレス").fill(email)
        page.locator("#id_consent_agency_sharing").check()
        page.get_by_role("button", name="同意して登録する(無料)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("メールボックスをご確認ください")
    checks.accessible(page)

    verification = wait_for_mail(smtp_server, email, "メールアドレスの確認")
    page.goto(link_in(verification, r"http://\S+/verify/[^\s/]+/"))
    expect(page.get_by_role("button", name="登録を完了する")).to_be_visible()
    checks.accessible(page)
    page.get_by_role("button", name="登録を完了する").click()
    # Confirming signs the person in on this phone: their my page opens without another email.
    expect(page.get_by_text(f"{family}様、ご登録ありがとうございます。登録が完了しました。")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/me/$"))
    expect(page.get_by_text("最終更新日")).to_be_visible()
    checks.accessible(page)


def agency_finds(desk, live_server, word, name):
    desk.goto(live_server.url + "/agency/search/")
    field(desk, "キーワード").fill(word)
    desk.get_by_role("button", name="検索", exact=True).click()
    result = desk.locator("#results > li", has_text=word)
    expect(result).to_have_count(1)
    result.get_by_role("link").first.click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text(name)


class PageChecks:
    """Every response the browsers get is watched for 5xx (fetches too, not only navigations), and
    each distinct page is checked once with axe-core."""

    def __init__(self):
        self.server_errors: list[str] = []
        self.checked_paths: set[tuple[str, str]] = set()

    def watch(self, page):
        page.on("response", self._on_response)
        return page

    def _on_response(self, response):
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.request.method} {response.url}")

    def accessible(self, page, state=""):
        """axe-core once per path (and state, e.g. a form showing its errors)."""
        self.assert_no_server_errors()
        key = (urlsplit(page.url).path, state)
        if key not in self.checked_paths:
            self.checked_paths.add(key)
            assert_accessible(page)

    def assert_no_server_errors(self):
        assert not self.server_errors, "server errors: " + "; ".join(self.server_errors)


@pytest.fixture
def checks():
    return PageChecks()


def test_the_whole_loop_from_two_shell_commands_to_a_consumed_credit(
    live_server, settings, smtp_server, new_page, checks, transactional_db
):
    settings.SITE_URL = live_server.url
    settings.REFERRALS_PER_CREDIT = 2

    company = run_command("create_company", "株式会社山﨑製作所", "--admin-email", "owner@yamasaki.example")
    agency = run_command(
        "create_agency", "株式会社みらい人材", "--licence", "13-ユ-500001", "--admin-email", "advisor@mirai.example"
    )

    # The employer's admin chooses a password, signs in and copies the relay link.
    office = checks.watch(new_page(**DESKTOP))
    choose_password(office, live_server, company["set_password_url"], "owner@yamasaki.example")
    expect(office).to_have_url(live_server.url + "/employer/")
    checks.accessible(office)
    relay_url = office.locator("#relay-url").input_value()
    assert relay_url == company["relay_url"]
    expect(office.locator("#next-credit")).to_have_text("あと2名で無料紹介1名")

    # The first rejected applicant registers on a phone, fixing one mistake on the way.
    hanako = checks.watch(new_page())
    register(
        hanako,
        relay_url,
        smtp_server,
        checks,
        family="髙橋",
        given="花子",
        email="hanako@example.jp",
        skills="Kotlin、Spring Boot",
        summary="決済システムのバックエンドを5年担当しました。",
        with_mistake=True,
    )
    checks.accessible(hanako)

    # The agency's admin signs in and finds her by a word she typed into her skills.
    desk = checks.watch(new_page(**DESKTOP))
    choose_password(desk, live_server, agency["set_password_url"], "advisor@mirai.example")
    expect(desk).to_have_url(live_server.url + "/agency/")
    checks.accessible(desk)
    agency_finds(desk, live_server, "Kotlin", "髙橋 花子")
    checks.accessible(desk)
    desk.get_by_role("link", name="この求職者を紹介する").click()
    checks.accessible(desk)
    field(desk, "紹介先の企業名").fill("株式会社つばめ商事")
    field(desk, "職種・ポジション").fill("サーバーサイドエンジニア")
    field(desk, "本人へのメッセージ").fill("Kotlinのご経験が活かせる求人です。")
    desk.get_by_role("button", name="紹介を送る").click()
    expect(desk.get_by_text("紹介を送りました。")).to_be_visible()
    checks.accessible(desk)

    # She opens the introduction from its email on her phone (still signed in) and accepts.
    introduction = wait_for_mail(smtp_server, "hanako@example.jp", "求人のご紹介")
    hanako.goto(link_in(introduction, r"http://\S+/me/introductions/[0-9a-f-]+/"))
    expect(hanako.get_by_text("Kotlinのご経験が活かせる求人です。")).to_be_visible()
    checks.accessible(hanako)
    hanako.get_by_role("link", name="承諾する").click()
    checks.accessible(hanako)
    hanako.get_by_role("button", name="承諾して情報を提供する").click()
    expect(hanako.get_by_text("紹介を承諾しました。")).to_be_visible()
    # The agency hears of it, and its home page shows the accepted introduction.
    wait_for_mail(smtp_server, "advisor@mirai.example", "紹介に本人が回答しました")
    desk.goto(live_server.url + "/agency/")
    expect(desk.locator("#provisions")).to_contain_text("紹介")  # her acceptance provided the profile
    checks.accessible(desk)

    # A second rejected applicant registers: two counted registrations earn the employer a credit.
    jiro = checks.watch(new_page())
    register(
        jiro,
        relay_url,
        smtp_server,
        checks,
        family="山﨑",
        given="次郎",
        email="jiro@example.jp",
        skills="Go、Kubernetes",
        summary="SREとして監視基盤の構築を担当しました。",
    )
    wait_for_mail(smtp_server, "owner@yamasaki.example", "無料紹介枠が付与されました")
    office.goto(live_server.url + "/employer/")
    expect(office.locator("#stat-counted")).to_have_text("2")
    expect(office.locator("#stat-available")).to_have_text("1")
    assert "山﨑 次郎" not in office.content() and "jiro@" not in office.content()

    # The employer requests a free referral: the credit is reserved and the agency is told.
    office.get_by_role("link", name="無料紹介", exact=True).click()
    checks.accessible(office)
    office.get_by_role("link", name="無料紹介を依頼する").click()
    checks.accessible(office)
    field(office, "募集職種").fill("SREエンジニア")
    field(office, "求める経験・スキル").fill("Kubernetesの運用経験")
    field(office, "勤務地(都道府県)").select_option(label="東京都")
    office.get_by_role("button", name="依頼して枠を予約する").click()
    expect(office.get_by_text("無料紹介枠を1つ予約しました。")).to_be_visible()
    checks.accessible(office)
    request_mail = wait_for_mail(smtp_server, "advisor@mirai.example", "新しい無料紹介の依頼")

    # The agency opens the request from its email, claims it, finds 次郎 and proposes him.
    desk.goto(link_in(request_mail, r"http://\S+/agency/free-referrals/[^\s]+/"))
    checks.accessible(desk)
    desk.get_by_role("button", name="この依頼を担当する").click()
    expect(desk.get_by_text("この依頼を担当しました。")).to_be_visible()
    checks.accessible(desk, state="claimed")
    agency_finds(desk, live_server, "Kubernetes", "山﨑 次郎")
    desk.get_by_role("link", name="この求職者を紹介する").click()
    expect(field(desk, "無料紹介の依頼(担当中)")).to_be_visible()
    checks.accessible(desk, state="free referral held")
    field(desk, "無料紹介の依頼(担当中)").select_option(label="株式会社山﨑製作所 / SREエンジニア")
    field(desk, "本人へのメッセージ").fill("監視基盤のご経験が活かせます。")
    desk.get_by_role("button", name="紹介を送る").click()
    expect(desk.get_by_text("紹介を送りました。")).to_be_visible()

    # 次郎 accepts the interview on his phone.
    proposal_mail = wait_for_mail(smtp_server, "jiro@example.jp", "求人のご紹介")
    jiro.goto(link_in(proposal_mail, r"http://\S+/me/introductions/[0-9a-f-]+/"))
    expect(jiro.get_by_text("監視基盤のご経験が活かせます。")).to_be_visible()
    checks.accessible(jiro)
    jiro.get_by_role("link", name="承諾する").click()
    expect(jiro.get_by_role("button", name="承諾して情報を提供する")).to_be_visible()
    checks.accessible(jiro)
    jiro.get_by_role("button", name="承諾して情報を提供する").click()
    expect(jiro.get_by_text("紹介を承諾しました。")).to_be_visible()
    checks.accessible(jiro)

    # The employer is told a proposal waits, and confirms the interview with date, time and place.
    decision_mail = wait_for_mail(smtp_server, "owner@yamasaki.example", "無料紹介の候補者が提案されました")
    office.goto(link_in(decision_mail, r"http://\S+/employer/free-referrals/[^\s]+/"))
    checks.accessible(office)
    proposal = office.locator(".proposal")
    expect(proposal).to_contain_text("匿名レジュメ")  # no name or contact before the interview is confirmed
    expect(proposal).not_to_contain_text("山﨑 次郎")
    proposal.get_by_role("link", name="面接を確定する").click()
    checks.accessible(office)
    interview_day = timezone.localdate() + timedelta(days=14)
    office.get_by_label("面接日時").fill(f"{interview_day:%Y-%m-%d}T14:00")
    office.get_by_label("面接の場所またはURL").fill("https://meet.example.jp/yamasaki-sre")
    office.get_by_role("button", name="面接を確定して枠を消化する").click()
    expect(office.get_by_text("面接を確定しました。無料紹介枠を1つ消化しました。")).to_be_visible()
    expect(office.locator("main")).to_contain_text("14:00")
    expect(office.locator(".proposal")).to_contain_text("山﨑 次郎")  # and now the name

    # All three parties see the interview, and the candidate's email gives its time and place.
    stage_mail = wait_for_mail(smtp_server, "jiro@example.jp", "紹介の状況が更新されました", count=2)
    assert f"{interview_day.year}年{interview_day.month}月{interview_day.day}日 14:00" in stage_mail.text()
    assert "https://meet.example.jp/yamasaki-sre" in stage_mail.text()
    assert "本人が承諾" not in stage_mail.text()
    jiro.reload()
    expect(jiro.locator("#introduction-stage")).to_have_text("面接日程の確定")
    expect(jiro.locator("#interview-at")).to_contain_text(f"{interview_day:%Y-%m-%d} 14:00")
    desk.goto(live_server.url + "/agency/introductions/")
    checks.accessible(desk)
    desk.locator("tr", has_text="SREエンジニア").get_by_role("link").click()
    expect(desk.locator("#introduction-stage")).to_have_text("面接日程の確定")
    expect(desk.locator("main")).to_contain_text("https://meet.example.jp/yamasaki-sre")
    checks.accessible(desk)

    free_referral = FreeReferralRequest.objects.get()
    assert free_referral.state == FreeReferralRequest.State.FULFILLED
    assert list(
        LedgerEntry.objects.filter(request_key=free_referral.public_id).order_by("id").values_list("kind", "amount")
    ) == [("credit_reserved", -1), ("credit_consumed", 0)]
    office.goto(live_server.url + "/employer/free-referrals/")
    expect(office.locator("#stat-available")).to_have_text("0")
    checks.assert_no_server_errors()
