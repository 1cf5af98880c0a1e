"""The read replica (DATABASE_REPLICA_URL): candidate search and the employer dashboard's figures
read from it, every write and everything else goes to the primary, and `migrate` and
`check --deploy` leave it alone.

Here the replica is a second alias on the test database itself (as Django's TEST MIRROR does), so
a query's alias shows where it went while both see the same rows."""

import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connections, router, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careerrelay.audit.services import Actor
from careerrelay.candidates.models import Candidate, Consent
from careerrelay.common.replica import read_alias, replica_reads
from careerrelay.privacy import services as privacy
from careerrelay.search.services import search_candidates
from tests.factories import CandidateFactory
from tests.helpers.agencies import make_agency
from tests.helpers.settings import settings_for_environment

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def replica(transactional_db, monkeypatch):
    """A `replica` alias on the test database, for this test only."""
    # Kept open for the whole test (Django's test case allows only the connections it was told of
    # before it started, or ones already open).
    settings_dict = {**connections["default"].settings_dict, "CONN_MAX_AGE": None}
    monkeypatch.setitem(connections.settings, "replica", settings_dict)
    connections["replica"].connect()
    yield connections["replica"]
    connections["replica"].close()
    del connections["replica"]


def sql_of(captured) -> str:
    return "\n".join(query["sql"] for query in captured.captured_queries)


def searchable_candidate(django_capture_on_commit_callbacks, summary):
    with django_capture_on_commit_callbacks(execute=True):
        candidate = CandidateFactory(status=Candidate.Status.VERIFIED, summary=summary)
        privacy.grant_consent(
            candidate=candidate, purpose=Consent.Purpose.AGENCY_SHARING, actor=Actor.for_candidate(candidate)
        )
    return candidate


@pytest.mark.django_db(transaction=True)
def test_an_agencys_search_reads_the_replica_and_its_audit_record_goes_to_the_primary(
    client, replica, django_capture_on_commit_callbacks
):
    candidate = searchable_candidate(django_capture_on_commit_callbacks, "Kotlinでアプリ開発")
    _agency, admin = make_agency("株式会社ひかり人材", "13-ユ-310001", "admin@hikari.example")
    client.force_login(admin)

    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(replica) as copy:
        response = client.get(reverse("agency:search") + "?q=Kotlin")

    assert response.status_code == 200
    assert candidate.public_id.hex in response.content.decode() or str(candidate.public_id) in response.content.decode()
    assert "search_searchterm" in sql_of(copy) and "search_searchdocument" in sql_of(copy)
    assert "search_searchterm" not in sql_of(primary) and "search_searchdocument" not in sql_of(primary)
    assert 'INSERT INTO "audit_auditevent"' in sql_of(primary)
    assert "INSERT" not in sql_of(copy).upper()


@pytest.mark.django_db(transaction=True)
def test_the_employer_dashboards_figures_read_the_replica_and_the_credit_balance_the_primary(owner_client, replica):
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(replica) as copy:
        response = owner_client.get(reverse("employer:dashboard"))

    assert response.status_code == 200
    assert "relay_relaycampaign" in sql_of(copy)
    assert "relay_relaycampaign" not in sql_of(primary)
    # Money is read where it is written.
    assert "credits_ledgerentry" in sql_of(primary)


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_on_the_primary_reads_stay_there(replica, django_capture_on_commit_callbacks):
    with replica_reads():
        assert read_alias() == "replica"
        with transaction.atomic():
            # What this transaction wrote is visible only on the primary, so reads stay there.
            assert read_alias() == "default"
            with CaptureQueriesContext(replica) as copy:
                search_candidates(q="Kotlin")
            assert copy.captured_queries == []
    assert read_alias() == "default"


def test_without_a_replica_nothing_changes():
    assert "replica" not in connections.settings
    with replica_reads():
        assert read_alias() == "default"


@pytest.mark.django_db(transaction=True)
def test_writes_and_migrations_go_to_the_primary_only(replica):
    with replica_reads():
        for model in apps.get_models():
            assert router.db_for_write(model) == "default"
            assert router.allow_migrate_model("default", model)
            assert not router.allow_migrate_model("replica", model)


def test_the_setting_adds_the_alias_and_the_router(monkeypatch, tmp_path):
    without = settings_for_environment(monkeypatch, tmp_path, DATABASE_REPLICA_URL="")
    assert set(without["DATABASES"]) == {"default"}
    assert without["DATABASE_ROUTERS"] == ["careerrelay.common.replica.ReplicaRouter"]

    configured = settings_for_environment(
        monkeypatch,
        tmp_path,
        DATABASE_URL="postgres://app@primary.internal:5432/careerrelay",
        DATABASE_REPLICA_URL="postgres://app@replica.internal:5432/careerrelay",
    )
    replica = configured["DATABASES"]["replica"]
    assert (replica["HOST"], replica["NAME"]) == ("replica.internal", "careerrelay")
    # The test run reads the primary's test database through the alias instead of creating another.
    assert replica["TEST"] == {"MIRROR": "default"}


def manage(*args, **env):
    base = {"PATH": "/usr/bin:/bin", "HOME": env["VAR_DIR"]}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=180
    )


def tables(path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_migrate_and_check_deploy_leave_the_replica_alone(tmp_path):
    primary, copy = tmp_path / "primary.sqlite3", tmp_path / "replica.sqlite3"
    env = {
        "VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{primary}",
        "DATABASE_REPLICA_URL": f"sqlite:///{copy}",
    }

    migrated = manage("migrate", "--noinput", DEBUG="1", **env)
    assert migrated.returncode == 0, migrated.stderr
    asked = manage("migrate", "--noinput", "--database", "replica", DEBUG="1", **env)
    assert asked.returncode == 0, asked.stderr
    assert "search_posting" in tables(primary)
    assert not copy.exists() or {t for t in tables(copy) if not t.startswith("sqlite_")} <= {"django_migrations"}

    # A replica that does not answer does not fail the deploy checks: they never connect to it.
    checked = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        SITE_URL="https://careerrelay.example",
        VAR_DIR=str(tmp_path),
        DATABASE_REPLICA_URL="postgres://app@127.0.0.1:9/unreachable",
    )
    assert checked.returncode == 0, checked.stderr
    assert "System check identified no issues (0 silenced)." in checked.stdout
