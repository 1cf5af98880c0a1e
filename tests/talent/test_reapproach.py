"""「再アプローチ候補」 on a job's page: who qualifies, who never does, and in what order."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from careerrelay.talent import jobs
from careerrelay.talent.models import Application, RejectionReason
from careerrelay.talent.reapproach import suggestions_for
from tests.factories import EmployerFactory
from tests.helpers.pool import add_application, pool_member

pytestmark = pytest.mark.django_db
Kind = RejectionReason.Kind


def today():
    return timezone.localdate()


def ago(days):
    return today() - timedelta(days=days)


@pytest.fixture
def job(employer, owner):
    from careerrelay.audit.actor import Actor

    return jobs.create_job(
        organisation=employer,
        actor=Actor.for_user(owner, "employer"),
        data={"title": "バックエンドエンジニア", "skills": "Python、AWS", "description": ""},
    )


def suggested(job):
    return [s.applicant.family_name for s in suggestions_for(job, today=today())]


@pytest.mark.parametrize("kind", [Kind.CONDITIONS, Kind.OTHER_CANDIDATE, Kind.POSITION_CLOSED])
def test_reasons_that_say_nothing_against_the_person_qualify(employer, job, kind):
    pool_member(employer, "対象", skills="python", reason_kind=kind, rejected_on=ago(30))
    assert suggested(job) == ["対象"]


def test_a_skills_gap_qualifies_only_after_the_configured_time(employer, job, settings):
    settings.TALENT_REAPPROACH_SKILLS_GAP_DAYS = 365
    pool_member(employer, "最近", skills="Python", reason_kind=Kind.SKILLS_GAP, rejected_on=ago(364))
    pool_member(employer, "一年前", skills="Python", reason_kind=Kind.SKILLS_GAP, rejected_on=ago(365))
    assert suggested(job) == ["一年前"]
    settings.TALENT_REAPPROACH_SKILLS_GAP_DAYS = 100
    assert sorted(suggested(job)) == ["一年前", "最近"]


@pytest.mark.parametrize("kind", [Kind.DECLINED, Kind.OTHER, None])
def test_declined_other_or_unknown_reasons_qualify_only_with_consent(employer, job, kind):
    pool_member(employer, "同意あり", skills="AWS", reason_kind=kind, recontact_ok=True)
    pool_member(employer, "同意なし", skills="AWS", reason_kind=kind, recontact_ok=False)
    assert suggested(job) == ["同意あり"]


def test_a_culture_mismatch_never_qualifies(employer, job):
    pool_member(
        employer, "社風", skills="Python, AWS", reason_kind=Kind.CULTURE, recontact_ok=True, rejected_on=ago(2000)
    )
    assert suggested(job) == []


def test_hired_or_in_progress_people_are_excluded(employer, job):
    pool_member(employer, "採用済み", skills="Python", reason_kind=Kind.CONDITIONS, outcome=Application.Outcome.HIRED)
    person = pool_member(employer, "選考中", skills="Python", reason_kind=Kind.CONDITIONS)
    add_application(person, job_title="別の職種", outcome=Application.Outcome.IN_PROGRESS)
    assert suggested(job) == []


def test_who_applied_for_this_job_since_it_opened_is_excluded_but_not_before(employer, job):
    applied = pool_member(employer, "応募済み", skills="Python", reason_kind=Kind.CONDITIONS)
    add_application(applied, job=job, job_title=job.title, outcome=Application.Outcome.REJECTED)
    earlier = pool_member(employer, "前回の募集", skills="Python", reason_kind=Kind.CONDITIONS)
    add_application(
        earlier,
        job=job,
        job_title=job.title,
        outcome=Application.Outcome.REJECTED,
        created_at=job.opened_at - timedelta(days=400),
        applied_on=(job.opened_at - timedelta(days=400)).date(),
    )
    assert suggested(job) == ["前回の募集"]


def test_only_people_with_a_shared_skill_and_only_of_this_company(employer, job):
    pool_member(employer, "スキル違い", skills="Excel", reason_kind=Kind.CONDITIONS, job_title=job.title)
    other = EmployerFactory()
    pool_member(other, "よその人", skills="Python", reason_kind=Kind.CONDITIONS)
    assert suggested(job) == []


def test_a_job_without_skills_matches_by_title(employer, owner):
    from careerrelay.audit.actor import Actor

    job = jobs.create_job(
        organisation=employer, actor=Actor.for_user(owner, "employer"), data={"title": "経理", "skills": ""}
    )
    pool_member(employer, "経理の人", job_title="経理", reason_kind=Kind.CONDITIONS)
    pool_member(employer, "営業の人", job_title="営業", reason_kind=Kind.CONDITIONS)
    assert suggested(job) == ["経理の人"]


def test_ranking_consent_first_then_shared_skills_then_recent_rejection(employer, job):
    pool_member(employer, "同意なし二つ", skills="Python, AWS", reason_kind=Kind.CONDITIONS)
    pool_member(
        employer, "同意一つ古い", skills="Python", reason_kind=Kind.CONDITIONS, recontact_ok=True, rejected_on=ago(300)
    )
    pool_member(
        employer, "同意一つ新しい", skills="AWS", reason_kind=Kind.CONDITIONS, recontact_ok=True, rejected_on=ago(10)
    )
    pool_member(employer, "同意二つ", skills="ＰＹＴＨＯＮ, aws", reason_kind=Kind.OTHER_CANDIDATE, recontact_ok=True)
    assert suggested(job) == ["同意二つ", "同意一つ新しい", "同意一つ古い", "同意なし二つ"]


def test_the_job_page_explains_each_suggestion_and_marks_who_may_not_be_contacted(owner_client, employer, job):
    pool_member(
        employer,
        "髙橋",
        skills="Python, Go",
        reason_kind=Kind.CONDITIONS,
        recontact_ok=True,
        rejected_on=today().replace(day=1) - timedelta(days=200),
    )
    pool_member(employer, "佐藤", skills="AWS", reason_kind=Kind.OTHER_CANDIDATE, recontact_ok=False)
    response = owner_client.get(reverse("employer:job_detail", args=[job.pk]))
    content = response.content.decode()
    assert [s.applicant.family_name for s in response.context["suggestions"]] == ["髙橋", "佐藤"]
    assert "共通のスキル: Python" in content
    assert "条件不一致（給与・勤務地・勤務形態）" in content
    first = response.context["suggestions"][0]
    assert first.months_since_rejection in (6, 7)
    assert f"{first.months_since_rejection}か月前" in content
    assert "連絡の同意なし" in content


def test_months_since_rejection_counts_whole_months(employer, job):
    pool_member(employer, "髙橋", skills="Python", reason_kind=Kind.CONDITIONS, rejected_on=date(2026, 1, 31))
    [suggestion] = suggestions_for(job, today=date(2026, 3, 30))
    assert suggestion.months_since_rejection == 1
    [suggestion] = suggestions_for(job, today=date(2026, 3, 31))
    assert suggestion.months_since_rejection == 2
