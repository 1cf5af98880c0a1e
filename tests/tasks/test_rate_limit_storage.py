"""Rate limits must hold across processes, or a farming script spreads its requests over them: every
limiter we use — django-ratelimit on our views and allauth's own limits on staff sign-in, sign-up
and password reset — keeps its counts in Django's default cache, which settings.py points at Redis
when REDIS_URL is set. A count made in one process is seen by another: here the second process is a
real one."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.core.ratelimit import consume
from django.conf import settings as django_settings
from django.test import RequestFactory
from django_ratelimit.core import is_ratelimited

ROOT = Path(__file__).resolve().parents[2]
ADDRESS = "shared@example.jp"

# What one web process does: count one registration attempt for ADDRESS on django-ratelimit's
# "registration-email" group, and one password-reset request on allauth's limiter.
PROBE = f"""
import django
django.setup()
from allauth.core.ratelimit import consume
from django.test import RequestFactory
from django_ratelimit.core import is_ratelimited
request = RequestFactory().post("/r/x/", REMOTE_ADDR="198.51.100.9")
limited = is_ratelimited(
    request, group="registration-email", key=lambda group, request: {ADDRESS!r}, rate="2/h",
    method="POST", increment=True,
)
allowed = consume(request, action="reset_password", key={ADDRESS!r})
print(int(limited), int(allowed))
"""


def attempt_here():
    request = RequestFactory().post("/r/x/", REMOTE_ADDR="198.51.100.8")
    limited = is_ratelimited(
        request, group="registration-email", key=lambda *_: ADDRESS, rate="2/h", method="POST", increment=True
    )
    allowed = consume(request, action="reset_password", key=ADDRESS)
    return limited, allowed


def attempt_in_another_process(tmp_path, redis_url: str) -> tuple[bool, bool]:
    environ = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "careerrelay.settings",
        "REDIS_URL": redis_url,
        "RATE_LIMITS_ENABLED": "1",
        "VAR_DIR": str(tmp_path / "var"),
    }
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120, check=False
    )
    assert probe.returncode == 0, probe.stderr
    limited, allowed = probe.stdout.split()[-2:]
    return limited == "1", allowed == "1"


def test_every_limiter_counts_in_the_default_cache():
    # django-ratelimit reads RATELIMIT_USE_CACHE (unset: "default"); allauth uses django.core.cache.cache.
    assert getattr(django_settings, "RATELIMIT_USE_CACHE", "default") == "default"
    assert django_settings.ACCOUNT_RATE_LIMITS  # allauth's limits are on


@pytest.mark.redis
def test_a_count_made_in_one_process_limits_another_through_redis(redis_settings, tmp_path):
    # This process: two registration attempts (the limit) and three reset requests (allauth's 3/h/key).
    assert attempt_here() == (False, True)
    assert attempt_here() == (False, True)
    assert consume(RequestFactory().post("/"), action="reset_password", key=ADDRESS)
    # Another process, sharing only Redis, is already over both limits.
    assert attempt_in_another_process(tmp_path, redis_settings["REDIS_URL"]) == (True, False)


def test_without_redis_each_process_counts_alone(settings, tmp_path):
    """The single-process default (locmem) keeps counts per process, as the README says: the
    other process sees nothing. This is what the Redis test above would see if a limiter
    bypassed the shared cache."""
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    attempt_here()
    attempt_here()
    limited, allowed = attempt_in_another_process(tmp_path, redis_url="")
    assert (limited, allowed) == (False, True)
