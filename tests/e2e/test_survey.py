"""The survey a rejection email links to, on a phone: one tap per answer, readable by a screen
reader (fieldset and legend, every score labelled), mistakes shown by their field."""

import re

import pytest
from playwright.sync_api import expect

from careerrelay.common.tokens import hash_token
from careerrelay.surveys.models import SurveyInvitation, SurveyResponse
from tests.e2e.accessibility import assert_accessible
from tests.surveys.helpers import invitation

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_applicant_answers_on_a_phone(live_server, phone_page, employer):
    invited = invitation(employer)
    SurveyInvitation.objects.filter(pk=invited.pk).update(token_hash=hash_token("phone-survey-token-1234"))
    page = phone_page
    page.goto(f"{live_server.url}/s/phone-survey-token-1234/")
    expect(page.get_by_role("group", name=re.compile("この企業の選考を友人に勧めますか？"))).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)

    page.get_by_label("ご意見・ご感想（任意）").fill("説明が丁寧でした")
    page.get_by_role("button", name="回答を送る").click()
    expect(page.locator("#id_score_error")).to_have_text("0から10のどれかを選んでください。")
    expect(page.get_by_label("ご意見・ご感想（任意）")).to_have_value("説明が丁寧でした")
    assert_accessible(page)

    page.get_by_role("radio", name="9", exact=True).check()
    page.get_by_label("丁寧・誠実に対応してもらえた").check()
    page.get_by_role("button", name="回答を送る").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ご回答ありがとうございました")
    assert_accessible(page)
    answer = SurveyResponse.objects.get()
    assert (answer.score, answer.comment, answer.good_points) == (9, "説明が丁寧でした", ["respect"])
