"""Importing people who exist: the CSV flow and POST /api/v1/applicants update them (by ATS ID,
else email), add an application when they applied again, and carry every new field."""

import csv
import io
import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from careerrelay.audit.services import Actor
from careerrelay.organisations.services import create_api_key
from careerrelay.talent import importing, services
from careerrelay.talent.models import Applicant, Application, ImportMapping, ImportUpload, RejectionReason
from tests.helpers.pool import document_of
from tests.helpers.talent import SYSTEM

pytestmark = pytest.mark.django_db

HEADER = [
    "氏名",
    "メールアドレス",
    "応募職種",
    "不採用日",
    "不採用理由",
    "不採用理由詳細",
    "スキル",
    "タグ",
    "ATS ID",
    "経験年数",
    "再連絡可",
]


def _csv(rows, header=HEADER, encoding="utf-8-sig"):
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
    return buffer.getvalue().encode(encoding)


def _import_through_pages(client, data):
    """Upload, accept the guessed mapping, and return the preview page and the import's answer."""
    response = client.post(
        reverse("employer:applicant_import"), {"file": SimpleUploadedFile("ats.csv", data, "text/csv")}
    )
    upload = ImportUpload.objects.latest("created_at")
    assert response["Location"] == reverse("employer:applicant_import_mapping", args=[upload.pk])
    mapping = client.get(response["Location"]).context["form"]
    chosen = {name: mapping[name].value() for name in mapping.fields if mapping[name].value() not in (None, "")}
    preview_url = client.post(response["Location"], chosen)["Location"]
    preview = client.get(preview_url)
    done = client.post(preview_url, {"skip_lines": ""}, follow=True)
    return preview, done


def test_a_csv_with_every_new_column_creates_applicants_with_reasons_skills_and_tags(member_client, employer):
    data = _csv(
        [
            [
                "髙橋 花子",
                "hanako@example.jp",
                "法人営業",
                "2026/11/01",
                "経験・スキル不足",
                "",
                "ＰＹＴＨＯＮ、python, SQL",
                "ＰＭ候補、pm候補",
                "A-1",
                "５年",
                "可",
            ],
            [
                "山﨑 太郎",
                "taro@example.jp",
                "エンジニア",
                "令和8年11月2日",
                "conditions",
                "年収が合わず",
                "Go",
                "",
                "A-2",
                "",
                "不可",
            ],
            ["佐藤 一郎", "ichiro@example.jp", "営業", "", "ご縁がなかった", "詳細", "", "", "", "", ""],
        ],
        encoding="cp932",
    )
    preview, done = _import_through_pages(member_client, data)
    assert preview.status_code == 200
    assert 'id="import-plan"' in preview.text and "新規登録: 3人" in preview.text
    # The unknown reason is a warning, not an error: the row imports with the text kept.
    assert [w.line for w in preview.context["warnings"]] == [4]
    assert "不採用理由「ご縁がなかった」は貴社の不採用理由の一覧にない" in preview.text
    assert "新規登録 3人" in done.text

    hanako, taro, ichiro = Applicant.objects.filter(organisation=employer).order_by("id")
    reasons = {r.kind: r for r in services.rejection_reasons_for(employer)}
    assert (hanako.reason, hanako.rejected_on, hanako.years_experience, hanako.ats_id, hanako.recontact_ok) == (
        reasons[RejectionReason.Kind.SKILLS_GAP],
        date(2026, 11, 1),
        5,
        "A-1",
        True,
    )
    assert [s.name for s in hanako.skill_set.all()] == ["PYTHON", "SQL"]
    assert [t.name for t in hanako.tags.all()] == ["PM候補"]
    assert (taro.reason, taro.rejection_reason, taro.rejected_on) == (
        reasons[RejectionReason.Kind.CONDITIONS],
        "年収が合わず",
        date(2026, 11, 2),
    )
    assert (ichiro.reason, ichiro.rejection_reason) == (None, "ご縁がなかった\n詳細")
    assert services.latest_application(hanako).reason == reasons[RejectionReason.Kind.SKILLS_GAP]


def test_a_reason_label_matches_whatever_its_width_and_spaces(employer):
    services.add_reason(organisation=employer, label="Ｗｅｂ 適性 不足", kind="skills_gap", actor=SYSTEM)
    validation = services.validate_records(
        organisation=employer,
        records=[(2, {"full_name": "髙橋", "email": "h@example.jp", "rejection_reason": "web適性不足"})],
    )
    assert validation.warnings == []
    assert validation.valid[0][1]["reason"].label == "Web 適性 不足"


def test_importing_existing_people_updates_them_and_says_how_many(member_client, employer, applicant):
    # The fixture applicant applied for 法人営業; this file says the same application, with more.
    data = _csv(
        [
            [
                "髙橋 花子",
                "HANAKO.TAKAHASHI@example.jp",
                "法人営業",
                "2026/11/01",
                "他の候補者を採用",
                "",
                "Excel",
                "",
                "T-9",
                "3",
                "",
            ],
            ["山﨑 太郎", "taro@example.jp", "エンジニア", "", "", "", "", "", "", "", ""],
        ]
    )
    preview, done = _import_through_pages(member_client, data)
    assert preview.context["to_create"] == 1 and preview.context["to_update"] == 1
    assert "新規登録 1人・更新 1人（うち再応募 0人）" in done.text

    applicant.refresh_from_db()
    assert Applicant.objects.filter(organisation=employer).count() == 2
    assert applicant.applications.count() == 1  # the same application, updated
    assert (applicant.ats_id, applicant.years_experience, applicant.rejected_on, applicant.reason.label) == (
        "T-9",
        3,
        date(2026, 11, 1),
        "他の候補者を採用",
    )
    # Blank cells and columns the file lacks leave what was stored.
    assert (applicant.given_name, applicant.source, applicant.recontact_ok) == ("花子", "doda", True)
    assert applicant.rejection_reason == "今回は経験年数が要件に届きませんでした。"
    assert [s.name for s in applicant.skill_set.all()] == ["Excel"]


def test_someone_who_applied_again_gets_a_second_application(employer, applicant):
    services.update_applicant(
        applicant=applicant, data={"ats_id": "T-9", "rejected_on": date(2026, 1, 10)}, actor=SYSTEM
    )
    outcome = services.import_applicants(
        organisation=employer,
        records=[
            # Matched by ATS ID although the email changed; another job title: applied again.
            (
                2,
                {
                    "full_name": "髙橋 花子",
                    "email": "new-address@example.jp",
                    "ats_id": "T-9",
                    "job_title": "マーケティング",
                    "rejected_at": "2027-02-01",
                    "rejection_reason": "declined",
                },
            ),
        ],
        actor=SYSTEM,
    )
    assert (outcome.created, outcome.updated, outcome.applied_again) == ([], [2], [2])
    applicant.refresh_from_db()
    first, second = applicant.applications.order_by("created_at", "id")
    assert (first.job_title, first.rejected_on) == ("法人営業", date(2026, 1, 10))
    assert (second.job_title, second.rejected_on, second.reason.kind) == (
        "マーケティング",
        date(2027, 2, 1),
        "declined",
    )
    assert (applicant.email, applicant.job_title, applicant.rejected_on, applicant.reason) == (
        "new-address@example.jp",
        "マーケティング",
        date(2027, 2, 1),
        second.reason,
    )
    assert "ﾏｰｹﾃｨﾝｸﾞ" not in document_of(applicant) and "まーけてぃんぐ" in document_of(applicant)

    # The same rejection date again with the job title in full-width: the same application.
    again = services.import_applicants(
        organisation=employer,
        records=[
            (
                2,
                {
                    "full_name": "髙橋 花子",
                    "email": "new-address@example.jp",
                    "job_title": "ﾏｰｹﾃｨﾝｸﾞ",
                    "rejected_at": "2027/02/01",
                },
            )
        ],
        actor=SYSTEM,
    )
    assert again.applied_again == []
    assert applicant.applications.count() == 2


def test_the_same_person_twice_in_one_batch_is_refused_and_nothing_is_saved(employer, applicant):
    services.update_applicant(applicant=applicant, data={"ats_id": "T-9"}, actor=SYSTEM)
    records = [
        (2, {"full_name": "髙橋 花子", "email": "hanako.takahashi@example.jp", "phone": "090-1111-2222"}),
        (3, {"full_name": "山﨑 太郎", "email": "taro@example.jp", "ats_id": "A-5"}),
        (4, {"full_name": "山﨑 次郎", "email": "jiro@example.jp", "ats_id": "Ａ-５"}),
        (5, {"full_name": "髙橋 花子", "email": "other@example.jp", "ats_id": "T-9"}),
    ]
    with pytest.raises(services.ImportRefused) as refused:
        services.import_applicants(organisation=employer, records=records, actor=SYSTEM)
    assert {p.line: p.reasons for p in refused.value.validation.problems} == {
        4: ["同じATS IDが3行目にもあります（A-5）。"],
        5: ["同じ応募者が2行目にもあります（other@example.jp）。"],
    }
    applicant.refresh_from_db()
    assert applicant.phone == ""  # the valid update in the same batch was not saved either
    assert Applicant.objects.filter(organisation=employer).count() == 1


def test_an_ats_id_and_an_email_naming_two_different_people_is_refused(employer, applicant):
    other = services.create_applicant(
        organisation=employer, data={"family_name": "山﨑", "email": "y@example.jp", "ats_id": "Y-1"}, actor=SYSTEM
    )

    def problems(record):
        validation = services.validate_records(organisation=employer, records=[(2, record)])
        return [reason for p in validation.problems for reason in p.reasons]

    (message,) = problems({"full_name": "山﨑", "email": applicant.email, "ats_id": "Y-1"})
    assert "別の人として登録されています" in message
    assert problems({"full_name": "山﨑", "email": other.email, "ats_id": "Z-2"}) == [
        "メールアドレス y@example.jp の応募者は別のATS ID（Y-1）で登録されています。"
    ]


@pytest.mark.parametrize(("encoding", "codec"), [("utf-8", "utf-8-sig"), ("cp932", "cp932")])
def test_an_export_with_every_column_imports_again_changing_nothing(
    member_client, employer, applicant, encoding, codec
):
    services.update_applicant(
        applicant=applicant,
        data={
            "ats_id": "T-9",
            "years_experience": 7,
            "rejected_on": date(2026, 11, 1),
            "reason": services.rejection_reasons_for(employer).get(kind="conditions"),
            "skills": "Python、法人営業",
            "tags": "ＰＭ候補, 2026新卒",
        },
        actor=SYSTEM,
    )
    services.record_application(
        applicant=applicant,
        data={
            "job_title": "ＣＳ",
            "rejected_on": date(2027, 1, 5),
            "reason": services.rejection_reasons_for(employer).get(kind="culture"),
            "rejection_reason": "=SUM(A1)",
        },
        actor=SYSTEM,
    )
    services.create_applicant(
        organisation=employer,
        data={"family_name": "山﨑", "given_name": "太郎", "email": "taro@example.jp"},
        actor=SYSTEM,
    )
    # A retired reason still round-trips: the old application keeps it.
    services.set_reason_active(
        reason=services.rejection_reasons_for(employer).get(kind="culture"), active=False, actor=SYSTEM
    )

    def snapshot():
        people = Applicant.objects.filter(organisation=employer).order_by("email")
        return [
            (
                *Applicant.objects.filter(pk=a.pk)
                .values_list(*services.APPLICANT_FIELDS, "reason", "updated_at")
                .get(),
                [s.name for s in a.skill_set.all()],
                sorted(t.name for t in a.tags.all()),
                list(
                    a.applications.values_list("job_title", "rejected_on", "reason", "rejection_reason", "updated_at")
                ),
            )
            for a in people
        ]

    before = snapshot()
    response = member_client.get(reverse("employer:applicant_export"), {"encoding": encoding})
    rows = list(csv.reader(io.StringIO(response.content.decode(codec), newline="")))
    assert rows[0][8:] == [
        "不採用理由",
        "不採用日",
        "応募経路",
        "評価メモ",
        "再連絡可",
        "不採用理由詳細",
        "スキル",
        "タグ",
        "ATS ID",
        "経験年数",
    ]
    hanako = next(row for row in rows if row[4] == applicant.email)
    assert hanako[8:10] == ["社風・価値観の不一致", "2027-01-05"]
    assert hanako[13:] == ["'=SUM(A1)", "Python, 法人営業", "2026新卒, PM候補", "T-9", "7"]

    upload = importing.store_upload(organisation=employer, user=None, filename="back.csv", data=response.content)
    assert set(upload.columns) >= {
        "rejection_reason",
        "rejection_detail",
        "skills",
        "tags",
        "ats_id",
        "years_experience",
    }
    validation = importing.validate_upload(upload)
    assert (validation.problems, validation.warnings) == ([], [])
    result = importing.import_upload(upload=upload, actor=SYSTEM)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert snapshot() == before


# --- The API ----------------------------------------------------------------------------------

URL = "/api/v1/applicants"


@pytest.fixture
def api(client, employer):
    _key, secret = create_api_key(organisation=employer, name="ATS", actor=Actor.system())

    def post(payload):
        return client.post(
            URL, data=json.dumps(payload), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}"
        )

    return post


def test_the_api_carries_every_new_field(api, employer):
    response = api(
        [
            {
                "full_name": "髙橋 花子",
                "email": "hanako@example.jp",
                "rejected_at": "2026-11-20",
                "rejection_reason": "skills_gap",
                "rejection_detail": "設計経験が不足",
                "skills": ["ＰＹＴＨＯＮ", "python", "ＡＷＳ"],
                "tags": ["ＰＭ候補", "pm候補"],
                "ats_id": "A-100",
                "years_experience": 4,
                "recontact_ok": True,
            },
            {
                "full_name": "山﨑 太郎",
                "email": "taro@example.jp",
                "rejected_on": "2026/11/21",
                "rejection_reason": "他の候補者を 採用",
            },
        ]
    )
    assert response.status_code == 201
    hanako, taro = Applicant.objects.filter(organisation=employer).order_by("id")
    assert response.json()["ids"] == [hanako.pk, taro.pk]
    assert (
        hanako.reason.kind,
        hanako.rejection_reason,
        hanako.rejected_on,
        hanako.ats_id,
        hanako.years_experience,
    ) == (
        "skills_gap",
        "設計経験が不足",
        date(2026, 11, 20),
        "A-100",
        4,
    )
    assert [s.name for s in hanako.skill_set.all()] == ["PYTHON", "AWS"]
    assert [t.name for t in hanako.tags.all()] == ["PM候補"]
    assert (taro.rejected_on, taro.reason.label) == (date(2026, 11, 21), "他の候補者を採用")


def test_an_unknown_reason_is_a_field_error_listing_the_allowed_labels(api, employer):
    services.set_reason_active(
        reason=services.rejection_reasons_for(employer).get(kind="culture"), active=False, actor=SYSTEM
    )
    response = api([{"full_name": "髙橋", "email": "h@example.jp", "rejection_reason": "ご縁がなかった"}])
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    (field,) = error["fields"]
    assert field["field"] == "rejection_reason"
    assert field["allowed"] == [
        "他の候補者を採用",
        "経験・スキル不足",
        "条件不一致（給与・勤務地・勤務形態）",
        "募集終了・ポジション充足",
        "辞退",
        "その他",
    ]
    assert "ご縁がなかった" in error["messages"][0]
    assert not Applicant.objects.exists()


def test_the_api_updates_by_ats_id_and_adds_an_application_for_another_job(api, employer):
    first = api(
        [{"full_name": "髙橋 花子", "email": "h@example.jp", "ats_id": "A-1", "job_title": "営業", "skills": "Excel"}]
    )
    (pk,) = first.json()["ids"]
    response = api(
        [
            {
                "full_name": "髙橋 花子",
                "email": "hanako@example.jp",
                "ats_id": "A-1",
                "job_title": "企画",
                "rejected_at": "2027-04-01",
            },
            {"full_name": "髙橋 花子", "email": "x@example.jp", "ats_id": "A-2"},
        ]
    )
    body = response.json()
    assert response.status_code == 201
    assert (body["created"], body["updated"], body["results"][0]) == (
        1,
        1,
        {"index": 0, "id": pk, "status": "updated", "applied_again": True},
    )
    applicant = Applicant.objects.get(pk=pk)
    assert list(applicant.applications.order_by("created_at", "id").values_list("job_title", flat=True)) == [
        "営業",
        "企画",
    ]
    assert (applicant.email, applicant.job_title) == ("hanako@example.jp", "企画")
    assert [s.name for s in applicant.skill_set.all()] == ["Excel"]  # skills not sent: kept

    same = api([{"full_name": "髙橋 花子", "email": "hanako@example.jp", "ats_id": "A-1"}])
    assert same.status_code == 200
    assert (same.json()["unchanged"], same.json()["results"][0]["status"]) == (1, "unchanged")
    assert Application.objects.filter(applicant=applicant).count() == 2


def test_the_openapi_document_describes_the_new_fields(client, db):
    document = client.get("/api/v1/openapi.json").json()
    properties = document["components"]["schemas"]["ApplicantIn"]["properties"]
    for name in ("rejected_at", "rejection_reason", "rejection_detail", "skills", "tags", "ats_id", "years_experience"):
        assert name in properties
    assert "skills_gap" in properties["rejection_reason"]["description"]
    assert "200" in document["paths"][URL]["post"]["responses"]


def test_a_mapping_remembered_under_the_old_name_rejected_on_still_applies(employer):
    ImportMapping.objects.create(organisation=employer, columns={"rejected_on": "見送った日", "email": "連絡先"})
    data = _csv([["髙橋", "h@example.jp", "2026/11/01"]], header=["氏名", "連絡先", "見送った日"])
    upload = importing.store_upload(organisation=employer, user=None, filename="old.csv", data=data)
    assert upload.columns == {"full_name": 0, "email": 1, "rejected_at": 2}
    assert importing.validate_upload(upload).valid[0][1]["rejected_on"] == date(2026, 11, 1)
