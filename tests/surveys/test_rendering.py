"""{{survey_link}} in the template language: the editor offers it, the policy allows it, and a
message without a survey (an ATS copy) leaves its paragraph out."""

import pytest
from django.urls import reverse

from careerrelay.rejections.models import RejectionTemplate
from careerrelay.rejections.presets import REJECTION_PRESETS
from careerrelay.rejections.services import VARIABLES, render_for_ats, render_rejection, validate_template
from tests.surveys.helpers import SURVEY_PARAGRAPH

pytestmark = pytest.mark.django_db
BODY = "{{applicant_name}} 様\n\nありがとうございました。\n\n" + SURVEY_PARAGRAPH + "\n{{relay_link}}\n"


def test_the_variable_is_known_and_every_rejection_preset_carries_it():
    assert "survey_link" in VARIABLES
    assert [p for p in validate_template("件名", BODY) if p.is_error] == []
    for preset in REJECTION_PRESETS:
        assert "{{survey_link}}" in preset.body
    assert [p.field for p in validate_template("{{survey_link}}", BODY) if p.is_error] == ["subject"]


def test_a_message_with_a_survey_links_it_and_one_without_leaves_the_paragraph_out(employer):
    template = RejectionTemplate(organisation=employer, name="t", subject="件名", body=BODY)
    url = "http://testserver/s/abc123/"
    message = render_rejection(template, organisation=employer, relay_url="http://testserver/c/x/", survey_url=url)
    assert f"選考についてのご感想をお聞かせください（1分・匿名）\n{url}" in message.text
    assert f'href="{url}"' in message.html
    without = render_rejection(template, organisation=employer, relay_url="http://testserver/c/x/")
    assert "ご感想" not in without.text and "ご感想" not in without.html
    assert "ありがとうございました。" in without.text and "http://testserver/c/x/" in without.text
    ats = render_for_ats(template, organisation=employer, relay_url="http://testserver/r/x/", ats="generic")
    assert "ご感想" not in ats.text and "{{" not in ats.text
    assert "survey_link" not in [name for name, _value, _label in ats.rows]


def test_the_editor_lists_the_variable_and_previews_the_link(owner_client):
    page = owner_client.get(reverse("employer:template_create")).text
    assert "{{survey_link}}" in page
    preview = owner_client.post(
        reverse("employer:template_create"),
        {"name": "t", "language": "ja", "subject": "件名", "body": BODY, "action": "preview"},
    ).text
    assert "http://testserver/s/preview/" in preview
    assert owner_client.get("/s/preview/").status_code == 200
