"""The re-contact consent in real browsers: a rejected applicant on a phone ticks 「再度連絡を受ける」
on the company's relay page and confirms by email (a real SMTP server); the company's admin at a
desk finds them under 「再応募歓迎」, opens them and adds them to the talent pool; the person withdraws
on the my page and the company's list is empty again, its pool row no longer mailable."""

import re

import pytest
from playwright.sync_api import expect

from careerrelay.candidates.models import Candidate
from careerrelay.privacy.models import ProvisionRecord, StopUseNotice
from careerrelay.talent.models import Applicant
from tests.e2e.accessibility import assert_accessible
from tests.helpers.browser import DESKTOP

PASSWORD = "correct horse battery"  # tests/factories.py UserFactory


def field(page, label):
    return page.get_by_label(re.compile("^" + re.escape(label) + r"\*?$"))


@pytest.fixture
def relay_url(live_server, settings, employer):
    settings.SITE_URL = live_server.url
    return live_server.url + employer.campaigns.get().get_absolute_url()


def test_the_consent_given_on_the_phone_is_honoured_and_withdrawn(
    relay_url, live_server, smtp_server, phone_page, new_page, employer, owner
):
    phone = phone_page
    phone.goto(relay_url)
    consent = phone.get_by_label("株式会社山﨑製作所から、今後の募集について再度連絡を受けることに同意します(任意)。")
    expect(consent).not_to_be_checked()
    field(phone, "姓").fill("髙橋")
    field(phone, "名").fill("花子")
    field(phone, "メールアドレス").fill("hanako.takahashi@example.jp")
    field(phone, "都道府県").select_option(label="東京都")
    field(phone, "希望職種").select_option("sales")
    field(phone, "経験年数").fill("5")
    field(phone, "自己紹介").fill("法人営業を5年経験しました。")
    phone.locator("#id_consent_agency_sharing").check()
    consent.check()
    phone.get_by_role("button", name="同意して登録する(無料)").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("メールボックスをご確認ください")

    received = smtp_server.sink.wait_for(1)
    link = re.search(r"(http://\S+/verify/[^\s/]+/)", received[0].text()).group(1)
    phone.goto(link)
    phone.get_by_role("button", name="登録を完了する").click()
    expect(phone).to_have_url(live_server.url + "/me/")
    expect(phone.locator("#recontact-companies")).to_contain_text("株式会社山﨑製作所")
    person = Candidate.objects.get()

    desk = new_page(**DESKTOP)
    desk.goto(live_server.url + "/accounts/login/")
    field(desk, "メールアドレス").fill(owner.email)
    field(desk, "パスワード").fill(PASSWORD)
    desk.get_by_role("button", name="ログイン").click()
    expect(desk).to_have_url(live_server.url + "/employer/")
    desk.get_by_role("link", name="再応募歓迎").click()
    assert_accessible(desk)
    rows = desk.locator("#recontact-list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).not_to_contain_text("髙橋")
    rows.first.get_by_role("link", name="詳細を見る").click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("髙橋 花子")
    expect(desk.locator("#source-record")).to_contain_text("記録番号")
    assert_accessible(desk)
    assert ProvisionRecord.objects.filter(recipient_organisation=employer, purpose="employer_recontact").count() == 1
    desk.get_by_role("button", name="タレントプールに追加").click()
    expect(desk.get_by_text("髙橋 花子 さんをタレントプールに追加しました。")).to_be_visible()
    assert Applicant.objects.get(candidate_public_id=person.public_id).recontact_ok is True

    phone.get_by_role("link", name="株式会社山﨑製作所からの再連絡への同意を撤回する").click()
    assert_accessible(phone)
    phone.get_by_role("button", name="撤回する").click()
    expect(phone.get_by_text("利用の停止を求める通知を送りました")).to_be_visible()

    desk.goto(live_server.url + "/employer/recontact/")
    expect(desk.locator("#recontact-list")).to_have_count(0)
    expect(desk.locator("#stop-use")).to_contain_text("髙橋 花子")
    assert Applicant.objects.get(candidate_public_id=person.public_id).recontact_ok is False
    assert StopUseNotice.objects.filter(agency=employer, purpose="employer_recontact").count() == 1
