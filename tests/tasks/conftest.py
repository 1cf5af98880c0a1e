import pytest
import redis

from tests.helpers.services import REDIS_TEST_URL
from tests.helpers.settings import settings_for_environment


@pytest.fixture
def redis_url():
    """An empty Redis database of the test run's own (REDIS_TEST_URL), emptied again afterwards.
    Tests that use it are marked `redis`: tests/conftest.py skips or fails them without a server."""
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2)
    client.flushdb()
    yield REDIS_TEST_URL
    client.flushdb()
    client.close()


@pytest.fixture
def redis_settings(settings, redis_url, monkeypatch, tmp_path):
    """Switch this test to exactly what settings.py configures when REDIS_URL is set."""
    configured = settings_for_environment(monkeypatch, tmp_path, REDIS_URL=redis_url)
    settings.CACHES = configured["CACHES"]
    settings.RQ_QUEUES = configured["RQ_QUEUES"]
    settings.RQ = configured["RQ"]
    settings.TASKS = configured["TASKS"]
    return configured
