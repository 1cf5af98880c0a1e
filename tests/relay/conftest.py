import pytest
import redis

from tests.helpers.services import REDIS_TEST_URL


@pytest.fixture
def redis_cache(settings):
    """The default cache on the test run's own Redis database (REDIS_TEST_URL), as settings.py
    configures it when REDIS_URL is set; emptied before and after. Tests using it are marked `redis`."""
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2)
    client.flushdb()
    backend = "django.core.cache.backends.redis.RedisCache"
    options = dict(settings.REDIS_CACHE_OPTIONS)
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": REDIS_TEST_URL, "OPTIONS": options}}
    yield REDIS_TEST_URL
    client.flushdb()
    client.close()
