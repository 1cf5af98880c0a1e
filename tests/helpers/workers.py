"""Worker processes in tests: a database the test and its subprocesses share, waiting for a
condition, stopping a process as its supervisor would."""

import signal
import subprocess
import time

import psycopg
import pytest
from django.db import connection


@pytest.fixture
def shared_database(tmp_path):
    """(DATABASE_URL for the subprocesses, a function running one query there)."""
    if connection.vendor == "postgresql":
        server = connection.settings_dict
        name = f"{server['NAME']}_workers"[:63]
        host, port = server["HOST"] or "127.0.0.1", server["PORT"] or 5432
        base = f"postgres://{server['USER']}:{server['PASSWORD'] or ''}@{host}:{port}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')

        def query(sql):
            with psycopg.connect(f"{base}/{name}") as db:
                return db.execute(sql).fetchall()

        yield f"{base}/{name}", query
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        import sqlite3

        path = tmp_path / "db.sqlite3"

        def query(sql):
            with sqlite3.connect(path) as db:
                return db.execute(sql).fetchall()

        yield f"sqlite:///{path}", query


def wait_until(condition, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
