"""Candidate sessions: idle and absolute time-outs on the server, sign-out, sign-out everywhere,
and changing the email address only through a link sent to the new one."""

import re
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from careerrelay.candidates.models import Candidate, EmailChangeToken
from careerrelay.portals.candidate import auth
from tests.factories import CandidateFactory
from tests.helpers.candidates import sign_in_candidate

pytestmark = pytest.mark.django_db


@pytest.fixture
def hanako():
    return CandidateFactory(
        family_name="髙橋", email="hanako@example.jp", email_normalized="hanako@example.jp", status="verified"
    )


def shift_session(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[getattr(auth, f"SESSION_{key.upper()}")] = now - ago
    session.save()


def test_a_session_idle_for_thirty_minutes_ends(client, hanako):
    sign_in_candidate(client, hanako)
    shift_session(client, seen=30 * 60)
    response = client.get("/me/", follow=True)
    assert response.redirect_chain[0][0] == "/me/signin/?next=%2Fme%2F"
    assert "しばらく操作がなかったため、ログアウトしました。" in response.text
    assert client.get("/me/").status_code == 302  # and it stays ended


def test_activity_keeps_a_session_going(client, hanako):
    sign_in_candidate(client, hanako)
    shift_session(client, started=3 * 3600, seen=29 * 60)
    assert client.get("/me/").status_code == 200
    assert int(time.time()) - client.session[auth.SESSION_SEEN] < 60
    assert client.get("/me/").status_code == 200


def test_a_session_ends_after_twelve_hours_however_active(client, hanako):
    sign_in_candidate(client, hanako)
    shift_session(client, started=12 * 3600, seen=10)
    response = client.get("/me/", follow=True)
    assert "ログインの有効期限が切れました。" in response.text
    assert client.get("/me/").status_code == 302


def test_time_outs_follow_the_settings(client, hanako, settings):
    settings.CANDIDATE_SESSION_IDLE_MINUTES = 5
    sign_in_candidate(client, hanako)
    shift_session(client, seen=5 * 60)
    assert client.get("/me/").status_code == 302


def test_sign_out_ends_the_session_and_needs_a_post(client, hanako):
    sign_in_candidate(client, hanako)
    assert client.get("/me/signout/").status_code == 405
    assert client.get("/me/").status_code == 200
    response = client.post("/me/signout/", follow=True)
    assert "ログアウトしました。" in response.text
    assert client.get("/me/").status_code == 302


def test_sign_out_everywhere_ends_every_session_of_the_person_only(client, hanako):
    phone, laptop, someone_else = Client(), Client(), Client()
    sign_in_candidate(phone, hanako)
    sign_in_candidate(laptop, hanako)
    sign_in_candidate(someone_else, CandidateFactory(status="verified"))

    response = laptop.post("/me/signout/everywhere/", follow=True)
    assert "すべての端末でログアウトしました。" in response.text
    assert laptop.get("/me/").status_code == 302
    assert phone.get("/me/", follow=True).redirect_chain[0][0].startswith("/me/signin/")
    assert someone_else.get("/me/").status_code == 200

    hanako.refresh_from_db()
    assert hanako.session_generation == 1
    sign_in_candidate(phone, hanako)  # signing in again works
    assert phone.get("/me/").status_code == 200


def test_the_account_page_offers_sign_out_everywhere(client, hanako):
    sign_in_candidate(client, hanako)
    page = client.get("/me/account/")
    assert page.status_code == 200
    assert 'action="/me/signout/everywhere/"' in page.text
    assert "hanako@example.jp" in page.text


def test_an_employer_signed_in_on_the_same_browser_is_not_a_candidate(owner_client):
    assert owner_client.get("/me/").status_code == 302
    assert owner_client.get("/employer/").status_code == 200


# --- Changing the email address -----------------------------------------------------------------


def ask_to_change(client, capture, email):
    with capture(execute=True):
        return client.post("/me/account/", {"email": email})


def confirm_link(message):
    return re.search(r"http://testserver(/me/account/email/[^\s/]+/)", message.body).group(1)


def test_a_new_address_is_confirmed_from_its_own_mailbox_before_anything_changes(
    client, hanako, django_capture_on_commit_callbacks
):
    sign_in_candidate(client, hanako)
    response = ask_to_change(client, django_capture_on_commit_callbacks, "ＮＥＷ．ＨＡＮＡＫＯ＠ｅｘａｍｐｌｅ．ｊｐ")
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["new.hanako@example.jp"]]
    hanako.refresh_from_db()
    assert hanako.email == "hanako@example.jp"

    link = confirm_link(mail.outbox[0])
    other_browser = Client()
    page = other_browser.get(link)
    assert page.status_code == 200
    assert "new.hanako@example.jp" in page.text
    hanako.refresh_from_db()
    assert hanako.email == "hanako@example.jp"  # opening the link changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        done = other_browser.post(link)
    assert done.status_code == 200
    assert "メールアドレスを変更しました" in done.text
    hanako.refresh_from_db()
    assert (hanako.email, hanako.email_normalized) == ("new.hanako@example.jp", "new.hanako@example.jp")
    # The old mailbox is told, in case it was not them.
    assert mail.outbox[-1].to == ["hanako@example.jp"]
    assert "new.hanako@example.jp" in mail.outbox[-1].body
    assert other_browser.post(link).status_code == 400  # once only


def test_an_address_used_by_another_account_is_refused_with_a_clear_message(
    client, hanako, django_capture_on_commit_callbacks
):
    CandidateFactory(email="taken@example.jp", email_normalized="taken@example.jp")
    sign_in_candidate(client, hanako)
    ask_to_change(client, django_capture_on_commit_callbacks, "taken@example.jp")
    link = confirm_link(mail.outbox[0])

    page = client.get(link)
    assert page.status_code == 400
    assert "このメールアドレスは、別のアカウントで登録されています。" in page.text
    assert client.post(link).status_code == 400
    hanako.refresh_from_db()
    assert hanako.email == "hanako@example.jp"


def test_the_same_address_again_is_a_form_error(client, hanako):
    sign_in_candidate(client, hanako)
    response = client.post("/me/account/", {"email": "HANAKO@example.jp"})
    assert response.status_code == 200
    assert "現在のメールアドレスと同じです。" in response.text
    assert EmailChangeToken.objects.count() == 0


def test_an_expired_change_link_changes_nothing(client, hanako, django_capture_on_commit_callbacks):
    sign_in_candidate(client, hanako)
    ask_to_change(client, django_capture_on_commit_callbacks, "new@example.jp")
    EmailChangeToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(confirm_link(mail.outbox[0]))
    assert response.status_code == 400
    assert "有効期限が切れています" in response.text
    assert Candidate.objects.get(pk=hanako.pk).email == "hanako@example.jp"


def test_change_requests_are_limited_per_person(client, hanako, settings, django_capture_on_commit_callbacks):
    settings.RATE_LIMIT_SIGNIN_PER_EMAIL = "2/h"
    sign_in_candidate(client, hanako)
    for n in range(2):
        assert ask_to_change(client, django_capture_on_commit_callbacks, f"new{n}@example.jp").status_code == 302
    assert ask_to_change(client, django_capture_on_commit_callbacks, "new9@example.jp").status_code == 429
    assert len(mail.outbox) == 2
