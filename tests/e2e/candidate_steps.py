"""Steps of the candidate's my-page journey in a real browser, for reuse by other e2e tests.

    page = phone_page
    sign_in_by_email(page, live_server, smtp_server, "hanako@example.jp")
    edit_profile(page)
    upload_resume(page)

`settings.SITE_URL` must be `live_server.url` (links in emails point at it), and the candidate must
exist and be verified (tests.factories.CandidateFactory(status="verified", ...)).
"""

import re

from playwright.sync_api import expect

from tests.e2e.accessibility import assert_accessible

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def field(page, label):
    """The input named by its <label> (required fields add an asterisk to the label)."""
    return page.get_by_label(re.compile("^" + re.escape(label) + r"\*?$"))


def sign_in_by_email(page, live_server, smtp_server, email):
    """Ask for a link on /me/signin/, take it from the real SMTP server, open it, press the button."""
    already = len(smtp_server.sink.messages)
    page.goto(live_server.url + "/me/signin/")
    assert_accessible(page)
    field(page, "登録したメールアドレス").fill(email)
    page.get_by_role("button", name="ログイン用のリンクを送る").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("メールをご確認ください")
    assert_accessible(page)

    received = smtp_server.sink.wait_for(already + 1)[-1]
    link = re.search(r"(http://\S+/me/signin/link/[^\s/]+/)", received.text()).group(1)
    assert link in received.html()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("マイページにログイン")
    assert_accessible(page)
    page.get_by_role("button", name="ログインする").click()
    expect(page).to_have_url(live_server.url + "/me/")
    expect(page.get_by_text("最終更新日")).to_be_visible()
    assert_accessible(page)
    return received


def edit_profile(page, *, summary="法人営業を5年、マーケティングを2年経験しました。"):
    """Fill the profile the way a Japanese phone keyboard types it, add two jobs, save."""
    page.goto(page.url.split("/me/")[0] + "/me/")
    field(page, "セイ(フリガナ・任意)").fill("たかはし")
    field(page, "メイ(フリガナ・任意)").fill("はなこ")
    page.get_by_label("マーケティング・企画").check()
    page.get_by_text("希望勤務地を選ぶ").click()  # opens the <details>
    page.get_by_label("東京都").check()
    page.get_by_label("大阪府").check()
    page.get_by_label("一部リモートを希望").check()
    field(page, "希望年収(下限・万円)").fill("５００")
    field(page, "希望年収(上限・万円)").fill("８００")

    skills = page.locator("#id_skills_text_entry")  # the tag input made from the plain text field
    for skill in ("ＰＹＴＨＯＮ", "Python", "法人営業"):
        skills.fill(skill)
        skills.press("Enter")
    expect(page.locator(".tag")).to_have_count(2)  # ＰＹＴＨＯＮ and Python are one skill
    field(page, "自己紹介").fill(summary)

    page.locator("#id_history-0-company").fill("株式会社山﨑製作所")
    page.locator("#id_history-0-role").fill("法人営業")
    page.locator("#id_history-0-started_on").fill("2019-04")
    page.locator("#id_history-0-ended_on").fill("2024-03")
    page.get_by_role("button", name="職歴を追加").click()
    page.locator("#id_history-1-company").fill("合同会社さくら")
    page.locator("#id_history-1-started_on").fill("2024-04")

    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_text("プロフィールを保存しました。")).to_be_visible()
    expect(field(page, "自己紹介")).to_have_value(summary)


def upload_resume(page, *, name="職務経歴書.pdf", content=PDF):
    page.get_by_role("link", name="履歴書").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("履歴書")
    assert_accessible(page)
    page.set_input_files("#id_file", files=[{"name": name, "mimeType": "application/pdf", "buffer": content}])
    page.get_by_role("button", name="アップロードする").click()
    expect(page.get_by_text("履歴書をアップロードしました。")).to_be_visible()
    expect(page.get_by_role("link", name=name)).to_be_visible()
