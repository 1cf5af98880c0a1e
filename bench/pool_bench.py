#!/usr/bin/env python
"""Talent pool search over 50,000 applicants of one company (issue 11), run by hand.

    .venv/bin/python bench/pool_bench.py                       # SQLite in a temporary directory
    .venv/bin/python bench/pool_bench.py --database-url postgres://postgres@127.0.0.1:5432/cr_pool_bench

It fills a fresh database with one employer whose pool has N applicants (3–6 skills each, some
tags, 0–3 evaluation notes, 1–2 applications, names such as 髙橋 and 山﨑 with kana), builds the
search documents with talent.pool_search.reindex_applicants (timed), then runs each search as
the list page does (talent.pool_search.search_pool and PoolPage: the matching ids in order,
then the first page of 50 rows with their reason, skills and tags)
`--repeat` times and prints p50/p95 in milliseconds. In the same run a baseline: the bare
indexed first page and count of the same table (what the unfiltered list costs). A PostgreSQL
database named by --database-url is dropped and recreated. It prints Markdown for
bench/RESULTS.md.
"""

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench_setup import setup_django

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR / "bench"))

FAMILY = [
    ("髙橋", "タカハシ"),
    ("山﨑", "ヤマザキ"),
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
    ("佐々木", "ササキ"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
]
GIVEN = [
    ("花子", "ハナコ"),
    ("太郎", "タロウ"),
    ("一郎", "イチロウ"),
    ("美咲", "ミサキ"),
    ("翔太", "ショウタ"),
    ("陽菜", "ヒナ"),
    ("蓮", "レン"),
    ("結衣", "ユイ"),
    ("大翔", "ヒロト"),
    ("凛", "リン"),
]
SKILLS = (
    "Python Django Java Go TypeScript React Vue.js AWS GCP Azure Docker Kubernetes SQL PostgreSQL MySQL "
    "Ruby Rails PHP Laravel Swift Kotlin Figma Photoshop Excel 簿記2級 簿記1級 税務 経理 財務 法人営業 "
    "新規開拓 ルート営業 マーケティング SEO 広告運用 人事 労務 採用 英語 中国語 TOEIC900 PM PMO "
    "プロジェクト管理 要件定義 テスト自動化 セキュリティ ネットワーク Linux 機械学習 データ分析"
).split()
TAGS = [
    f"{word}{i}"
    for i in range(6)
    for word in (
        "エンジニア候補",
        "営業候補",
        "新卒",
        "ハイクラス",
        "再応募歓迎",
        "リファラル",
        "PM候補",
        "管理部門",
        "地方在住",
        "英語可",
    )
]
JOBS = [
    "バックエンドエンジニア",
    "フロントエンドエンジニア",
    "法人営業",
    "経理",
    "人事",
    "データアナリスト",
    "PM",
    "デザイナー",
]
NOTES = [
    "受け答えが丁寧で論理的。技術面は{skill}の実務経験が豊富。",
    "一次面接: コミュニケーション良好。給与条件が合わず見送り。半年後に再アプローチしたい。",
    "二次面接: {skill}の経験は十分だがマネジメント経験が不足。",
    "最終面接で辞退。他社内定のため。",
    "リモート勤務を希望。{skill}と{skill2}ができる貴重な人材。",
    "ポートフォリオの完成度が高い。次の募集時にぜひ声をかけたい。",
]
SEARCHES = [
    ("one ASCII word, many hits: python", {"q": "python"}),
    ("full-width ＰＹＴＨＯＮ", {"q": "ＰＹＴＨＯＮ"}),
    ("half-width kana ﾀｶﾊｼ", {"q": "ﾀｶﾊｼ"}),
    ("name 髙橋 花子 (two words)", {"q": "髙橋 花子"}),
    ("note phrase 再アプローチ", {"q": "再アプローチ"}),
    ("one person's email", {"q": "applicant12345@"}),
    ("no hit: 存在しない語", {"q": "存在しない語"}),
    (
        "filters only: stage + rejected range + recontact",
        {"stage": "first_interview", "rejected": True, "recontact_ok": True},
    ),
    ("skills any (Python, AWS)", {"skills": ["Python", "AWS"]}),
    ("skills all (Python, AWS, Docker)", {"skills": ["Python", "AWS", "Docker"], "skills_mode": "all"}),
    ("たかはし + skills any + recontact", {"q": "たかはし", "skills": ["python", "aws"], "recontact_ok": True}),
    (
        "営業 + tag + years 3–10 + has notes",
        {"q": "営業", "tags": 2, "years_min": 3, "years_max": 10, "has_notes": True},
    ),
    ("reason + outcome hired + sort by kana", {"reasons": 1, "outcome": "hired", "sort": "kana"}),
    ("Django 再アプローチ, sorted by rejection date", {"q": "Django 再アプローチ", "sort": "rejected_desc"}),
]


def fill(organisation, rows: int, rng: random.Random):
    """The pool, row by row as the services would leave it, inserted in bulk."""
    from careerrelay.common.japanese import skill_key
    from careerrelay.talent.models import Applicant, ApplicantNote, ApplicantSkill, Application, Job, Tag
    from careerrelay.talent.services import rejection_reasons_for

    reasons = list(rejection_reasons_for(organisation))
    jobs = Job.objects.bulk_create(
        [Job(organisation=organisation, title=title, skills="Python, AWS") for title in JOBS]
    )
    tags = Tag.objects.bulk_create([Tag(organisation=organisation, name=name, key=name.casefold()) for name in TAGS])
    start = datetime(2023, 1, 1, tzinfo=UTC)
    applicants = []
    for i in range(rows):
        family, family_kana = FAMILY[i % len(FAMILY)]
        given, given_kana = GIVEN[(i // len(FAMILY)) % len(GIVEN)]
        job = JOBS[i % len(JOBS)]
        rejected = date(2023, 1, 1) + timedelta(days=rng.randrange(1000))
        email = f"applicant{i}@example.co.jp"
        applicants.append(
            Applicant(
                organisation=organisation,
                family_name=family,
                given_name=given,
                family_name_kana=family_kana,
                given_name_kana=given_kana,
                email=email,
                email_normalized=email,
                job_title=job,
                stage=rng.choice(["document", "first_interview", "second_interview", "final_interview", "other"]),
                reason=rng.choice(reasons),
                rejection_reason="今回は、ほかの候補者の経験が要件により近かったため、見送りとしました。",
                rejected_on=rejected,
                years_experience=rng.choice([None, *range(0, 21)]),
                source=rng.choice(["doda", "リクナビNEXT", "自社サイト", "紹介"]),
                recontact_ok=rng.random() < 0.6,
                created_at=start + timedelta(minutes=i * 20),
            )
        )
    applicants = Applicant.objects.bulk_create(applicants, batch_size=500)
    skills, links, notes, applications = [], [], [], []
    through = Applicant.tags.through
    for applicant in applicants:
        for position, name in enumerate(rng.sample(SKILLS, rng.randint(3, 6))):
            skills.append(ApplicantSkill(applicant=applicant, name=name, key=skill_key(name), position=position))
        for tag in rng.sample(tags, rng.choice([0, 0, 1, 1, 2])):
            links.append(through(applicant_id=applicant.pk, tag_id=tag.pk))
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            body = rng.choice(NOTES).format(skill=rng.choice(SKILLS), skill2=rng.choice(SKILLS))
            notes.append(ApplicantNote(applicant=applicant, author_name="面接官 鈴木", body=body))
        for n in range(rng.choice([1, 1, 1, 2])):
            outcome = "hired" if rng.random() < 0.03 else "rejected"
            applications.append(
                Application(
                    applicant=applicant,
                    job=rng.choice(jobs),
                    job_title=applicant.job_title,
                    stage=applicant.stage,
                    outcome=outcome,
                    rejected_on=applicant.rejected_on,
                    reason=applicant.reason,
                    created_at=applicant.created_at + timedelta(days=n),
                )
            )
    ApplicantSkill.objects.bulk_create(skills, batch_size=1000)
    through.objects.bulk_create(links, batch_size=1000)
    ApplicantNote.objects.bulk_create(notes, batch_size=1000)
    Application.objects.bulk_create(applications, batch_size=1000)
    return [a.pk for a in applicants], reasons, tags, len(skills), len(notes), len(applications)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--database-url", default="", help="PostgreSQL URL (the database is recreated); SQLite if empty"
    )
    parser.add_argument(
        "--reuse",
        default="",
        help="keep the pool between runs (filled on the first): SQLite in this directory, or PostgreSQL not recreated",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        reuse = bool(args.reuse)
        if reuse and not args.database_url:
            Path(args.reuse).mkdir(parents=True, exist_ok=True)
        var_dir = Path(args.reuse if reuse and not args.database_url else tmp)
        database = setup_django(args.database_url or None, var_dir, recreate=not reuse)
        from django.core.paginator import Paginator
        from django.db import connection

        from careerrelay.organisations.models import Organisation
        from careerrelay.talent import pool_search, services
        from careerrelay.talent.pool_search import PoolPage, PoolQuery, search_pool

        rng = random.Random(11)
        employer = Organisation.objects.filter(name="株式会社ベンチ").first() if reuse else None
        if employer is None:
            employer = Organisation.objects.create(name="株式会社ベンチ")
            other = Organisation.objects.create(name="株式会社よそ")
            started = time.perf_counter()
            ids, reasons, tags, n_skills, n_notes, n_applications = fill(employer, args.rows, rng)
            fill(other, args.rows // 10, rng)  # another company's rows in the same table
            t_fill = time.perf_counter() - started
            started = time.perf_counter()
            pool_search.reindex_applicants(ids)
            t_reindex = time.perf_counter() - started
        else:
            from careerrelay.talent.models import ApplicantNote, ApplicantSkill, Application

            reasons, tags = (list(q) for q in pool_search.filter_choices(employer.pk))
            pool = services.applicants_for(employer)
            n_skills = ApplicantSkill.objects.filter(applicant__in=pool).count()
            n_notes = ApplicantNote.objects.filter(applicant__in=pool).count()
            n_applications = Application.objects.filter(applicant__in=pool).count()
            t_fill = t_reindex = float("nan")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        else:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

        pool = services.applicants_for(employer)

        def page_of(queryset):
            page = PoolPage(queryset, page=1, per_page=50)
            return len(page.object_list), page.count

        def bare_page_of(queryset):
            page = Paginator(queryset, 50).get_page(1)
            return len(list(page.object_list)), page.paginator.count

        def baseline():
            return bare_page_of(pool.order_by("-created_at", "-id"))

        def query_for(spec):
            spec = dict(spec)
            if spec.pop("rejected", False):
                spec["rejected_from"], spec["rejected_to"] = date(2024, 1, 1), date(2025, 6, 30)
            if "tags" in spec:
                spec["tags"] = [t.pk for t in tags[: spec["tags"]]]
            if "reasons" in spec:
                spec["reasons"] = [r.pk for r in reasons[: spec["reasons"]]]
            return PoolQuery(**spec)

        def timings(fn):
            fn()  # warm the caches once, as a live database would be
            samples = []
            for _ in range(args.repeat):
                begin = time.perf_counter()
                result = fn()
                samples.append((time.perf_counter() - begin) * 1000)
            return result, samples

        load = os.getloadavg()[0]
        rows = []
        (_shown, total), samples = timings(baseline)
        assert total == args.rows, total
        rows.append(("baseline: bare indexed first page + count", total, samples))
        for label, spec in SEARCHES:
            query = query_for(spec)
            run = lambda query=query: page_of(search_pool(organisation_id=employer.pk, query=query))  # noqa: E731
            (_shown, hits), samples = timings(run)
            rows.append((label, hits, samples))
        assert rows[1][1] == rows[2][1] > 0  # python and ＰＹＴＨＯＮ find the same people
        assert rows[3][1] > 0 and rows[6][1] == 1 and rows[7][1] == 0

    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {database}"
    print(f"## Talent pool search — {args.rows:,} applicants of one company (+{args.rows // 10:,} of another)\n")
    built = (
        f"Bulk insert {t_fill:.1f} s; reindex_applicants of the {args.rows:,} documents {t_reindex:.1f} s."
        if t_fill == t_fill  # not NaN: this run built the pool
        else "Pool reused from an earlier run (--reuse)."
    )
    print(
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine}; 1-minute load average before the "
        f"searches: {load:.1f}. Pool: {n_skills:,} skills, {n_notes:,} evaluation notes, "
        f"{n_applications:,} applications. {built} Each search: the matching ids in order (the count) "
        f"+ the first page of 50 with reasons, skills and tags, {args.repeat} runs after one warm-up.\n"
    )
    print("| search | hits | p50 ms | p95 ms | max ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    worst = 0.0
    for label, hits, samples in rows:
        p95 = percentile(samples, 95)
        if not label.startswith("baseline"):
            worst = max(worst, p95)
        print(f"| {label} | {hits:,} | {statistics.median(samples):.1f} | {p95:.1f} | {max(samples):.1f} |")
    print(f"\nWorst p95 of the searches: {worst:.1f} ms (target < 100 ms).")


if __name__ == "__main__":
    main()
