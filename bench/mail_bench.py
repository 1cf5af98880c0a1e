#!/usr/bin/env python
"""Bulk sending, run by hand: a send of N personalised messages from the call that creates it to
the last `sent`, against raw smtplib sending the same bytes to the same sink, in the same run.

    .venv/bin/python bench/mail_bench.py                 # 10,000 messages, SQLite in a temp dir
    .venv/bin/python bench/mail_bench.py -n 2000         # a quicker run
    .venv/bin/python bench/mail_bench.py --database-url postgres://postgres@127.0.0.1:5432/cr_mail_bench
    .venv/bin/python bench/mail_bench.py --profile /tmp/prof   # py-spy on the worker and the creating call

One SMTP sink (aiosmtpd, its own process, counting and keeping what it accepts) receives:

  worker  `manage.py worker` (the DB task backend) is started and left idle; then a second
          process calls `create_send` as the employer's form does (10,000 applicants with 髙橋/山﨑
          names, per-recipient relay and unsubscribe links). The clock starts just before that
          call and stops at the last message's `sent_at`: rendering, queueing, claiming and
          delivery are all inside it, as the employer waits for them.
  raw     the very bytes the sink received from the worker (Date header and all), sent again with
          smtplib over one connection, twice after the worker (the machine is shared, its load
          drifts): the ceiling for this machine and this sink.

The worker's peak memory is its VmHWM. A PostgreSQL database named by --database-url is dropped and
recreated. The result is printed as Markdown for bench/RESULTS.md.
"""

import argparse
import json
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


SINK_SIGNALS = [signal.SIGTERM, signal.SIGINT, signal.SIGUSR1, signal.SIGUSR2]


# --- The sink: a separate process that counts what it accepts -----------------------------------


def run_sink(port: int, count_file: str) -> None:
    """Counts every message; keeps the first `keep` it is told to (SIGUSR2 starts keeping, SIGUSR1
    writes what it kept to count_file + ".pickle" and stops keeping)."""
    import pickle

    from aiosmtpd.controller import Controller

    class Counting:
        def __init__(self):
            self.count = 0
            self.keeping = False
            self.kept: list[tuple[str, bytes]] = []

        async def handle_DATA(self, server, session, envelope):
            self.count += 1
            if self.keeping:
                self.kept.append((envelope.rcpt_tos[0], envelope.original_content))
            return "250 OK"

    handler = Counting()
    controller = Controller(handler, hostname="127.0.0.1", port=port, decode_data=False)
    controller.start()
    try:
        while True:
            signum = signal.sigwait(SINK_SIGNALS)
            if signum == signal.SIGUSR2:
                handler.keeping = True
            elif signum == signal.SIGUSR1:
                handler.keeping = False
                Path(count_file + ".pickle").write_bytes(pickle.dumps(handler.kept))
                handler.kept = []
                Path(count_file + ".dumped").write_text(str(handler.count))
            else:
                break
    finally:
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
    # The signals the sink waits for with sigwait() are blocked before it starts, so none is lost.
    sink = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        preexec_fn=lambda: signal.pthread_sigmask(signal.SIG_BLOCK, SINK_SIGNALS),
    )
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
    """The very bytes the sink received from the worker, sent again over one connection.
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
    del messages
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
import django, sys
django.setup()
from datetime import date
from careerrelay.organisations.models import Organisation
from careerrelay.relay.services import create_campaign
from careerrelay.talent.models import Applicant

n = int(sys.argv[1])
family = {FAMILY!r}
given = {GIVEN!r}
org = Organisation.objects.create(name="株式会社山﨑製作所", status="approved", approved_name="株式会社山﨑製作所")
create_campaign(organisation=org, name="標準リレーリンク", is_default=True)
Applicant.objects.bulk_create(
    [Applicant(organisation=org, family_name=family[i % 10], given_name=given[(i // 10) % 10],
               email=f"p{{i}}@example.jp", email_normalized=f"p{{i}}@example.jp", job_title="法人営業",
               rejected_on=date(2026, 11, 2)) for i in range(n)],
    batch_size=1000,
)
print("{{}}")
"""

# The employer's "send now" for every applicant: the form's service call, in a process of its own
# (as a web process would make it). The clock starts right before the call.
CREATE = """
import django, json, time
django.setup()
from django.contrib.auth import get_user_model
from careerrelay.organisations.models import Organisation
from careerrelay.rejections.services import templates_for_organisation
from careerrelay.sends.services import create_send
from careerrelay.talent.models import Applicant

org = Organisation.objects.get()
template = templates_for_organisation(org).filter(language="ja").first()
started = time.time()
send = create_send(organisation=org, template=template, applicants=Applicant.objects.filter(organisation=org),
                   sender_name="人事部 鈴木", signature="株式会社山﨑製作所 人事部")
returned = time.time()
print(json.dumps({"send": send.pk, "started": started, "returned": returned, "template": template.name}))
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
                  "first": span["first"].timestamp() if span["first"] else None,
                  "last": span["last"].timestamp() if span["last"] else None}))
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


def py_spy(pid: int, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "py-spy"),
            "record",
            "--pid",
            str(pid),
            "--rate",
            "100",
            "--format",
            "speedscope",
            "--output",
            str(out),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_worker(worker: subprocess.Popen) -> float:
    """SIGTERM, then SIGKILL after 20 s; returns the process's CPU seconds."""
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
    return usage.ru_utime + usage.ru_stime


def run_send(
    env: dict, n: int, tmp: Path, database_url: str, sink: subprocess.Popen, profile: Path | None, workers: int = 1
) -> dict:
    """Starts the worker(s), lets them settle, creates the send, waits for the last message.
    With --workers N, the others run with --no-periodic, as docs/operations.md says."""
    log = open(tmp / "worker.log", "wb")
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker"], cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    extras = [
        subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--no-periodic"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for _ in range(workers - 1)
    ]
    spies = []
    try:
        time.sleep(5)  # imports, the first periodic round: the worker is idle when the send comes
        if worker.poll() is not None:
            raise SystemExit(f"the worker exited: see {tmp / 'worker.log'}")
        if profile:
            profile.mkdir(parents=True, exist_ok=True)
            spies.append(py_spy(worker.pid, profile / "worker.speedscope.json"))
            time.sleep(1)
        sink.send_signal(signal.SIGUSR2)  # keep what the worker sends, for raw smtplib
        time.sleep(0.2)
        if profile:
            out = subprocess.run(
                [
                    str(Path(sys.executable).parent / "py-spy"),
                    "record",
                    "--rate",
                    "100",
                    "--format",
                    "speedscope",
                    "--output",
                    str(profile / "create.speedscope.json"),
                    "--",
                    sys.executable,
                    "-c",
                    CREATE,
                ],
                cwd=BASE_DIR,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            created = json.loads(next(line for line in reversed(out.stdout.splitlines()) if line.startswith("{")))
        else:
            created = python(CREATE, env)
        while True:
            if count_done(database_url) >= n:
                break
            if worker.poll() is not None:
                raise SystemExit(f"the worker exited: see {tmp / 'worker.log'}")
            time.sleep(0.5)
        peak = max(peak_rss_mb(w.pid) for w in [worker, *extras])
    finally:
        for spy in spies:
            spy.send_signal(signal.SIGINT)
            spy.wait(60)
        cpu = sum(stop_worker(w) for w in [worker, *extras])
        log.close()
    return {"created": created, "stats": python(STATS, env), "peak_mb": peak, "cpu": cpu}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--profile", type=Path, help="write py-spy profiles of the worker and the creating call here")
    args = parser.parse_args()
    n = args.n
    load = Path("/proc/loadavg").read_text().split()[0]

    with tempfile.TemporaryDirectory(prefix="mail-bench-") as tmp_name:
        tmp = Path(tmp_name)
        sink, port, count_file = start_sink(tmp)
        try:
            database_url = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
            if database_url.startswith("postgres"):
                reset_postgres(database_url)
            env = django_env(database_url, tmp, port)
            python(["manage.py", "migrate", "--noinput"], env)
            python(SETUP, env, str(n))
            run = run_send(env, n, tmp, database_url, sink, args.profile, args.workers)
            sink.send_signal(signal.SIGUSR1)  # write the kept messages
            dumped = Path(str(count_file) + ".dumped")
            deadline = time.monotonic() + 60
            while not dumped.exists() and time.monotonic() < deadline:
                time.sleep(0.2)
            dump = Path(str(count_file) + ".pickle")
            raws = [run_raw(port, dump) for _ in range(2)]
        finally:
            sink.send_signal(signal.SIGTERM)
            sink.wait(20)
        received = int(count_file.read_text())
    load_after = Path("/proc/loadavg").read_text().split()[0]

    stats, created = run["stats"], run["created"]
    states = stats["states"]
    end_to_end = stats["last"] - created["started"]
    first = stats["first"] - created["started"]
    delivery = (stats["last"] - stats["first"]) * n / max(n - 1, 1)
    raw_seconds = sum(wall for wall, _ in raws) / len(raws)
    raw_cpu = sum(cpu for _, cpu in raws) / len(raws)
    raw_rate, rate = n / raw_seconds, n / end_to_end
    backend = "PostgreSQL" if database_url.startswith("postgres") else "SQLite (WAL)"
    print(f"""
## Bulk sending

`bench/mail_bench.py -n {n}`{" --database-url …" if args.database_url else ""}, \
{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {load} before, {load_after} after, \
{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores shared with other work, \
{backend}, DB task backend, {args.workers} `manage.py worker` process{"es" if args.workers > 1 else ""}, \
aiosmtpd sink in its own process.

| | messages | seconds | messages/s |
| --- | ---: | ---: | ---: |
| raw smtplib, the bytes the worker sent, one connection (mean of two runs after the worker: \
{n / raws[0][0]:.0f} and {n / raws[1][0]:.0f}/s) | {n} | {raw_seconds:.1f} | {raw_rate:.0f} |
| send: `create_send` call → last message `sent` | {n} | {end_to_end:.1f} | {rate:.0f} |

- End to end: **{rate / raw_rate:.2f} of raw smtplib** (target ≥ 0.6); {n / raw_seconds:.0f} raw vs {rate:.0f} msg/s \
from "send" to the last delivery.
- Worker peak memory (VmHWM of the largest worker process): **{run["peak_mb"]:.0f} MB** (target < 300 MB).
- The `create_send` call returned after {created["returned"] - created["started"]:.2f} s; the first message was \
`sent` {first:.1f} s after the call began; first to last `sent`: {delivery:.1f} s ({n / delivery:.0f} msg/s, \
{100 * n / delivery / raw_rate:.0f}% of raw).
- CPU per message, which the load of the machine does not change: worker{"s" if args.workers > 1 else ""} \
{1000 * run["cpu"] / n:.2f} ms (whole process, start-up and the periodic loop included), \
raw smtplib client {1000 * raw_cpu / n:.2f} ms.
- Template「{created["template"]}」. Outbox after the run: {", ".join(f"{k} {v}" for k, v in sorted(states.items()))}; \
the sink accepted {received} messages ({states.get("sent", 0)} from the worker + 2 × raw).
""")


if __name__ == "__main__":
    main()
