"""An employer (owner, member, outsider from tests/conftest.py) and the local server that plays its
system. Webhooks may go to http://127.0.0.1 here: the tests that prove production refuses it turn
the two settings off themselves."""

import pytest
import redis

from tests.helpers.services import REDIS_TEST_URL
from tests.helpers.settings import settings_for_environment
from tests.webhooks.helpers import Receiver


@pytest.fixture(autouse=True)
def _local_targets(settings):
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True


@pytest.fixture
def receiver():
    with Receiver() as server:
        yield server


@pytest.fixture
def redis_settings(settings, monkeypatch, tmp_path):
    """This test on exactly what settings.py configures when REDIS_URL is set, with an empty Redis
    database of the test run's own (REDIS_TEST_URL). Tests that use it are marked `redis`."""
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2)
    client.flushdb()
    configured = settings_for_environment(monkeypatch, tmp_path, REDIS_URL=REDIS_TEST_URL)
    for name in ("CACHES", "RQ_QUEUES", "RQ", "TASKS"):
        setattr(settings, name, configured[name])
    yield configured
    client.flushdb()
    client.close()
