import json

import pytest

from careerrelay.audit.services import Actor
from careerrelay.organisations.services import create_api_key
from careerrelay.talent.models import Applicant

URL = "/api/v1/applicants"


@pytest.fixture
def api_headers(employer):
    _key, secret = create_api_key(organisation=employer, name="ATS", actor=Actor.system())
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _post(client, payload, headers):
    return client.post(URL, data=json.dumps(payload), content_type="application/json", **headers)


def test_it_creates_all_applicants_and_answers_their_ids(client, employer, api_headers):
    response = _post(
        client,
        [
            {
                "family_name": "髙橋",
                "given_name": "花子",
                "given_name_kana": "はなこ",
                "email": "ＨＡＮＡＫＯ＠example.jp",
                "stage": "一次面接",
                "rejected_on": "2026-11-20",
                "notes": "丁寧",
                "recontact_ok": True,
            },
            {"full_name": "山﨑 太郎", "email": "taro@example.jp", "stage": "final_interview"},
        ],
        api_headers,
    )
    assert response.status_code == 201
    body = response.json()
    created = list(Applicant.objects.filter(organisation=employer).order_by("id"))
    ids = [a.pk for a in created]
    assert body == {
        "ids": ids,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "results": [
            {"index": 0, "id": ids[0], "status": "created", "applied_again": False},
            {"index": 1, "id": ids[1], "status": "created", "applied_again": False},
        ],
        "errors": [],
    }
    assert [(a.full_name, a.email, a.stage) for a in created] == [
        ("髙橋 花子", "hanako@example.jp", "first_interview"),
        ("山﨑 太郎", "taro@example.jp", "final_interview"),
    ]
    assert created[0].given_name_kana == "ハナコ"


def test_one_bad_item_saves_nothing_and_every_error_is_listed(client, employer, api_headers):
    response = _post(
        client,
        [
            {"family_name": "髙橋", "email": "hanako@example.jp"},
            {"family_name": "", "email": "nobody@example.jp"},
            {"family_name": "佐藤", "email": "not-an-email"},
            {"family_name": "鈴木", "email": "HANAKO@example.jp"},
            {"family_name": "田中", "email": "t@example.jp", "stage": "五次面接"},
            {"family_name": "伊藤", "email": "i@example.jp", "rejected_on": "2026-02-30"},
        ],
        api_headers,
    )
    assert response.status_code == 422
    assert response.json() == {
        "ids": [],
        "created": 0,
        "updated": 0,
        "errors": [
            {"index": 1, "email": "nobody@example.jp", "messages": ["氏名がありません。"], "fields": []},
            {
                "index": 2,
                "email": "not-an-email",
                "messages": ["メールアドレスの形式が正しくありません（not-an-email）。"],
                "fields": [],
            },
            {
                "index": 3,
                "email": "HANAKO@example.jp",
                "messages": ["同じメールアドレスがitems[0]にもあります（hanako@example.jp）。"],
                "fields": [],
            },
            {
                "index": 4,
                "email": "t@example.jp",
                "messages": [
                    "選考段階「五次面接」が分かりません（書類選考・一次面接・二次面接・最終面接・その他のいずれか）。"
                ],
                "fields": [],
            },
            {
                "index": 5,
                "email": "i@example.jp",
                "messages": ["不採用日「2026-02-30」は日付として読めません（例: 2026/11/01）。"],
                "fields": [],
            },
        ],
    }
    assert Applicant.objects.count() == 0


def test_an_existing_applicant_is_updated_not_doubled(client, employer, api_headers, applicant):
    response = _post(
        client, [{"family_name": "髙橋", "email": applicant.email.upper(), "phone": "090-1111-2222"}], api_headers
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["ids"], body["created"], body["updated"]) == ([applicant.pk], 0, 1)
    assert Applicant.objects.filter(organisation=employer).count() == 1
    applicant.refresh_from_db()
    # What the item left out stays as it was.
    assert (applicant.phone, applicant.given_name, applicant.job_title) == ("090-1111-2222", "花子", "法人営業")


def test_applicants_go_to_the_keys_company_only(client, outsider, applicant):
    other = outsider.memberships.get().organisation
    _key, secret = create_api_key(organisation=other, name="ATS", actor=Actor.system())
    response = _post(
        client, [{"family_name": "髙橋", "email": applicant.email}], {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    )
    assert response.status_code == 201
    assert Applicant.objects.get(pk=response.json()["ids"][0]).organisation == other


def test_it_needs_a_key(client, db):
    response = _post(client, [{"family_name": "髙橋", "email": "h@example.jp"}], {})
    assert response.status_code == 401
    assert Applicant.objects.count() == 0


def test_a_payload_that_is_not_a_list_of_applicants_is_a_422(client, api_headers):
    response = _post(client, {"family_name": "髙橋"}, api_headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_the_operation_is_in_the_openapi_document(client, db):
    document = client.get("/api/v1/openapi.json").json()
    assert "post" in document["paths"]["/api/v1/applicants"]


def test_more_than_a_thousand_items_are_refused_whole(client, api_headers):
    items = [{"family_name": "髙橋", "email": f"h{i}@example.jp"} for i in range(1001)]
    response = _post(client, items, api_headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["index"] == 1000
    assert Applicant.objects.count() == 0
