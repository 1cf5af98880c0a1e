#!/usr/bin/env python
"""Load test of the relay landing page and the registration POST, run by hand.

    make bench            (or: .venv/bin/python bench/relay_bench.py --help)

It recreates the PostgreSQL database cr_bench (or, with `--database-url sqlite`, uses the embedded
SQLite default in a temporary directory), migrates it, collects static files into a
temporary directory, seeds one employer with its relay campaign, starts gunicorn (2 sync
workers, production settings) and drives it with wrk from a second process at 20 connections:
a bare Django view and the landing page alternately (so both see the same machine load), then
the registration form, each POST a new person. Afterwards it checks in the database that every
registration the server answered with a redirect is there in full, and no other, and prints a
Markdown table with the machine it ran on. It writes nothing outside a temporary directory
and the cr_bench database.
"""

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bench_setup import start_gunicorn

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
LUA = BASE_DIR / "bench" / "wrk" / "relay.lua"

TARGET_RATIO = 0.5
TARGET_P99_MS = 50
TARGET_REGISTRATIONS = 150

FORM = {
    "family_name": "山田",
    "given_name": "花子",
    "family_name_kana": "ヤマダ",
    "given_name_kana": "ハナコ",
    "prefecture": "13",
    "job_category": "sales",
    "years_experience": "5",
    "skills": "法人営業, Excel, 簿記2級",
    "summary": "法人営業を5年経験しました。次は企画の仕事に挑戦したいと考えています。",
    "consent_agency_sharing": "on",
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cr_bench")
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", ""),
        help="REDIS_URL for the server (cache, view counters, tasks); a database of its own, emptied first",
    )
    parser.add_argument("--duration", type=int, default=15, help="seconds per measured wrk run (default 15)")
    parser.add_argument("--rounds", type=int, default=2, help="bare/landing pairs, alternating (default 2)")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads; one leaves the server more CPU")
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def recreate_database(url: str) -> None:
    import psycopg

    name = urllib.parse.urlsplit(url).path.lstrip("/")
    if not re.fullmatch(r"cr_\w*bench\w*", name):
        sys.exit(f"Refusing to drop {name!r}: the benchmark database must be called cr_bench…")
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def prepare_django(env: dict) -> str:
    """Migrate, collect static files and seed one employer; returns its relay code."""
    os.environ.update(env)
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from careerrelay.accounts.models import User
    from careerrelay.organisations.services import create_employer

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    admin = User.objects.create_user("bench-admin@example.com", secrets.token_urlsafe(16), name="ベンチ 太郎")
    organisation = create_employer(name="株式会社ベンチマーク", admin=admin)
    code = organisation.campaigns.get().code
    connections.close_all()
    return code


def http_get(url: str) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https", "Accept-Language": "ja"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers, response.read().decode()


def wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn exited; see its log above")
        try:
            if http_get(base + "/bench/bare/")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not answer within 60 s")


def csrf_pair(url: str) -> tuple[str, str]:
    """The CSRF cookie and the masked form token, as a browser gets them from the page."""
    status, headers, html = http_get(url)
    assert status == 200, status
    cookie = next(
        c.split(";", 1)[0].split("=", 1)[1] for c in headers.get_all("Set-Cookie") if c.startswith("csrftoken=")
    )
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return token, cookie


def wrk(base: str, duration: int, args: argparse.Namespace, *script_args: str) -> dict:
    command = [
        "wrk",
        f"--threads={args.wrk_threads}",
        f"--connections={args.connections}",
        f"--duration={duration}s",
        "--timeout=10s",
        f"--script={LUA}",
        base,
        "--",
        *script_args,
    ]
    load = os.getloadavg()[0]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("BENCH_JSON "))
    result = json.loads(line.removeprefix("BENCH_JSON "))
    result["load_before"] = load
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["error_total"] = sum(result["errors"].values())
    return result


def machine() -> dict:
    import django
    import gunicorn
    from django.db import connection

    cpuinfo = Path("/proc/cpuinfo").read_text()
    meminfo = Path("/proc/meminfo").read_text()
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    mem_kb = int(re.search(r"MemTotal:\s*(\d+)", meminfo).group(1))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = "PostgreSQL " + cursor.fetchone()[0]
    else:
        connection.ensure_connection()
        database = "SQLite " + ".".join(map(str, connection.Database.sqlite_version_info))
    connection.close()
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split()[1]
    return {
        "nproc": os.cpu_count(),
        "cpu": model.group(1) if model else platform.processor(),
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database,
        "gunicorn": gunicorn.__version__,
        "wrk": wrk_version,
    }


def verify(code: str, access_log: Path, registers: list[dict], landing_gets_seen: int) -> list[tuple[str, bool]]:
    """The database must hold exactly the registrations the server answered with a redirect, each complete."""
    from django.db.models import Count

    from careerrelay.candidates.models import Candidate
    from careerrelay.outbox.models import OutboundEmail
    from careerrelay.relay.models import RelayCampaign
    from careerrelay.relay.services import flush_views

    lines = Counter(tuple(line.split()) for line in access_log.read_text().splitlines() if line.strip())
    path = f"/r/{code}/"
    server_302 = lines[("POST", path, "302")]
    server_post_other = {s: n for (m, p, s), n in lines.items() if m == "POST" and p == path and s != "302"}
    server_landing_200 = lines[("GET", path, "200")]
    # The views the workers buffered were added when they stopped; those counted in Redis are added now.
    flushed = flush_views()
    candidates = Candidate.objects.all()  # the database was created for this run
    n = candidates.count()
    campaign = RelayCampaign.objects.get(code=code)
    # Warm-up included: every registration POST of the run.
    wrk_302 = sum(r["statuses"].get("302", 0) for r in registers)
    cut_off = sum(r["issued"] - r["requests"] for r in registers)
    per_candidate = candidates.aggregate(
        consents=Count("consents", distinct=True), tokens=Count("verification_tokens", distinct=True)
    )
    emails = OutboundEmail.objects.filter(template="candidate_verify").count()
    return [
        (
            f"server answered {server_302} registration POSTs with 302, other statuses: {server_post_other or 'none'}",
            not server_post_other,
        ),
        (f"Candidate rows {n} == registrations answered 302 by the server {server_302}", n == server_302),
        (
            f"302s seen by wrk {wrk_302} <= server {server_302} <= wrk + {cut_off} cut off when wrk stopped",
            wrk_302 <= server_302 <= wrk_302 + cut_off,
        ),
        (
            f"each candidate has its consent, token and queued email: {per_candidate['consents']} consents, "
            f"{per_candidate['tokens']} tokens, {emails} emails",
            per_candidate["consents"] == per_candidate["tokens"] == emails == n,
        ),
        (f"campaign.registrations {campaign.registrations} == Candidate rows {n}", campaign.registrations == n),
        (
            f"campaign.landing_views {campaign.landing_views} (after a flush that added {flushed}) == "
            f"landing GETs answered 200 {server_landing_200}",
            campaign.landing_views == server_landing_200,
        ),
        (
            f"landing GETs seen by wrk {landing_gets_seen} <= server {server_landing_200}",
            landing_gets_seen <= server_landing_200,
        ),
    ]


def cpu_per_request(code: str, host: str, count: int = 300) -> dict:
    """Django's own CPU time per request, in this process through the test client: no gunicorn,
    no network, no waiting for other processes, so it compares code, not machine load."""
    from django.test import Client

    client = Client(HTTP_HOST=host, HTTP_X_FORWARDED_PROTO="https")
    landing = f"/r/{code}/"
    token, cookie = None, None
    serial = iter(range(10**9))

    def bare():
        assert client.get("/bench/bare/").status_code == 200

    def page():
        assert client.get(landing).status_code == 200

    def register():
        client.cookies.clear()
        client.cookies["csrftoken"] = cookie
        data = {**FORM, "csrfmiddlewaretoken": token, "email": f"cpu-{next(serial)}@example.com"}
        assert client.post(landing, data).status_code == 302

    result = {}
    for name, request in (("bare view", bare), ("landing page", page), ("registration POST", register)):
        if name == "registration POST":
            client = Client(
                HTTP_HOST=host, HTTP_X_FORWARDED_PROTO="https", HTTP_ORIGIN=f"https://{host}", enforce_csrf_checks=True
            )
            page()
            cookie = client.cookies["csrftoken"].value
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(landing).text).group(1)
        for _ in range(20):
            request()
        started = time.process_time()
        for _ in range(count):
            request()
        result[name] = (time.process_time() - started) / count * 1000
    return result


def ms(us: float) -> str:
    return f"{us / 1000:.1f}"


def main():
    args = parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    workdir = Path(tempfile.mkdtemp(prefix="cr-bench-"))
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"https://127.0.0.1:{port}",
        "RATE_LIMITS_ENABLED": "0",
        # "sqlite": no DATABASE_URL, the embedded default (VAR_DIR/db.sqlite3, WAL) in the temporary directory.
        "DATABASE_URL": "" if args.database_url == "sqlite" else args.database_url,
        "REDIS_URL": args.redis_url,
        "BENCH_STATIC_ROOT": str(workdir / "static"),
        "VAR_DIR": str(workdir / "var"),
        "LOG_LEVEL": "WARNING",
    }
    started = datetime.now(UTC)
    print(f"Preparing {args.database_url} and static files in {workdir} …", flush=True)
    if args.database_url != "sqlite":
        recreate_database(args.database_url)
    if args.redis_url:
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
    code = prepare_django(env)
    info = machine()
    landing = f"/r/{code}/"
    server = start_gunicorn(
        env,
        port,
        workdir,
        args.workers,
        access_log_format="%(m)s %(U)s %(s)s",  # verify() counts the requests by these three
    )
    try:
        wait_until_up(base, server)
        # Warm-up: both workers load templates, translations and database connections.
        for path in ("/bench/bare/", landing):
            wrk(base, 3, args, "get", path)
        token, cookie = csrf_pair(base + landing)
        body = urllib.parse.urlencode(FORM)
        run_id = secrets.token_hex(4)
        warm_register = wrk(base, 3, args, "register", landing, token, cookie, run_id + "w", body)

        results = []
        for round_ in range(1, args.rounds + 1):
            print(f"round {round_}: bare view, then landing page, {args.duration} s each …", flush=True)
            results.append((f"bare view, round {round_}", wrk(base, args.duration, args, "get", "/bench/bare/")))
            results.append((f"landing page, round {round_}", wrk(base, args.duration, args, "get", landing)))
        print(f"registration POST, {args.duration} s …", flush=True)
        register = wrk(base, args.duration, args, "register", landing, token, cookie, run_id, body)
        results.append(("registration POST", register))
        load_after = os.getloadavg()
    finally:
        server.send_signal(signal.SIGTERM)  # graceful: in-flight requests finish and are logged
        server.wait(timeout=60)

    landing_seen = sum(r["requests"] for name, r in results if name.startswith("landing"))
    checks = verify(code, workdir / "access.log", [warm_register, register], landing_seen)
    cpu = cpu_per_request(code, "127.0.0.1")

    bare = [r for name, r in results if name.startswith("bare")]
    pages = [r for name, r in results if name.startswith("landing")]
    ratio = sum(r["rps"] for r in pages) / sum(r["rps"] for r in bare)
    worst_p99 = max(r["p99_us"] for r in pages) / 1000

    print()
    command = "make bench" if os.environ.get("MAKELEVEL") else " ".join(sys.argv)
    print(f"CareerRelay relay benchmark, {started:%Y-%m-%d %H:%M} UTC, `{command}`")
    print()
    print(
        f"gunicorn {info['gunicorn']} ({args.workers} sync workers), {info['database']}, "
        f"{'Redis' if args.redis_url else 'no Redis'}, "
        f"wrk {info['wrk']} ({args.wrk_threads} thread, {args.connections} connections, {args.duration} s per run)"
    )
    print()
    print("| run | req/s | p50 ms | p90 ms | p99 ms | max ms | requests | errors | load avg before |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, r in results:
        print(
            f"| {name} | {r['rps']:.0f} | {ms(r['p50_us'])} | {ms(r['p90_us'])} | {ms(r['p99_us'])} "
            f"| {ms(r['max_us'])} | {r['requests']} | {r['error_total']} | {r['load_before']:.2f} |"
        )
    print()
    verdict = {True: "met", False: "MISSED"}
    print(f"- landing / bare throughput: {ratio:.2f} (target ≥ {TARGET_RATIO}: {verdict[ratio >= TARGET_RATIO]})")
    print(
        f"- landing p99, worst round: {worst_p99:.1f} ms "
        f"(target < {TARGET_P99_MS} ms: {verdict[worst_p99 < TARGET_P99_MS]})"
    )
    print(
        f"- registrations: {register['rps']:.0f}/s (target ≥ {TARGET_REGISTRATIONS}/s: "
        f"{verdict[register['rps'] >= TARGET_REGISTRATIONS]})"
    )
    print(f"- load average after the runs: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    print()
    print("Database checks after the run:")
    for text, ok in checks:
        print(f"- [{'x' if ok else ' '}] {text}")
    print()
    print("Django's CPU time per request, in-process (test client, same settings and database), ms:")
    print()
    print("| bare view | landing page | registration POST | landing / bare |")
    print("| ---: | ---: | ---: | ---: |")
    print(
        f"| {cpu['bare view']:.2f} | {cpu['landing page']:.2f} | {cpu['registration POST']:.2f} "
        f"| {cpu['landing page'] / cpu['bare view']:.1f}× |"
    )
    print()
    print("Machine:")
    for key in ("nproc", "cpu", "memory", "kernel", "python", "django", "database"):
        print(f"- {key}: {info[key]}")
    shutil.rmtree(workdir, ignore_errors=True)
    if not all(ok for _text, ok in checks):
        sys.exit(1)


if __name__ == "__main__":
    main()
