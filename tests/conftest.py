import os
import shutil
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection

from careerrelay.relay import counting, lookup
from tests.factories import EmployerFactory, MembershipFactory, UserFactory
from tests.helpers.migrations import restore_latest
from tests.helpers.services import REDIS_TEST_URL, redis_answers, require
from tests.smtp import SMTPServer

E2E_DIRECTORY = Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(items):
    # Every test under tests/e2e drives a browser, so the PostgreSQL pass (`-m "not e2e"`)
    # leaves them out and they run once, on SQLite.
    for item in items:
        if E2E_DIRECTORY in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _latest_migrations_after_a_migration_test(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        restore_latest()


@pytest.fixture(autouse=True)
def _services_the_markers_need(request):
    """The one place the `postgres_only`, `redis` and `e2e` markers are acted on."""
    if request.node.get_closest_marker("postgres_only") and connection.vendor != "postgresql":
        # Not a missing service: the SQLite pass cannot run these, the PostgreSQL pass does.
        pytest.skip("needs PostgreSQL (row locks, triggers); this run is on SQLite")
    if request.node.get_closest_marker("redis"):
        require(redis_answers(REDIS_TEST_URL), f"no Redis server answers at {REDIS_TEST_URL}")
    if request.node.get_closest_marker("e2e"):
        require(os.path.exists(chromium()), "Debian's chromium is not installed (apt-get install chromium)")


def chromium() -> str:
    return shutil.which("chromium") or "/usr/bin/chromium"


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
    # Landing-page views a test counted but never flushed belong to its rolled-back rows, and the
    # campaigns this process looked up are gone with them.
    counting.discard()
    lookup.forget()


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
    return chromium()


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
