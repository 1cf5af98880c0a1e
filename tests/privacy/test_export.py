"""One click downloads everything kept about the person, as JSON and as a readable page."""

import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import Actor, ActorKind
from careerrelay.candidates import profiles, resumes
from careerrelay.privacy import services as privacy

pytestmark = pytest.mark.django_db


@pytest.fixture
def rich_candidate(candidate, agency, django_capture_on_commit_callbacks):
    profiles.update_profile(
        candidate=candidate,
        data={name: getattr(candidate, name) for name in profiles.PROFILE_FIELDS},
        skills=["Django", "ＰＹＴＨＯＮ"],
        work_history=[
            {
                "company": "株式会社はやぶさ",
                "role": "バックエンド",
                "started_on": date(2019, 4, 1),
                "ended_on": date(2023, 3, 1),
                "description": "決済APIの開発",
            }
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        resumes.save_resume(
            candidate=candidate,
            upload=SimpleUploadedFile("職務経歴書.pdf", b"%PDF-1.7\nbody\n%%EOF\n", "application/pdf"),
        )
    privacy.record_provision(
        candidate=candidate,
        recipient_organisation=agency,
        items=["profile"],
        channel="page",
        actor=Actor(ActorKind.AGENCY),
    )
    return candidate


def test_json_export_holds_profile_history_skills_resume_consents_and_provisions(
    candidate_client, rich_candidate, settings
):
    response = candidate_client.post("/me/data/export.json", REMOTE_ADDR="198.51.100.8")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="careerrelay-mydata-')
    data = json.loads(response.content)
    assert data["subject_key"] == str(rich_candidate.public_id)
    assert data["profile"]["family_name"] == "鈴木"
    assert data["profile"]["email"] == "ichiro.suzuki@example.jp"
    assert data["profile"]["prefecture"] == {"value": "13", "label": "東京都"}
    assert data["work_history"][0]["company"] == "株式会社はやぶさ"
    assert data["work_history"][0]["started_on"] == "2019-04-01"
    assert sorted(data["skills"]) == ["Django", "ＰＹＴＨＯＮ"]
    assert data["resume"]["original_name"] == "職務経歴書.pdf"
    assert data["resume"]["size"] == 20
    assert "stored_name" not in data["resume"] and "sha256" not in data["resume"]
    assert [(c["purpose"]["value"], c["action"]["value"]) for c in data["consents"]] == [("agency_sharing", "grant")]
    assert data["consents"][0]["notice_version"] == settings.PRIVACY_NOTICE_VERSION
    assert data["provision_records"][0]["recipient"] == "株式会社みらい人材"
    assert data["provision_records"][0]["items"] == [
        {"value": "profile", "label": "プロフィール(希望職種・経験・スキル・自己紹介)"}
    ]
    assert data["introductions"] == []
    assert "session_generation" not in data["profile"]
    event = AuditEvent.objects.get(action="export")
    assert event.actor_kind == "candidate"
    assert event.actor_user is None
    assert event.subject_key == rich_candidate.public_id
    assert event.ip == "198.51.100.8"
    assert event.detail == {"format": "json"}


def test_readable_export_uses_field_names_a_person_understands(candidate_client, rich_candidate):
    response = candidate_client.post("/me/data/export.html")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.html"')
    html = response.content.decode()
    assert '<th scope="row">姓</th><td>鈴木</td>' in html
    assert '<th scope="row">都道府県</th><td>東京都</td>' in html
    assert '<th scope="row">登録日時</th>' in html
    assert "public id" not in html and "registration ip" not in html
    assert "株式会社はやぶさ" in html
    assert "職務経歴書.pdf" in html
    assert "株式会社みらい人材" in html
    assert AuditEvent.objects.get(action="export").detail == {"format": "html"}


def test_readable_export_shows_labels_japan_time_and_no_internal_fields(candidate_client, candidate, settings):
    from datetime import UTC, datetime, timedelta

    from careerrelay.candidates.models import Candidate, EmailChangeToken

    Candidate.objects.filter(pk=candidate.pk).update(
        desired_prefectures=["13", "27"],
        desired_job_categories=["sales"],
        held_for_review=True,
        referral_status=Candidate.Referral.COUNTED,
        created_at=datetime(2026, 4, 1, 15, 30, tzinfo=UTC),
    )
    EmailChangeToken.objects.create(
        candidate=candidate,
        new_email="new@example.jp",
        token_hash="x" * 64,
        expires_at=datetime(2026, 4, 2, 15, 30, tzinfo=UTC) + timedelta(hours=1),
    )
    html = candidate_client.post("/me/data/export.html").content.decode()

    assert '<th scope="row">希望勤務地</th><td>東京都、大阪府</td>' in html
    assert '<th scope="row">希望職種</th><td>営業</td>' in html
    assert '<th scope="row">登録日時</th><td>2026年4月2日0:30</td>' in html  # 15:30 UTC is 0:30 in Japan
    assert "日時はすべて日本時間です。" in html
    assert "不正審査" not in html
    assert "紹介の判定" not in html
    assert "紹介としてカウント" not in html
    assert "+00:00" not in html
    assert "<h2>メールアドレス変更の申請</h2>" in html
    assert "email change tokens" not in html
    assert "new@example.jp" in html


def test_export_needs_post_so_a_link_preview_cannot_trigger_it(candidate_client):
    assert candidate_client.get("/me/data/export.json").status_code == 405
    assert candidate_client.get("/me/data/export.html").status_code == 405
    assert AuditEvent.objects.filter(action="export").count() == 0


def test_data_page_offers_both_downloads(candidate_client):
    html = candidate_client.get("/me/data/").text
    assert 'action="/me/data/export.json"' in html
    assert 'action="/me/data/export.html"' in html
