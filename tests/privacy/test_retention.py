"""Unused profiles: a reminder after CANDIDATE_RETENTION_MONTHS, deletion 30 days later unless
the person signs in; each step happens once however often the job runs."""

from datetime import timedelta

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.core import mail
from django.utils import timezone

from careerrelay.audit.models import AuditEvent
from careerrelay.candidates.models import Candidate
from careerrelay.ops import periodic
from careerrelay.portals.candidate import auth
from careerrelay.privacy.models import RetentionRun, RetentionState
from careerrelay.privacy.retention import run_if_due, run_retention
from tests.helpers.privacy import make_candidate

pytestmark = pytest.mark.django_db

NOW = timezone.now()
LONG_AGO = NOW - timedelta(days=30 * 24 + 1)


@pytest.fixture
def dormant():
    return make_candidate(
        family_name="眠田", email="nemuta@example.jp", created_at=LONG_AGO, profile_updated_at=LONG_AGO
    )


@pytest.fixture
def active():
    return make_candidate(
        email="active@example.jp",
        created_at=LONG_AGO,
        profile_updated_at=LONG_AGO,
        last_signed_in_at=NOW - timedelta(days=3),
    )


def run(capture, now):
    with capture(execute=True):
        return run_retention(now)


def test_an_unused_profile_gets_one_reminder_with_the_deletion_date(
    dormant, active, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    first = run(django_capture_on_commit_callbacks, NOW)
    second = run(django_capture_on_commit_callbacks, NOW + timedelta(hours=1))
    assert (first.reminded, second.reminded) == (1, 0)
    assert [m.to for m in mail.outbox] == [["nemuta@example.jp"]]
    message = mail.outbox[0]
    assert message.subject == "【キャリアリレー】ご登録情報の削除についてのお知らせ"
    assert "眠田様" in message.body
    day = timezone.localtime(NOW + timedelta(days=30))
    assert f"削除予定日: {day.year}年{day.month}月{day.day}日" in message.body
    assert "http://testserver/me/signin/" in message.body
    state = RetentionState.objects.get(candidate=dormant)
    assert state.delete_after == NOW + timedelta(days=30)
    assert not RetentionState.objects.filter(candidate=active, reminder_sent_at__isnull=False).exists()
    assert AuditEvent.objects.filter(action="retention_reminder", subject_key=dormant.public_id).count() == 1


def test_retention_months_come_from_the_setting(dormant, settings, django_capture_on_commit_callbacks):
    settings.CANDIDATE_RETENTION_MONTHS = 36
    assert run(django_capture_on_commit_callbacks, NOW).reminded == 0


def test_the_profile_is_deleted_30_days_after_the_reminder_and_only_once(
    dormant, active, django_capture_on_commit_callbacks
):
    run(django_capture_on_commit_callbacks, NOW)
    subject_key = str(dormant.public_id)
    assert run(django_capture_on_commit_callbacks, NOW + timedelta(days=29)).deleted == 0
    assert Candidate.objects.filter(pk=dormant.pk).exists()

    deleting = run(django_capture_on_commit_callbacks, NOW + timedelta(days=30, minutes=1))
    again = run(django_capture_on_commit_callbacks, NOW + timedelta(days=30, minutes=2))

    assert deleting.deleted == 1
    assert deleting.deleted_subject_keys == [subject_key]
    assert again.deleted == 0
    assert not Candidate.objects.filter(pk=dormant.pk).exists()
    assert Candidate.objects.filter(pk=active.pk).exists()
    event = AuditEvent.objects.get(action="retention_delete")
    assert (event.actor_kind, str(event.subject_key)) == ("system", subject_key)
    assert event.detail["reason"] == "retention"


def test_signing_in_after_the_reminder_cancels_the_deletion(dormant, rf, django_capture_on_commit_callbacks):
    run(django_capture_on_commit_callbacks, NOW)
    request = rf.get("/me/")
    SessionMiddleware(lambda r: None).process_request(request)
    auth.sign_in(request, dormant)

    state = RetentionState.objects.get(candidate=dormant)
    assert (state.reminder_sent_at, state.delete_after) == (None, None)
    later = timezone.now() + timedelta(days=31)
    assert run(django_capture_on_commit_callbacks, later).deleted == 0
    assert Candidate.objects.filter(pk=dormant.pk).exists()


def test_changing_the_profile_after_the_reminder_also_keeps_the_account(dormant, django_capture_on_commit_callbacks):
    run(django_capture_on_commit_callbacks, NOW)
    Candidate.objects.filter(pk=dormant.pk).update(profile_updated_at=NOW + timedelta(days=2))
    assert run(django_capture_on_commit_callbacks, NOW + timedelta(days=31)).deleted == 0
    assert Candidate.objects.filter(pk=dormant.pk).exists()
    assert RetentionState.objects.get(candidate=dormant).delete_after is None


def test_the_worker_loop_runs_the_job_at_most_once_per_interval(dormant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert periodic.run_once()["retention"] is True
        assert periodic.run_once()["retention"] is False
    assert RetentionRun.objects.count() == 1
    assert RetentionRun.objects.get().reminded == 1
    assert run_if_due(timezone.now() + timedelta(hours=2)) is not None


def test_the_job_can_be_run_by_hand(dormant, capsys, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_retention")
    assert capsys.readouterr().out.strip() == "reminded=1 deleted=0 expired_provision_records=0"
