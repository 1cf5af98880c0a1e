"""The development mailbox shows a message as it was sent: the HTML part and the text part; and
only to staff or a browser on the developer's own machine."""

import pytest
from django.urls import reverse

from careerrelay.outbox.models import OutboundEmail
from careerrelay.outbox.services import deliver, queue_rendered_email
from careerrelay.sends import services as sends
from tests.factories import OperatorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.outbox.dev_urlconf")]


def test_a_rejection_email_shows_both_parts(client, employer, template, applicants, settings):
    settings.DEBUG = True
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    sends.create_send(organisation=employer, template=template, applicants=applicants[:1])
    message = OutboundEmail.objects.get()

    page = client.get(reverse("dev:message", args=[message.pk])).content.decode()

    assert "HTML part" in page
    assert 'srcdoc="' in page
    assert "Text part" in page
    assert page.count("営業職へのご応募ありがとうございました。") == 2  # once in each part


# --- Who may open it: it shows sign-in and password-reset links. ---------------------


@pytest.fixture
def queued(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    return OutboundEmail.objects.create(
        to_email="operator@careerrelay.example",
        from_email="a@b.c",
        subject="パスワード再設定",
        body_text="http://testserver/accounts/password/reset/key/1-abc/",
        message_id="<reset@careerrelay.local>",
    )


def test_without_debug_there_is_no_mailbox_even_for_this_machine(client, settings, queued):
    settings.DEBUG = False
    assert client.get("/dev/mailbox/").status_code == 404
    assert client.get(f"/dev/mailbox/{queued.pk}/").status_code == 404


@pytest.mark.parametrize(
    "meta",
    [
        {"REMOTE_ADDR": "203.0.113.9"},
        {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "127.0.0.1"},
        # A proxy on the same host: every request arrives from 127.0.0.1, so forwarding headers
        # mean "not local", whatever address they carry.
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"},
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "127.0.0.1"},
        {"REMOTE_ADDR": "::1", "HTTP_FORWARDED": "for=127.0.0.1"},
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_REAL_IP": "198.51.100.7"},
    ],
)
def test_with_debug_a_stranger_is_not_shown_the_mailbox(client, settings, queued, meta):
    settings.DEBUG = True
    assert client.get("/dev/mailbox/", **meta).status_code == 404
    assert client.get(f"/dev/mailbox/{queued.pk}/", **meta).status_code == 404


def test_a_server_listening_on_every_interface_treats_no_request_as_local(client, settings, queued):
    settings.DEBUG = True
    settings.DEV_SERVER_HOST = "0.0.0.0"  # noqa: S104 - the case under test
    assert client.get("/dev/mailbox/", REMOTE_ADDR="127.0.0.1").status_code == 404


@pytest.mark.parametrize("address", ["127.0.0.1", "::1"])
def test_a_browser_on_the_developers_machine_sees_it(client, settings, queued, address):
    settings.DEBUG = True
    assert "パスワード再設定" in client.get("/dev/mailbox/", REMOTE_ADDR=address).content.decode()
    assert "1-abc" in client.get(f"/dev/mailbox/{queued.pk}/", REMOTE_ADDR=address).content.decode()


def test_signed_in_staff_see_it_from_anywhere_but_other_users_do_not(client, settings, queued, owner):
    settings.DEBUG = True
    client.force_login(owner)
    assert client.get("/dev/mailbox/", REMOTE_ADDR="203.0.113.9").status_code == 404
    client.force_login(OperatorFactory())
    assert client.get("/dev/mailbox/", REMOTE_ADDR="203.0.113.9").status_code == 200


def test_a_delivered_message_shows_the_copy_the_file_backend_kept(client, settings, tmp_path):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    message = queue_rendered_email(
        to="hanako@example.jp",
        subject="ログイン",
        text="リンク: http://testserver/me/signin/link/xyz/",
        html="<p>リンク</p>",
    )
    assert deliver(message.pk) == "sent"
    message.refresh_from_db()
    assert message.body_text == ""

    page = client.get(f"/dev/mailbox/{message.pk}/").content.decode()

    assert "http://testserver/me/signin/link/xyz/" in page
    assert "&lt;p&gt;リンク&lt;/p&gt;" in page  # the HTML part, in the sandboxed srcdoc
