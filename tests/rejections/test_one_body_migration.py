"""The migration to one body keeps the body the employer edited: their text, or, when only the
HTML had been changed from the preset, that HTML as text."""

import pytest

from tests.helpers.migrations import migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("rejections", "0001_initial")]
AFTER = [("rejections", "0002_one_body_for_text_and_html")]
PRESET_TEXT = "{{applicant_name}} 様\n\nありがとうございました。\n{{relay_link}}\n"
PRESET_HTML = "<p>{{applicant_name}} 様</p><p>ありがとうございました。</p><p>{{relay_link}}</p>"


def test_the_edited_body_is_kept():
    old = migrate(BEFORE)
    Template = old.get_model("rejections", "RejectionTemplate")
    Organisation = old.get_model("organisations", "Organisation")
    org = Organisation.objects.create(name="株式会社山﨑製作所")
    Template.objects.create(preset_key="ja_x", name="p", subject="s", body_text=PRESET_TEXT, body_html=PRESET_HTML)
    text_edited = Template.objects.create(
        organisation=org,
        name="text",
        subject="s",
        body_text="本文を書き換えました\n{{relay_link}}",
        body_html=PRESET_HTML,
    )
    html_edited = Template.objects.create(
        organisation=org,
        name="html",
        subject="s",
        body_text=PRESET_TEXT,
        body_html="<p>{{applicant_name}} 様</p><p>HTMLだけ直しました &amp; 感謝。<br>二行目</p><ul><li>無料</li></ul>"
        '<p><a href="{{relay_link}}">詳しく</a></p>',
    )
    text_only = Template.objects.create(organisation=org, name="plain", subject="s", body_text="テキストだけ")

    new = migrate(AFTER)
    Template = new.get_model("rejections", "RejectionTemplate")
    assert Template.objects.get(pk=text_edited.pk).body == "本文を書き換えました\n{{relay_link}}"
    assert Template.objects.get(pk=html_edited.pk).body == (
        "{{applicant_name}} 様\n\nHTMLだけ直しました & 感謝。\n二行目\n\n・無料\n\n詳しく\n{{relay_link}}\n"
    )
    assert Template.objects.get(pk=text_only.pk).body == "テキストだけ"
