"""The candidate's my page on a phone: sign in by an email link received by a real SMTP server,
edit the profile, upload a résumé (and see a disguised executable refused)."""

import pytest
from playwright.sync_api import expect

from careerrelay.candidates.models import Candidate, Resume
from tests.e2e.accessibility import assert_accessible
from tests.e2e.candidate_steps import PDF, edit_profile, field, sign_in_by_email, upload_resume
from tests.factories import CandidateFactory


@pytest.fixture
def hanako(live_server, settings, db):
    settings.SITE_URL = live_server.url
    return CandidateFactory(
        family_name="髙橋",
        given_name="花子",
        email="hanako@example.jp",
        email_normalized="hanako@example.jp",
        status="verified",
        job_category="sales",
    )


def test_a_candidate_signs_in_by_email_edits_the_profile_and_uploads_a_resume_on_a_phone(
    hanako, live_server, smtp_server, phone_page
):
    page = phone_page
    received = sign_in_by_email(page, live_server, smtp_server, "ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ")
    assert received.rcpt_tos == ["hanako@example.jp"]
    assert "髙橋様" in received.text()

    edit_profile(page)
    hanako.refresh_from_db()
    assert (hanako.family_name_kana, hanako.given_name_kana) == ("タカハシ", "ハナコ")
    assert (hanako.desired_salary_min, hanako.desired_salary_max) == (500, 800)
    assert hanako.desired_job_categories == ["sales", "marketing"]
    assert hanako.desired_prefectures == ["13", "27"]
    assert list(hanako.skill_set.values_list("key", flat=True)) == ["python", "法人営業"]
    assert sorted(hanako.work_history.values_list("company", flat=True)) == ["合同会社さくら", "株式会社山﨑製作所"]

    # A Windows program renamed to cv.pdf is refused, with the reason, and nothing is kept.
    page.get_by_role("link", name="履歴書").click()
    page.set_input_files(
        "#id_file", files=[{"name": "cv.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00" + b"\x00" * 64}]
    )
    page.get_by_role("button", name="アップロードする").click()
    expect(page.get_by_text("PDFまたはWord(.docx)のファイルではないようです。")).to_be_visible()
    assert_accessible(page)
    assert Resume.objects.count() == 0

    upload_resume(page)
    resume = Resume.objects.get(candidate=hanako)
    assert resume.original_name == "職務経歴書.pdf"
    with page.expect_download() as info:
        page.get_by_role("link", name="職務経歴書.pdf").click()
    assert info.value.suggested_filename == "職務経歴書.pdf"
    with open(info.value.path(), "rb") as downloaded:
        assert downloaded.read() == PDF

    # Nothing on the phone's page is wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_link_opened_in_another_browser_is_refused_with_a_way_forward(hanako, live_server, smtp_server, new_page):
    import re

    asking = new_page()
    asking.goto(live_server.url + "/me/signin/")
    asking.get_by_label(re.compile("^登録したメールアドレス")).fill("hanako@example.jp")
    asking.get_by_role("button", name="ログイン用のリンクを送る").click()
    link = re.search(r"(http://\S+/me/signin/link/[^\s/]+/)", smtp_server.sink.wait_for(1)[0].text()).group(1)

    mail_app = new_page()  # e.g. the mail app's own browser: other cookies
    mail_app.goto(link)
    expect(mail_app.get_by_role("heading", level=1)).to_have_text("ログインできませんでした")
    expect(mail_app.get_by_text("ログインを申し込んだブラウザでだけ使えます")).to_be_visible()
    expect(mail_app.get_by_role("button", name="ログイン用のリンクを送る")).to_be_visible()
    assert_accessible(mail_app)
    assert Candidate.objects.get().last_signed_in_at is None


def test_the_sign_in_page_opened_from_an_email_has_the_address_filled_in(hanako, live_server, smtp_server, phone_page):
    page = phone_page
    page.goto(live_server.url + "/me/signin/#email=hanako%40example.jp")
    expect(field(page, "登録したメールアドレス")).to_have_value("hanako@example.jp")
    expect(page).to_have_url(live_server.url + "/me/signin/")  # the address leaves the address bar
    page.get_by_role("button", name="ログイン用のリンクを送る").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("メールをご確認ください")
    assert smtp_server.sink.wait_for(1)[0].rcpt_tos == ["hanako@example.jp"]
