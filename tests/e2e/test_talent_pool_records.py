"""An employer in a real browser keeps a rejected applicant's record: skills, tags and the
structured reason on the form, then an evaluation note on the detail page, under the CSP; the
reason list settings page is reached from the menu. Every page passes axe-core."""

import pytest

from careerrelay.talent.models import Applicant, ApplicantNote
from tests.e2e.accessibility import assert_accessible
from tests.e2e.staff_steps import logged_in_page
from tests.factories import EmployerFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_employer_records_skills_tags_reason_and_a_note(new_page, live_server):
    employer = EmployerFactory(name="株式会社山﨑製作所")
    user = MembershipFactory(organisation=employer, role="admin", user=UserFactory(email="owner@yamasaki.example")).user
    page = logged_in_page(new_page, live_server, user)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto(live_server.url + "/employer/applicants/new/")
    assert_accessible(page)
    page.locator("#id_family_name").fill("髙橋")
    page.locator("#id_email").fill("hanako@example.jp")
    page.locator("#id_reason").select_option(label="条件不一致（給与・勤務地・勤務形態）")
    page.locator("#id_skills").fill("ＰＹＴＨＯＮ、python、簿記２級")
    page.locator("#id_tags").fill("ＰＭ候補, pm候補")
    page.locator("#id_years_experience").fill("6")
    page.get_by_role("button", name="登録する", exact=True).click()

    page.get_by_role("heading", name="評価コメント").wait_for()
    assert_accessible(page)
    assert page.locator("#skills").inner_text().split() == ["PYTHON", "簿記2級"]
    assert page.locator("#tags").inner_text() == "PM候補"
    page.locator("#id_body").fill("論理的で、説明が分かりやすい。")
    page.get_by_role("button", name="評価コメントを追加").click()
    page.locator("#evaluation-notes").get_by_text("論理的で、説明が分かりやすい。").wait_for()
    assert (user.name or user.email) in page.locator("#evaluation-notes").inner_text()

    page.get_by_role("link", name="不採用理由の設定").click()
    page.get_by_role("heading", name="不採用理由の設定").wait_for()
    assert_accessible(page)
    assert errors == []

    applicant = Applicant.objects.get(organisation=employer)
    assert (applicant.reason.kind, applicant.years_experience) == ("conditions", 6)
    assert ApplicantNote.objects.get(applicant=applicant).author == user
