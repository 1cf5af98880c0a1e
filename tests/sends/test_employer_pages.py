import pytest
from django.urls import reverse

from careerrelay.outbox.models import OutboundEmail
from careerrelay.rejections.models import RejectionTemplate
from careerrelay.rejections.services import create_template, sync_presets, update_template
from careerrelay.sends import services as sends
from careerrelay.sends.models import Send
from tests.helpers.mail import form_data

pytestmark = pytest.mark.django_db


def new_url(**params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("employer:send_create") + "?" + query


def test_the_form_filters_by_job_stage_and_date(member_client, template, applicants):
    response = member_client.get(new_url(job_title="エンジニア"))
    assert response.status_code == 200
    listed = [a.pk for a in response.context["listed"]]
    assert listed == [applicants[1].pk]
    response = member_client.get(new_url(rejected_to="2026-10-31"))
    assert [a.pk for a in response.context["listed"]] == [applicants[2].pk]
    response = member_client.get(new_url(stage="final_interview"))
    assert [a.pk for a in response.context["listed"]] == [applicants[1].pk]


def test_the_template_is_chosen_in_the_send_form_and_defaults_to_the_last_edited_own_one(
    member_client, employer, template
):
    newer = create_template(organisation=employer, name="新卒向け", language="ja", subject="s", body="{{relay_link}}")
    response = member_client.get(reverse("employer:send_create"))
    form = response.context["form"]
    assert form["template"].value() == newer.pk
    assert "template" not in response.context["filter_form"].fields
    update_template(template, name=template.name, language="ja", subject=template.subject, body=template.body)
    response = member_client.get(reverse("employer:send_create"))
    assert response.context["form"]["template"].value() == template.pk


def test_without_own_templates_the_first_preset_is_chosen(member_client, employer):
    response = member_client.get(reverse("employer:send_create"))
    chosen = response.context["form"].fields["template"].queryset.get(pk=response.context["form"]["template"].value())
    assert chosen.is_preset


def test_those_who_already_received_any_rejection_email_are_left_out_by_default_with_a_warning(
    member_client, employer, template, applicants, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    other_template = create_template(
        organisation=employer, name="別の文面", language="ja", subject="s", body="{{relay_link}}"
    )
    sends.create_send(organisation=employer, template=other_template, applicants=applicants[:1])

    response = member_client.get(reverse("employer:send_create"))
    assert response.context["form"]["template"].value() == other_template.pk
    assert sorted(a.pk for a in response.context["listed"]) == sorted(a.pk for a in applicants[1:])
    assert "すでにこの会社から不採用通知を受け取った 1人は、宛先から除いています。" in response.content.decode()

    # Unticked, they are offered again, marked, with a warning.
    response = member_client.get(new_url(job_title="", stage=""))
    assert len(response.context["listed"]) == 3
    content = response.content.decode()
    assert "このうち 1人は、すでにこの会社から不採用通知を受け取っています" in content
    assert "送信済み" in content


def test_a_cancelled_message_does_not_count_as_received(member_client, employer, template, applicants, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    sends.cancel_send(sends.create_send(organisation=employer, template=template, applicants=applicants[:1]))
    response = member_client.get(reverse("employer:send_create"))
    assert len(response.context["listed"]) == 3


def test_preview_shows_each_message_then_send_creates_it(
    member_client, template, applicants, smtp_server, django_capture_on_commit_callbacks
):
    url = reverse("employer:send_create")
    confirm = member_client.post(url, form_data(template, applicants[:2], "preview"))
    assert confirm.status_code == 200
    assert sorted(a.pk for a in confirm.context["recipients"]) == sorted(a.pk for a in applicants[:2])
    assert Send.objects.count() == 0
    preview = member_client.get(
        reverse("employer:send_preview"),
        {"template": template.pk, "applicant": applicants[1].pk, "sender_name": "人事部 鈴木"},
    )
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "山﨑 太郎 様" in body
    assert "人事部 鈴木" in body
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(url, form_data(template, applicants[:2], "send"))
    send = Send.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("employer:send_detail", args=[send.pk])
    assert send.sender_name == "人事部 鈴木"
    assert len(smtp_server.sink.wait_for(2)) == 2
    progress = member_client.get(reverse("employer:send_progress", args=[send.pk])).json()
    assert (progress["state"], progress["sent"], progress["percent"], progress["open"]) == ("done", 2, 100, False)
    detail = member_client.get(response["Location"])
    assert detail.status_code == 200
    # Delivered: totals only, no recipient listed (nothing per recipient about clicks or registrations).
    assert "hanako.takahashi@example.jp" not in detail.content.decode()
    assert 'id="all-delivered"' in detail.content.decode()


def test_a_time_already_past_asks_whether_to_send_now(member_client, template, applicants, smtp_server):
    url = reverse("employer:send_create")
    response = member_client.post(
        url, form_data(template, applicants[:1], "preview", when="at", send_at="2020-01-01T10:00")
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"send_at": ["指定した送信日時はすでに過ぎています。今すぐ送りますか？"]}
    content = response.content.decode()
    assert 'value="2020-01-01T10:00"' in content
    assert 'name="step" value="preview_now"' in content

    confirm = member_client.post(
        url, form_data(template, applicants[:1], "preview_now", when="at", send_at="2020-01-01T10:00")
    )
    assert confirm.status_code == 200
    assert confirm.context["schedule"] == {}
    assert "今すぐ" in confirm.content.decode()
    sent = member_client.post(url, form_data(template, applicants[:1], "send"), follow=True)
    assert "送信を開始しました。" in sent.content.decode()


def test_a_booking_says_it_was_booked(member_client, template, applicants, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    url = reverse("employer:send_create")
    response = member_client.post(
        url, form_data(template, applicants[:1], "send", when="at", send_at="2099-01-05T10:00"), follow=True
    )
    content = response.content.decode()
    assert "送信を予約しました。" in content
    assert "送信を開始しました" not in content
    # Also when the send is big enough to be prepared by the worker.
    settings.MAILINGS_PREPARE_IN_REQUEST = 1
    response = member_client.post(
        url, form_data(template, applicants[1:], "send", when="business_days", business_days="2"), follow=True
    )
    content = response.content.decode()
    assert "送信を予約しました。" in content
    assert "送信を開始しました" not in content


def test_what_is_sent_is_the_edited_body_in_both_parts(
    member_client, owner_client, smtp_server, applicants, django_capture_on_commit_callbacks
):
    sync_presets()
    preset = RejectionTemplate.objects.get(preset_key="ja_warm")
    edited = preset.body.replace("本当にありがとうございました", "心より御礼申し上げます")
    owner_client.post(
        reverse("employer:template_create"),
        {"name": "温かみ・改", "language": "ja", "subject": preset.subject, "body": edited},
    )
    template = RejectionTemplate.objects.get(name="温かみ・改")
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(reverse("employer:send_create"), form_data(template, applicants[:1], "send"))
    assert response.status_code == 302
    (received,) = smtp_server.sink.wait_for(1)
    assert "心より御礼申し上げます" in received.text()
    assert "心より御礼申し上げます" in received.html()
    assert "本当にありがとうございました" not in received.html()


def test_no_recipient_is_an_error_not_a_500(member_client, template, applicants):
    response = member_client.post(reverse("employer:send_create"), form_data(template, [], "send"))
    assert response.status_code == 200
    assert response.context["form"].errors == {"applicants": ["宛先を1人以上選んでください。"]}
    assert Send.objects.count() == 0


def test_scheduling_n_business_days_after_rejection(member_client, template, applicants, settings):
    response = member_client.post(
        reverse("employer:send_create"),
        form_data(template, applicants[:1], "send", when="business_days", business_days="1", send_time="09:00"),
    )
    assert response.status_code == 302
    row = OutboundEmail.objects.get()
    # Rejected Monday 2026-11-02; Tuesday 11/3 is 文化の日.
    assert row.due_at.isoformat() == "2026-11-04T00:00:00+00:00"


def test_cancel_stops_what_has_not_gone_out(owner_client, employer, template, applicants, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    send = sends.create_send(organisation=employer, template=template, applicants=applicants)
    response = owner_client.post(reverse("employer:send_cancel", args=[send.pk]))
    assert response.status_code == 302
    assert sends.count_messages(send).cancelled == 3
    send.refresh_from_db()
    assert send.state == Send.State.CANCELLED


@pytest.mark.parametrize("name", ["send_detail", "send_progress", "send_cancel"])
def test_another_companys_send_is_not_found(outsider_client, employer, template, applicants, settings, name):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    send = sends.create_send(organisation=employer, template=template, applicants=applicants)
    url = reverse(f"employer:{name}", args=[send.pk])
    response = outsider_client.post(url) if name == "send_cancel" else outsider_client.get(url)
    assert response.status_code == 404
    assert sends.count_messages(send).queued == 3


def test_an_outsider_cannot_send_to_or_preview_another_companys_applicants(outsider_client, template, applicants):
    preview = outsider_client.get(
        reverse("employer:send_preview"), {"template": template.pk, "applicant": applicants[0].pk}
    )
    assert preview.status_code == 404
    response = outsider_client.post(reverse("employer:send_create"), form_data(template, applicants, "send"))
    assert response.status_code == 200  # the form again: the template is not one of theirs
    assert Send.objects.count() == 0


def test_the_list_shows_the_companys_sends(member_client, employer, template, applicants, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    sends.create_send(organisation=employer, template=template, applicants=applicants)
    assert len(member_client.get(reverse("employer:sends")).context["rows"]) == 1


def test_the_list_hides_other_companies_sends(outsider_client, employer, template, applicants, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    sends.create_send(organisation=employer, template=template, applicants=applicants)
    assert outsider_client.get(reverse("employer:sends")).context["rows"] == []
