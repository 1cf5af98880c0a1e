#!/usr/bin/env python
"""Load test of the ATS webhook endpoint, run by hand:

    .venv/bin/python bench/ats_bench.py [--kind greenhouse|generic] [--count 1000] [--concurrency 10]

It recreates a PostgreSQL database (default cr_bench_ats), migrates it, seeds one employer with a
Greenhouse (or --kind) integration whose reason 「経験不足」 is mapped to auto-send, starts gunicorn
(2 sync workers, production settings, the database task queue) and posts --count signed
deliveries from --concurrency client threads as fast as they go: --people people, so about a
third are a second rejection event for someone already sent, and every tenth delivery is an
exact retry of the one before (a vendor's retry: same event id). It counts 5xx and other
statuses and the client-side p50/p99 latency (connect to last byte), then runs
`manage.py worker --burst` until the queue is drained and checks in the database: each delivery
stored once and processed, each person stored once, each mapped send queued once. It prints a
Markdown table with the machine load. It writes nothing outside a temporary directory and that
database.

--kind greenhouse (the issue's benchmark) builds Greenhouse `reject_candidate` deliveries with
`tests.helpers.ats_payloads.greenhouse_delivery` (the builder the tests use, from Greenhouse's
documented schema), signed `Signature: sha256 <hex>`; --kind generic uses
`tests.helpers.generic_ats`.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench_setup import start_gunicorn

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
sys.path.insert(0, str(BASE_DIR))

from bench.relay_bench import free_port, recreate_database  # noqa: E402

SECRET = "bench-" + secrets.token_urlsafe(24)
REASON = "経験不足"
TARGET_P99_MS = 200


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cr_bench_ats"),
    )
    parser.add_argument(
        "--kind", default="greenhouse", choices=["greenhouse", "generic"], help="integration kind (default greenhouse)"
    )
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--people", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    return parser.parse_args()


def server_times(access_log: Path) -> list[float]:
    times = []
    for line in access_log.read_text().splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] == "POST" and parts[1].startswith("/hooks/ats/"):
            times.append(float(parts[3]))
    return times


def cpu_per_request(public_id: str, kind: str, count: int = 200) -> float:
    """Django's own CPU time per delivery (ms), in this process through the test client: no
    gunicorn, no network, no waiting for other processes, so it compares code, not machine load."""
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    client = Client(HTTP_HOST="127.0.0.1")
    build = builder(kind)
    started = time.process_time()
    for n in range(count):
        body, headers = build(
            secret=SECRET,
            event_id=f"cpu-{n}",
            person_id=f"cpu-{n}",
            email=f"cpu{n}@example.com",
            application_id=f"cpu-{n}",
            reason=REASON,
            occurred_at="2026-12-01T09:00:00+00:00",
        )
        response = client.post(f"/hooks/ats/{public_id}/", body, content_type="application/json", headers=headers)
        assert response.status_code == 202, response.status_code
    return (time.process_time() - started) / count * 1000


def generic_delivery(*, secret, event_id, person_id, email, application_id, reason, occurred_at):
    from tests.helpers.generic_ats import rejection, signed

    payload = rejection(
        event_id=event_id,
        person_id=person_id,
        email=email,
        application_id=application_id,
        reason=reason,
        occurred_at=occurred_at,
        rejected_on=occurred_at[:10],
    )
    return signed(payload, secret)


def builder(kind: str):
    if kind == "generic":
        return generic_delivery
    from tests.helpers.ats_payloads import greenhouse_delivery

    return greenhouse_delivery


def deliveries(args) -> list[tuple[str, bytes, dict]]:
    """(event id, body, headers) in posting order; every tenth repeats the one before it."""
    build = builder(args.kind)
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    out = []
    for n in range(args.count):
        if n % 10 == 9:
            out.append(out[-1])
            continue
        person = n % args.people
        event_id = f"bench-{n}"
        body, headers = build(
            secret=SECRET,
            event_id=event_id,
            person_id=f"p-{person}",
            email=f"person{person}@example.com",
            application_id=f"a-{person}",
            reason=REASON,
            occurred_at=(start + timedelta(seconds=n)).isoformat(),
        )
        out.append((event_id, body, headers))
    return out


def prepare_django(env: dict, kind: str) -> str:
    """Migrate and seed one approved employer with the integration and the auto-send mapping."""
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from careerrelay.accounts.models import User
    from careerrelay.integrations import services
    from careerrelay.integrations.models import Integration
    from careerrelay.organisations.services import create_employer
    from careerrelay.rejections.models import RejectionTemplate

    call_command("migrate", verbosity=0)
    admin = User.objects.create_user("bench-admin@example.com", secrets.token_urlsafe(16), name="ベンチ 太郎")
    organisation = create_employer(name="株式会社ベンチマーク", admin=admin)
    integration = Integration.objects.create(
        organisation=organisation, kind=kind, name="bench", secret=SECRET, api_key="unused"
    )
    mapping = services.learn_reason(integration, REASON)
    mapping.action, mapping.auto_send, mapping.mapped = "auto_send", True, True
    mapping.template = RejectionTemplate.objects.filter(organisation=None).order_by("id").first()
    mapping.seen_count = 0
    mapping.save()
    connections.close_all()
    return integration.public_id


def post_all(port: int, path: str, items, concurrency: int):
    results = []
    lock = threading.Lock()

    def one(item):
        _event, body, headers = item
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("POST", path, body, {"Content-Type": "application/json", **headers})
            response = conn.getresponse()
            response.read()
            status = response.status
        except OSError as error:
            status = f"error {type(error).__name__}"
        finally:
            conn.close()
        elapsed = time.perf_counter() - started
        with lock:
            results.append((status, elapsed))

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, items))
    return results, time.perf_counter() - began


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def drain(env: dict) -> float:
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "worker", "--burst", "--no-periodic"],
        cwd=BASE_DIR,
        env={**os.environ, **env},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - began


def verify(items, expected_people: int) -> list[tuple[str, bool]]:
    from django.db.models import Count

    from careerrelay.integrations.models import AtsApplication, Delivery
    from careerrelay.outbox.models import OutboundEmail
    from careerrelay.sends.models import Send
    from careerrelay.talent.models import Applicant

    events = {event for event, _b, _h in items}
    outcomes = Counter(Delivery.objects.values_list("outcome", flat=True))
    applicants = Applicant.objects.count()
    distinct_people = Applicant.objects.values("ats_id").distinct().count()
    per_applicant = Counter(
        OutboundEmail.objects.values("applicant_id").annotate(n=Count("id")).values_list("n", flat=True)
    )
    return [
        (
            f"Delivery rows {sum(outcomes.values())} == distinct events posted {len(events)}",
            sum(outcomes.values()) == len(events),
        ),
        (f"outcomes {dict(outcomes)}: all processed", set(outcomes) == {"processed"}),
        (
            f"Applicant rows {applicants} == people {expected_people} (distinct ATS ids {distinct_people})",
            applicants == distinct_people == expected_people,
        ),
        (
            f"AtsApplication rows {AtsApplication.objects.count()} == people",
            AtsApplication.objects.count() == expected_people,
        ),
        (f"Send rows {Send.objects.count()} == people", Send.objects.count() == expected_people),
        (
            f"rejection emails per applicant: {dict(per_applicant)} (each exactly 1)",
            per_applicant == Counter({1: expected_people}),
        ),
    ]


def main():
    args = parse_args()
    name = urllib.parse.urlsplit(args.database_url).path.lstrip("/")
    if not re.fullmatch(r"cr_(bench\w*|atscore)", name):
        sys.exit(f"Refusing to drop {name!r}: the benchmark database must be called cr_bench…")
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="cr-ats-bench-"))
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        # On, as in production: the accept path checks the failed-signature counter (one cache call).
        "RATE_LIMITS_ENABLED": "1",
        "DATABASE_URL": args.database_url,
        "BENCH_STATIC_ROOT": str(workdir / "static"),
        "VAR_DIR": str(workdir / "var"),
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": "",
    }
    print(f"Preparing {args.database_url} …", flush=True)
    recreate_database(args.database_url) if name.startswith("cr_bench") else _recreate(args.database_url)
    public_id = prepare_django(env, args.kind)
    items = deliveries(args)
    server = start_gunicorn(
        env,
        port,
        workdir,
        args.workers,
        # Each request's time inside the server (%(M)s, ms): the client's latency minus the wait
        # for a free worker and the network.
        access_log_format="%(m)s %(U)s %(s)s %(M)s",
    )
    try:
        _wait(port, server)
        load_before = os.getloadavg()
        results, wall = post_all(port, f"/hooks/ats/{public_id}/", items, args.concurrency)
        load_after = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=30)
    inside = server_times(workdir / "access.log")
    statuses = Counter(str(status) for status, _t in results)
    latencies = [t * 1000 for _s, t in results]
    server_errors = sum(n for status, n in statuses.items() if status.startswith("5") or status.startswith("error"))
    print("Draining the queue with manage.py worker --burst …", flush=True)
    drained = drain(env)
    # Every tenth delivery repeats the one before, so some of the --people never appear.
    people_posted = len({n % args.people for n in range(args.count) if n % 10 != 9})
    checks = verify(items, people_posted)
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    cpu_ms = cpu_per_request(public_id, args.kind)  # after the checks: these deliveries stay queued
    print()
    print(
        "| kind | deliveries | client threads | gunicorn workers | statuses | 5xx | p50 ms | p99 ms | max ms "
        "| req/s | worker drain s | load avg before → after |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    print(
        f"| {args.kind} | {len(items)} | {args.concurrency} | {args.workers} | {dict(statuses)} | {server_errors} "
        f"| {p50:.1f} | {p99:.1f} | {max(latencies):.1f} | {len(items) / wall:.0f} | {drained:.1f} "
        f"| {load_before[0]:.2f} → {load_after[0]:.2f} |"
    )
    print()
    print(
        f"Inside the server (gunicorn's request time, {len(inside)} requests): p50 {percentile(inside, 50):.0f} ms, "
        f"p99 {percentile(inside, 99):.0f} ms. Django CPU per delivery in-process (test client, 200 deliveries): "
        f"{cpu_ms:.1f} ms. Machine: {os.cpu_count()} CPUs."
    )
    print()
    ok = server_errors == 0
    for text, passed in checks:
        print(f"- [{'x' if passed else ' '}] {text}")
        ok = ok and passed
    print(
        f"- [{'x' if p99 < TARGET_P99_MS else ' '}] p99 {p99:.1f} ms < {TARGET_P99_MS} ms (client side, incl. connect)"
    )
    print(json.dumps({"statuses": statuses, "p50_ms": p50, "p99_ms": p99}), file=sys.stderr)
    sys.exit(0 if ok else 1)


def _recreate(url: str) -> None:
    import psycopg

    name = urllib.parse.urlsplit(url).path.lstrip("/")
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _wait(port: int, server) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn exited")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/bench/bare/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not answer within 60 s")


if __name__ == "__main__":
    main()
