"""Failed signature checks on /hooks/ats/ are limited per client address and integration, so the
endpoint cannot be used to guess a secret; valid deliveries never count towards it."""

import pytest
import redis
from django.core.cache import caches

from careerrelay.integrations.models import Delivery
from tests.helpers.generic_ats import SECRET, rejection, signed
from tests.helpers.services import REDIS_TEST_URL
from tests.integrations.helpers import generic_integration

pytestmark = pytest.mark.django_db

ATTACKER = "198.51.100.7"
VENDOR = "203.0.113.20"


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.RATE_LIMITS_ENABLED = settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMIT_ATS_BAD_SIGNATURE = "5/10m"


def guess(client, integration, n, ip=ATTACKER):
    payload = rejection(event_id=f"guess-{n}")
    return _post_from(client, integration, payload, ip=ip, secret=f"guess-{n}")


def _post_from(client, integration, payload, *, ip, secret=None):
    body, headers = signed(payload, secret or SECRET)
    return client.post(
        f"/hooks/ats/{integration.public_id}/",
        body,
        content_type="application/json",
        headers=headers,
        REMOTE_ADDR=ip,
    )


def check_the_limit(client, employer):
    integration = generic_integration(employer)
    other = generic_integration(employer, name="別のATS")
    # A vendor's valid deliveries, many more than the limit: never limited.
    for n in range(12):
        payload = rejection(event_id=f"ok-{n}", person_id=f"c-{n}", email=f"p{n}@example.jp")
        assert _post_from(client, integration, payload, ip=VENDOR).status_code == 202
    # Guesses: 401 up to the limit, then 429 without checking anything.
    assert [guess(client, integration, n).status_code for n in range(7)] == [401] * 5 + [429] * 2
    right = rejection(event_id="attacker-right", person_id="x", email="x@example.jp")
    assert _post_from(client, integration, right, ip=ATTACKER).status_code == 429
    # The vendor, and the attacker's address on another integration, are not affected.
    payload = rejection(event_id="ok-after", person_id="c-99", email="p99@example.jp")
    assert _post_from(client, integration, payload, ip=VENDOR).status_code == 202
    assert guess(client, other, 0).status_code == 401
    assert Delivery.objects.filter(integration=integration).count() == 13
    assert not Delivery.objects.filter(event_id__startswith="guess").exists()
    assert not Delivery.objects.filter(event_id="attacker-right").exists()


def test_failed_signatures_are_limited_per_address_and_valid_deliveries_never(client, employer):
    check_the_limit(client, employer)


@pytest.mark.redis
def test_the_limit_is_kept_in_redis_shared_by_every_process(client, employer, settings):
    store = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2)
    store.flushdb()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_TEST_URL}
    }
    try:
        check_the_limit(client, employer)
        assert store.dbsize() >= 1  # the counter lives in Redis, not in this process
    finally:
        caches["default"].clear()
        store.flushdb()
        store.close()
