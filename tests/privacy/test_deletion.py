"""Deleting an account erases the person everywhere: every table and the media folder are
scanned afterwards for the distinctive strings they typed, and none is left. Employers'
balances stay right because the ledger keeps only the pseudonymous key."""

import re
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models, transaction
from django.test import Client

from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import Actor, ActorKind
from careerrelay.candidates import profiles, resumes, signin
from careerrelay.candidates.models import Candidate, IdentityFingerprint, WorkHistory
from careerrelay.credits.models import LedgerEntry
from careerrelay.credits.services import get_balance
from careerrelay.privacy import services as privacy
from careerrelay.privacy.deletion import delete_candidate
from careerrelay.privacy.models import ProvisionRecord, StopUseNotice
from careerrelay.search.index import postings
from careerrelay.search.models import SearchDocument
from tests.factories import EmployerFactory, UserFactory, registration_data
from tests.helpers.candidates import sign_in_candidate

pytestmark = pytest.mark.django_db

MARKERS = [
    "蘂田",  # family name
    "檸檬丸",  # given name
    "ズイダ",
    "レモンマル",
    "lemon.zuida.7731",  # email (local part)
    "7731-4422",  # phone as typed
    "77314422",  # phone normalised
    "ZebraCobol",  # skill
    "ペンギン操縦士",  # summary
    "株式会社ゼクスキュー",  # work history
    "RESUME-MARKER-5f3a",  # inside the résumé file
    "履歴書_蘂田",  # résumé file name
]
TEXT_TYPES = (
    models.CharField,
    models.TextField,
    models.JSONField,
    models.BinaryField,
    models.GenericIPAddressField,
)


def leftovers(media_root: Path) -> list[str]:
    """Every text, JSON and binary column of every table, and every file under MEDIA_ROOT."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        columns = [f.column for f in model._meta.concrete_fields if isinstance(f, TEXT_TYPES)]
        if not columns:
            continue
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            # Names come from the models, quoted by the backend; nothing user-supplied.
            cursor.execute(f"SELECT {', '.join(connection.ops.quote_name(c) for c in columns)} FROM {table}")  # noqa: S608
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    if isinstance(value, (bytes, memoryview)):
                        text = bytes(value).decode("utf-8", "replace")
                    else:
                        text = str(value)
                    # JSON columns escape non-ASCII; compare the decoded form as well.
                    decoded = text.encode().decode("unicode_escape", "ignore") if "\\u" in text else text
                    found += [f"{model._meta.db_table}.{column}: {m}" for m in MARKERS if m in text or m in decoded]
    for session in Session.objects.all():
        found += [f"session: {m}" for m in MARKERS if m in repr(session.get_decoded())]
    for path in media_root.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            found += [f"file {path.name}: {m}" for m in MARKERS if m.encode() in content]
    return found


@pytest.fixture
def employer():
    return EmployerFactory(name="株式会社リレー元")


@pytest.fixture
def person(client, employer, settings, django_capture_on_commit_callbacks):
    """A candidate who went through everything: registration, verification, profile, résumé,
    a sign-in request, consents, a provision to an agency, an export and a staff look."""
    settings.REFERRALS_PER_CREDIT = 1
    campaign = employer.campaigns.get()
    data = registration_data(
        family_name="蘂田",
        given_name="檸檬丸",
        family_name_kana="ズイダ",
        given_name_kana="レモンマル",
        email="Lemon.Zuida.7731@example.jp",
        phone="090-7731-4422",
        skills="ZebraCobol",
        summary="ペンギン操縦士の経験があります。",
        consent_employer_recontact="on",
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(campaign.get_absolute_url(), data, REMOTE_ADDR="198.51.100.23", HTTP_USER_AGENT="Phone")
    token = re.search(r"http://testserver/verify/([^\s/]+)/", mail.outbox[-1].body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/verify/{token}/")
    candidate = Candidate.objects.get()
    assert candidate.is_verified
    assert candidate.referral_status == "counted"

    profiles.update_profile(
        candidate=candidate,
        data={name: getattr(candidate, name) for name in profiles.PROFILE_FIELDS},
        skills=["ZebraCobol", "Python"],
        work_history=[
            {
                "company": "株式会社ゼクスキュー",
                "role": "ペンギン操縦士",
                "started_on": date(2020, 4, 1),
                "ended_on": None,
                "description": "ペンギン操縦士として勤務",
            }
        ],
    )
    upload = SimpleUploadedFile("履歴書_蘂田.pdf", b"%PDF-1.4\nRESUME-MARKER-5f3a\n%%EOF\n", "application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        resumes.save_resume(candidate=candidate, upload=upload)
    # A sign-in link requested through the database task backend (its queued row stays behind).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        signin.request_signin_link(email=candidate.email, browser_nonce="nonce")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        signin.issue_signin_link(candidate_id=candidate.pk, browser_hash="x" * 64)

    agency = EmployerFactory(name="株式会社受け取り人材", kind="agency")
    privacy.record_provision(
        candidate=candidate,
        recipient_organisation=agency,
        items=["profile", "contact", "resume"],
        channel="page",
        actor=Actor(ActorKind.AGENCY),
    )
    sign_in_candidate(client, candidate)
    assert client.post("/me/data/export.json").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/me/consents/employer_recontact/withdraw/")
        client.post("/me/consents/agency_sharing/withdraw/")

    staff = UserFactory(email="operator@careerrelay.example", is_staff=True, is_superuser=True)
    staff_client = Client()
    staff_client.force_login(staff)
    assert staff_client.get(f"/operator/candidates/candidate/{candidate.pk}/change/").status_code == 200
    assert staff_client.get("/operator/candidates/candidate/?q=lemon.zuida.7731@example.jp").status_code == 200
    LogEntry.objects.log_actions(
        user_id=staff.pk, queryset=[candidate], action_flag=CHANGE, change_message="審査保留を解除", single_object=True
    )
    LogEntry.objects.filter(object_id=str(candidate.pk)).update(
        content_type=ContentType.objects.get_for_model(Candidate)
    )
    return candidate


def test_deleting_the_account_leaves_none_of_the_persons_strings_anywhere(
    client, person, employer, settings, django_capture_on_commit_callbacks
):
    media = Path(settings.MEDIA_ROOT)
    before = leftovers(media)
    # The scan does see the person while they exist (otherwise it could not fail).
    for marker in MARKERS:
        assert any(marker in hit for hit in before), marker
    balance_before = get_balance(employer)
    subject_key = person.public_id

    page = client.get("/me/delete/")
    assert page.status_code == 200
    refused = client.post("/me/delete/", {"confirm": "はい"})
    assert refused.status_code == 200
    assert "「削除」と入力してください。" in refused.text
    assert Candidate.objects.filter(pk=person.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/me/delete/", {"confirm": "削除"})
    assert response.status_code == 302
    assert response["Location"] == "/me/deleted/"
    assert client.get("/me/deleted/").status_code == 200
    assert client.get("/me/").status_code == 302  # signed out

    assert leftovers(media) == []
    assert Candidate.objects.count() == 0
    assert WorkHistory.objects.count() == 0
    assert list(media.rglob("*.pdf")) == []
    # What stays is pseudonymous and keeps employers' figures right.
    assert get_balance(employer) == balance_before
    assert get_balance(employer).counted_referrals == 1
    assert LedgerEntry.objects.filter(subject_key=subject_key, kind="referral_counted").count() == 1
    assert IdentityFingerprint.objects.filter(subject_key=subject_key).count() == 2
    record = ProvisionRecord.objects.get(subject_key=subject_key)
    assert record.candidate is None and record.consent is None
    assert record.items == ["profile", "contact", "resume"]
    assert len(record.consent_notice_hash) == 64
    assert StopUseNotice.objects.filter(subject_key=subject_key).count() == 1
    assert AuditEvent.objects.filter(subject_key=subject_key, action="delete", actor_kind="candidate").count() == 1
    assert AuditEvent.objects.filter(subject_key=subject_key, actor_kind="staff", action="view").count() == 1


def test_the_search_entry_leaves_with_the_deletion_and_a_rollback_keeps_both(
    person, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        privacy.grant_consent(candidate=person, purpose="agency_sharing", actor=Actor.for_candidate(person))
    assert SearchDocument.objects.filter(candidate_id=person.pk).exists()
    with pytest.raises(RuntimeError), transaction.atomic():
        delete_candidate(person, actor=Actor.for_candidate(person))
        assert not SearchDocument.objects.filter(candidate_id=person.pk).exists()
        assert postings(document_ids=[person.pk]) == []
        raise RuntimeError("the request failed after the deletion")
    assert Candidate.objects.filter(pk=person.pk).exists()
    assert postings(document_ids=[person.pk], terms=["zebracobol"]) != []
    assert list(Path(settings.MEDIA_ROOT).rglob("*.pdf")) != []
