"""Outside services some tests need: skipped on a developer's machine without them, required on CI."""

import os

import pytest

ON_CI = bool(os.environ.get("CI"))
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def require(condition: bool, reason: str):
    """Skip on a developer's machine that lacks a service; fail on CI, where it must be there."""
    if condition:
        return
    if ON_CI:
        pytest.fail(f"CI must provide this: {reason}")
    pytest.skip(reason)


def redis_answers(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError:
        return False
    finally:
        client.close()
    return True
