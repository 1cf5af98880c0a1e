import pytest
from django.urls import reverse

from careerrelay.rejections.models import RejectionTemplate
from careerrelay.rejections.presets import PRESETS
from careerrelay.rejections.services import create_template, sync_presets
from tests.factories import EmployerFactory
from tests.helpers.rejections import make_applicant

pytestmark = pytest.mark.django_db


@pytest.fixture
def own(employer):
    return create_template(
        organisation=employer,
        name="山﨑製作所オリジナル",
        language="ja",
        subject="選考結果（{{company_name}}）",
        body="{{applicant_name}} 様\n{{relay_link}}",
    )


@pytest.fixture
def preset(db):
    sync_presets()
    return RejectionTemplate.objects.get(preset_key="ja_warm")


def form_data(**overrides):
    data = {
        "name": "中途向け",
        "language": "ja",
        "subject": "選考結果のご連絡（{{company_name}}）",
        "body": "{{applicant_name}} 様\n\nありがとうございました。\n{{relay_link}}\n",
    }
    data.update(overrides)
    return data


def test_list_shows_presets_and_own_templates(owner_client, own):
    response = owner_client.get(reverse("employer:template_list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "山﨑製作所オリジナル" in content
    for name in ("中途採用・丁寧", "温かみのある", "新卒", "English (standard)"):
        assert name in content


def test_list_does_not_show_another_companys_templates(outsider_client, own):
    response = outsider_client.get(reverse("employer:template_list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "温かみのある" in content  # the list itself, with the presets every company has
    assert "山﨑製作所オリジナル" not in content


def test_create_from_a_preset_prefills_the_editor(member_client, preset):
    response = member_client.get(reverse("employer:template_create") + f"?from={preset.pk}")
    assert response.status_code == 200
    form = response.context["form"]
    assert form["body"].value() == preset.body
    assert form["name"].value() == "温かみのある（コピー）"


def test_create_saves_a_template_for_the_company(member_client, employer):
    response = member_client.post(reverse("employer:template_create"), form_data())
    template = RejectionTemplate.objects.get(organisation=employer)
    assert response.status_code == 302
    assert response["Location"] == reverse("employer:template_edit", args=[template.pk])
    assert template.name == "中途向け"
    assert template.preset_key == ""


def test_unknown_variables_are_rejected_and_the_input_is_kept(member_client, employer):
    response = member_client.post(reverse("employer:template_create"), form_data(body="{{氏名}} 様 {{relay_link}}"))
    assert response.status_code == 200
    assert RejectionTemplate.objects.filter(organisation=employer).count() == 0
    assert "「{{氏名}}」は使えない変数です" in response.content.decode()
    assert response.context["form"]["body"].value() == "{{氏名}} 様 {{relay_link}}"


def test_a_template_without_the_relay_link_saves_with_a_warning(member_client, employer):
    response = member_client.post(
        reverse("employer:template_create"), form_data(body="{{applicant_name}} 様"), follow=True
    )
    assert response.status_code == 200
    assert RejectionTemplate.objects.filter(organisation=employer).count() == 1
    assert "本文に {{relay_link}} がありません" in response.content.decode()


def test_edit_updates_the_template(owner_client, own):
    response = owner_client.post(
        reverse("employer:template_edit", args=[own.pk]), form_data(name="改訂版", subject="ご連絡")
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.name, own.subject) == ("改訂版", "ご連絡")


def test_presets_cannot_be_edited_or_deleted(owner_client, preset):
    edit = owner_client.get(reverse("employer:template_edit", args=[preset.pk]))
    assert edit.status_code == 404
    assert preset.subject not in edit.content.decode()
    assert owner_client.post(reverse("employer:template_edit", args=[preset.pk]), form_data()).status_code == 404
    assert owner_client.post(reverse("employer:template_delete", args=[preset.pk])).status_code == 404
    assert RejectionTemplate.objects.get(pk=preset.pk).name == "温かみのある"


def test_delete_asks_then_deletes(member_client, own):
    response = member_client.get(reverse("employer:template_delete", args=[own.pk]))
    assert response.status_code == 200
    assert "山﨑製作所オリジナル" in response.content.decode()
    response = member_client.post(reverse("employer:template_delete", args=[own.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("employer:template_list")
    assert not RejectionTemplate.objects.filter(pk=own.pk).exists()


def test_preview_renders_the_typed_text_for_a_chosen_applicant(owner_client, employer, applicant):
    response = owner_client.post(reverse("employer:template_preview"), form_data(preview_applicant=str(applicant.pk)))
    assert response.status_code == 200
    content = response.content.decode()
    relay = employer.campaigns.get(is_default=True).url
    assert "<iframe" in content
    assert 'sandbox=""' in content
    assert "山﨑 花子 様" in content
    assert relay in content
    assert "<html" not in content.split("srcdoc=")[0]  # the message is only inside srcdoc, escaped
    assert "&lt;html" in content


def test_preview_uses_a_sample_applicant_when_none_is_chosen(owner_client):
    response = owner_client.post(reverse("employer:template_preview"), form_data())
    assert response.status_code == 200
    assert "山田 花子 様" in response.content.decode()


def test_preview_shows_errors_and_the_missing_relay_link_warning(owner_client):
    response = owner_client.post(
        reverse("employer:template_preview"), form_data(body="{{ shimei }} 様 ありがとうございました")
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "「{{shimei}}」は使えない変数です" in content
    assert "本文に {{relay_link}} がありません" in content


def test_markup_in_the_body_cannot_script_the_page(owner_client):
    response = owner_client.post(
        reverse("employer:template_preview"), form_data(body="<script>alert(1)</script>\n{{relay_link}}")
    )
    content = response.content.decode()
    assert "<script>alert" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content  # shown as typed, in the text part


def test_an_edit_of_the_body_changes_both_parts_and_the_preview_shows_both(owner_client, employer, preset):
    created = owner_client.post(
        reverse("employer:template_create"),
        form_data(name="温かみ・改", body=preset.body.replace("本当にありがとうございました", "心より感謝いたします")),
    )
    template = RejectionTemplate.objects.get(organisation=employer, name="温かみ・改")
    assert created.url == reverse("employer:template_edit", args=[template.pk])

    response = owner_client.get(created.url)
    message = response.context["preview"]["message"]
    assert "心より感謝いたします" in message.text
    assert "心より感謝いたします" in message.html
    assert "本当にありがとうございました" not in message.html
    content = response.content.decode()
    assert "HTML版" in content
    assert "テキスト版" in content
    assert content.count("心より感謝いたします") == 3  # the editor, the HTML part (srcdoc) and the text part


def test_editor_without_js_previews_on_button(owner_client, own):
    response = owner_client.post(
        reverse("employer:template_edit", args=[own.pk]), form_data(subject="新しい件名", action="preview")
    )
    assert response.status_code == 200
    assert "新しい件名" in response.content.decode()
    own.refresh_from_db()
    assert own.subject == "選考結果（{{company_name}}）"  # previewing does not save


def test_ats_copy_has_the_real_relay_link_and_placeholders(owner_client, employer, preset):
    response = owner_client.get(reverse("employer:template_ats", args=[preset.pk]) + "?ats=greenhouse")
    content = response.content.decode()
    assert response.status_code == 200
    assert employer.campaigns.get(is_default=True).url in content
    assert "{{CANDIDATE_NAME}} 様" in content
    assert "{{relay_link}}" in content  # in the explanation table only
    assert response.context["copy"].text.count("{{relay_link}}") == 0


@pytest.mark.parametrize("ats", ["greenhouse", "hrmos", "herp", "generic", "unknown"])
def test_ats_copy_works_for_each_ats(owner_client, employer, own, ats):
    response = owner_client.get(reverse("employer:template_ats", args=[own.pk]) + f"?ats={ats}")
    assert response.status_code == 200
    assert employer.campaigns.get(is_default=True).url in response.content.decode()
    assert response.context["copy"].text.count("{{relay_link}}") == 0


# --- Tenant isolation: every URL, owner / member / outsider -------------------------------------


def own_template_urls(pk):
    return [
        ("get", reverse("employer:template_edit", args=[pk])),
        ("post", reverse("employer:template_edit", args=[pk])),
        ("get", reverse("employer:template_delete", args=[pk])),
        ("post", reverse("employer:template_delete", args=[pk])),
        ("get", reverse("employer:template_ats", args=[pk])),
        ("get", reverse("employer:template_create") + f"?from={pk}"),
    ]


@pytest.mark.parametrize("who", ["owner_client", "member_client"])
def test_owner_and_member_reach_every_template_url(request, who, own):
    client = request.getfixturevalue(who)
    edit = reverse("employer:template_edit", args=[own.pk])
    # (status, redirect, text on the page) for each URL of own_template_urls, in its order.
    expected = [
        (200, None, "山﨑製作所オリジナル"),
        (302, edit, "中途向け"),  # form_data() renames it
        (200, None, "中途向け"),
        None,  # the delete itself, checked last, below
        (200, None, "中途向け"),
        (200, None, "中途向け（コピー）"),
    ]
    for (method, url), expect in zip(own_template_urls(own.pk), expected, strict=True):
        if expect is None:
            continue
        status, location, text = expect
        response = getattr(client, method)(url, form_data() if method == "post" else None)
        assert response.status_code == status, url
        if location is not None:
            assert response["Location"] == location
            response = client.get(location)
        assert text in response.content.decode(), url
    response = client.post(reverse("employer:template_delete", args=[own.pk]))
    assert response.status_code == 302
    assert not RejectionTemplate.objects.filter(pk=own.pk).exists()


def test_outsider_gets_404_on_every_url_of_this_companys_template(outsider_client, own):
    for method, url in own_template_urls(own.pk):
        response = getattr(outsider_client, method)(url, form_data() if method == "post" else None)
        assert response.status_code == 404, (method, url)
        assert "山﨑製作所オリジナル" not in response.content.decode()
    own.refresh_from_db()
    assert own.name == "山﨑製作所オリジナル"


def test_outsider_cannot_preview_this_companys_applicants(outsider_client, applicant):
    response = outsider_client.post(
        reverse("employer:template_preview"), form_data(preview_applicant=str(applicant.pk))
    )
    assert response.status_code == 404
    assert "山﨑 花子" not in response.content.decode()
    response = outsider_client.post(
        reverse("employer:template_create"), form_data(action="preview", preview_applicant=str(applicant.pk))
    )
    assert response.status_code == 404
    assert "山﨑 花子" not in response.content.decode()
    assert not RejectionTemplate.objects.filter(name="中途向け").exists()


def test_editor_offers_only_this_companys_applicants(owner_client, employer, applicant):
    other = EmployerFactory(name="株式会社よそ")
    make_applicant(other, family_name="他社", given_name="太郎", email="taro@yoso.example")
    response = owner_client.get(reverse("employer:template_create"))
    content = response.content.decode()
    assert "山﨑 花子" in content
    assert "他社 太郎" not in content


def test_anonymous_visitors_are_sent_to_login(client, own):
    for _method, url in [*own_template_urls(own.pk), ("get", reverse("employer:template_list"))]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    response = client.post(reverse("employer:template_preview"), form_data())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_presets_are_created_once_and_kept_in_step_with_the_code(db):
    sync_presets()
    sync_presets()
    assert RejectionTemplate.objects.filter(organisation=None).count() == len(PRESETS)
    RejectionTemplate.objects.filter(preset_key="ja_warm").update(subject="古い件名")
    sync_presets()
    assert RejectionTemplate.objects.get(preset_key="ja_warm").subject.startswith("選考結果のお知らせ")
