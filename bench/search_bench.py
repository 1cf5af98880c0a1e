#!/usr/bin/env python
"""Candidate search at scale, run by hand.

    .venv/bin/pip install -r bench/requirements.txt                  # bm25s, the reference
    .venv/bin/python bench/search_bench.py                           # SQLite in a temporary directory
    .venv/bin/python bench/search_bench.py --database-url postgres://postgres@127.0.0.1:5432/cr_search_bench
    .venv/bin/python bench/search_bench.py --sizes 10000,100000      # the scale curve points

On a fresh database it loads the relevance profiles (tests/search/relevance.py), then grows the pool
with generated Japanese profiles (bench/search_profiles.py) through `load_candidates` to each size,
and at each size measures:

  load      load_candidates of the new profiles (candidates, skills, history, consents + index)
  search    latency of search_candidates() over a fixed query set, without and with filters
            (one warm-up pass, then --repeat passes; p50/p95/max in ms)
  relevance nDCG@10 of the relevance set inside the whole pool
  bm25s     the reference BM25 library on the same texts (skills, desired roles, work history,
            self-introduction), tokenised (a) by bm25s' own tokenizer and (b) by our Sudachi
            analyser: index build time, query latency (top 20), nDCG@10

plus, before the generated profiles, nDCG@10 of both engines on the relevance profiles alone, and
the index build time alone (rebuild_search_index) at sizes up to --rebuild-max. Peak memory is the
process's maximum resident set size. A PostgreSQL database named by --database-url is dropped and
recreated. Prints Markdown for bench/RESULTS.md.
"""

import argparse
import json
import os
import platform
import resource
import secrets
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

QUERIES = [
    "Java開発",
    "Python",
    "エンジニア",
    "ｴﾝｼﾞﾆｱ",
    "PM",
    "プロジェクトマネージャー",
    "営業",
    "法人営業 新規開拓",
    "経理 決算",
    "看護師",
    "AWS Kubernetes",
    "React TypeScript",
    "サーバー構築",
    "Webデザイナー",
    "コールセンター",
    "施工管理",
    "介護",
    "SE",
    "データエンジニア",
    "英語",
    "日商簿記2級",
    "インフラエンジニア AWS",
    "採用",
    "COBOL",
    "開発",
    "",
]
FILTERS = [
    {"prefecture": "13", "min_years": 3},
    {"job_category": "engineer_software", "remote": True},
    {"prefecture": "27", "salary_min": 500, "salary_max": 800},
    {"updated_since": date.today() - timedelta(days=30), "max_years": 10},
]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def setup_django(database_url: str | None, workdir: Path, fresh: bool = True) -> str:
    if not fresh:
        pass
    elif database_url and database_url.startswith("postgres"):
        import psycopg

        name = database_url.rsplit("/", 1)[1]
        admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    elif not (database_url and database_url.startswith("sqlite:///")):
        database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = database_url
    # DEBUG off: Django would otherwise keep every query in memory.
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(40))
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "careerrelay.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    if fresh:
        call_command("migrate", verbosity=0)
    return database_url


def profile_text(profile: dict) -> str:
    """The same texts the index reads (careerrelay/search/index.py field_texts), as one string."""
    from django.utils import translation

    from careerrelay.candidates.choices import JobCategory

    labels = dict(JobCategory.choices)
    with translation.override("ja"):
        desired = " ".join(str(labels.get(c, "")) for c in profile["job_categories"])
    history = profile["work_history"]
    return "\n".join(
        [
            " , ".join(profile["skills"]),
            desired,
            " , ".join(h["role"] for h in history),
            "\n".join(f"{h['company']} {h['description']}" for h in history),
            profile["summary"],
        ]
    )


def load(path: Path) -> float:
    from io import StringIO

    from django.core.management import call_command

    started = time.perf_counter()
    call_command("load_candidates", str(path), "--force", stdout=StringIO())
    return time.perf_counter() - started


def measure_search(repeat: int):
    from careerrelay.search.services import search_candidates

    results = {}
    for label, filter_sets in (("no filters", [{}]), ("with filters", FILTERS)):
        runs = [(q, f) for q in QUERIES for f in filter_sets]
        for q, f in runs:  # warm-up
            search_candidates(q=q, **f)
        times, cpu = [], []
        for _ in range(repeat):
            for q, f in runs:
                started, started_cpu = time.perf_counter(), time.process_time()
                search_candidates(q=q, **f)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
        results[label] = times
        results[label + " (cpu)"] = cpu
    return results


def search_only(url: str, repeat: int) -> None:
    """Measure searches again on a database an earlier run left behind (--keep-sqlite, or the
    PostgreSQL database), e.g. when the machine is quieter."""
    setup_django(url, Path(tempfile.gettempdir()), fresh=False)
    docs, postings = index_rows()
    load_avg = os.getloadavg()[0]
    search = measure_search(repeat)
    print(
        f"### Searches only: {docs:,} documents, {postings:,} postings; load average {load_avg:.1f} "
        f"-> {os.getloadavg()[0]:.1f}\n"
    )
    print("| search | p50 ms | p95 ms | max ms | queries |\n| --- | ---: | ---: | ---: | ---: |")
    for label, times in search.items():
        print(
            f"| ours, {label} | {percentile(times, 50):.1f} | {percentile(times, 95):.1f} | {max(times):.1f} "
            f"| {len(times)} |"
        )
    print(f"\nIndex size: {describe_index_size(docs)}")
    print(f"\nnDCG@10 of the relevance set inside the pool: {our_ndcg():.3f}")


def our_ndcg() -> float:
    from careerrelay.candidates.models import Candidate
    from careerrelay.search.services import search_candidates
    from tests.search.relevance import PROFILES, mean_ndcg

    emails = {p["email"]: p["label"] for p in PROFILES}
    labels = dict(
        (pk, emails[email]) for pk, email in Candidate.objects.filter(email__in=list(emails)).values_list("pk", "email")
    )

    def run(q, filters):
        hits = search_candidates(q=q, per_page=10, **filters).results
        return [labels.get(h.candidate_id, f"other-{h.candidate_id}") for h in hits]

    return mean_ndcg(run)


class Reference:
    """bm25s over the same texts; filters are applied by post-filtering a larger top-k."""

    def __init__(self, profiles: list[dict], tokenizer: str):
        import bm25s

        from careerrelay.search.text import document_terms, query_words

        self.tokenizer = tokenizer
        self.labels = [p.get("label", f"other-{i}") for i, p in enumerate(profiles)]
        texts = [profile_text(p) for p in profiles]
        started = time.perf_counter()
        if tokenizer == "sudachi":
            self._query_tokens = lambda q: [key for _raw, words in query_words(q) for _s, key in words]
            corpus = [list(document_terms(t)[0].elements()) for t in texts]
        else:
            self._query_tokens = None
            corpus = bm25s.tokenize(texts, stopwords=None, show_progress=False)
        self.retriever = bm25s.BM25()
        self.retriever.index(corpus, show_progress=False)
        self.build_seconds = time.perf_counter() - started
        self.bm25s = bm25s

    def search(self, q: str, k: int = 20) -> list[int]:
        if not q.strip():
            return []
        if self._query_tokens is not None:
            tokens = self._query_tokens(q)
        else:
            tokens = self.bm25s.tokenize([q], stopwords=None, return_ids=False, show_progress=False)[0]
        tokens = [t for t in tokens if t in self.retriever.vocab_dict]
        if not tokens:
            return []
        docs, _scores = self.retriever.retrieve([tokens], k=min(k, len(self.labels)), show_progress=False)
        return [int(d) for d in docs[0]]

    def ndcg(self) -> float:
        from tests.search.relevance import PROFILES, mean_ndcg

        by_label = {p["label"]: p for p in PROFILES}

        def run(q, filters):
            ranked = []
            for i in self.search(q, k=200):
                label = self.labels[i]
                profile = by_label.get(label)
                if filters and (profile is None or not _passes(profile, filters)):
                    continue
                ranked.append(label)
            return ranked[:10]

        return mean_ndcg(run)

    def latency(self, repeat: int) -> list[float]:
        for q in QUERIES:
            self.search(q)
        times = []
        for _ in range(repeat):
            for q in QUERIES:
                started = time.perf_counter()
                self.search(q)
                times.append((time.perf_counter() - started) * 1000)
        return times


def _passes(profile, filters) -> bool:
    if "prefecture" in filters and profile["prefecture"] != filters["prefecture"]:
        return False
    if "job_category" in filters and filters["job_category"] not in profile["job_categories"]:
        return False
    return True


def vacuum() -> None:
    """After a bulk load, what autovacuum does soon anyway on PostgreSQL: the visibility map that
    index-only scans need (load_candidates itself refreshes the planner statistics)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM search_posting")
            cursor.execute("VACUUM search_searchdocument")


def database_size_mb(url: str) -> float:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0] / 1e6
    path = Path(url.removeprefix("sqlite:///"))
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6


def index_size_bytes() -> dict[str, int]:
    """Bytes on disk of each search table with its indexes (the synonyms excepted): PostgreSQL's
    pg_total_relation_size (heap, TOAST and every index); on SQLite the pages the dbstat virtual
    table counts for the table and each index on it."""
    from django.apps import apps
    from django.db import connection

    tables = [m._meta.db_table for m in apps.get_app_config("search").get_models() if m.__name__ != "Synonym"]
    sizes = {}
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_total_relation_size(%s)", [table])
            else:
                cursor.execute(
                    "SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name IN "
                    "(SELECT name FROM sqlite_master WHERE tbl_name = %s)",
                    [table],
                )
            sizes[table] = cursor.fetchone()[0]
    return sizes


def describe_index_size(docs: int) -> str:
    sizes = index_size_bytes()
    total = sum(sizes.values())
    parts = ", ".join(f"{table} {size / 1e6:,.1f} MB" for table, size in sizes.items())
    per = f"{total / docs / 1024:,.2f} KB a profile" if docs else "no profiles"
    return f"search tables with their indexes {total / 1e6:,.1f} MB = **{per}** ({parts})"


def index_rows() -> tuple[int, int]:
    """Documents and postings (on PostgreSQL the postings are the document rows' term arrays)."""
    from django.db import connection

    from careerrelay.search.index import packed
    from careerrelay.search.models import Posting, SearchDocument

    if packed():
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*), COALESCE(SUM(cardinality(term_ids)), 0) FROM search_searchdocument")
            docs, postings = cursor.fetchone()
        return docs, postings
    return SearchDocument.objects.count(), Posting.objects.count()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--sizes", default="10000,100000,300000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rebuild-max", type=int, default=100000)
    parser.add_argument("--no-reference", action="store_true", help="skip bm25s")
    parser.add_argument("--search-only", action="store_true", help="measure searches on --database-url as it is")
    parser.add_argument("--keep-sqlite", metavar="PATH", help="build the SQLite database at PATH and keep it")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.search_only:
        search_only(args.database_url, args.repeat)
        return

    with tempfile.TemporaryDirectory(prefix="search-bench-") as tmp:
        workdir = Path(tmp)
        if args.keep_sqlite and not args.database_url:
            Path(args.keep_sqlite).unlink(missing_ok=True)
            args.database_url = f"sqlite:///{Path(args.keep_sqlite).resolve()}"
        url = setup_django(args.database_url, workdir)
        from django.db import connection

        from bench.search_profiles import generate, write_jsonl
        from tests.search.relevance import PROFILES

        vendor = connection.vendor
        version = connection.pg_version if vendor == "postgresql" else None
        db_name = f"PostgreSQL {version // 10000}" if version else f"SQLite {__import__('sqlite3').sqlite_version}"
        load_avg = os.getloadavg()[0]
        print(
            f"## Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}, {db_name}; load average before the run {load_avg:.1f}\n",
            flush=True,
        )

        rel_path = workdir / "relevance.jsonl"
        rel_path.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in PROFILES), encoding="utf-8")
        load(rel_path)
        print("### Relevance on the relevance profiles alone (nDCG@10, mean over the query set)\n")
        print("| engine | nDCG@10 |\n| --- | ---: |")
        print(f"| ours (BM25 + fields + synonyms + filters) | {our_ndcg():.3f} |")
        if not args.no_reference:
            for tokenizer in ("bm25s", "sudachi"):
                ref = Reference([dict(p) for p in PROFILES], tokenizer)
                print(f"| bm25s, {tokenizer} tokens (filters by post-filtering) | {ref.ndcg():.3f} |")
        print(flush=True)

        loaded = 0
        rows = []
        for size in sizes:
            path = workdir / f"pool-{size}.jsonl"
            write_jsonl(path, size - loaded, start=loaded)
            rss_before = peak_rss_mb()
            seconds = load(path)
            count = size - loaded
            loaded = size
            vacuum()
            docs, postings = index_rows()
            rebuild = None
            if size <= args.rebuild_max:
                from careerrelay.search.index import rebuild_index

                started = time.perf_counter()
                rebuild_index()
                rebuild = time.perf_counter() - started
            from django.core.cache import cache

            cache.clear()
            search = measure_search(args.repeat)
            ndcg = our_ndcg()
            row = {
                "size": size,
                "load_s": seconds,
                "load_rate": count / seconds,
                "rebuild_s": rebuild,
                "docs": docs,
                "postings": postings,
                "db_mb": database_size_mb(url),
                "index_size": describe_index_size(docs),
                "rss_mb": max(peak_rss_mb(), rss_before),
                "ndcg": ndcg,
            }
            for label, times in search.items():
                row[label] = (percentile(times, 50), percentile(times, 95), max(times), len(times))
            if not args.no_reference:
                profiles = [dict(p) for p in PROFILES] + list(generate(size, start=0))
                rss_ref = peak_rss_mb()
                ref = Reference(profiles, "sudachi")
                row["ref_sudachi"] = (
                    ref.build_seconds,
                    percentile(ref.latency(args.repeat), 50),
                    percentile(ref.latency(args.repeat), 95),
                    ref.ndcg(),
                )
                del ref
                ref = Reference(profiles, "bm25s")
                row["ref_bm25s"] = (
                    ref.build_seconds,
                    percentile(ref.latency(args.repeat), 50),
                    percentile(ref.latency(args.repeat), 95),
                    ref.ndcg(),
                )
                row["ref_rss_mb"] = peak_rss_mb() - rss_ref
                del ref, profiles
            rows.append(row)
            print_row(row, flush=True)
        print_summary(rows)


def print_row(row, flush=False):
    print(f"### {row['size']:,} profiles\n")
    print(
        f"- load_candidates (candidates, skills, history, consents, index): {row['load_s']:.1f} s "
        f"({row['load_rate']:,.0f} profiles/s)"
    )
    if row["rebuild_s"] is not None:
        print(f"- rebuild_search_index (index build alone): {row['rebuild_s']:.1f} s")
    print(
        f"- index: {row['docs']:,} documents, {row['postings']:,} postings; database {row['db_mb']:,.0f} MB; "
        f"peak RSS of the bench process {row['rss_mb']:,.0f} MB"
    )
    print(f"- index size: {row['index_size']}")
    print(
        f"- nDCG@10 of the relevance set inside the pool: ours {row['ndcg']:.3f}"
        + (
            f", bm25s+Sudachi {row['ref_sudachi'][3]:.3f}, bm25s tokenizer {row['ref_bm25s'][3]:.3f}"
            if "ref_sudachi" in row
            else ""
        )
    )
    print("\n| search | p50 ms | p95 ms | max ms | queries |\n| --- | ---: | ---: | ---: | ---: |")
    for label in ("no filters", "with filters", "no filters (cpu)", "with filters (cpu)"):
        p50, p95, worst, n = row[label]
        print(f"| ours, {label} | {p50:.1f} | {p95:.1f} | {worst:.1f} | {n} |")
    for key, name in (("ref_sudachi", "bm25s, Sudachi tokens"), ("ref_bm25s", "bm25s, own tokenizer")):
        if key in row:
            build, p50, p95, _ndcg = row[key]
            print(f"| {name}, no filters (in memory; index build {build:.1f} s) | {p50:.1f} | {p95:.1f} | | |")
    print(flush=flush)


def print_summary(rows):
    print("### Scale curve\n")
    print(
        "| profiles | load s | p50 ms (no filters) | p95 ms (no filters) "
        "| p50 ms (filters) | p95 ms (filters) | nDCG@10 |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(
            f"| {row['size']:,} | {row['load_s']:.0f} | {row['no filters'][0]:.1f} | {row['no filters'][1]:.1f} "
            f"| {row['with filters'][0]:.1f} | {row['with filters'][1]:.1f} | {row['ndcg']:.3f} |"
        )


if __name__ == "__main__":
    main()
