import runpy
from pathlib import Path

import pytest
import redis

from tests.helpers.services import REDIS_TEST_URL

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "careerrelay" / "settings.py"


@pytest.fixture
def redis_url():
    """An empty Redis database of the test run's own (REDIS_TEST_URL), emptied again afterwards.
    Tests that use it are marked `redis`: tests/conftest.py skips or fails them without a server."""
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2)
    client.flushdb()
    yield REDIS_TEST_URL
    client.flushdb()
    client.close()


def settings_for_environment(monkeypatch, tmp_path, **environ) -> dict:
    """careerrelay/settings.py evaluated again under other environment variables."""
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE), run_name="careerrelay_settings_under_test")


@pytest.fixture
def redis_settings(settings, redis_url, monkeypatch, tmp_path):
    """Switch this test to exactly what settings.py configures when REDIS_URL is set."""
    configured = settings_for_environment(monkeypatch, tmp_path, REDIS_URL=redis_url)
    settings.CACHES = configured["CACHES"]
    settings.RQ_QUEUES = configured["RQ_QUEUES"]
    settings.RQ = configured["RQ"]
    settings.TASKS = configured["TASKS"]
    return configured
