"""Employer mail links only to CareerRelay, the company's verified domains and the operator's
allow-list: a template with another address is refused on save (an error on its field naming the
address), and one that got into the database anyway is neutralised when a message is rendered."""

import pytest
from django.core import mail
from django.urls import reverse

from careerrelay.audit.services import Actor, ActorKind
from careerrelay.organisations.models import LinkDomain
from careerrelay.outbox.models import OutboundEmail
from careerrelay.rejections.links import LinkPolicy, sanitise_html
from careerrelay.rejections.models import RejectionTemplate
from careerrelay.rejections.services import render_rejection
from careerrelay.sends import services as sends
from tests.helpers.rejections import make_applicant

pytestmark = pytest.mark.django_db

BODY = "{{applicant_name}} 様\n\nありがとうございました。\n{{relay_link}}\n"
ATTACKS = [
    ("https://evil.example/", "https://evil.example/"),
    ("<img src=https://tracker.example/p.gif>", "https://tracker.example/p.gif"),
    ("詳しくは www.evil.example/jobs へ", "www.evil.example/jobs"),
    ('<a href="//evil.example/x">こちら</a>', "//evil.example/x"),
    ("https://yamasaki.example.evil.example/", "https://yamasaki.example.evil.example/"),
    ("応募はこちら evil.com/apply まで", "evil.com/apply"),  # mail clients link a bare domain too
]


def template_form(**overrides):
    return {"name": "中途向け", "language": "ja", "subject": "選考結果のご連絡", "body": BODY, **overrides}


@pytest.mark.parametrize(("written", "named"), ATTACKS)
def test_a_template_with_an_outside_link_is_refused_with_an_error_naming_it(owner_client, employer, written, named):
    LinkDomain.objects.create(organisation=employer, domain="yamasaki.example")
    response = owner_client.post(reverse("employer:template_create"), template_form(body=BODY + written))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["body"]
    assert f"「{named}」へのリンクは使えません" in errors["body"][0]
    assert "yamasaki.example" in errors["body"][0]  # says where links may go
    assert response.context["form"]["body"].value() == BODY + written  # what was typed is kept
    assert not RejectionTemplate.objects.filter(organisation=employer).exists()


def test_an_email_address_file_name_or_version_is_not_a_link(owner_client, employer):
    body = BODY + "ご質問は saiyo@yamasaki.co.jp まで。resume.pdf は v1.2.3 で開けます。\n"
    response = owner_client.post(reverse("employer:template_create"), template_form(body=body))
    assert response.status_code == 302


def test_the_subject_is_checked_too(owner_client, employer):
    response = owner_client.post(
        reverse("employer:template_create"), template_form(subject="至急 https://evil.example/login")
    )
    assert "subject" in response.context["form"].errors
    assert not RejectionTemplate.objects.filter(organisation=employer).exists()


def test_links_to_verified_domains_subdomains_and_the_allow_list_are_accepted(owner_client, employer):
    LinkDomain.objects.create(organisation=employer, domain="yamasaki.example")
    LinkDomain.objects.create(organisation=None, domain="jobs.example")
    body = BODY + "採用情報 https://recruit.yamasaki.example/new/ と https://jobs.example/yamasaki\n"
    response = owner_client.post(reverse("employer:template_create"), template_form(body=body))
    assert response.status_code == 302
    assert RejectionTemplate.objects.get(organisation=employer).body.strip() == body.strip()


def test_another_companys_verified_domain_is_not_ours(owner_client, employer):
    from tests.factories import EmployerFactory

    LinkDomain.objects.create(organisation=EmployerFactory(), domain="other-company.example")
    response = owner_client.post(
        reverse("employer:template_create"), template_form(body=BODY + "https://other-company.example/\n")
    )
    assert "body" in response.context["form"].errors


def test_an_outside_link_put_into_the_database_is_removed_when_the_message_is_rendered(
    employer, django_capture_on_commit_callbacks
):
    LinkDomain.objects.create(organisation=employer, domain="yamasaki.example")
    template = RejectionTemplate.objects.create(
        organisation=employer,
        name="injected",
        subject="選考結果 https://evil.example/s",
        body=BODY
        + "<img src=https://tracker.example/p.gif>\nhttps://evil.example/login\nhttps://www.yamasaki.example/jobs\n",
    )
    applicant = make_applicant(employer, job_title="営業 https://evil.example/job")
    with django_capture_on_commit_callbacks(execute=True):
        send = sends.create_send(
            organisation=employer, template=template, applicants=[applicant], signature="https://evil.example/sig"
        )
    # What the applicant received (the outbox clears a body once it is delivered).
    assert OutboundEmail.objects.get(send=send).state == OutboundEmail.State.SENT
    [message] = [m for m in mail.outbox if m.to == [applicant.email]]
    html = message.alternatives[0][0]
    for part in (message.subject, message.body, html):
        assert "evil.example" not in part
        assert "tracker.example" not in part
    assert "［リンク削除］" in message.body
    assert "https://www.yamasaki.example/jobs" in message.body  # verified: kept
    assert "<img" not in html


def test_the_html_sanitiser_drops_outside_hrefs_and_image_sources():
    policy = LinkPolicy(extra_hosts={"careerrelay.example"})
    policy._domains = frozenset({"yamasaki.example"})
    html = (
        '<p><a href="https://evil.example/">x</a><img src="https://tracker.example/p.gif">'
        '<a href="https://careerrelay.example/c/t/">ok</a><a href="https://yamasaki.example/">own</a>'
        '<a href="javascript:alert(1)">js</a></p>'
    )
    clean = sanitise_html(html, policy)
    assert "evil.example" not in clean
    assert "tracker.example" not in clean
    assert "javascript" not in clean
    assert 'href="https://careerrelay.example/c/t/"' in clean
    assert 'href="https://yamasaki.example/"' in clean


def test_rendering_keeps_our_relay_link_as_a_button(employer):
    message = render_rejection(
        RejectionTemplate(subject="s", body=BODY), organisation=employer, relay_url="https://careerrelay.example/c/t/"
    )
    assert 'href="https://careerrelay.example/c/t/"' in message.html


@pytest.fixture
def api_key(employer, owner):
    from careerrelay.organisations.services import create_api_key

    _key, secret = create_api_key(organisation=employer, name="ATS", actor=Actor.for_user(owner, ActorKind.EMPLOYER))
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_the_api_refuses_a_template_with_a_tracking_pixel_and_saves_nothing(client, api_key, employer):
    body = {"name": "t", "subject": "選考結果", "body": BODY + "<img src=https://tracker.example/p.gif>"}
    response = client.post("/api/v1/templates", body, content_type="application/json", **api_key)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_template"
    assert error["details"][0]["field"] == "body"
    assert "https://tracker.example/p.gif" in error["details"][0]["message"]
    assert not RejectionTemplate.objects.filter(organisation=employer).exists()


def test_the_api_creates_a_template_within_the_policy(client, api_key, employer):
    body = {"name": "t", "language": "ja", "subject": "選考結果", "body": BODY}
    response = client.post("/api/v1/templates", body, content_type="application/json", **api_key)
    assert response.status_code == 201
    assert RejectionTemplate.objects.get(organisation=employer).pk == response.json()["id"]
