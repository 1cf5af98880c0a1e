"""A Content-Security-Policy with a nonce on every page and on every <script>; pages about a
signed-in person are never stored by the browser or a proxy; the language cookie's flags."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from careerrelay.candidates.models import Candidate
from careerrelay.rejections.models import RejectionTemplate
from tests.factories import CandidateFactory, OperatorFactory
from tests.helpers.candidates import sign_in_candidate
from tests.helpers.mail import TEXT, make_applicant

pytestmark = pytest.mark.django_db

SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in header.split(";")) if d}


def assert_every_script_has_the_nonce(response):
    directives = policy(response)
    html = response.content.decode()
    scripts = SCRIPT_TAG.findall(html)
    nonces = [n for n in directives["script-src"] if n.startswith("'nonce-")]
    for tag in scripts:
        match = re.search(r'nonce="([^"]+)"', tag)
        assert match, f"<script> without a nonce: {tag}"
        assert f"'nonce-{match.group(1)}'" in nonces, tag
    # No inline handler or javascript: URL could run anyway, but none should be written either.
    assert not re.search(r"\son[a-z]+\s*=", html.split("<body", 1)[1], re.IGNORECASE)
    assert "javascript:" not in html.lower()
    return scripts


def assert_strict_policy(response):
    directives = policy(response)
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]


@pytest.fixture
def campaign(employer):
    return employer.campaigns.get(is_default=True)


def test_home_has_a_strict_policy(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert_strict_policy(response)
    assert_every_script_has_the_nonce(response)


def test_relay_landing(client, campaign):
    response = client.get(reverse("relay:landing", args=[campaign.code]))
    assert response.status_code == 200
    assert_strict_policy(response)
    assert_every_script_has_the_nonce(response)


def test_employer_dashboard_scripts_carry_the_nonce_and_the_page_is_not_stored(owner_client):
    response = owner_client.get(reverse("employer:dashboard"))
    assert response.status_code == 200
    assert_strict_policy(response)
    assert assert_every_script_has_the_nonce(response)  # copy.js at least
    assert "no-store" in response["Cache-Control"]


def test_my_page_scripts_carry_the_nonce_and_the_page_is_not_stored(client):
    candidate = CandidateFactory(status=Candidate.Status.VERIFIED, verified_at=timezone.now())
    sign_in_candidate(client, candidate)
    response = client.get(reverse("candidate:home"))
    assert response.status_code == 200
    assert_strict_policy(response)
    assert assert_every_script_has_the_nonce(response)  # mypage.js
    assert "no-store" in response["Cache-Control"]


def test_each_response_gets_a_new_nonce(owner_client):
    first = policy(owner_client.get(reverse("employer:dashboard")))["script-src"]
    second = policy(owner_client.get(reverse("employer:dashboard")))["script-src"]
    assert [n for n in first if n.startswith("'nonce-")] != [n for n in second if n.startswith("'nonce-")]


@pytest.mark.parametrize("name", ["employer:team", "employer:api_keys", "employer:applicants"])
def test_workspace_pages_are_not_stored(owner_client, name):
    assert "no-store" in owner_client.get(reverse(name))["Cache-Control"]


def test_agency_workspace_and_the_operator_console_are_not_stored(client):
    client.force_login(OperatorFactory())
    assert "no-store" in client.get("/operator/")["Cache-Control"]
    assert "no-store" in client.get("/agency/")["Cache-Control"]


def test_the_public_home_page_may_be_cached(client):
    assert "no-store" not in client.get(reverse("home")).get("Cache-Control", "")


def test_the_language_cookie_is_lax_http_only_and_secure_without_debug(client, settings):
    settings.LANGUAGE_COOKIE_SECURE = True  # what settings.py sets when DEBUG is off
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"] is True
    assert cookie["secure"] is True


def test_only_the_send_preview_may_be_framed_and_only_by_our_own_pages(owner_client, employer):
    assert policy(owner_client.get(reverse("employer:sends")))["frame-ancestors"] == ["'none'"]
    template = RejectionTemplate.objects.create(organisation=employer, name="t", language="ja", subject="s", body=TEXT)
    applicant = make_applicant(employer)
    preview = owner_client.get(
        reverse("employer:send_preview"), {"template": template.pk, "applicant": applicant.pk, "campaign": ""}
    )
    assert preview.status_code == 200
    assert policy(preview)["frame-ancestors"] == ["'self'"]
