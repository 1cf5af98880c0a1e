"""The operator console's overview in a real browser: an operator signs in with their second
factor, opens the overview from the console's home, changes the period, and reads it on a phone;
every state of the page is axe-clean."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from careerrelay.credits.models import LedgerEntry
from tests.e2e.accessibility import assert_accessible
from tests.e2e.staff_steps import operator_signs_in
from tests.factories import CandidateFactory, EmployerFactory, OperatorFactory
from tests.helpers.browser import DESKTOP

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_operator_reads_the_overview_on_a_desk_and_on_a_phone(new_page, live_server, settings):
    settings.SITE_URL = live_server.url
    employer = EmployerFactory(name="株式会社山﨑製作所")
    CandidateFactory(source_campaign=employer.campaigns.get(), status="verified")
    LedgerEntry.objects.create(organisation=employer, kind="referral_counted", amount=1, subject_key=uuid.uuid4())
    LedgerEntry.objects.create(organisation=employer, kind="credit_granted", amount=1, sequence=1)
    EmployerFactory(status="pending")
    operator = OperatorFactory(email="operator@careerrelay.example")

    page = new_page(**DESKTOP)
    problems = []  # script errors and Content-Security-Policy refusals (the page's own script and styles)
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    operator_signs_in(page, live_server, operator)
    page.get_by_role("link", name="ファネル・人材紹介会社の活動・未使用の無料紹介枠・確認待ちの件数を見る").click()
    expect(page.get_by_role("heading", name="運営ダッシュボード")).to_be_visible()
    expect(page.get_by_role("table", name="週ごとのファネル(各週の月曜日)")).to_be_visible()
    expect(page.locator("#ops-credits-value")).to_have_text("1,750,000円")
    assert_accessible(page)

    page.get_by_label("集計の単位").select_option("month")
    page.get_by_role("button", name="表示").click()
    expect(page.get_by_role("table", name="月ごとのファネル(各月の開始日)")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("row", name="承認待ちの採用企業").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"status__exact=pending"))

    phone = new_page()  # phone-sized, with the same session
    phone.context.add_cookies(page.context.cookies())
    phone.goto(f"{live_server.url}/operator/console/")
    expect(phone.get_by_role("table", name="現在の無料紹介枠(全企業)")).to_be_visible()
    assert_accessible(phone)
    assert problems == []
