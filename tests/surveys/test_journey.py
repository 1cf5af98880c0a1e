"""From a real bulk send to an answer: the survey link is in the delivered message, opens without
signing in, and one message has at most one answer."""

import re
from datetime import datetime, time

import pytest
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from careerrelay.outbox.models import OutboundEmail
from careerrelay.sends import services as sends
from careerrelay.surveys import services as surveys_services
from careerrelay.surveys.models import SurveyInvitation, SurveyResponse
from careerrelay.talent.models import Application, Job, RejectionReason
from careerrelay.talent.services import rejection_reasons_for

pytestmark = pytest.mark.django_db
LINK = re.compile(r"http://testserver(/s/[\w-]+/)")


def send_and_receive(smtp_server, employer, template, applicants, capture):
    with capture(execute=True):
        sends.create_send(organisation=employer, template=template, applicants=applicants, sender_name="人事部 鈴木")
    received = smtp_server.sink.wait_for(len(applicants))
    return {r.rcpt_tos[0]: r for r in received}


def answer(client, path, remote_addr="203.0.113.7", **data):
    return client.post(path, {"score": "", "comment": "", **data}, REMOTE_ADDR=remote_addr)


def test_the_survey_link_of_a_delivered_message_opens_the_survey_and_an_answer_replaces_the_first(
    smtp_server, employer, survey_template, applicants, django_capture_on_commit_callbacks
):
    job = Job.objects.create(organisation=employer, title="法人営業（東京）")
    reason = rejection_reasons_for(employer).get(kind=RejectionReason.Kind.OTHER_CANDIDATE)
    Application.objects.create(
        applicant=applicants[0], job=job, job_title="法人営業", stage="second_interview", reason=reason
    )
    mail = send_and_receive(smtp_server, employer, survey_template, applicants, django_capture_on_commit_callbacks)

    takahashi = mail["hanako.takahashi@example.jp"]
    text = takahashi.text()
    assert "選考についてのご感想をお聞かせください（1分・匿名）" in text
    path = LINK.search(text).group(1)
    assert f'href="http://testserver{path}"' in takahashi.html()
    # One link per message: every recipient has their own.
    paths = {LINK.search(m.text()).group(1) for m in mail.values()}
    assert len(paths) == 3

    # The snapshot the aggregates read, taken when the message was rendered.
    invitation = SurveyInvitation.objects.get(message__to_email="hanako.takahashi@example.jp")
    assert invitation.message.state == OutboundEmail.State.SENT
    assert (invitation.organisation, invitation.template, invitation.template_name) == (
        employer,
        survey_template,
        "アンケート付き",
    )
    assert (invitation.job, invitation.job_title, invitation.stage, invitation.reason_kind) == (
        job,
        "法人営業",
        "second_interview",
        "other_candidate",
    )
    assert invitation.sent_month.day == 1

    applicant = Client()  # a phone, never signed in
    page = applicant.get(path)
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"  # the token never travels to another site
    assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    html = page.content.decode()
    assert "この企業の選考を友人に勧めますか？" in html
    assert "株式会社山﨑製作所の選考について" in html
    assert html.count('type="radio" name="score"') == 11
    assert "<legend>" in html
    assert "髙橋" not in html and "hanako" not in html

    first = answer(applicant, path, score="3", comment="連絡が遅かったです。", improvements=["speed"])
    assert first.status_code == 302
    assert first["Location"] == f"{path}thanks/"
    thanks = applicant.get(first["Location"])
    assert "ご回答ありがとうございました" in thanks.content.decode()

    # Opening the link again says it was answered but never shows the answer (the link may have
    # been forwarded); sending again replaces it.
    again = applicant.get(path).content.decode()
    assert "回答済みです" in again
    assert "連絡が遅かったです。" not in again
    assert not re.search(r"checked", again)
    answer(applicant, path, score="9", comment="丁寧な対応でした。", good_points=["respect", "communication"])
    response = SurveyResponse.objects.get()
    assert (response.score, response.comment) == (9, "丁寧な対応でした。")
    assert response.good_points == ["communication", "respect"]
    assert response.improvements == []
    assert response.invitation == invitation


def test_a_template_without_survey_link_makes_no_invitation(
    smtp_server, employer, applicants, django_capture_on_commit_callbacks
):
    from tests.helpers.mail import make_template

    mail = send_and_receive(
        smtp_server, employer, make_template(employer), applicants[:1], django_capture_on_commit_callbacks
    )
    assert "/s/" not in next(iter(mail.values())).text()
    assert not SurveyInvitation.objects.exists()


def test_a_tampered_or_unknown_link_is_a_404(
    client, smtp_server, employer, survey_template, applicants, django_capture_on_commit_callbacks
):
    mail = send_and_receive(smtp_server, employer, survey_template, applicants[:1], django_capture_on_commit_callbacks)
    path = LINK.search(next(iter(mail.values())).text()).group(1)
    token = path.split("/")[2]
    tampered = path.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B"))
    for bad in (tampered, "/s/nonsense/", f"/s/{'x' * 300}/", f"{tampered}thanks/"):
        assert client.get(bad).status_code == 404
        assert client.post(bad, {"score": "10"}).status_code == 404
    assert not SurveyResponse.objects.exists()


def test_mistakes_are_shown_by_their_fields_and_what_was_typed_is_kept(
    client, smtp_server, employer, survey_template, applicants, django_capture_on_commit_callbacks
):
    mail = send_and_receive(smtp_server, employer, survey_template, applicants[:1], django_capture_on_commit_callbacks)
    path = LINK.search(next(iter(mail.values())).text()).group(1)
    long_comment = "あ" * 1001
    response = answer(client, path, comment=long_comment, good_points=["respect", "made-up"])
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_score_error"' in html
    assert "0から10のどれかを選んでください。" in html
    assert 'id="id_comment_error"' in html
    assert long_comment in html  # kept, to be shortened rather than typed again
    assert not SurveyResponse.objects.exists()
    response = answer(client, path, score="11")
    assert "0から10のどれかを選んでください。" in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_the_survey_speaks_english(
    client, smtp_server, employer, survey_template, applicants, django_capture_on_commit_callbacks
):
    mail = send_and_receive(smtp_server, employer, survey_template, applicants[:1], django_capture_on_commit_callbacks)
    path = LINK.search(next(iter(mail.values())).text()).group(1)
    client.post("/i18n/setlang/", {"language": "en", "next": path})
    html = client.get(path).content.decode()
    assert 'lang="en"' in html


def test_answers_are_limited_per_link(
    client, settings, smtp_server, employer, survey_template, applicants, django_capture_on_commit_callbacks
):
    settings.RATE_LIMIT_SURVEY_PER_LINK = "3/h"
    mail = send_and_receive(smtp_server, employer, survey_template, applicants[:2], django_capture_on_commit_callbacks)
    first, second = (LINK.search(m.text()).group(1) for m in mail.values())
    for n in range(3):
        assert answer(client, first, score=str(n), remote_addr=f"198.51.100.{n}").status_code == 302
    assert answer(client, first, score="10", remote_addr="198.51.100.9").status_code == 429
    assert SurveyResponse.objects.get().score == 2
    assert answer(client, second, score="10", remote_addr="198.51.100.9").status_code == 302


def test_the_employer_sees_the_answers_of_a_real_send_without_anybody_in_them(
    smtp_server, owner_client, owner, employer, survey_template, django_capture_on_commit_callbacks
):
    from tests.helpers.mail import make_applicant

    people = [make_applicant(employer, "髙橋", f"花子{n}", f"person{n}@example.jp") for n in range(5)]
    mail = send_and_receive(smtp_server, employer, survey_template, people, django_capture_on_commit_callbacks)
    for n, message in enumerate(mail.values()):
        path = LINK.search(message.text()).group(1)
        assert answer(Client(), path, score=str(6 + n), comment=f"感想その{n}").status_code == 302
    # This month's answers wait for the month to close: reading before and after one answer
    # would otherwise tell that answer.
    assert "感想その0" not in owner_client.get("/employer/surveys/").text
    released = surveys_services._months_after(surveys_services.month_of(timezone.localdate()), 2)
    with freeze_time(timezone.make_aware(datetime.combine(released, time(10)))):
        owner_client.force_login(owner)
        page = owner_client.get("/employer/surveys/").text
    # 6, 7, 8, 9, 10: two promoters, one detractor out of five: NPS 20.
    assert re.search(r'id="nps-total">20\.0<', page)
    assert "感想その0" in page and "感想その4" in page
    for person in people:
        assert person.full_name not in page and person.email not in page
        assert f"/applicants/{person.pk}/" not in page


def test_a_large_send_rendered_by_the_worker_gives_each_message_its_own_survey(
    settings, employer, survey_template, applicants, django_capture_on_commit_callbacks
):
    settings.MAILINGS_PREPARE_IN_REQUEST = 1
    settings.MAILINGS_PREPARE_CHUNK = 2
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    send = sends.create_send(organisation=employer, template=survey_template, applicants=applicants)
    assert send.state == send.State.PREPARING
    sends.run_prepare_send(send.pk)
    sends.run_prepare_send(send.pk)  # a second preparer after a lost lease adds nothing
    messages = OutboundEmail.objects.filter(send=send)
    assert messages.count() == 3
    invitations = SurveyInvitation.objects.filter(message__send=send)
    assert invitations.count() == 3
    for message in messages:
        path = LINK.search(message.body_text).group(1)
        assert Client().get(path).status_code == 200
        assert message.survey_invitation.job_title == message.applicant.job_title
