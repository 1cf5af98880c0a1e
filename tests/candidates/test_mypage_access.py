"""Who may see each candidate URL: the candidate themself; not another candidate (they see only
their own), not an agency user, not an employer user, not an anonymous visitor."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from careerrelay.candidates.models import Resume
from careerrelay.organisations.models import Organisation
from tests.factories import CandidateFactory, EmployerFactory, MembershipFactory, UserFactory
from tests.helpers.candidates import sign_in_candidate

pytestmark = pytest.mark.django_db

SECRET = "ミツウロコ自己紹介XYZ"
RESUME = b"%PDF-1.4\n" + SECRET.encode() + b"\n%%EOF\n"

READ_URLS = ["/me/", "/me/account/", "/me/resume/", "/me/resume/download/", "/me/introductions/"]
WRITE_URLS = ["/me/", "/me/account/", "/me/resume/", "/me/resume/delete/", "/me/signout/everywhere/"]
VIEWERS = ["owner_candidate", "other_candidate", "agency_user", "employer_user", "anonymous"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Two staff users a test; their passwords are never used here, so hash them cheaply.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def hanako(db):
    candidate = CandidateFactory(
        status="verified", family_name="髙橋", email="hanako@example.jp", summary=SECRET, skills=SECRET
    )
    browser = sign_in_candidate(Client(), candidate)
    browser.post("/me/resume/", {"file": SimpleUploadedFile("cv.pdf", RESUME)})
    assert Resume.objects.filter(candidate=candidate).exists()
    return candidate


@pytest.fixture
def viewer_client(request, hanako, owner):
    kind = request.param
    client = Client()
    if kind == "owner_candidate":
        sign_in_candidate(client, hanako)
    elif kind == "other_candidate":
        sign_in_candidate(client, CandidateFactory(status="verified", family_name="佐藤", email="jiro@example.jp"))
    elif kind == "agency_user":
        agency = EmployerFactory(kind=Organisation.Kind.AGENCY, name="株式会社エージェント")
        user = MembershipFactory(organisation=agency, user=UserFactory(email="staff@agent.example")).user
        client.force_login(user)
    elif kind == "employer_user":
        client.force_login(owner)
    return kind, client


def body(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


# What Hanako sees of her own on each page, and what another candidate sees there instead.
HANAKO_SEES = {
    "/me/": SECRET,
    "/me/account/": "hanako@example.jp",
    "/me/resume/": "cv.pdf",
    "/me/resume/download/": SECRET,
    "/me/introductions/": "人材紹介会社からの紹介",
}
OTHER_CANDIDATE_SEES = {
    "/me/": "プロフィール",
    "/me/account/": "jiro@example.jp",
    "/me/resume/": "まだファイルはありません。",
    "/me/resume/download/": "ページが見つかりません",
    "/me/introductions/": "まだ紹介はありません。",
}


@pytest.mark.parametrize("viewer_client", VIEWERS, indirect=True)
@pytest.mark.parametrize("url", READ_URLS)
def test_who_may_read_each_page(viewer_client, url):
    kind, client = viewer_client
    response = client.get(url)
    if kind == "owner_candidate":
        assert response.status_code == 200
        assert HANAKO_SEES[url].encode() in body(response)
    elif kind == "other_candidate":
        # Their own page, never Hanako's data: no URL names another person.
        assert response.status_code == (404 if url == "/me/resume/download/" else 200)
        assert OTHER_CANDIDATE_SEES[url].encode() in body(response)
        assert SECRET.encode() not in body(response)
        assert "髙橋".encode() not in body(response)
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/me/signin/")
        assert SECRET.encode() not in body(response)


# Another candidate's POST acts on their own account only: (status, where it sends them).
OTHER_CANDIDATE_POSTS = {
    "/me/": (200, None),  # their own profile, incomplete: shown again with the errors
    "/me/account/": (302, "/me/account/"),  # a confirmation mail to the new address, for their account
    "/me/resume/": (400, None),  # no file
    "/me/resume/delete/": (302, "/me/resume/"),
    "/me/signout/everywhere/": (302, "/me/signin/"),
}


@pytest.mark.parametrize("viewer_client", VIEWERS[1:], indirect=True)
@pytest.mark.parametrize("url", WRITE_URLS)
def test_nobody_else_can_change_anything(viewer_client, url, hanako):
    kind, client = viewer_client
    response = client.post(url, {"family_name": "改ざん", "email": "attacker@example.jp"})
    hanako.refresh_from_db()
    assert hanako.family_name == "髙橋"
    assert hanako.session_generation == 0
    assert Resume.objects.filter(candidate=hanako).exists()
    if kind == "other_candidate":
        assert (response.status_code, response.get("Location")) == OTHER_CANDIDATE_POSTS[url]
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/me/signin/")


@pytest.mark.parametrize("viewer_client", VIEWERS, indirect=True)
@pytest.mark.parametrize("url", ["/me/signin/", "/me/signin/link/unknown/", "/me/account/email/unknown/"])
def test_the_sign_in_and_link_pages_are_open_to_everyone_and_show_no_data(viewer_client, url):
    kind, client = viewer_client
    response = client.get(url)
    if url == "/me/signin/" and kind in ("owner_candidate", "other_candidate"):
        assert response.status_code == 302  # already signed in: straight to the my page
        assert response["Location"] == "/me/"
    elif url == "/me/signin/":
        assert response.status_code == 200
        assert "マイページにログイン" in response.text
    else:
        assert response.status_code == 400  # no such link
    assert SECRET.encode() not in response.content
