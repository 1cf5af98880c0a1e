"""The relay loop in a real browser: a rejected applicant on a phone registers through the
employer's link and confirms by email (a real SMTP server); the employer then sees the count."""

import re

import pytest
from playwright.sync_api import expect

from careerrelay.candidates.models import Candidate
from tests.e2e.accessibility import assert_accessible
from tests.helpers.browser import DESKTOP

PASSWORD = "correct horse battery"  # tests/factories.py UserFactory


def field(page, label):
    """The input named by its <label> (required fields add an asterisk to the label)."""
    return page.get_by_label(re.compile("^" + re.escape(label) + r"\*?$"))


@pytest.fixture
def relay_url(live_server, settings, employer):
    # Links in emails point at the live server.
    settings.SITE_URL = live_server.url
    return live_server.url + employer.campaigns.get().get_absolute_url()


def test_a_rejected_applicant_registers_on_a_phone_and_the_employer_sees_the_count(
    relay_url, live_server, smtp_server, phone_page, new_page, employer, owner
):
    page = phone_page
    page.goto(relay_url)
    expect(page.locator(".eyebrow")).to_contain_text("株式会社山﨑製作所からのご案内")
    expect(page.get_by_role("heading", level=1)).to_have_text("このたびはご応募いただき、ありがとうございました。")
    # Laid out for the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)

    # First attempt, with mistakes: a broken address, a short phone number, no consent.
    field(page, "姓").fill("髙橋")
    field(page, "名").fill("花子")
    field(page, "セイ(フリガナ・任意)").fill("たかはし")
    field(page, "メールアドレス").fill("hanako.takahashi@")
    field(page, "電話番号(任意)").fill("12")
    field(page, "都道府県").select_option(label="東京都")
    field(page, "希望職種").select_option("sales")
    field(page, "経験年数").fill("5")
    field(page, "スキル").fill("法人営業、Excel")
    field(page, "自己紹介").fill("法人営業を5年経験しました。")
    page.get_by_role("button", name="同意して登録する(無料)").click()

    # The page opens at a summary of the mistakes, not at the top of the introduction.
    summary = page.locator("#form-errors")
    expect(summary).to_contain_text("入力内容をご確認ください。")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(page.get_by_role("heading", level=1)).not_to_be_in_viewport()
    assert_accessible(page)
    expect(page.locator("#id_email_error")).to_be_visible()
    expect(page.locator("#id_phone_error")).to_be_visible()
    expect(page.locator("#id_consent_agency_sharing_error")).to_have_text(
        "登録には、提携人材紹介会社への提供への同意が必要です。"
    )
    # Each mistake in the summary links to its field.
    summary.get_by_role("link", name="電話番号(任意): ").click()
    expect(field(page, "電話番号(任意)")).to_be_focused()
    for error in page.locator("p.error").all_inner_texts():
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", error), error  # every message is in Japanese
    # Everything typed is still there.
    expect(field(page, "姓")).to_have_value("髙橋")
    expect(field(page, "名")).to_have_value("花子")
    expect(field(page, "メールアドレス")).to_have_value("hanako.takahashi@")
    expect(field(page, "都道府県")).to_have_value("13")
    expect(field(page, "自己紹介")).to_have_value("法人営業を5年経験しました。")
    assert Candidate.objects.count() == 0
    assert smtp_server.messages == []

    # Fixed, and sent. The address is typed on a Japanese keyboard (full-width).
    field(page, "メールアドレス").fill("ｈａｎａｋｏ.ｔａｋａｈａｓｈｉ＠ｅｘａｍｐｌｅ.ｊｐ")
    field(page, "電話番号(任意)").fill("090-1234-5678")
    page.locator("#id_consent_agency_sharing").check()
    page.get_by_role("button", name="同意して登録する(無料)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("メールボックスをご確認ください")
    assert_accessible(page)

    # The verification email, as received by a real SMTP server.
    received = smtp_server.sink.wait_for(1)
    assert len(received) == 1
    assert received[0].rcpt_tos == ["hanako.takahashi@example.jp"]
    assert "髙橋様" in received[0].text()
    link = re.search(r"(http://\S+/verify/[^\s/]+/)", received[0].text()).group(1)
    assert link.startswith(live_server.url)
    assert link in received[0].html()

    # Opening the link verifies nobody (mail scanners open links); the button does.
    page.goto(link)
    assert Candidate.objects.get().status == Candidate.Status.PENDING
    assert_accessible(page)
    page.get_by_role("button", name="登録を完了する").click()
    # Confirming signs in on this phone: the my page opens, no sign-in email in between.
    expect(page).to_have_url(live_server.url + "/me/")
    expect(page.get_by_text("髙橋様、ご登録ありがとうございます。登録が完了しました。")).to_be_visible()
    expect(page.get_by_text("最終更新日")).to_be_visible()
    assert_accessible(page)
    assert len(smtp_server.sink.wait_for(2)) == 2  # the welcome message
    assert "ご登録が完了しました" in str(smtp_server.sink.messages[1].message["Subject"])
    assert Candidate.objects.get().referral_status == Candidate.Referral.COUNTED

    # The employer's admin, at a desk, logs in and sees the count, and nothing about who it was.
    desk = new_page(**DESKTOP)
    desk.goto(live_server.url + "/accounts/login/")
    assert_accessible(desk)
    field(desk, "メールアドレス").fill(owner.email)
    field(desk, "パスワード").fill(PASSWORD)
    desk.get_by_role("button", name="ログイン").click()
    expect(desk).to_have_url(live_server.url + "/employer/")
    assert_accessible(desk)
    expect(desk.locator("#stat-counted")).to_have_text("1")
    expect(desk.locator("#stat-earned")).to_have_text("0")
    expect(desk.locator("#next-credit")).to_have_text("あと9名で無料紹介1名")
    # Total row: page views, registrations started, verified, counted.
    expect(desk.locator("#funnel tfoot td")).to_have_text(["1", "1", "1", "1"])
    assert "髙橋" not in desk.content()
    assert "hanako" not in desk.content()
