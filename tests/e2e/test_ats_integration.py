"""An employer admin connects Greenhouse in a real browser: adds the integration, reads the
webhook URL and the set-up steps, sees the first rejection's reason arrive in the mapping table,
maps it to 「人材プールのみ」 with a template and opens the 「ATSにコピー」 text with the relay
link. Every page is checked with axe."""

import urllib.request

import pytest
from django.core.management import call_command

from careerrelay.integrations.models import Integration
from careerrelay.talent.models import Applicant
from tests.e2e.accessibility import assert_accessible
from tests.e2e.staff_steps import logged_in_page
from tests.factories import EmployerFactory, MembershipFactory, UserFactory
from tests.helpers import ats_payloads

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SECRET = "greenhouse-secret-key-e2e"


def greenhouse_posts(url, body):
    request = urllib.request.Request(url, data=body, headers=ats_payloads.sign_greenhouse(SECRET, body), method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def test_connect_greenhouse_map_the_first_reason_and_copy_the_text(new_page, live_server, settings):
    settings.SITE_URL = live_server.url
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    employer = EmployerFactory(name="株式会社山﨑製作所")
    user = MembershipFactory(organisation=employer, role="admin", user=UserFactory(email="owner@yamasaki.example")).user
    page = logged_in_page(new_page, live_server, user)

    page.goto(live_server.url + "/employer/")
    page.get_by_role("link", name="ATS連携").click()
    assert_accessible(page)
    page.locator("#id_kind").select_option("greenhouse")
    page.locator("#id_name").fill("Greenhouse（中途）")
    page.locator("#id_secret").fill(SECRET)
    page.get_by_role("button", name="追加する").click()

    page.get_by_role("heading", name="ATS側の設定").wait_for()
    integration = Integration.objects.get(organisation=employer)
    webhook_url = f"{live_server.url}/hooks/ats/{integration.public_id}/"
    assert page.get_by_label("Webhook URL").input_value() == webhook_url
    page.get_by_text("Configure → Dev Center → Web Hooks").wait_for()
    page.get_by_text("Candidate or Prospect rejected", exact=False).first.wait_for()
    page.get_by_text("まだ不採用理由は届いていません。").wait_for()
    assert SECRET not in page.content()
    assert_accessible(page)

    # Greenhouse pings on saving, then posts the first rejection; the worker processes it.
    assert greenhouse_posts(webhook_url, ats_payloads.greenhouse_ping()) == 200
    body = ats_payloads.greenhouse_rejection(
        first_name="花子", last_name="髙橋", emails=[("hanako.takahashi@example.jp", "personal")], reason="Too Junior"
    )
    assert greenhouse_posts(webhook_url, body) == 202
    call_command("worker", burst=True, no_periodic=True)
    assert Applicant.objects.get(organisation=employer).family_name == "髙橋"

    page.reload()
    row = page.locator("#reason-mappings tbody tr").filter(has_text="Too Junior")
    row.get_by_text("未設定").wait_for()
    page.get_by_role("cell", name="処理済み").first.wait_for()
    assert_accessible(page)
    row.get_by_role("link", name="設定").click()

    page.get_by_role("heading", name="「Too Junior」の対応").wait_for()
    assert_accessible(page)
    page.locator("#id_action").select_option("pool_only")
    page.locator("#id_template").select_option(index=1)
    page.get_by_role("button", name="保存する").click()

    page.get_by_text("「Too Junior」の対応を保存しました。").wait_for()
    row = page.locator("#reason-mappings tbody tr").filter(has_text="Too Junior")
    assert row.get_by_text("未設定").count() == 0
    row.get_by_text("人材プールに登録のみ（ATSから送信）").wait_for()
    assert_accessible(page)
    row.get_by_role("link", name="ATSにコピー").click()

    page.get_by_role("heading", name="「Too Junior」の不採用メールをATSにコピー").wait_for()
    campaign = employer.campaigns.get(is_default=True)
    assert campaign.url in page.get_by_label("本文").input_value()
    assert page.get_by_label("件名").input_value()
    assert_accessible(page)
