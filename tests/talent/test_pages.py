import codecs
import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careerrelay.talent import importing, services
from careerrelay.talent.models import Applicant, ImportMapping, ImportUpload
from tests.helpers.talent import GOOD_AND_BAD, SYSTEM, csv_bytes


def _upload_file(client, data, name="ats-export.csv"):
    return client.post(reverse("employer:applicant_import"), {"file": SimpleUploadedFile(name, data, "text/csv")})


def _read_csv(response, encoding):
    text = response.content.decode(encoding)
    return list(csv.reader(io.StringIO(text, newline="")))


# --- Tenant isolation: every applicants URL, for the owner, a member and an outsider. ---------


@pytest.fixture
def upload(employer):
    return importing.store_upload(organisation=employer, user=None, filename="a.csv", data=csv_bytes(GOOD_AND_BAD[:2]))


OBJECT_PAGES = [
    ("employer:applicant_detail", "GET"),
    ("employer:applicant_edit", "GET"),
    ("employer:applicant_edit", "POST"),
    ("employer:applicant_delete", "POST"),
]
UPLOAD_PAGES = [
    ("employer:applicant_import_mapping", "GET"),
    ("employer:applicant_import_mapping", "POST"),
    ("employer:applicant_import_preview", "GET"),
    ("employer:applicant_import_preview", "POST"),
    ("employer:applicant_import_cancel", "POST"),
]


@pytest.mark.parametrize(("name", "method"), OBJECT_PAGES)
def test_an_outsider_cannot_reach_another_companys_applicant(outsider_client, applicant, name, method):
    url = reverse(name, args=[applicant.pk])
    response = outsider_client.get(url) if method == "GET" else outsider_client.post(url, {"family_name": "乗っ取り"})
    assert response.status_code == 404
    applicant.refresh_from_db()
    assert applicant.family_name == "髙橋"


@pytest.mark.parametrize(("name", "method"), UPLOAD_PAGES)
def test_an_outsider_cannot_reach_another_companys_upload(outsider_client, upload, name, method):
    url = reverse(name, args=[upload.pk])
    response = outsider_client.get(url) if method == "GET" else outsider_client.post(url, {"skip_lines": ""})
    assert response.status_code == 404
    assert ImportUpload.objects.filter(pk=upload.pk).exists()
    assert Applicant.objects.count() == 0


@pytest.mark.parametrize("name", ["employer:applicant_detail", "employer:applicant_edit"])
@pytest.mark.parametrize("who", ["owner_client", "member_client"])
def test_owner_and_member_see_their_companys_applicant(request, applicant, name, who):
    response = request.getfixturevalue(who).get(reverse(name, args=[applicant.pk]))
    assert response.status_code == 200
    assert "髙橋" in response.content.decode()


@pytest.mark.parametrize("who", ["owner_client", "member_client"])
def test_owner_and_member_reach_the_import_steps(request, upload, who):
    client = request.getfixturevalue(who)
    assert client.get(reverse("employer:applicant_import_mapping", args=[upload.pk])).status_code == 200
    assert client.get(reverse("employer:applicant_import_preview", args=[upload.pk])).status_code == 200


def test_an_outsider_never_sees_another_companys_applicants_in_lists_or_exports(outsider_client, applicant):
    page = outsider_client.get(reverse("employer:applicants"))
    assert page.status_code == 200
    assert "髙橋" not in page.content.decode()
    assert applicant.email not in page.content.decode()
    search = outsider_client.get(reverse("employer:applicants"), {"q": "takahashi"})
    assert list(search.context["page"].object_list) == []
    assert "髙橋" not in search.content.decode()
    export = outsider_client.get(reverse("employer:applicant_export"))
    assert _read_csv(export, "utf-8-sig")[1:] == []


@pytest.mark.parametrize(
    "url",
    [
        reverse("employer:applicants"),
        reverse("employer:applicant_add"),
        reverse("employer:applicant_export"),
        reverse("employer:applicant_import"),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- List, add, edit, delete -----------------------------------------------------------------


def test_the_list_filters_and_searches(member_client, employer, applicant):
    services.create_applicant(
        actor=SYSTEM, organisation=employer, data={"family_name": "山﨑", "email": "y@example.jp"}
    )

    def names(**params):
        response = member_client.get(reverse("employer:applicants"), params)
        assert response.status_code == 200
        return [a.full_name for a in response.context["page"].object_list]

    assert names() == ["山﨑", "髙橋 花子"]
    assert "髙橋 花子" in member_client.get(reverse("employer:applicants")).content.decode()
    assert names(job="法人営業") == ["髙橋 花子"]
    assert names(stage="first_interview") == ["髙橋 花子"]
    assert names(q="ﾀｶﾊｼ") == ["髙橋 花子"]
    assert names(q="y@example") == ["山﨑"]


def test_a_mistyped_filter_date_narrows_nothing_and_is_explained(member_client, applicant):
    response = member_client.get(reverse("employer:applicants"), {"rejected_from": "あした"})
    assert response.status_code == 200
    assert "髙橋 花子" in response.content.decode()
    assert "日付を 2026-11-01 の形で入力してください。" in response.content.decode()


def test_the_list_paginates_and_keeps_the_filters(member_client, employer):
    for i in range(51):
        services.create_applicant(
            actor=SYSTEM,
            organisation=employer,
            data={"family_name": f"応募者{i}", "email": f"a{i}@example.jp", "job_title": "営業"},
        )
    response = member_client.get(reverse("employer:applicants"), {"job": "営業"})
    assert len(response.context["page"].object_list) == 50
    assert "job=%E5%96%B6%E6%A5%AD&amp;page=2" in response.content.decode()
    second = member_client.get(reverse("employer:applicants"), {"job": "営業", "page": 2})
    assert len(second.context["page"].object_list) == 1


def test_a_member_adds_an_applicant_one_by_one(member_client, employer):
    response = member_client.post(
        reverse("employer:applicant_add"),
        {
            "family_name": "山﨑",
            "given_name": "太郎",
            "family_name_kana": "やまざき",
            "given_name_kana": "ﾀﾛｳ",
            "email": "ＴＡＲＯ＠example.jp",
            "stage": "final_interview",
            "rejected_on": "2026/11/20",
            "notes": "技術力は十分。",
        },
    )
    applicant = Applicant.objects.get(organisation=employer)
    assert response.status_code == 302
    assert response["Location"] == reverse("employer:applicant_detail", args=[applicant.pk])
    assert (applicant.full_name, applicant.full_name_kana, applicant.email) == (
        "山﨑 太郎",
        "ヤマザキ タロウ",
        "taro@example.jp",
    )
    assert applicant.rejected_on.isoformat() == "2026-11-20"
    detail = member_client.get(response["Location"]).content.decode()
    assert "技術力は十分。" in detail


def test_adding_a_duplicate_keeps_what_was_typed_and_says_why(member_client, employer, applicant):
    response = member_client.post(
        reverse("employer:applicant_add"),
        {"family_name": "髙橋", "given_name": "花", "email": "HANAKO.TAKAHASHI@example.jp", "stage": "other"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "このメールアドレスの応募者はすでに登録されています。重複して登録することはできません。"
    ]
    assert 'value="花"' in response.content.decode()
    assert Applicant.objects.filter(organisation=employer).count() == 1


def test_missing_fields_get_japanese_errors(member_client, employer):
    response = member_client.post(reverse("employer:applicant_add"), {"email": "bad", "stage": "other"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["family_name"] == ["姓を入力してください。"]
    assert errors["email"] == ["メールアドレスの形式が正しくありません。"]
    assert Applicant.objects.count() == 0


def test_a_member_edits_an_applicant(member_client, applicant):
    data = {
        "family_name": "髙橋",
        "given_name": "花子",
        "email": applicant.email,
        "stage": "final_interview",
        "notes": "最終面接まで進んだ。",
        "recontact_ok": "on",
    }
    response = member_client.post(reverse("employer:applicant_edit", args=[applicant.pk]), data)
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert (applicant.stage, applicant.notes, applicant.recontact_ok) == (
        "final_interview",
        "最終面接まで進んだ。",
        True,
    )


def test_a_member_deletes_an_applicant_with_post_only(member_client, applicant):
    url = reverse("employer:applicant_delete", args=[applicant.pk])
    assert member_client.get(url).status_code == 405
    assert member_client.post(url).status_code == 302
    assert not Applicant.objects.filter(pk=applicant.pk).exists()


def test_the_list_page_makes_the_same_queries_for_one_or_three_applicants(member_client, employer):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert member_client.get(reverse("employer:applicants")).status_code == 200
        return len(queries)

    services.create_applicant(
        actor=SYSTEM, organisation=employer, data={"family_name": "髙橋", "email": "a0@example.jp"}
    )
    one = count()
    for i in (1, 2):
        services.create_applicant(
            actor=SYSTEM, organisation=employer, data={"family_name": "山﨑", "email": f"a{i}@example.jp"}
        )
    assert count() == one


# --- Import flow through the pages ------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_the_import_flow_reports_then_imports_with_explicit_skips(member_client, employer, encoding):
    response = _upload_file(member_client, csv_bytes(GOOD_AND_BAD, encoding=encoding))
    upload = ImportUpload.objects.get(organisation=employer)
    assert response["Location"] == reverse("employer:applicant_import_mapping", args=[upload.pk])

    mapping = member_client.get(response["Location"])
    assert mapping.context["form"]["email"].value() == "2"
    assert mapping.context["sample"][0][:3] == ["髙橋　花子", "ﾀｶﾊｼ ﾊﾅｺ", "ＨＡＮＡＫＯ＠ｅｘａｍｐｌｅ．ｊｐ"]
    fields = ["full_name", "full_name_kana", "email", "job_title", "stage", "rejection_reason", "rejected_at"]
    chosen = {name: str(index) for index, name in enumerate(fields)}
    response = member_client.post(response["Location"], chosen)
    assert response["Location"] == reverse("employer:applicant_import_preview", args=[upload.pk])

    preview = member_client.get(response["Location"])
    page = preview.content.decode()
    assert [p.line for p in preview.context["problems"]] == [4, 5, 6, 7]
    assert "メールアドレスの形式が正しくありません（not-an-email）。" in page
    assert 'name="skip_lines" value="4,5,6,7"' in page
    assert Applicant.objects.count() == 0

    # All or nothing: without skips, nothing is saved.
    refused = member_client.post(response["Location"], {"skip_lines": ""})
    assert refused.status_code == 400
    assert Applicant.objects.count() == 0

    done = member_client.post(response["Location"], {"skip_lines": "4,5,6,7"})
    assert done.status_code == 302
    assert sorted(Applicant.objects.filter(organisation=employer).values_list("family_name", flat=True)) == [
        "山﨑",
        "髙橋",
    ]
    assert not ImportUpload.objects.filter(pk=upload.pk).exists()
    # The mapping chosen this time is offered for the next file.
    assert ImportMapping.objects.get(organisation=employer).columns == {
        "full_name": "氏名",
        "full_name_kana": "フリガナ",
        "email": "メールアドレス",
        "job_title": "応募職種",
        "stage": "選考段階",
        "rejection_reason": "不採用理由",
        "rejected_at": "不採用日",
    }


def test_the_mapping_must_name_an_email_and_a_name_column(member_client, upload):
    response = member_client.post(reverse("employer:applicant_import_mapping", args=[upload.pk]), {"full_name": "0"})
    assert response.status_code == 200
    assert "メールアドレス" in response.context["form"].non_field_errors()[0]


def test_an_unreadable_file_is_explained_on_the_form(member_client):
    response = _upload_file(member_client, b"PK\x03\x04zip", name="applicants.xlsx")
    assert response.status_code == 200
    assert "CSV" in response.context["form"].errors["file"][0]
    assert ImportUpload.objects.count() == 0


def test_cancelling_an_import_deletes_the_upload(member_client, upload):
    member_client.post(reverse("employer:applicant_import_cancel", args=[upload.pk]))
    assert not ImportUpload.objects.filter(pk=upload.pk).exists()


# --- Export ---------------------------------------------------------------------------------


def _tricky(employer):
    return services.create_applicant(
        actor=SYSTEM,
        organisation=employer,
        data={
            "family_name": "山﨑",
            "given_name": "太郎",
            "family_name_kana": "ヤマザキ",
            "email": "taro@example.jp",
            "job_title": "エンジニア",
            "stage": "final_interview",
            "notes": '=HYPERLINK("http://evil")\n2行目, カンマ入り',
            "recontact_ok": True,
        },
    )


@pytest.mark.parametrize(("encoding", "codec"), [("utf-8", "utf-8-sig"), ("cp932", "cp932")])
def test_the_export_imports_again_unchanged(member_client, employer, applicant, encoding, codec):
    _tricky(employer)
    response = member_client.get(reverse("employer:applicant_export"), {"encoding": encoding})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    if encoding == "utf-8":
        assert response.content.startswith(codecs.BOM_UTF8)
    rows = _read_csv(response, codec)
    assert rows[0][:5] == ["姓", "名", "セイ", "メイ", "メールアドレス"]
    assert rows[2][11].startswith("'=HYPERLINK")  # neutralised for Excel

    before = list(Applicant.objects.filter(organisation=employer).order_by("email").values(*services.APPLICANT_FIELDS))
    Applicant.objects.filter(organisation=employer).delete()
    upload = importing.store_upload(organisation=employer, user=None, filename="back.csv", data=response.content)
    assert upload.encoding == ("utf-8-sig" if encoding == "utf-8" else "cp932")
    result = importing.import_upload(actor=SYSTEM, upload=upload)
    assert result.created == 2
    after = list(Applicant.objects.filter(organisation=employer).order_by("email").values(*services.APPLICANT_FIELDS))
    assert after == before


def test_the_export_respects_the_filters(member_client, employer, applicant):
    _tricky(employer)
    response = member_client.get(reverse("employer:applicant_export"), {"job": "エンジニア"})
    assert [row[0] for row in _read_csv(response, "utf-8-sig")[1:]] == ["山﨑"]


def test_cp932_export_refuses_characters_it_cannot_hold_until_the_user_accepts_question_marks(member_client, employer):
    services.create_applicant(
        actor=SYSTEM, organisation=employer, data={"family_name": "𠮷田", "email": "yoshida@example.jp"}
    )
    url = reverse("employer:applicant_export")
    refused = member_client.get(url, {"encoding": "cp932"})
    assert refused["Content-Type"].startswith("text/html")
    assert [(p.applicant_line, p.column, p.characters) for p in refused.context["problems"]] == [(2, "姓", "𠮷")]

    lossy = member_client.get(url, {"encoding": "cp932", "lossy": "1"})
    assert _read_csv(lossy, "cp932")[1][0] == "?田"
    assert _read_csv(member_client.get(url, {"encoding": "utf-8"}), "utf-8-sig")[1][0] == "𠮷田"
