"""With the production settings (no http://, no private targets), an endpoint can only be a public
https URL: refused when saved, and checked again when each delivery goes out, so a name that later
resolves inside our network (DNS rebinding) gets nothing."""

import socket

import pytest
from django.urls import reverse

from careerrelay.webhooks import services as webhooks
from careerrelay.webhooks import transport
from careerrelay.webhooks.models import Delivery, Endpoint
from tests.helpers.settings import settings_for_environment

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings):
    settings.WEBHOOKS_ALLOW_HTTP = False
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False


def test_the_defaults_without_debug_refuse_http_and_private_targets(monkeypatch, tmp_path):
    values = settings_for_environment(monkeypatch, tmp_path, DEBUG="0", SECRET_KEY="x" * 50)
    assert values["WEBHOOKS_ALLOW_HTTP"] is False
    assert values["WEBHOOKS_ALLOW_PRIVATE_TARGETS"] is False


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/hook", "https://"),
        ("http://hooks.example.com/hook", "https://"),
        ("https://127.0.0.1/hook", "公開されていない"),
        ("https://localhost:8443/hook", "公開されていない"),
        ("https://10.0.0.1/hook", "公開されていない"),
        ("https://172.16.5.4/hook", "公開されていない"),
        ("https://192.168.1.10/hook", "公開されていない"),
        ("https://169.254.169.254/latest/meta-data/", "公開されていない"),
        ("https://100.64.0.1/hook", "公開されていない"),
        ("https://0.0.0.0/hook", "公開されていない"),
        ("https://224.0.0.1/hook", "公開されていない"),
        ("https://240.0.0.1/hook", "公開されていない"),
        ("https://[::1]/hook", "公開されていない"),
        ("https://[fd00::1]/hook", "公開されていない"),
        ("https://[fe80::1]/hook", "公開されていない"),
        ("https://[::ffff:10.0.0.1]/hook", "公開されていない"),
        ("https://user:pass@hooks.example.com/hook", "ユーザー名"),
        ("https://no-such-host.invalid/hook", "解決できません"),
    ],
)
def test_production_refuses_non_https_and_non_public_targets_when_saved(production, owner_client, url, reason):
    response = owner_client.post(reverse("employer:webhook_new"), {"url": url, "event_types": ["credit.earned"]})
    assert response.status_code == 200
    assert 'id="id_url_error"' in response.text
    assert reason in response.text
    assert not Endpoint.objects.exists()


def test_a_public_https_address_is_accepted(production, monkeypatch):
    monkeypatch.setattr(
        socket, "getaddrinfo", lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443))]
    )
    transport.check_url("https://hooks.example.com/careerrelay")


def test_a_name_with_any_private_address_is_refused(production, monkeypatch):
    answers = [("93.184.215.14", 443), ("10.1.2.3", 443)]
    monkeypatch.setattr(
        socket, "getaddrinfo", lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", a) for a in answers]
    )
    with pytest.raises(transport.UnsafeTarget):
        transport.check_url("https://hooks.example.com/careerrelay")


def test_a_name_that_resolves_inside_the_network_at_delivery_time_gets_nothing(
    owner_client, settings, receiver, django_capture_on_commit_callbacks
):
    # Registered while the name pointed somewhere allowed (here: the tests' permissive settings) …
    owner_client.post(reverse("employer:webhook_new"), {"url": receiver.url, "event_types": ["credit.earned"]})
    endpoint = Endpoint.objects.get()
    # … then production rules apply at delivery: the address is checked again, and refused.
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("employer:webhook_test", args=[endpoint.pk]))
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.RETRYING
    assert "公開されていない" in delivery.attempt_log.get().error
    assert receiver.received == []


def test_the_connection_goes_to_the_address_that_was_checked(settings, monkeypatch, receiver):
    """The name is resolved once; the socket connects to that answer, whatever a second lookup says."""
    port = int(receiver.url.split(":")[2].split("/")[0])
    calls = []
    real_getaddrinfo = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "127.0.0.1":  # the socket's own look-up of the address literal it was given
            return real_getaddrinfo(host, *args, **kwargs)
        calls.append(host)
        if len(calls) > 1:  # a rebinding answer would come from here
            raise AssertionError("resolved twice")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    response = transport.post(f"http://hooks.example.com:{port}/in", b"{}", {"Content-Type": "application/json"})
    assert response.status_code == 200
    assert calls == ["hooks.example.com"]
    assert receiver.received[0].headers["Host"] == f"hooks.example.com:{port}"


def test_the_api_refuses_them_too(production, employer, owner, client):
    from careerrelay.audit.actor import Actor, ActorKind
    from careerrelay.organisations.services import create_api_key

    _key, secret = create_api_key(organisation=employer, name="ATS", actor=Actor.for_user(owner, ActorKind.EMPLOYER))
    for url in ("http://127.0.0.1/hook", "https://10.0.0.1/hook"):
        response = client.post(
            "/api/v1/webhooks",
            {"url": url, "event_types": ["credit.earned"]},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "validation_error"
    assert not Endpoint.objects.exists()
    assert webhooks.endpoints_for(employer).count() == 0
