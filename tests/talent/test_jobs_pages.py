"""The job list in the employer workspace: create, edit, close, reopen; per company."""

import pytest
from django.urls import reverse

from careerrelay.audit.models import AuditEvent
from careerrelay.talent.models import Job

pytestmark = pytest.mark.django_db


def test_the_menu_links_to_jobs_and_a_member_creates_edits_and_closes_one(member_client, member, employer):
    dashboard = member_client.get(reverse("employer:applicants"))
    assert reverse("employer:jobs") in dashboard.content.decode()
    created = member_client.post(
        reverse("employer:job_add"),
        {"title": " バックエンド　エンジニア ", "skills": "Python、python, ＡＷＳ", "description": "API開発"},
    )
    job = Job.objects.get(organisation=employer)
    assert created["Location"] == reverse("employer:job_detail", args=[job.pk])
    assert job.title == "バックエンド エンジニア"
    assert job.skills == "Python、AWS"  # duplicates by key dropped, NFKC
    assert job.status == Job.Status.OPEN
    listing = member_client.get(reverse("employer:jobs"))
    assert "バックエンド エンジニア" in listing.content.decode()
    member_client.post(reverse("employer:job_edit", args=[job.pk]), {"title": "SRE", "skills": "Go", "description": ""})
    job.refresh_from_db()
    assert (job.title, job.skills) == ("SRE", "Go")
    member_client.post(reverse("employer:job_close", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == Job.Status.CLOSED
    opened = job.opened_at
    member_client.post(reverse("employer:job_reopen", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == Job.Status.OPEN and job.opened_at > opened
    # Each change is on the record, with who made it: the text is published on the openings page.
    events = AuditEvent.objects.filter(object_type="job", object_id=str(job.pk)).order_by("id")
    assert [e.detail["change"] for e in events] == ["created", "updated", "closed", "reopened"]
    assert {e.actor_user for e in events} == {member}


def test_a_missing_title_is_a_field_error_and_keeps_what_was_typed(owner_client, employer):
    response = owner_client.post(
        reverse("employer:job_add"), {"title": "　", "skills": "Python", "description": "説明"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["title"]
    assert "説明" in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("employer:job_detail", "get"),
        ("employer:job_edit", "get"),
        ("employer:job_edit", "post"),
        ("employer:job_close", "post"),
        ("employer:job_reopen", "post"),
    ],
)
def test_an_outsider_cannot_reach_another_companys_job(outsider_client, employer, name, method):
    job = Job.objects.create(organisation=employer, title="経理", skills="簿記")
    response = getattr(outsider_client, method)(reverse(name, args=[job.pk]), {"title": "乗っ取り"})
    assert response.status_code == 404
    job.refresh_from_db()
    assert (job.title, job.status) == ("経理", Job.Status.OPEN)
    assert "経理" not in outsider_client.get(reverse("employer:jobs")).content.decode()
