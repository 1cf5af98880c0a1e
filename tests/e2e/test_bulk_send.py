"""An employer in a real browser: imports applicants from a CSV, edits a rejection template with
the live preview, sends it to them, and watches the progress bar fill without reloading while
the worker delivers to a real SMTP server."""

import pytest

from careerrelay.sends import services as sends
from careerrelay.sends.models import Send
from tests.e2e.accessibility import assert_accessible
from tests.e2e.staff_steps import logged_in_page
from tests.factories import EmployerFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

CSV = (
    "氏名,メールアドレス,応募職種,選考段階,不採用日\r\n"
    "髙橋 花子,hanako@example.jp,法人営業,一次面接,2026/11/02\r\n"
    "山﨑 太郎,taro@example.jp,法人営業,最終面接,2026/11/02\r\n"
    "佐藤 一郎,ichiro@example.jp,エンジニア,書類選考,2026/11/05\r\n"
).encode("utf-8-sig")


def test_import_edit_send_and_watch_the_progress_bar_finish(new_page, live_server, smtp_server, settings, tmp_path):
    settings.SITE_URL = live_server.url
    # Nothing runs inside the web request: the test plays the worker, after the page is open.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    employer = EmployerFactory(name="株式会社山﨑製作所")
    user = MembershipFactory(organisation=employer, user=UserFactory(email="owner@yamasaki.example")).user
    page = logged_in_page(new_page, live_server, user)

    # 1. Import the CSV.
    csv_path = tmp_path / "applicants.csv"
    csv_path.write_bytes(CSV)
    page.goto(live_server.url + "/employer/applicants/import/")
    assert_accessible(page)
    page.locator("input[type=file]").set_input_files(str(csv_path))
    page.get_by_role("button", name="アップロードして次へ").click()
    page.get_by_role("button", name="次へ(確認)").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="次へ(確認)").click()
    page.get_by_role("button", name="3人を取り込む").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="3人を取り込む").click()
    page.get_by_text("hanako@example.jp").wait_for()
    assert_accessible(page)

    # 2. A template from a preset, edited with the live preview.
    page.goto(live_server.url + "/employer/templates/")
    assert_accessible(page)
    page.get_by_role("link", name="このプリセットから作成").first.click()
    page.get_by_label("プレビューに使う応募者").select_option(label="山﨑 太郎（法人営業）")
    page.get_by_label("テンプレート名").fill("一次面接・お見送り")
    page.get_by_label("件名").fill("{{company_name}}より選考結果のご連絡（{{applicant_name}} 様）")
    page.locator("#template-preview .rt-subject").get_by_text(
        "株式会社山﨑製作所より選考結果のご連絡（山﨑 太郎 様）"
    ).wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="保存する").click()
    page.get_by_role("link", name="送信").first.wait_for()
    assert_accessible(page)

    # 3. Choose the applicants, preview each message, send.
    page.get_by_role("link", name="送信", exact=True).click()
    page.get_by_role("link", name="新しく送信する").click()
    page.locator("#filter_job_title").select_option("法人営業")
    page.get_by_role("button", name="絞り込む").click()
    page.get_by_text("条件に一致する応募者: 2人").wait_for()
    # The template just edited is already chosen in the send form.
    assert page.locator("#id_template option:checked").inner_text() == "一次面接・お見送り"
    assert_accessible(page)
    page.get_by_label("送信者名").fill("人事部 鈴木")
    page.get_by_role("button", name="プレビューして確認する").click()
    preview = page.frame_locator("#send-preview-frame")
    preview.locator("#preview-subject").wait_for()
    page.get_by_label("プレビューする宛先").select_option(label="髙橋 花子 <hanako@example.jp>")
    preview.get_by_text("株式会社山﨑製作所より選考結果のご連絡（髙橋 花子 様）").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="送信する").click()

    # 4. The detail page polls; the worker delivers; the bar fills without a reload.
    page.get_by_role("heading", name="送信の詳細").wait_for()
    progress = page.locator("#send-progress-bar")
    assert progress.get_attribute("value") == "0"
    send = Send.objects.get()
    assert sends.run_send_batch(send.pk) == {"sent": 2}
    page.locator('#send-progress [data-count="percent"]').get_by_text("100").wait_for()
    page.locator('#send-progress [data-count="state_label"]').get_by_text("完了").wait_for()
    assert progress.get_attribute("value") == "2"
    assert page.locator('[data-count="sent"]').inner_text() == "2"
    assert page.locator("#send-cancel").count() == 0
    # The table of messages not yet delivered follows once the send is over: none left, and no
    # delivered recipient is ever listed (nothing per recipient about clicks or registrations).
    page.locator("#all-delivered").wait_for()
    assert_accessible(page)
    assert page.locator("#send-recipients").get_by_text("送信待ち").count() == 0
    assert page.locator("#send-recipients").get_by_text("hanako@example.jp").count() == 0
    received = sorted(smtp_server.sink.wait_for(2), key=lambda r: r.rcpt_tos[0])
    assert [r.rcpt_tos[0] for r in received] == ["hanako@example.jp", "taro@example.jp"]
    assert "株式会社山﨑製作所より選考結果のご連絡（髙橋 花子 様）" in str(received[0].message["Subject"])
