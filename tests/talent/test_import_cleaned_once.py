"""The import reuses the rows the validation report cleaned (kept with the upload) and plans them
against the database again at the import: a person added meanwhile is updated, not doubled."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from careerrelay.audit.models import AuditEvent
from careerrelay.common.bulk import insert_rows
from careerrelay.talent import pool_search, services
from careerrelay.talent.models import Applicant, ApplicantSkill, Application, ImportUpload, Tag
from tests.helpers.pool import document_of
from tests.helpers.talent import SYSTEM

HEADER = ["氏名", "フリガナ", "メールアドレス", "応募職種", "不採用理由", "不採用日", "評価メモ", "スキル", "タグ"]
ROWS = [
    [
        "髙橋　花子",
        "ﾀｶﾊｼ ﾊﾅｺ",
        "ＨＡＮＡＫＯ＠ｅｘａｍｐｌｅ．ｊｐ",
        "法人営業",
        "経験不足",
        "2026/11/01",
        "丁寧",
        "Excel、ＳＱＬ",
        "営業候補",
    ],
    ["山﨑 太郎", "ﾔﾏｻﾞｷ ﾀﾛｳ", "taro@example.jp", "エンジニア", "", "2026-11-02", "", "Python", "ＰＭ候補、営業候補"],
    ["佐藤 一郎", "さとう いちろう", "ichiro@example.jp", "経理", "", "", "", "", ""],
]


def _file(rows=ROWS) -> bytes:
    # As Excel saves a Japanese sheet: CP932, CRLF.
    return ("\r\n".join(",".join(cells) for cells in [HEADER, *rows]) + "\r\n").encode("cp932")


def _upload_and_report(client, employer, data=None):
    response = client.post(
        reverse("employer:applicant_import"), {"file": SimpleUploadedFile("ats.csv", data or _file(), "text/csv")}
    )
    upload = ImportUpload.objects.get(organisation=employer)
    assert response["Location"] == reverse("employer:applicant_import_mapping", args=[upload.pk])
    preview_url = reverse("employer:applicant_import_preview", args=[upload.pk])
    report = client.get(preview_url)
    assert report.status_code == 200
    return upload, preview_url, report


def test_a_cp932_file_imports_through_the_pages_with_names_skills_tags_index_and_audit(member_client, employer):
    upload, preview_url, report = _upload_and_report(member_client, employer)
    assert report.context["to_create"] == 3
    assert [w.line for w in report.context["warnings"]] == [2]  # 「経験不足」 is not in the reason list
    assert ImportUpload.objects.get(pk=upload.pk).cleaned is not None  # the report's rows, kept

    done = member_client.post(preview_url, {"skip_lines": ""})
    assert done.status_code == 302
    people = {a.family_name: a for a in Applicant.objects.filter(organisation=employer)}
    assert set(people) == {"髙橋", "山﨑", "佐藤"}
    takahashi, yamasaki = people["髙橋"], people["山﨑"]
    assert (takahashi.family_name_kana, takahashi.email) == ("タカハシ", "hanako@example.jp")
    assert (yamasaki.family_name_kana, yamasaki.given_name_kana) == ("ヤマザキ", "タロウ")
    assert str(takahashi.rejected_on) == "2026-11-01"
    assert takahashi.rejection_reason == "経験不足"  # the unknown reason kept as the detail
    assert list(ApplicantSkill.objects.filter(applicant=takahashi).values_list("name", flat=True)) == [
        "Excel",
        "SQL",
    ]
    assert sorted(yamasaki.tags.values_list("name", flat=True)) == ["PM候補", "営業候補"]
    assert Application.objects.filter(applicant__organisation=employer).count() == 3
    # The search documents written with the rows are the ones a reindex would write.
    for person in people.values():
        assert document_of(person) == pool_search.document_for(person)
    if connection.vendor == "postgresql":
        # The bigram codes the import sent are the ones the database computes from the text.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FILTER (WHERE bigrams @> talent_pool_bigrams(text)"
                " AND talent_pool_bigrams(text) @> bigrams AND cardinality(bigrams) > 0), count(*)"
                " FROM talent_pooldocument WHERE organisation_id = %s",
                [employer.pk],
            )
            assert cursor.fetchone() == (3, 3)
    found = member_client.get(reverse("employer:applicants"), {"q": "やまざき"})
    assert [a.pk for a in found.context["page"].object_list] == [yamasaki.pk]
    assert [
        a.pk for a in member_client.get(reverse("employer:applicants"), {"q": "pm候補"}).context["page"].object_list
    ] == [yamasaki.pk]
    events = AuditEvent.objects.filter(organisation=employer, object_type="talent.applicant")
    assert sorted((e.object_id, e.detail["change"], e.detail["via"]) for e in events) == sorted(
        (str(p.pk), "created", "import") for p in people.values()
    )
    assert all(e.actor_user_id is not None for e in events)


def test_a_person_added_after_the_report_is_updated_not_doubled(member_client, employer):
    _upload, preview_url, report = _upload_and_report(member_client, employer)
    assert report.context["to_create"] == 3
    # Someone adds 山﨑 by hand (or an ATS webhook does) while the report is open.
    meanwhile = services.create_applicant(
        organisation=employer,
        data={"family_name": "山崎", "email": "TARO@example.jp", "job_title": "エンジニア"},
        actor=SYSTEM,
    )

    done = member_client.post(preview_url, {"skip_lines": ""})
    assert done.status_code == 302
    assert Applicant.objects.filter(organisation=employer).count() == 3
    meanwhile.refresh_from_db()
    assert (meanwhile.family_name, meanwhile.family_name_kana) == ("山﨑", "ヤマザキ")
    assert sorted(meanwhile.tags.values_list("name", flat=True)) == ["PM候補", "営業候補"]
    assert document_of(meanwhile) == pool_search.document_for(meanwhile)
    changes = dict(
        AuditEvent.objects.filter(organisation=employer, detail__via="import").values_list("object_id", "detail")
    )
    assert changes[str(meanwhile.pk)]["change"] == "updated"


def test_a_reason_added_after_the_report_is_read_at_the_import(member_client, employer):
    """The kept rows were cleaned against the reason list of the report: when the list changes,
    the import cleans the rows again instead of trusting them."""
    _upload, preview_url, _report = _upload_and_report(member_client, employer)
    reason = services.add_reason(organisation=employer, label="経験不足", kind="skills_gap", actor=SYSTEM)

    assert member_client.post(preview_url, {"skip_lines": ""}).status_code == 302
    takahashi = Applicant.objects.get(organisation=employer, family_name="髙橋")
    assert takahashi.reason_id == reason.pk
    assert takahashi.rejection_reason == ""


def test_another_company_with_the_same_people_is_left_alone(member_client, employer, outsider):
    other = outsider.memberships.get().organisation
    theirs = services.create_applicant(
        organisation=other, data={"family_name": "山﨑", "email": "taro@example.jp"}, actor=SYSTEM
    )
    _upload, preview_url, report = _upload_and_report(member_client, employer)
    assert report.context["to_create"] == 3
    assert member_client.post(preview_url, {"skip_lines": ""}).status_code == 302
    theirs.refresh_from_db()
    assert (theirs.family_name_kana, theirs.tags.count()) == ("", 0)
    assert Applicant.objects.filter(organisation=employer, email_normalized="taro@example.jp").count() == 1
    assert not AuditEvent.objects.filter(organisation=other, detail__via="import").exists()


def test_a_bulk_insert_that_breaks_a_unique_key_is_an_integrity_error(employer):
    """What lets the import plan again when another import added the same people meanwhile:
    COPY on PostgreSQL raises Django's IntegrityError like any other query."""
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Tag, [{"organisation": employer.pk, "name": "営業候補", "key": "営業候補"}] * 2)
    assert not Tag.objects.filter(organisation=employer).exists()
