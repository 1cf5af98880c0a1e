"""Registration and verification re-send are limited per email address (tight) and per IP
address (generous: many Japanese phones share one carrier address)."""

import pytest
from django.urls import reverse

from careerrelay.candidates.models import Candidate
from tests.factories import EmployerFactory, registration_data
from tests.helpers.settings import settings_for_environment

pytestmark = pytest.mark.django_db

CARRIER_IP = "203.0.113.50"


@pytest.fixture
def campaign():
    return EmployerFactory(name="株式会社さくら").campaigns.get()


def register(client, campaign, email="hanako.takahashi@example.jp", ip=CARRIER_IP):
    return client.post(campaign.get_absolute_url(), registration_data(email=email), REMOTE_ADDR=ip)


def resend(client, email="hanako.takahashi@example.jp", ip=CARRIER_IP):
    return client.post(reverse("relay:resend"), {"email": email}, REMOTE_ADDR=ip)


def assert_refused_politely(response):
    assert response.status_code == 429
    assert "しばらくお待ちください" in response.text
    assert "短時間にリクエストが集中しています。しばらく時間をおいてから、もう一度お試しください。" in response.text


def test_registration_is_limited_per_email_address_in_any_spelling(client, campaign, settings):
    settings.RATE_LIMIT_REGISTRATION_PER_EMAIL = "5/h"
    spellings = [
        "hanako.takahashi@example.jp",
        "HANAKO.TAKAHASHI@example.jp",
        "ｈａｎａｋｏ.ｔａｋａｈａｓｈｉ＠ｅｘａｍｐｌｅ.ｊｐ",
        "Hanako.Takahashi@Example.JP",
        "hanako.takahashi@example.jp",
    ]
    for n, email in enumerate(spellings):
        assert register(client, campaign, email=email, ip=f"198.51.100.{n}").status_code == 302

    refused = register(client, campaign, email="ＨＡＮＡＫＯ.takahashi@example.jp", ip="198.51.100.99")
    assert_refused_politely(refused)
    # Somebody else is not held up by that address.
    assert register(client, campaign, email="jiro@example.jp", ip="198.51.100.99").status_code == 302
    assert Candidate.objects.count() == 2


def test_registration_is_limited_per_ip_address(client, campaign, settings):
    settings.RATE_LIMIT_REGISTRATION_PER_IP = "10/h"
    for n in range(10):
        assert register(client, campaign, email=f"person{n}@example.jp").status_code == 302

    assert_refused_politely(register(client, campaign, email="person10@example.jp"))
    assert register(client, campaign, email="person10@example.jp", ip="192.0.2.1").status_code == 302
    assert Candidate.objects.count() == 11


def test_thirty_people_behind_one_carrier_address_can_all_register(client, campaign):
    # The shipped defaults, unchanged.
    for n in range(30):
        response = register(client, campaign, email=f"phone{n}@docomo.example.jp")
        assert response.status_code == 302, n
    assert Candidate.objects.count() == 30


def test_only_a_post_is_counted_so_reading_the_page_is_never_limited(client, campaign, settings):
    settings.RATE_LIMIT_REGISTRATION_PER_IP = "2/h"
    for _ in range(5):
        assert client.get(campaign.get_absolute_url(), REMOTE_ADDR=CARRIER_IP).status_code == 200


def test_resend_is_limited_per_email_address(client, settings):
    settings.RATE_LIMIT_RESEND_PER_EMAIL = "3/h"
    for n in range(3):
        assert resend(client, ip=f"198.51.100.{n}").status_code == 200

    assert_refused_politely(resend(client, email="HANAKO.TAKAHASHI@example.jp", ip="198.51.100.9"))
    assert resend(client, email="jiro@example.jp", ip="198.51.100.9").status_code == 200


def test_resend_is_limited_per_ip_address(client, settings):
    settings.RATE_LIMIT_RESEND_PER_IP = "5/h"
    for n in range(5):
        assert resend(client, email=f"person{n}@example.jp").status_code == 200

    assert_refused_politely(resend(client, email="person5@example.jp"))
    assert resend(client, email="person5@example.jp", ip="192.0.2.1").status_code == 200


def test_the_shipped_per_ip_limits_are_generous_and_the_per_email_limits_tight(monkeypatch, tmp_path):
    names = ["REGISTRATION_PER_IP", "RESEND_PER_IP", "REGISTRATION_PER_EMAIL", "RESEND_PER_EMAIL"]
    for name in names:
        monkeypatch.delenv(f"RATE_LIMIT_{name}", raising=False)
    shipped = settings_for_environment(monkeypatch, tmp_path)

    def per_hour(name):
        count, period = shipped[f"RATE_LIMIT_{name}"].split("/")
        assert period == "h"
        return int(count)

    assert per_hour("REGISTRATION_PER_IP") >= 100
    assert per_hour("RESEND_PER_IP") >= 50
    assert per_hour("REGISTRATION_PER_EMAIL") <= 10
    assert per_hour("RESEND_PER_EMAIL") <= 5


def test_limits_can_be_switched_off_for_local_testing(client, campaign, settings):
    settings.RATELIMIT_ENABLE = False
    settings.RATE_LIMIT_REGISTRATION_PER_EMAIL = "1/h"
    settings.RATE_LIMIT_RESEND_PER_EMAIL = "1/h"
    for _ in range(5):
        assert register(client, campaign).status_code == 302
        assert resend(client).status_code == 200


def test_rate_limits_enabled_0_in_the_environment_switches_every_limit_off(monkeypatch, tmp_path):
    configured = settings_for_environment(monkeypatch, tmp_path, RATE_LIMITS_ENABLED="0")
    assert configured["RATELIMIT_ENABLE"] is False
    assert configured["ACCOUNT_RATE_LIMITS"] is False  # login, signup and password reset (allauth)

    default = settings_for_environment(monkeypatch, tmp_path, RATE_LIMITS_ENABLED="")
    assert default["RATELIMIT_ENABLE"] is True
    assert default["ACCOUNT_RATE_LIMITS"]["login_failed"]
