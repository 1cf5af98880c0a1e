"""A fresh database and Django set up for a benchmark script (run as `python bench/<name>.py`)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def setup_django(database_url: str | None, tmp: Path, *, recreate: bool = True) -> str:
    os.environ["DEBUG"] = "0"  # no query log in memory
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(40))
    os.environ["VAR_DIR"] = str(tmp)
    if database_url:
        if recreate:
            _recreate_postgres(database_url)
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "careerrelay.settings"
    sys.path.insert(0, str(BASE_DIR))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection

    if connection.vendor == "sqlite":
        return "SQLite " + ".".join(map(str, connection.Database.sqlite_version_info))
    return f"PostgreSQL {connection.pg_version // 10000}"


def _recreate_postgres(url: str) -> None:
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def start_gunicorn(env: dict, port: int, workdir: Path, workers: int, *, access_log_format: str) -> subprocess.Popen:
    """gunicorn serving the project on 127.0.0.1:`port` with `workers` sync workers, its access log
    (in `access_log_format`, how each script counts the server's side) and error log in `workdir`."""
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "careerrelay.wsgi",
        "--chdir",
        str(BASE_DIR),
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--access-logfile",
        str(workdir / "access.log"),
        "--access-logformat",
        access_log_format,
        "--error-logfile",
        str(workdir / "gunicorn.log"),
    ]
    return subprocess.Popen(command, env={**os.environ, **env}, cwd=BASE_DIR)
