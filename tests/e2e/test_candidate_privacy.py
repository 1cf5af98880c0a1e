"""The rest of the candidate's phone journey: after signing in, editing the profile and uploading
a résumé (tests/e2e/candidate_steps.py), withdraw a consent, download everything, leave."""

import json
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import Actor, ActorKind
from careerrelay.candidates.models import Candidate
from careerrelay.privacy import services as privacy
from careerrelay.privacy.models import StopUseNotice
from tests.e2e.accessibility import assert_accessible
from tests.e2e.candidate_steps import edit_profile, sign_in_by_email, upload_resume
from tests.factories import CandidateFactory, EmployerFactory


@pytest.fixture
def hanako(live_server, settings, db):
    settings.SITE_URL = live_server.url
    candidate = CandidateFactory(
        family_name="髙橋",
        given_name="花子",
        email="hanako@example.jp",
        email_normalized="hanako@example.jp",
        status="verified",
        job_category="sales",
    )
    privacy.grant_consent(candidate=candidate, purpose="agency_sharing", actor=Actor.for_candidate(candidate))
    agency = EmployerFactory(name="株式会社みらい人材", kind="agency")
    privacy.record_provision(
        candidate=candidate,
        recipient_organisation=agency,
        items=["profile"],
        channel="page",
        actor=Actor(ActorKind.AGENCY),
    )
    return candidate


def test_a_candidate_withdraws_consent_downloads_their_data_and_deletes_the_account_on_a_phone(
    hanako, live_server, smtp_server, phone_page
):
    page = phone_page
    sign_in_by_email(page, live_server, smtp_server, "hanako@example.jp")
    edit_profile(page, summary="営業の経験を活かせる仕事を探しています。")
    upload_resume(page)

    # Who has my data, then stop sharing it.
    page.get_by_role("link", name="提供記録").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("わたしの情報を受け取った会社")
    expect(page.get_by_role("heading", level=2)).to_contain_text("株式会社みらい人材")
    assert_accessible(page)
    page.get_by_role("link", name="同意の管理").click()
    page.wait_for_url("**/me/consents/")
    assert_accessible(page)
    page.locator("#consent-agency_sharing").get_by_role("link", name="同意を撤回する").click()
    expect(page.get_by_text("株式会社みらい人材")).to_be_visible()  # who will be asked to stop
    assert_accessible(page)
    page.get_by_role("button", name="撤回する").click()
    expect(page.get_by_text("あなたのプロフィールは人材紹介会社から見えなくなりました。")).to_be_visible()
    assert_accessible(page)
    assert list(privacy.agency_visible_candidates()) == []
    assert StopUseNotice.objects.filter(subject_key=hanako.public_id).count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Download everything, machine-readable and readable.
    page.get_by_role("link", name="データのダウンロード").click()
    page.wait_for_url("**/me/data/")
    assert_accessible(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="機械で読める形式(JSON)でダウンロード").click()
    data = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert data["profile"]["family_name"] == "髙橋"
    assert data["profile"]["summary"] == "営業の経験を活かせる仕事を探しています。"
    assert data["resume"]["original_name"] == "職務経歴書.pdf"
    assert [c["action"]["value"] for c in data["consents"]] == ["grant", "withdraw"]
    assert data["provision_records"][0]["recipient"] == "株式会社みらい人材"
    with page.expect_download() as info:
        page.get_by_role("button", name="読みやすい形式(HTML)でダウンロード").click()
    readable = Path(info.value.path()).read_text(encoding="utf-8")
    assert "株式会社山﨑製作所" in readable
    assert AuditEvent.objects.filter(action="export", subject_key=hanako.public_id).count() == 2

    # Leave: a wrong word is refused with the reason, then the account is gone.
    page.get_by_role("link", name="退会").click()
    confirm = page.get_by_label("確認のため「削除」と入力してください")
    confirm.fill("さくじょ")
    page.get_by_role("button", name="退会してすべてのデータを削除する").click()
    expect(page.get_by_text("「削除」と入力してください。")).to_be_visible()
    expect(confirm).to_have_value("さくじょ")
    assert_accessible(page)
    confirm.fill("削除")
    page.get_by_role("button", name="退会してすべてのデータを削除する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("退会しました")
    assert_accessible(page)
    assert not Candidate.objects.filter(pk=hanako.pk).exists()
    assert list(Path(django_settings.MEDIA_ROOT).rglob("*.pdf")) == []
    page.goto(live_server.url + "/me/")
    expect(page).to_have_url(live_server.url + "/me/signin/?next=%2Fme%2F")
