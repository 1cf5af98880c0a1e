import os
import shutil

import pytest
from django.core.cache import cache

from tests.factories import EmployerFactory, MembershipFactory, UserFactory
from tests.smtp import SMTPServer

ON_CI = bool(os.environ.get("CI"))


@pytest.fixture(autouse=True)
def _isolated_settings(settings, tmp_path):
    # Each test sends mail through Django's locmem backend (pytest-django) and runs tasks
    # inline, unless the test itself chooses a real SMTP server or a real queue.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "http://testserver"
    cache.clear()
    yield
    cache.clear()


def require(condition: bool, reason: str):
    """Skip on a developer's machine that lacks a service; fail on CI, where it must be there."""
    if condition:
        return
    if ON_CI:
        pytest.fail(f"CI must provide this: {reason}")
    pytest.skip(reason)


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server; Django's SMTP backend is pointed at it for the test."""
    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        yield server


@pytest.fixture
def chromium_path():
    path = shutil.which("chromium") or "/usr/bin/chromium"
    require(os.path.exists(path), "Debian's chromium is not installed (apt-get install chromium)")
    return path


# --- Three people for every tenant test: an owner, a member and an outsider. ---------------


@pytest.fixture
def employer(db):
    return EmployerFactory(name="株式会社山﨑製作所")


@pytest.fixture
def owner(employer):
    return MembershipFactory(organisation=employer, role="admin", user=UserFactory(email="owner@yamasaki.example")).user


@pytest.fixture
def member(employer):
    return MembershipFactory(
        organisation=employer, role="recruiter", user=UserFactory(email="member@yamasaki.example")
    ).user


@pytest.fixture
def outsider(db):
    other = EmployerFactory(name="株式会社よそ")
    return MembershipFactory(organisation=other, role="admin", user=UserFactory(email="admin@yoso.example")).user


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def outsider_client(client, outsider):
    client.force_login(outsider)
    return client
