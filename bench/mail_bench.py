#!/usr/bin/env python
"""Bulk sending, run by hand.

    .venv/bin/python bench/mail_bench.py                 # 10,000 messages, SQLite in a temp dir
    .venv/bin/python bench/mail_bench.py -n 2000         # a quicker run
    .venv/bin/python bench/mail_bench.py --database-url postgres://postgres@127.0.0.1:5432/cr_mail_bench

One SMTP sink (aiosmtpd, its own process, counting and discarding) receives, in the same run:

  raw     N pre-built messages (the same size and shape: UTF-8 subject, text and HTML parts)
          sent with smtplib over one connection: the ceiling for this machine and this sink
  worker  a send of N personalised rejection messages (髙橋/山﨑 names, per-recipient relay and
          unsubscribe links) through `manage.py worker`: the DB task backend, batches of 100
          over one reused SMTP connection, each message claimed before and marked sent after

Throughput of the worker is measured from the first to the last `sent_at` in the database, so
the start-up of the process is left out (it is printed separately); rendering the N messages
into the outbox (create_send) is timed on its own. The worker's peak memory is its
ru_maxrss as reported by wait4() when it exits. A PostgreSQL database named by
--database-url is dropped and recreated. The result is printed as Markdown for bench/RESULTS.md.
"""

import argparse
import asyncio
import os
import platform
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
FAMILY = ["髙橋", "山﨑", "佐藤", "鈴木", "田中", "伊藤", "渡辺", "中村", "小林", "加藤"]
GIVEN = ["花子", "太郎", "一郎", "美咲", "翔太", "陽菜", "蓮", "結衣", "大翔", "凛"]


# --- The sink: a separate process that counts what it accepts -----------------------------------


def run_sink(port: int, count_file: str) -> None:
    from aiosmtpd.controller import Controller

    class Counting:
        def __init__(self):
            self.count = 0

        async def handle_DATA(self, server, session, envelope):
            self.count += 1
            if self.count % 500 == 0:
                Path(count_file).write_text(str(self.count))
            return "250 OK"

    handler = Counting()
    controller = Controller(handler, hostname="127.0.0.1", port=port, decode_data=False)
    controller.start()
    stop = asyncio.Event()
    try:
        signal.sigwait([signal.SIGTERM, signal.SIGINT])
    finally:
        del stop
        controller.stop()
        Path(count_file).write_text(str(handler.count))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sink(tmp: Path) -> tuple[subprocess.Popen, int, Path]:
    port = free_port()
    count_file = tmp / "sink-count"
    code = (
        f"import sys; sys.path.insert(0, {str(BASE_DIR)!r}); "
        f"from bench.mail_bench import run_sink; run_sink({port}, {str(count_file)!r})"
    )
    sink = subprocess.Popen([sys.executable, "-c", code], cwd=BASE_DIR)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=2) as smtp:
                smtp.noop()
            return sink, port, count_file
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the SMTP sink did not start")


# --- Raw smtplib ----------------------------------------------------------------------------------


def run_raw(port: int, dump: Path) -> tuple[float, float]:
    """The very bytes the worker will send (built from the outbox rows beforehand).
    Returns (wall seconds, CPU seconds of this process)."""
    import pickle
    import resource

    messages = pickle.loads(dump.read_bytes())  # noqa: S301 -- our own file, written a moment ago
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for to, raw in messages:
            smtp.sendmail("no-reply@careerrelay.local", [to], raw)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def peak_rss_mb(pid: int) -> float:
    """VmHWM of the running process. (wait4's ru_maxrss would not do: Linux carries the parent's
    resident size at fork into the child's maximum, and this parent holds N pre-built messages.)"""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- Through the worker ----------------------------------------------------------------------------

SETUP = f"""
import django, sys, time, json, pickle
django.setup()
from datetime import date
from careerrelay.organisations.models import Organisation
from careerrelay.rejections.models import RejectionTemplate
from careerrelay.rejections.services import templates_for_organisation
from careerrelay.relay.services import create_campaign
from careerrelay.talent.models import Applicant
from careerrelay.sends.services import create_send

n = int(sys.argv[1])
family = {FAMILY!r}
given = {GIVEN!r}
org = Organisation.objects.create(name="株式会社山﨑製作所", status="approved", approved_name="株式会社山﨑製作所")
create_campaign(organisation=org, name="標準リレーリンク", is_default=True)
template = templates_for_organisation(org).filter(language="ja").first()
Applicant.objects.bulk_create(
    [Applicant(organisation=org, family_name=family[i % 10], given_name=given[(i // 10) % 10],
               email=f"p{{i}}@example.jp", email_normalized=f"p{{i}}@example.jp", job_title="法人営業",
               rejected_on=date(2026, 11, 2)) for i in range(n)],
    batch_size=1000,
)
start = time.perf_counter()
send = create_send(organisation=org, template=template, applicants=Applicant.objects.all(),
                   sender_name="人事部 鈴木", signature="株式会社山﨑製作所 人事部")
# A send this large is rendered by the worker (prepare_send); here it is done up front, so that
# the worker's figure is the sending alone and the rendering is timed on its own.
from careerrelay.sends.services import run_prepare_send
run_prepare_send(send.pk)
seconds = time.perf_counter() - start
from email.utils import formatdate
built = [(m.to_email, f"Date: {{formatdate()}}\\r\\n".encode() + bytes(m.mime)) for m in send.messages.all()]
with open(sys.argv[2], "wb") as f:
    pickle.dump(built, f)
print(json.dumps({{"send": send.pk, "seconds": seconds, "template": template.name,
                  "bytes": sum(len(b) for _, b in built) // len(built)}}))
"""


def count_done(database_url: str) -> int:
    """Polled once a second with a plain driver: a Django process per poll would steal the CPU."""
    sql = "SELECT COUNT(*) FROM mailings_outboundemail WHERE state IN ('sent', 'failed')"
    if database_url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=20) as db:
            return db.execute(sql).fetchone()[0]
    import psycopg

    with psycopg.connect(database_url) as db:
        return db.execute(sql).fetchone()[0]


STATS = """
import django, json
django.setup()
from django.db.models import Count, Max, Min
from careerrelay.outbox.models import OutboundEmail
rows = OutboundEmail.objects.values("state").annotate(n=Count("id"))
span = OutboundEmail.objects.filter(state="sent").aggregate(first=Min("sent_at"), last=Max("sent_at"))
print(json.dumps({"states": {r["state"]: r["n"] for r in rows},
                  "span": (span["last"] - span["first"]).total_seconds() if span["first"] else None}))
"""


def django_env(database_url: str, tmp: Path, port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL",)}
    env.update(
        DJANGO_SETTINGS_MODULE="careerrelay.settings",
        DATABASE_URL=database_url,
        VAR_DIR=str(tmp),
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        DEBUG="0",
        SECRET_KEY="bench-" + "x" * 40,
        ALLOWED_HOSTS="localhost",
        LOG_LEVEL="WARNING",
        # The benchmark measures throughput, not the per-company limits of a new sender.
        MAIL_DAILY_LIMIT_START=str(10**9),
        MAIL_DAILY_LIMIT_CAP=str(10**9),
        MAIL_MAX_RECIPIENTS_PER_SEND=str(10**9),
    )
    return env


def python(code_or_args, env, *extra):
    import json

    args = ["-c", code_or_args, *extra] if "\n" in code_or_args else code_or_args
    out = subprocess.run([sys.executable, *args], cwd=BASE_DIR, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1]) if "\n" in code_or_args else out


def reset_postgres(url: str) -> None:
    import psycopg
    from psycopg import sql

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def run_worker(env: dict, n: int, tmp: Path, database_url: str) -> dict:
    log = open(tmp / "worker.log", "wb")
    started = time.perf_counter()
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker"], cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        while True:
            if count_done(database_url) >= n:
                break
            if worker.poll() is not None:
                raise SystemExit(f"the worker exited: see {tmp / 'worker.log'}")
            time.sleep(1)
        wall = time.perf_counter() - started
        peak = peak_rss_mb(worker.pid)
    finally:
        worker.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            pid, status, usage = os.wait4(worker.pid, os.WNOHANG)
            if pid:
                break
            time.sleep(0.2)
        else:
            worker.kill()
            pid, status, usage = os.wait4(worker.pid, 0)
        worker.returncode = status
        log.close()
    return {
        "stats": python(STATS, env),
        "wall": wall,
        "peak_mb": peak,
        "cpu": usage.ru_utime + usage.ru_stime,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    n = args.n

    with tempfile.TemporaryDirectory(prefix="mail-bench-") as tmp_name:
        tmp = Path(tmp_name)
        sink, port, count_file = start_sink(tmp)
        try:
            database_url = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
            if database_url.startswith("postgres"):
                reset_postgres(database_url)
            env = django_env(database_url, tmp, port)
            python(["manage.py", "migrate", "--noinput"], env)
            created = python(SETUP, env, str(n), str(tmp / "prebuilt.pickle"))
            raw_before, raw_cpu = run_raw(port, tmp / "prebuilt.pickle")
            worker = run_worker(env, n, tmp, database_url)
            # Raw again after the worker: the machine is shared, so its load drifts during a run.
            raw_after, _cpu = run_raw(port, tmp / "prebuilt.pickle")
        finally:
            sink.send_signal(signal.SIGTERM)
            sink.wait(20)
        received = int(count_file.read_text())

    states = worker["stats"]["states"]
    worker_seconds = worker["stats"]["span"] * n / max(n - 1, 1)
    raw_seconds = (raw_before + raw_after) / 2
    raw_rate, worker_rate = n / raw_seconds, n / worker_seconds
    backend = "PostgreSQL" if database_url.startswith("postgres") else "SQLite (WAL)"
    print(f"""
## Bulk sending

`bench/mail_bench.py -n {n}`{" --database-url …" if args.database_url else ""}, \
{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, \
{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores shared with other work, \
{backend}, DB task backend, one `manage.py worker` process, aiosmtpd sink in its own process.

| | messages | seconds | messages/s |
| --- | ---: | ---: | ---: |
| raw smtplib, the same messages pre-built, one connection (mean of a run before and one after \
the worker: {n / raw_before:.0f} and {n / raw_after:.0f}/s) | {n} | {raw_seconds:.1f} | {raw_rate:.0f} |
| worker: claim → send → mark sent, batches of 100, one connection each | {n} | {worker_seconds:.1f} \
| {worker_rate:.0f} |

- Worker throughput: **{100 * worker_rate / raw_rate:.0f}% of raw smtplib** (target ≥ 60%).
- Worker peak memory (VmHWM of the worker process): **{worker["peak_mb"]:.0f} MB** (target < 300 MB).
- CPU per message, which the load of the machine does not change: worker \
{1000 * worker["cpu"] / n:.2f} ms (whole process, including start-up and the periodic loop), raw smtplib client \
{1000 * raw_cpu / n:.2f} ms.
- Rendering the {n} personalised messages into the outbox (`create_send`, template「{created["template"]}」): \
{created["seconds"]:.1f} s (about {created["bytes"] // 1024} KB a message); counting that too, \
{n / (created["seconds"] + worker_seconds):.0f} messages/s from "send" to the last delivery. Wall clock of the \
worker from process start to the last message: {worker["wall"]:.1f} s.
- Outbox after the run: {", ".join(f"{k} {v}" for k, v in sorted(states.items()))}; the sink accepted {received} \
messages ({2 * n} raw + {states.get("sent", 0)} from the worker).
""")


if __name__ == "__main__":
    main()
