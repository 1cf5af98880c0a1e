"""What the employer sees of the survey: aggregates of at least 5 answers, never a person."""

import re
from datetime import date

import pytest
from django.urls import reverse

from careerrelay.rejections.models import RejectionTemplate
from careerrelay.surveys import services as surveys
from careerrelay.surveys.models import SurveyInvitation
from tests.factories import EmployerFactory
from tests.surveys.helpers import answers

pytestmark = pytest.mark.django_db
URL = "/employer/surveys/"


def template(employer, name):
    return RejectionTemplate.objects.create(organisation=employer, name=name, subject="件名", body="本文")


def test_the_menu_links_to_the_page(owner_client):
    assert URL == reverse("employer:surveys")
    assert f'href="{URL}"' in owner_client.get(reverse("employer:dashboard")).text


def test_four_answers_in_a_month_show_nothing_and_say_why(owner_client, employer):
    answers(employer, [10, 10, 10, 0], comment="面接官が親切でした")
    html = owner_client.get(URL).text
    assert "まだ表示できる回答はありません" in html
    assert "その翌月が終わってから表示します" in html
    assert 'id="nps-responses"' not in html
    assert "面接官が親切でした" not in html


def test_five_answers_show_the_score_interval_counts_and_comments_by_month(owner_client, employer):
    answers(employer, [10, 9, 9, 8], comment="", month=date(2026, 11, 1))
    answers(employer, [2], comment="結果の連絡が遅かった", month=date(2026, 11, 1))
    html = owner_client.get(URL).text
    assert re.search(r'id="nps-total">40\.0<', html)
    assert re.search(r'id="nps-interval">-30\.1 〜 100\.0<', html)
    assert re.search(r'id="nps-responses">5<', html)
    assert "推奨者(9〜10) 3人・中立者(7〜8) 1人・批判者(0〜6) 1人" in html
    assert "2026-11</span> 結果の連絡が遅かった" in html


def test_a_comment_from_a_month_not_yet_released_is_not_shown(owner_client, employer):
    answers(employer, [10, 9, 9, 8, 7], month=date(2026, 10, 1))
    answers(employer, [3], comment="十一月の回答", month=date(2026, 11, 1))  # one answer: not released
    answers(employer, [3, 4, 5, 6, 7], comment="今月いただいた感想", month=surveys.month_of(date.today()))  # not closed
    html = owner_client.get(URL).text
    assert "十一月の回答" not in html
    assert "今月いただいた感想" not in html


def test_a_template_with_fewer_than_5_answers_is_left_out_and_the_others_are_shown(owner_client, employer):
    a, b, c = template(employer, "テンプレA"), template(employer, "テンプレB"), template(employer, "テンプレC")
    answers(employer, [10] * 7, template=a)
    answers(employer, [0, 0], template=b)
    answers(employer, [9, 9, 9, 9, 9], template=c)
    groups = {g.label: g for g in surveys.summary(surveys.responses_for(employer), "template")}
    assert set(groups) == {"テンプレA", "テンプレC"}  # B's two answers are in no figure at all
    assert groups["テンプレA"].shown and groups["テンプレC"].shown
    table = owner_client.get(URL).text.split('id="table-template"')[1].split("</table>")[0]
    assert "テンプレB" not in table
    assert ">100.0<" in table  # A and C


def test_by_job_stage_and_month(owner_client, employer):
    answers(employer, [10, 10, 10, 10, 6], job_title="エンジニア", stage="final_interview", month=date(2026, 10, 1))
    answers(employer, [0, 0, 0, 0, 10], job_title="営業職", stage="document", month=date(2026, 11, 1))
    responses = surveys.responses_for(employer)
    by_job = {g.label: g.nps.score for g in surveys.summary(responses, "job")}
    assert by_job == {"エンジニア": 60.0, "営業職": -60.0}
    by_stage = {g.label: g.nps.score for g in surveys.summary(responses, "stage")}
    assert by_stage == {"書類選考": -60.0, "最終面接": 60.0}
    assert [(g.key, g.nps.score) for g in surveys.summary(responses, "month")] == [
        ("2026-10", 60.0),
        ("2026-11", -60.0),
    ]
    html = owner_client.get(URL).text
    assert "最終面接</th>" in html and "2026-10</th>" in html


def test_before_and_after_a_template_and_a_against_b_over_the_same_months(owner_client, employer):
    old, new = template(employer, "旧テンプレ"), template(employer, "新テンプレ")
    answers(employer, [0, 0, 10, 10, 8], template=old, month=date(2026, 9, 1))  # 0
    answers(employer, [10, 10, 10, 9, 8], template=new, month=date(2026, 10, 1))  # 80
    answers(employer, [10, 0, 8, 8, 8], template=old, month=date(2026, 10, 1))  # 0
    response = owner_client.get(URL, {"template": new.pk})
    html = response.text
    assert "「新テンプレ」を使い始める前と後" in html
    comparison = surveys.before_and_after(employer, new.pk)
    assert (comparison.before.responses, comparison.after.responses) == (5, 5)
    assert comparison.difference.change == pytest.approx(80.0)
    against = surveys.template_against_template(employer, old.pk, new.pk)
    assert against.months == ["2026-10"]
    assert (against.before.score, against.after.score) == (0.0, 80.0)
    html = owner_client.get(URL, {"a": old.pk, "b": new.pk}).text
    assert "比べた月: 2026-10" in html
    assert "差: 80.0 ポイント" in html


def test_another_companys_template_cannot_be_compared(owner_client, employer):
    other = EmployerFactory()
    theirs = template(other, "よそのテンプレ")
    answers(other, [10] * 5, template=theirs)
    html = owner_client.get(URL, {"template": theirs.pk}).text
    assert "一覧から選んでください。" in html
    assert "よそのテンプレ" not in html


def test_each_company_sees_its_own_answers_only(client, employer, owner, member, outsider):
    answers(employer, [0] * 6, comment="山﨑製作所への不満")
    answers(EmployerFactory(), [10] * 6, comment="よその会社への感想")
    for user, expected in ((owner, "-100.0"), (member, "-100.0")):
        client.force_login(user)
        html = client.get(URL).text
        assert f'id="nps-total">{expected}<' in html
        assert "山﨑製作所への不満" in html
        assert "よその会社への感想" not in html
    client.force_login(outsider)
    html = client.get(URL).text
    assert "まだ回答はありません。" in html
    assert "山﨑製作所への不満" not in html and "よその会社への感想" not in html
    client.logout()
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_invitations_of_the_service_survey_never_count_for_a_company(owner_client, employer):
    invitation = SurveyInvitation.objects.create(kind="service", token_hash="f" * 64, sent_month=date(2026, 11, 1))
    surveys.save_answer(invitation=invitation, score=0)
    assert surveys.overall(surveys.responses_for(employer)).responses == 0
