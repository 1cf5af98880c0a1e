"""Two gunicorn worker processes count landing-page views at once, as on the site: after a
graceful stop (each worker adds its buffer as it exits) and a flush (Redis), the counter equals
the GETs the server answered with 200, none lost, none twice. PostgreSQL only: the web processes
need to see the test's committed rows, which an in-memory SQLite test database cannot give them."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from careerrelay.relay.services import flush_views
from tests.factories import EmployerFactory
from tests.helpers.services import REDIS_TEST_URL

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
GETS_PER_CLIENT = 150
CLIENTS = 6


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture(params=["buffer", pytest.param("redis", marks=pytest.mark.redis)])
def server_env(request, tmp_path):
    server = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="careerrelay.settings",
        DEBUG="1",  # static files without a collectstatic manifest; the views are counted the same way
        RATE_LIMITS_ENABLED="0",
        DATABASE_URL=(
            f"postgres://{server['USER']}:{server['PASSWORD'] or ''}@{server['HOST'] or '127.0.0.1'}:"
            f"{server['PORT'] or 5432}/{server['NAME']}"
        ),
        VAR_DIR=str(tmp_path),
        LOG_LEVEL="WARNING",
    )
    if request.param == "redis":
        request.getfixturevalue("redis_cache")
        env["REDIS_URL"] = REDIS_TEST_URL
    return env


def test_two_worker_processes_counting_at_once_lose_nothing(server_env, tmp_path):
    campaign = EmployerFactory(name="株式会社さくら").campaigns.get()
    port = free_port()
    log = tmp_path / "gunicorn.log"
    command = [str(Path(sys.executable).parent / "gunicorn"), "careerrelay.wsgi", "--workers", "2"]
    command += ["--bind", f"127.0.0.1:{port}", "--error-logfile", str(log)]
    server = subprocess.Popen(command, cwd=ROOT, env=server_env)
    url = f"http://127.0.0.1:{port}{campaign.get_absolute_url()}"
    statuses: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while True:  # up, and both workers answering, before counting starts
            try:
                if get(f"http://127.0.0.1:{port}/r/no-such-code/") == 404:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, log.read_text()
            time.sleep(0.2)

        def client():
            for _ in range(GETS_PER_CLIENT):
                statuses.append(get(url))

        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.send_signal(signal.SIGTERM)  # graceful: each worker adds its buffered views as it exits
        server.wait(60)

    assert statuses == [200] * (GETS_PER_CLIENT * CLIENTS)
    pids = {line.split("pid: ")[1].rstrip(")\n") for line in log.read_text().splitlines() if "Booting worker" in line}
    assert len(pids) == 2, log.read_text()
    flush_views()  # Redis: the views are there until a flush; buffer: nothing left
    campaign.refresh_from_db()
    assert campaign.landing_views == GETS_PER_CLIENT * CLIENTS
