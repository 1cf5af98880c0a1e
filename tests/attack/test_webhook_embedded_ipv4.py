"""Outbound webhook URLs whose IPv6 address carries a private IPv4 one (NAT64, 6to4,
IPv4-compatible): on an IPv6-only host behind a NAT64 gateway they reach the internal network, so
they are refused like the IPv4 address they carry; the same forms of a public address still work."""

import socket

import pytest
from django.urls import reverse

from careerrelay.webhooks import transport
from careerrelay.webhooks.models import Endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings):
    settings.WEBHOOKS_ALLOW_HTTP = False
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False


@pytest.mark.parametrize(
    "url",
    [
        "https://[64:ff9b::a9fe:a9fe]/latest/meta-data/",  # NAT64 of 169.254.169.254
        "https://[64:ff9b::a00:5]/hook",  # NAT64 of 10.0.0.5
        "https://[64:ff9b::7f00:1]/hook",  # NAT64 of 127.0.0.1
        "https://[64:ff9b:1::a00:5]/hook",  # local-use NAT64
        "https://[2002:c0a8:10a::]/hook",  # 6to4 of 192.168.1.10
        "https://[::127.0.0.1]/hook",  # IPv4-compatible
    ],
)
def test_an_ipv6_form_of_a_private_ipv4_address_is_refused_when_saved(production, owner_client, url):
    response = owner_client.post(reverse("employer:webhook_new"), {"url": url, "event_types": ["credit.earned"]})
    assert response.status_code == 200
    assert 'id="id_url_error"' in response.text
    assert "公開されていない" in response.text
    assert not Endpoint.objects.exists()


def test_a_name_resolving_to_nat64_of_a_private_address_is_refused(production, monkeypatch):
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *a, **k: [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("64:ff9b::a00:5", 443, 0, 0))],
    )
    with pytest.raises(transport.UnsafeTarget):
        transport.check_url("https://hooks.example.com/careerrelay")


@pytest.mark.parametrize("address", ["64:ff9b::5db8:d70e", "2002:5db8:d70e::1", "2606:4700::1111"])
def test_the_same_forms_of_a_public_address_are_accepted(production, monkeypatch, address):
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *a, **k: [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, 443, 0, 0))],
    )
    transport.check_url("https://hooks.example.com/careerrelay")
