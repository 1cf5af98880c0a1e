"""The CSV import through its pages: a phone column is recognised and checked, free text (job
titles, notes) is kept exactly as typed, and only identifying keys (email, phone) are folded."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from careerrelay.talent.models import Applicant, ImportUpload

pytestmark = pytest.mark.django_db

HEADER = ["氏名", "メールアドレス", "携帯電話番号", "応募職種", "評価メモ"]
ROWS = [
    # lines 2-3 (the notes cell holds a line break)
    ["髙橋 花子", "ＨＡＮＡＫＯ＠example.jp", "０９０－１２３４－５６７８", "営業（東京～大阪）", "①丁寧\n②ＩＴ"],
    ["山﨑 太郎", "taro@example.jp", "12345", "エンジニア", ""],  # 4: not a phone number
    ["佐藤 一郎", "ichiro@example.jp", "", "営業", "メモ\x01"],  # 5: a control character
]


def csv_bytes(rows):
    def cell(value):
        return '"' + value.replace('"', '""') + '"'

    lines = [",".join(cell(c) for c in row) for row in [HEADER, *rows]]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def test_phone_column_is_mapped_checked_and_free_text_kept_as_typed(member_client, employer):
    response = member_client.post(
        reverse("employer:applicant_import"), {"file": SimpleUploadedFile("ats.csv", csv_bytes(ROWS), "text/csv")}
    )
    upload = ImportUpload.objects.get(organisation=employer)
    mapping = member_client.get(response["Location"])
    assert mapping.context["form"]["phone"].value() == "2"
    chosen = {"full_name": "0", "email": "1", "phone": "2", "job_title": "3", "notes": "4"}
    preview_url = member_client.post(response["Location"], chosen)["Location"]

    preview = member_client.get(preview_url)
    assert [p.line for p in preview.context["problems"]] == [4, 5]
    page = preview.content.decode()
    assert "電話番号の形式が正しくありません（12345）。" in page
    assert "使用できない制御文字が含まれています（notes）。" in page

    assert member_client.post(preview_url, {"skip_lines": "4,5"}).status_code == 302
    applicant = Applicant.objects.get(organisation=employer)
    assert applicant.email == "hanako@example.jp"
    assert applicant.phone == "090-1234-5678"
    assert applicant.job_title == "営業（東京～大阪）"
    assert applicant.notes == "①丁寧\n②ＩＴ"
    assert not ImportUpload.objects.filter(pk=upload.pk).exists()


def test_the_phone_number_is_shown_and_edited_on_the_applicant_pages(member_client, employer):
    data = {"family_name": "髙橋", "email": "hanako@example.jp", "phone": "０９０－１２３４－５６７８"}
    data["stage"] = "other"
    response = member_client.post(reverse("employer:applicant_add"), data)
    applicant = Applicant.objects.get(organisation=employer)
    assert response.status_code == 302
    assert applicant.phone == "090-1234-5678"
    assert "090-1234-5678" in member_client.get(reverse("employer:applicant_detail", args=[applicant.pk])).text

    refused = member_client.post(reverse("employer:applicant_add"), {**data, "email": "b@example.jp", "phone": "12"})
    assert "phone" in refused.context["form"].errors
    assert 'value="12"' in refused.text
    assert Applicant.objects.count() == 1
