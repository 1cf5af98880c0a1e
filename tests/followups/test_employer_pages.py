"""The follow-up page as the owner, a member (recruiter), an outsider and another company use it."""

from datetime import timedelta

import pytest
from django.urls import reverse

from careerrelay.audit.models import AuditEvent
from careerrelay.followups import services as followups
from careerrelay.followups.models import FollowupSettings, FollowupStep
from careerrelay.rejections.models import RejectionTemplate
from careerrelay.talent.models import Job
from tests.factories import EmployerFactory
from tests.followups.helpers import TODAY, rejected

pytestmark = pytest.mark.django_db
LIST = "/employer/followups/"


def steps(employer):
    return {s.default_key or s.name: s for s in followups.steps_for(employer)}


def test_the_menu_links_to_the_page_and_it_lists_the_two_steps_with_counts(owner_client, employer):
    rejected(employer, "later@example.jp", rejected_on=TODAY - timedelta(days=10))
    html = owner_client.get(reverse("employer:dashboard")).text
    assert f'href="{LIST}"' in html
    response = owner_client.get(LIST)
    assert response.status_code == 200
    html = response.text
    assert "6ヶ月後の再チャレンジ案内" in html
    assert "1年後の再チャレンジ案内" in html
    assert "不採用日の182日後" in html
    assert "停止中" in html
    assert '<td class="count-upcoming">1</td>' in html


def test_the_owner_turns_a_step_on_and_off(owner_client, employer, owner):
    step = steps(employer)["6_months"]
    response = owner_client.post(reverse("employer:followup_set_active", args=[step.pk]), {"active": "1"})
    assert response.status_code == 302
    assert response["Location"] == LIST
    step.refresh_from_db()
    assert step.active
    event = AuditEvent.objects.get(object_type="followup_step", object_id=str(step.pk))
    assert (event.actor_user, event.detail) == (owner, {"active": True})
    assert "60日以上" in owner_client.get(LIST).text
    owner_client.post(reverse("employer:followup_set_active", args=[step.pk]), {"active": "0"})
    step.refresh_from_db()
    assert not step.active


def test_editing_keeps_what_was_typed_and_names_the_field_on_an_error(owner_client, employer):
    step = steps(employer)["6_months"]
    url = reverse("employer:followup_edit", args=[step.pk])
    assert owner_client.get(url).status_code == 200
    typed = {"name": "半年後のご案内（改）", "delay_days": "0", "template": step.template_id}
    typed["reason_kinds"] = ["conditions"]
    response = owner_client.post(url, typed)
    assert response.status_code == 200
    html = response.text
    assert 'id="id_delay_days_error"' in html
    assert 'value="半年後のご案内（改）"' in html
    assert 'value="conditions" id="id_reason_kinds_2" checked' in html
    step.refresh_from_db()
    assert (step.name, step.delay_days) == ("6ヶ月後の再チャレンジ案内", 182)


def test_editing_changes_the_delay_template_and_reasons(owner_client, employer):
    step = steps(employer)["6_months"]
    own = RejectionTemplate.objects.create(
        organisation=employer, name="自社版", subject="{{company_name}}より", body="{{relay_link}}\n{{openings_link}}"
    )
    response = owner_client.post(
        reverse("employer:followup_edit", args=[step.pk]),
        {"name": "半年後のご案内", "delay_days": "１８０", "template": own.pk, "reason_kinds": ["conditions", "none"]},
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert (step.name, step.delay_days, step.template, step.reason_kinds, step.active) == (
        "半年後のご案内",
        180,
        own,
        ["conditions", "none"],
        False,
    )


def test_another_companys_template_cannot_be_chosen(owner_client, employer):
    step = steps(employer)["6_months"]
    theirs = RejectionTemplate.objects.create(organisation=EmployerFactory(), name="よその", subject="s", body="b")
    response = owner_client.post(
        reverse("employer:followup_edit", args=[step.pk]),
        {"name": "x", "delay_days": "182", "template": theirs.pk},
    )
    assert response.status_code == 200
    assert 'id="id_template_error"' in response.text
    step.refresh_from_db()
    assert step.template.preset_key == "ja_followup_6_months"


def test_the_owner_adds_a_step(owner_client, employer):
    preset = RejectionTemplate.objects.get(preset_key="ja_followup_6_months")
    assert owner_client.get(reverse("employer:followup_create")).status_code == 200
    response = owner_client.post(
        reverse("employer:followup_create"),
        {"name": "3ヶ月後のご案内", "delay_days": "91", "template": preset.pk, "active": "on"},
    )
    assert response.status_code == 302
    added = FollowupStep.objects.get(organisation=employer, name="3ヶ月後のご案内")
    assert (added.delay_days, added.active, added.default_key) == (91, True, "")
    assert "3ヶ月後のご案内" in owner_client.get(LIST).text


def test_a_member_sees_the_page_but_may_not_change_anything(member_client, employer):
    step = steps(employer)["6_months"]
    html = member_client.get(LIST).text
    assert "6ヶ月後の再チャレンジ案内" in html
    assert reverse("employer:followup_edit", args=[step.pk]) not in html
    typed = {"name": "x", "delay_days": "1", "template": step.template_id}
    for url, data in [
        (reverse("employer:followup_set_active", args=[step.pk]), {"active": "1"}),
        (reverse("employer:followup_edit", args=[step.pk]), typed),
        (reverse("employer:followup_create"), typed),
        (reverse("employer:followup_settings"), {"openings_url": ""}),
    ]:
        response = member_client.post(url, data)
        assert response.status_code == 403
        assert "管理者のみ利用できます" in response.text
    step.refresh_from_db()
    assert (step.active, step.name) == (False, "6ヶ月後の再チャレンジ案内")
    assert FollowupStep.objects.filter(organisation=employer).count() == 2


def test_another_companys_step_is_not_found(outsider_client, employer):
    step = steps(employer)["6_months"]
    for method, url, data in [
        ("get", reverse("employer:followup_edit", args=[step.pk]), None),
        ("post", reverse("employer:followup_edit", args=[step.pk]), {"name": "乗っ取り", "delay_days": "1"}),
        ("post", reverse("employer:followup_set_active", args=[step.pk]), {"active": "1"}),
    ]:
        response = outsider_client.post(url, data) if method == "post" else outsider_client.get(url)
        assert response.status_code == 404
        assert "株式会社山﨑製作所" not in response.text
    step.refresh_from_db()
    assert (step.active, step.name) == (False, "6ヶ月後の再チャレンジ案内")
    # The outsider's own page shows its own steps only.
    html = outsider_client.get(LIST).text
    assert "株式会社よそ" in html
    assert f'id="step-{step.pk}"' not in html


def test_anonymous_is_sent_to_login(client, employer):
    step = steps(employer)["6_months"]
    for url in (LIST, reverse("employer:followup_edit", args=[step.pk]), reverse("employer:followup_create")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    response = client.post(reverse("employer:followup_set_active", args=[step.pk]), {"active": "1"})
    assert response.status_code == 302
    step.refresh_from_db()
    assert not step.active


def test_the_openings_link_must_be_on_a_verified_domain(owner_client, employer):
    response = owner_client.post(reverse("employer:followup_settings"), {"openings_url": "https://phish.example/jobs"})
    assert response.status_code == 400
    assert 'id="id_openings_url_error"' in response.text
    assert 'value="https://phish.example/jobs"' in response.text
    assert FollowupSettings.objects.get(organisation=employer).openings_url == ""
    employer.link_domains.create(domain="yamasaki.example")
    response = owner_client.post(
        reverse("employer:followup_settings"), {"openings_url": "https://careers.yamasaki.example/"}
    )
    assert response.status_code == 302
    assert followups.openings_url_for(employer) == "https://careers.yamasaki.example/"


def test_the_public_openings_page_lists_open_jobs_only(client, employer):
    Job.objects.create(organisation=employer, title="経理スタッフ", description="月次決算など")
    Job.objects.create(organisation=employer, title="終了した求人", status=Job.Status.CLOSED)
    url = followups.openings_url_for(employer).removeprefix("http://testserver")
    html = client.get(url).text
    assert "株式会社山﨑製作所" in html
    assert "経理スタッフ" in html
    assert "終了した求人" not in html
    assert client.get("/openings/not-a-code/").status_code == 404
    # A company the operators have not approved publishes nothing under CareerRelay's address.
    employer.status = employer.Status.PENDING
    employer.save(update_fields=["status"])
    assert client.get(url).status_code == 404
