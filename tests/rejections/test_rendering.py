import pytest

from careerrelay.organisations.models import Organisation
from careerrelay.rejections.models import RejectionTemplate
from careerrelay.rejections.presets import PRESETS
from careerrelay.rejections.services import render_for_ats, render_rejection, validate_template
from careerrelay.talent.models import Applicant

RELAY = "https://careerrelay.example/r/AbC123xyz/"
UNSUBSCRIBE = "https://careerrelay.example/u/tok3n/"


def org(name="株式会社山﨑製作所"):
    return Organisation(name=name)


def person(family_name="髙橋", given_name="一郎", job_title="法人営業"):
    return Applicant(family_name=family_name, given_name=given_name, job_title=job_title)


def template(subject="選考結果のご連絡", body="{{applicant_name}} 様\n\n{{relay_link}}\n", language="ja"):
    return RejectionTemplate(subject=subject, body=body, language=language)


def test_it_fills_in_names_with_rare_kanji_in_subject_text_and_html():
    message = render_rejection(
        template(subject="{{applicant_name}} 様 選考結果（{{company_name}}）"),
        applicant=person(),
        organisation=org(),
        relay_url=RELAY,
    )
    assert message.subject == "髙橋 一郎 様 選考結果（株式会社山﨑製作所）"
    assert message.text == f"髙橋 一郎 様\n\n{RELAY}\n"
    assert "髙橋 一郎 様" in message.html
    assert f'<a href="{RELAY}"' in message.html


def test_variables_may_have_spaces_inside_the_braces():
    message = render_rejection(
        template(body="{{ applicant_name }} 様 {{  job_title }}"),
        applicant=person(family_name="山﨑", given_name="花子", job_title="経理"),
        organisation=org(),
        relay_url=RELAY,
    )
    assert message.text == "山﨑 花子 様 経理\n"


def test_it_escapes_values_in_html_and_keeps_them_raw_in_text():
    message = render_rejection(
        template(body="{{applicant_name}} 様\n{{relay_link}}"),
        applicant=person(family_name="<script>alert(1)</script>", given_name="&"),
        organisation=org(name="A&B <株式会社>"),
        relay_url=RELAY,
    )
    assert message.text.startswith("<script>alert(1)</script> & 様")
    assert "<script>" not in message.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 様" in message.html


def test_the_html_part_is_made_from_the_same_body_as_the_text_part():
    body = "{{applicant_name}} 様\n\n本日は、ありがとうございました。\n今後のご活躍を祈ります。\n\n{{relay_link}}\n"
    message = render_rejection(
        template(body=body),
        applicant=person(),
        organisation=org(),
        relay_url=RELAY,
    )
    assert message.text == f"髙橋 一郎 様\n\n本日は、ありがとうございました。\n今後のご活躍を祈ります。\n\n{RELAY}\n"
    assert ">髙橋 一郎 様</p>" in message.html
    assert ">本日は、ありがとうございました。<br>\n今後のご活躍を祈ります。</p>" in message.html


def test_bulleted_lines_become_a_list_and_a_relay_link_line_a_button_in_html():
    message = render_rejection(
        template(body="ご案内です。\n\n・無料です。\n・登録は任意です。\n\n詳しくはこちら:\n{{relay_link}}"),
        applicant=person(),
        organisation=org(),
        relay_url=RELAY,
    )
    assert "・無料です。\n・登録は任意です。" in message.text
    assert ">無料です。</li><li" in message.html
    assert ">登録は任意です。</li></ul>" in message.html
    assert ">キャリアリレーについて見る</a>" in message.html
    assert message.html.count(f'href="{RELAY}"') == 2  # the button and the address under it


def test_markup_typed_into_the_body_is_shown_as_text_never_run():
    message = render_rejection(
        template(body='<img src=x onerror="alert(1)"><script>steal()</script>\n{{relay_link}}'),
        applicant=person(family_name='"><img src=x onerror=alert(1)>'),
        organisation=org(),
        relay_url=RELAY,
    )
    assert "<img" not in message.html
    assert "<script" not in message.html
    assert "&lt;script&gt;steal()&lt;/script&gt;" in message.html


def test_template_tags_are_not_run():
    message = render_rejection(
        template(body="{% load static %}{{ applicant.organisation.api_keys }}{{relay_link}}"),
        applicant=person(),
        organisation=org(),
        relay_url=RELAY,
    )
    assert message.text == "{% load static %}{{ applicant.organisation.api_keys }}" + RELAY + "\n"


def test_css_is_inlined_for_mail_clients():
    message = render_rejection(template(), applicant=person(), organisation=org(), relay_url=RELAY)
    assert "<style" not in message.html
    assert '<p style="' in message.html
    assert 'style="color: #0f766e;"' in message.html


def test_unsubscribe_footer_is_added_when_sent_from_careerrelay():
    message = render_rejection(
        template(), applicant=person(), organisation=org(), relay_url=RELAY, unsubscribe_url=UNSUBSCRIBE
    )
    assert message.text.endswith(UNSUBSCRIBE + "\n")
    assert f'<a href="{UNSUBSCRIBE}"' in message.html


def test_no_unsubscribe_footer_without_an_unsubscribe_url():
    message = render_rejection(template(), applicant=person(), organisation=org(), relay_url=RELAY)
    assert "配信を停止" not in message.text
    assert "配信を停止" not in message.html


def test_an_unsubscribe_link_placed_by_the_template_replaces_the_footer():
    message = render_rejection(
        template(body="{{relay_link}}\n停止: {{unsubscribe_link}}"),
        applicant=person(),
        organisation=org(),
        relay_url=RELAY,
        unsubscribe_url=UNSUBSCRIBE,
    )
    assert message.text == f"{RELAY}\n停止: {UNSUBSCRIBE}\n"
    assert message.html.count(UNSUBSCRIBE) == 2  # href and link text, once


def test_subject_never_carries_a_line_break():
    message = render_rejection(
        template(subject="選考結果 {{applicant_name}}"),
        applicant=person(given_name="一郎\r\nBcc: victim@example.jp"),
        organisation=org(),
        relay_url=RELAY,
    )
    assert "\n" not in message.subject
    assert "\r" not in message.subject


def test_signature_defaults_to_the_company():
    message = render_rejection(
        template(body="{{relay_link}}\n{{signature}}"), applicant=person(), organisation=org(), relay_url=RELAY
    )
    assert message.text == f"{RELAY}\n株式会社山﨑製作所 採用担当\n"


def test_unknown_variables_are_errors():
    problems = validate_template("件名 {{氏名}}", "{{applicant_name}} {{ candidate }} {{relay_link}}")
    errors = [(p.field, p.level) for p in problems if p.is_error]
    assert errors == [("subject", "error"), ("body", "error")]
    assert "氏名" in str(problems[0].message)
    assert "candidate" in str(problems[1].message)


def test_django_template_tags_are_errors():
    problems = validate_template("件名", "{% if x %}{{relay_link}}{% endif %}")
    assert [(p.field, p.level) for p in problems] == [("body", "error")]


def test_missing_relay_link_is_a_warning_not_an_error():
    problems = validate_template("件名", "{{applicant_name}} 様\nありがとうございました。")
    assert [(p.field, p.level) for p in problems] == [("body", "warning")]
    assert "{{relay_link}}" in str(problems[0].message)


def test_a_complete_template_has_no_problems():
    assert validate_template("選考結果（{{company_name}}）", "{{applicant_name}} 様\n{{relay_link}}") == []


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.key)
def test_presets_contain_the_relay_link_and_validate_cleanly(preset):
    assert "{{relay_link}}" in preset.body
    assert validate_template(preset.subject, preset.body) == []


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.key)
def test_presets_render_in_their_language(preset):
    message = render_rejection(
        template(subject=preset.subject, body=preset.body, language=preset.language),
        applicant=person(family_name="山﨑", given_name="花子", job_title="経理"),
        organisation=org(),
        relay_url=RELAY,
        sender_name="佐藤",
        unsubscribe_url=UNSUBSCRIBE,
    )
    assert "{{" not in message.subject + message.text + message.html
    assert "山﨑 花子" in message.text
    assert "山﨑 花子" in message.html
    assert RELAY in message.text
    assert f'href="{RELAY}"' in message.html
    assert f'href="{UNSUBSCRIBE}"' in message.html
    assert f'<html lang="{preset.language}">' in message.html
    if preset.language == "en":
        assert message.text.startswith("Dear 山﨑 花子,")
        assert "free of charge" in message.text
    else:
        assert message.text.startswith("山﨑 花子 様")
        assert "無料" in message.text


def test_both_languages_are_among_the_presets():
    assert {p.language for p in PRESETS} == {"ja", "en"}
    assert len([p for p in PRESETS if p.language == "ja"]) >= 3


def test_ats_copy_fills_in_the_relay_link_and_uses_the_ats_placeholders():
    preset = PRESETS[0]
    copy = render_for_ats(
        template(subject=preset.subject, body=preset.body),
        organisation=org(),
        relay_url=RELAY,
        ats="greenhouse",
    )
    assert copy.subject == "選考結果のご連絡（株式会社山﨑製作所）"
    assert copy.text.startswith("{{CANDIDATE_NAME}} 様\n")
    assert RELAY in copy.text
    assert "{{relay_link}}" not in copy.text
    assert ("relay_link", RELAY) in [(name, value) for name, value, _ in copy.rows]
