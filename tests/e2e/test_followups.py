"""An employer in a real browser: opens the follow-up page from the menu, turns the 6-month step
on, edits its delay (a mistake first, corrected), and the page stays accessible throughout."""

import pytest

from careerrelay.followups.models import FollowupStep
from tests.e2e.accessibility import assert_accessible
from tests.e2e.staff_steps import logged_in_page
from tests.factories import EmployerFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_turn_a_step_on_and_edit_its_delay(new_page, live_server):
    employer = EmployerFactory(name="株式会社山﨑製作所")
    user = MembershipFactory(organisation=employer, role="admin", user=UserFactory(email="owner@yamasaki.example")).user
    page = logged_in_page(new_page, live_server, user)

    page.goto(live_server.url + "/employer/")
    page.get_by_role("link", name="フォローアップ").click()
    page.get_by_role("button", name="「6ヶ月後の再チャレンジ案内」を有効にする").click()
    page.get_by_role("button", name="「6ヶ月後の再チャレンジ案内」を停止する").wait_for()
    assert_accessible(page)
    step = FollowupStep.objects.get(organisation=employer, default_key="6_months")
    assert step.active

    page.locator(f"#step-{step.pk}").get_by_role("link", name="編集").click()
    page.get_by_label("不採用日から何日後に送るか").fill("0")
    page.get_by_role("button", name="保存する").click()
    page.locator("#id_delay_days_error").wait_for()
    assert_accessible(page)
    page.get_by_label("不採用日から何日後に送るか").fill("180")
    page.get_by_role("button", name="保存する").click()
    page.get_by_text("不採用日の180日後").wait_for()
    step.refresh_from_db()
    assert (step.delay_days, step.active) == (180, True)
