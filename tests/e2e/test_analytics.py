"""The employer's 分析 page in a browser, at a desk and on a phone: the charts are images with a
name and a text alternative, the figures fit the screen, and axe finds nothing serious."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from careerrelay.analytics.aggregation import aggregate, today
from careerrelay.relay.services import create_campaign
from tests.analytics import helpers as h
from tests.e2e.accessibility import assert_accessible
from tests.e2e.staff_steps import logged_in_page

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_hr_manager_reads_the_funnel_chart(live_server, new_page, employer, owner):
    campaign = create_campaign(organisation=employer, name="転職フェア")
    template = h.template(employer)
    for days_ago in range(1, 15):
        the_send = h.send(employer, campaign, template, h.at(today() - timedelta(days=days_ago), 9))
        for i in range(3):
            sent = h.at(today() - timedelta(days=days_ago), 9, i)
            h.message(the_send, h.applicant(employer, "営業"), sent, sent + timedelta(hours=1) if i == 0 else None)
        h.registration(campaign, h.at(today() - timedelta(days=days_ago), 12))
    aggregate(today() - timedelta(days=20), today() - timedelta(days=1))

    page = logged_in_page(new_page, live_server, owner)
    page.goto(f"{live_server.url}/employer/analytics/")
    chart = page.get_by_role("img", name="ファネル", exact=False).first
    expect(chart).to_be_visible()
    description = page.locator("#chart-funnel-desc").text_content()
    assert "不採用通知を42通送信し" in description and "登録開始は14名" in description
    expect(page.locator("#chart-funnel-summary")).to_have_text(description)
    assert_accessible(page)

    page.get_by_label("内訳").select_option("campaign")
    page.get_by_role("button", name="表示する").click()
    expect(page.locator("#group-table")).to_contain_text("転職フェア")
    assert_accessible(page)

    phone = logged_in_page(new_page, live_server, owner)
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(f"{live_server.url}/employer/analytics/")
    expect(phone.get_by_role("img", name="期間ごとの登録と無料紹介枠")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(phone)
