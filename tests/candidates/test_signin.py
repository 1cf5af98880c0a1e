"""Passwordless sign-in by email link: single use, short-lived, bound to the asking browser,
consumed only by a POST, rate-limited, and silent about which addresses are registered."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from careerrelay.candidates.models import Candidate, SignInToken
from careerrelay.common.tokens import hash_token
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db

SIGNIN = "/me/signin/"
IP = "198.51.100.20"


@pytest.fixture
def hanako():
    return CandidateFactory(
        family_name="髙橋", email="hanako@example.jp", email_normalized="hanako@example.jp", status="verified"
    )


def ask_for_link(client, capture, email="hanako@example.jp", ip=IP, **extra):
    with capture(execute=True):
        return client.post(SIGNIN, {"email": email, **extra}, REMOTE_ADDR=ip)


def link_in(message) -> str:
    return re.search(r"http://testserver(/me/signin/link/[^\s/]+/)", message.body).group(1)


def is_signed_in(client) -> bool:
    return client.get("/me/").status_code == 200


def test_a_registered_person_gets_a_link_and_signs_in_by_pressing_the_button(
    client, hanako, django_capture_on_commit_callbacks
):
    response = ask_for_link(client, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "メールをご確認ください" in response.text
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["hanako@example.jp"]
    link = link_in(mail.outbox[0])

    page = client.get(link)
    assert page.status_code == 200
    assert "ログインする" in page.text
    assert not is_signed_in(client)

    response = client.post(link)
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    assert is_signed_in(client)
    hanako.refresh_from_db()
    assert hanako.last_signed_in_at is not None


def test_the_address_is_recognised_in_any_spelling(client, hanako, django_capture_on_commit_callbacks):
    ask_for_link(client, django_capture_on_commit_callbacks, email="ＨＡＮＡＫＯ＠ｅｘａｍｐｌｅ．ｊｐ")
    assert [m.to for m in mail.outbox] == [["hanako@example.jp"]]


def test_only_the_hash_of_the_token_is_stored_and_the_token_has_at_least_128_bits(
    client, hanako, django_capture_on_commit_callbacks
):
    ask_for_link(client, django_capture_on_commit_callbacks)
    token = link_in(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    row = SignInToken.objects.get()
    assert row.token_hash == hash_token(token)
    assert token not in row.token_hash
    assert len(token) * 6 >= 128  # URL-safe base64: six bits a character
    assert row.expires_at - row.created_at == timedelta(minutes=15)


def test_opening_the_link_any_number_of_times_neither_signs_in_nor_uses_it_up(
    client, hanako, django_capture_on_commit_callbacks
):
    ask_for_link(client, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    for _ in range(3):
        assert client.get(link).status_code == 200
    assert SignInToken.objects.get().used_at is None
    assert not is_signed_in(client)
    assert client.post(link).status_code == 302


def test_a_link_works_only_once(client, hanako, django_capture_on_commit_callbacks):
    ask_for_link(client, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    assert client.post(link).status_code == 302
    client.post("/me/signout/")

    again = client.post(link)
    assert again.status_code == 400
    assert "このリンクはすでに使われています" in again.text
    assert not is_signed_in(client)


def test_a_link_expires_after_fifteen_minutes(client, hanako, django_capture_on_commit_callbacks):
    ask_for_link(client, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    SignInToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    page = client.get(link)
    assert page.status_code == 400
    assert "有効期限(15分)が切れています" in page.text
    assert client.post(link).status_code == 400
    assert not is_signed_in(client)


def test_an_unknown_link_is_refused(client, hanako):
    response = client.post("/me/signin/link/not-a-real-token/")
    assert response.status_code == 400
    assert "このリンクは正しくありません" in response.text


def test_a_link_opened_in_another_browser_asks_for_a_new_link_from_there(
    client, hanako, django_capture_on_commit_callbacks
):
    ask_for_link(client, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    mail_app_browser = Client()

    page = mail_app_browser.get(link)
    assert page.status_code == 400
    assert "ログインを申し込んだブラウザでだけ使えます" in page.text
    assert 'action="/me/signin/"' in page.text  # a new link can be asked for right there
    assert page.context["form"]["email"].value() == "hanako@example.jp"  # and it is filled in
    assert mail_app_browser.post(link).status_code == 400
    assert not is_signed_in(mail_app_browser)

    # The refused attempt did not spend the link: the browser that asked can still use it.
    assert client.post(link).status_code == 302
    assert is_signed_in(client)


def test_signing_in_spends_the_other_links_sent_to_the_person(client, hanako, django_capture_on_commit_callbacks):
    ask_for_link(client, django_capture_on_commit_callbacks)
    ask_for_link(client, django_capture_on_commit_callbacks)
    first, second = (link_in(m) for m in mail.outbox)
    assert client.post(second).status_code == 302
    client.post("/me/signout/")
    assert client.post(first).status_code == 400


def test_the_session_key_changes_at_sign_in(client, hanako, django_capture_on_commit_callbacks):
    ask_for_link(client, django_capture_on_commit_callbacks)
    before = client.cookies["sessionid"].value
    client.post(link_in(mail.outbox[0]))
    assert client.cookies["sessionid"].value != before


def test_after_sign_in_the_person_lands_on_the_page_they_asked_for(client, hanako, django_capture_on_commit_callbacks):
    redirect = client.get("/me/resume/")
    assert redirect["Location"] == "/me/signin/?next=%2Fme%2Fresume%2F"
    ask_for_link(client, django_capture_on_commit_callbacks, next="/me/resume/")
    assert client.post(link_in(mail.outbox[0]))["Location"] == "/me/resume/"


def test_next_never_leads_off_the_site(client, hanako, django_capture_on_commit_callbacks):
    ask_for_link(client, django_capture_on_commit_callbacks, next="https://evil.example/me/")
    assert client.post(link_in(mail.outbox[0]))["Location"] == "/me/"


def _comparable(response, email):
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.text)
    return text.replace(email, "<email>")


def test_the_answer_is_the_same_for_registered_and_unknown_addresses(hanako, django_capture_on_commit_callbacks):
    known_client, unknown_client = Client(), Client()
    with django_capture_on_commit_callbacks() as known_work:
        known = known_client.post(SIGNIN, {"email": "hanako@example.jp"}, REMOTE_ADDR=IP)
    with django_capture_on_commit_callbacks() as unknown_work:
        unknown = unknown_client.post(SIGNIN, {"email": "nobody@example.jp"}, REMOTE_ADDR=IP)

    assert known.status_code == unknown.status_code == 200
    assert _comparable(known, "hanako@example.jp") == _comparable(unknown, "nobody@example.jp")
    assert sorted(known.cookies) == sorted(unknown.cookies)
    # The request itself does the same work for both: one queued task, which alone decides to mail.
    assert len(known_work) == len(unknown_work) == 1
    assert len(mail.outbox) == 0
    with django_capture_on_commit_callbacks(execute=True):
        for callback in known_work + unknown_work:
            callback()
    assert [m.to for m in mail.outbox] == [["hanako@example.jp"]]


def test_a_registration_that_was_never_confirmed_gets_no_link(client, django_capture_on_commit_callbacks):
    CandidateFactory(email="pending@example.jp", email_normalized="pending@example.jp", status="pending")
    response = ask_for_link(client, django_capture_on_commit_callbacks, email="pending@example.jp")
    assert response.status_code == 200
    assert mail.outbox == []


def test_an_invalid_address_is_answered_in_japanese_and_kept(client):
    response = client.post(SIGNIN, {"email": "hanako@"}, REMOTE_ADDR=IP)
    assert response.status_code == 200
    assert "有効なメールアドレスを入力してください。" in response.text
    assert 'value="hanako@"' in response.text


def test_requests_are_limited_per_address_in_any_spelling(client, hanako, settings, django_capture_on_commit_callbacks):
    settings.RATE_LIMIT_SIGNIN_PER_EMAIL = "3/h"
    spellings = ["hanako@example.jp", "HANAKO@example.jp", "ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ"]
    for n, spelling in enumerate(spellings):
        assert (
            ask_for_link(client, django_capture_on_commit_callbacks, email=spelling, ip=f"192.0.2.{n}").status_code
            == 200
        )
    refused = ask_for_link(client, django_capture_on_commit_callbacks, ip="192.0.2.99")
    assert refused.status_code == 429
    assert "しばらく時間をおいてから" in refused.text
    assert len(mail.outbox) == 3
    # Somebody else is not held back by Hanako's limit.
    assert ask_for_link(client, django_capture_on_commit_callbacks, email="other@example.jp").status_code == 200


def test_requests_are_limited_per_ip_address(client, settings, django_capture_on_commit_callbacks):
    settings.RATE_LIMIT_SIGNIN_PER_IP = "5/h"
    for n in range(5):
        assert ask_for_link(client, django_capture_on_commit_callbacks, email=f"p{n}@example.jp").status_code == 200
    assert ask_for_link(client, django_capture_on_commit_callbacks, email="p5@example.jp").status_code == 429
    assert (
        ask_for_link(client, django_capture_on_commit_callbacks, email="p5@example.jp", ip="192.0.2.1").status_code
        == 200
    )


def test_reading_the_sign_in_page_is_never_limited(client, settings):
    settings.RATE_LIMIT_SIGNIN_PER_IP = "1/h"
    for _ in range(3):
        assert client.get(SIGNIN, REMOTE_ADDR=IP).status_code == 200


def test_limits_can_be_switched_off(client, hanako, settings, django_capture_on_commit_callbacks):
    settings.RATELIMIT_ENABLE = False
    settings.RATE_LIMIT_SIGNIN_PER_EMAIL = "1/h"
    for _ in range(3):
        assert ask_for_link(client, django_capture_on_commit_callbacks).status_code == 200
    assert len(mail.outbox) == 3


def test_the_relay_landing_page_links_to_sign_in(client):
    from tests.factories import EmployerFactory

    campaign = EmployerFactory().campaigns.get()
    assert 'href="/me/signin/"' in client.get(campaign.get_absolute_url()).text


def test_the_queued_task_carries_no_email_address(hanako, django_capture_on_commit_callbacks, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    with django_capture_on_commit_callbacks(execute=True):
        Client().post(SIGNIN, {"email": "hanako@example.jp"}, REMOTE_ADDR=IP)
    (result,) = default_task_backend.results
    assert "hanako" not in repr(result.args)
    assert result.args[0] == hanako.pk


def test_a_deleted_person_cannot_use_an_old_link(client, hanako, django_capture_on_commit_callbacks):
    ask_for_link(client, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    Candidate.objects.filter(pk=hanako.pk).delete()
    assert client.post(link).status_code == 400


def test_links_are_deleted_a_day_after_they_expire(hanako):
    from careerrelay.candidates.models import EmailChangeToken
    from careerrelay.candidates.signin import delete_spent_links

    now = timezone.now()
    old = SignInToken.objects.create(
        candidate=hanako, token_hash="a" * 64, browser_hash="b" * 64, expires_at=now - timedelta(days=2)
    )
    fresh = SignInToken.objects.create(
        candidate=hanako, token_hash="c" * 64, browser_hash="d" * 64, expires_at=now + timedelta(minutes=5)
    )
    EmailChangeToken.objects.create(
        candidate=hanako, new_email="x@example.jp", token_hash="e" * 64, expires_at=now - timedelta(days=2)
    )
    assert delete_spent_links() == 2
    assert list(SignInToken.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not SignInToken.objects.filter(pk=old.pk).exists()
    assert EmailChangeToken.objects.count() == 0


def test_the_worker_periodic_loop_deletes_spent_links(hanako):
    from careerrelay.ops import periodic

    SignInToken.objects.create(
        candidate=hanako, token_hash="a" * 64, browser_hash="b" * 64, expires_at=timezone.now() - timedelta(days=2)
    )
    assert periodic.run_once()["spent_links_deleted"] == 1
    assert SignInToken.objects.count() == 0
