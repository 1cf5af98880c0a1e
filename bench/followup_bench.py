#!/usr/bin/env python
"""The follow-up job finding and queueing 10,000 due re-challenge mails, run by hand.

    .venv/bin/python bench/followup_bench.py                  # SQLite in a temporary directory
    .venv/bin/python bench/followup_bench.py -n 2000          # a quicker run
    .venv/bin/python bench/followup_bench.py --database-url postgres://postgres@127.0.0.1:5432/cr_followups_bench

On a fresh database, one approved employer with a pool of 2 × N rejected applicants (names such
as 髙橋 and 山﨑): N whose 6-month step fell due in the last 30 days, N rejected recently (not due).
The step is turned on and the periodic job's entry point (queue_due_followups) is timed: it finds
the N due applications, renders N personalised messages (per-recipient relay and unsubscribe
links, List-Unsubscribe headers) and writes them to the outbox with their FollowupDelivery rows.

In the same run, for comparison:
  baseline     a raw bulk_create of the same N OutboundEmail rows, already rendered
  per message  render_rejection called once per message (what the sends do), on 200 messages,
               extrapolated to N: what the job would cost without rendering the template once

The figures are wall-clock seconds of one run each; it prints Markdown for bench/RESULTS.md. A
PostgreSQL database named by --database-url is dropped and recreated.
"""

import argparse
import os
import platform
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench_setup import setup_django

BASE_DIR = Path(__file__).resolve().parent.parent
FAMILY = ["髙橋", "山﨑", "佐藤", "鈴木", "田中", "伊藤", "渡辺", "中村", "小林", "加藤"]
GIVEN = ["花子", "太郎", "一郎", "美咲", "翔太", "陽菜", "蓮", "結衣", "大翔", "凛"]
SAMPLE = 200


CPU: dict = {}


def timed(fn, name=None):
    """Wall-clock seconds; this process's CPU seconds go into CPU[name] (on a loaded machine the
    CPU time says what the code costs, the wall clock what the machine gave it)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    if name:
        CPU[name] = time.process_time() - cpu
    return result, time.perf_counter() - start


def make_pool(employer, n: int, today) -> None:
    from django.utils import timezone

    from careerrelay.common.japanese import normalize_email
    from careerrelay.talent.models import Applicant, Application
    from careerrelay.talent.services import rejection_reasons_for

    reason = rejection_reasons_for(employer).get(kind="other_candidate")
    applicants = []
    for i in range(2 * n):
        due = i < n
        email = f"applicant{i}@example.co.jp"
        rejected_on = today - timedelta(days=182 + i % 30) if due else today - timedelta(days=1 + i % 150)
        applicants.append(
            Applicant(
                organisation=employer,
                family_name=FAMILY[i % 10],
                given_name=GIVEN[(i // 10) % 10],
                email=email,
                email_normalized=normalize_email(email),
                job_title=["法人営業", "エンジニア", "経理", "人事"][i % 4],
                rejected_on=rejected_on,
                reason=reason,
                recontact_ok=True,
            )
        )
    Applicant.objects.bulk_create(applicants, batch_size=1000)
    Application.objects.bulk_create(
        [
            Application(
                applicant=a,
                job_title=a.job_title,
                rejected_on=a.rejected_on,
                reason=reason,
                outcome=Application.Outcome.REJECTED,
                created_at=timezone.now(),
            )
            for a in Applicant.objects.filter(organisation=employer)
        ],
        batch_size=1000,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument(
        "--database-url", default="", help="PostgreSQL URL (the database is recreated); SQLite if empty"
    )
    args = parser.parse_args()
    n = args.n

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        database = setup_django(args.database_url or None, Path(tmp))
        from django.db import transaction
        from django.urls import reverse
        from django.utils import timezone

        from careerrelay.common.tokens import hash_token, new_token
        from careerrelay.followups import services as followups
        from careerrelay.followups.models import FollowupDelivery
        from careerrelay.organisations.models import Organisation
        from careerrelay.outbox.models import OutboundEmail
        from careerrelay.outbox.services import new_message_id
        from careerrelay.rejections.services import render_rejection
        from careerrelay.sends import services as sends
        from careerrelay.sends.models import Send
        from careerrelay.talent.models import Applicant

        employer = Organisation.objects.create(
            name="株式会社山﨑製作所",
            status=Organisation.Status.APPROVED,
            approved_name="株式会社山﨑製作所",
            approved_at=timezone.now(),
        )
        now = timezone.now()
        today = timezone.localdate(now)
        _, t_pool = timed(lambda: make_pool(employer, n, today))
        step = followups.steps_for(employer).get(default_key="6_months")
        step.active = True
        step.save()

        # A worker has its URL map loaded and the renderer's libraries and the holiday calendar
        # imported after its first round; so does this process before the clock starts.
        reverse("home")
        followups.next_sending_moment(now)  # the holiday calendar, imported on first use
        render_rejection(step.template, organisation=employer, relay_url=sends.click_url("warm-up"))

        result, t_job = timed(lambda: followups.queue_due_followups(now), "job")
        assert result == {"queued": n, "skipped": 0}, result
        queued = OutboundEmail.objects.filter(send__organisation=employer)
        assert queued.count() == n
        assert FollowupDelivery.objects.filter(step=step, state="queued").count() == n
        assert queued.filter(to_email="applicant1@example.co.jp", body_text__startswith="山﨑 花子 様").exists()
        # The loop's next tick: everything is decided, nothing to do.
        idle, t_idle = timed(lambda: followups.queue_due_followups(now))
        assert idle == {"queued": 0, "skipped": 0}

        # Baseline: the same rows, already rendered, inserted with one bulk_create.
        columns = ("to_email", "from_email", "subject", "body_text", "body_html", "headers", "applicant_id")
        rows = list(queued.values(*columns))
        send = Send.objects.create(
            organisation=employer, template=step.template, template_name="baseline", scheduled_at=now, state="done"
        )

        def raw_insert():
            with transaction.atomic():
                OutboundEmail.objects.bulk_create(
                    [
                        OutboundEmail(
                            send=send,
                            message_id=new_message_id(),
                            click_token_hash=hash_token(new_token(16)),
                            unsubscribe_token_hash=hash_token(new_token(16)),
                            state="cancelled",
                            **row,
                        )
                        for row in rows
                    ],
                    batch_size=500,
                )

        _, t_raw = timed(raw_insert, "raw")

        sample = list(Applicant.objects.filter(organisation=employer)[:SAMPLE])

        def render_each():
            for applicant in sample:
                render_rejection(
                    step.template,
                    applicant=applicant,
                    organisation=employer,
                    relay_url=sends.click_url(new_token(16)),
                    unsubscribe_url=sends.unsubscribe_url(new_token(16)),
                    openings_url=followups.openings_url_for(employer),
                )

        _, t_sample = timed(render_each)
        t_each = t_sample / SAMPLE * n

    print(f"## Issue 11 — follow-ups: {n:,} due re-challenge mails found and queued\n")
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {database}"
    print(
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine}; 1-minute load average before the run: {load:.1f}. "
        f"Pool of {2 * n:,} applicants ({n:,} due, {n:,} not yet), built in {t_pool:.1f} s.\n"
    )
    print("| step | seconds | messages/s | CPU s of this process |")
    print("| --- | ---: | ---: | ---: |")
    raw = f"baseline: raw bulk_create of the same {n:,} rendered rows"
    print(f"| {raw} | {t_raw:.2f} | {n / t_raw:,.0f} | {CPU['raw']:.2f} |")
    job = f"queue_due_followups: find, decide, render, queue {n:,}"
    print(f"| **{job}** | **{t_job:.2f}** | **{n / t_job:,.0f}** | {CPU['job']:.2f} |")
    each = f"render_rejection per message ({SAMPLE} timed, × {n / SAMPLE:.0f})"
    print(f"| {each} | {t_each:.1f} (est.) | {n / t_each:,.0f} | |")
    print(f"| the next tick, all {2 * n:,} applications decided or not yet due | {t_idle:.2f} | | |")
    print(f"\nThe job takes {t_job / t_raw:.1f}× the raw insert of its rows; target < 10 s.")


if __name__ == "__main__":
    main()
