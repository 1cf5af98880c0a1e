#!/usr/bin/env python
"""CSV import of 10,000 applicants, run by hand.

    .venv/bin/python bench/csv_import_bench.py                       # SQLite in a temporary directory
    .venv/bin/python bench/csv_import_bench.py --database-url postgres://postgres@127.0.0.1:5432/cr_talent_bench

It writes a CP932 file of N rows the way Excel saves a Japanese sheet (CRLF, names such as 髙橋
and 山﨑, half-width katakana furigana, some full-width email addresses, dates as 2026/11/01),
then times, on a fresh database with one employer:

  baseline  the same bytes decoded as CP932 and parsed with the csv module into a list
  upload    decode_csv + delimiter sniffing + row count + storing the text (ImportUpload)
  validate  every row cleaned and checked (email, names, dates, duplicates in file and database);
            the cleaned rows are kept with the upload (issue 14)
  import    the kept rows planned again against the database (who exists, duplicates), then
            written with COPY (PostgreSQL) or multi-row INSERTs (SQLite), in one transaction

and checks that every row arrived with its name intact. The figures are wall-clock seconds of
one run each; it prints a Markdown table for bench/RESULTS.md. A PostgreSQL database named by
--database-url is dropped and recreated.
"""

import argparse
import os
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench_setup import setup_django

BASE_DIR = Path(__file__).resolve().parent.parent

FAMILY = ["髙橋", "山﨑", "佐藤", "鈴木", "田中", "伊藤", "渡辺", "中村", "小林", "加藤"]
FAMILY_KANA = ["ﾀｶﾊｼ", "ﾔﾏｻﾞｷ", "さとう", "スズキ", "タナカ", "イトウ", "ワタナベ", "ナカムラ", "コバヤシ", "カトウ"]
GIVEN = ["花子", "太郎", "一郎", "美咲", "翔太", "陽菜", "蓮", "結衣", "大翔", "凛"]
STAGES = ["書類選考", "一次面接", "二次面接", "最終面接", "その他"]
HEADER = [
    "氏名",
    "フリガナ",
    "メールアドレス",
    "応募職種",
    "選考段階",
    "不採用理由",
    "不採用日",
    "応募経路",
    "評価メモ",
    "再連絡可",
]


def make_csv(rows: int) -> bytes:
    lines = [",".join(HEADER)]
    for i in range(rows):
        f = i % len(FAMILY)
        email = f"applicant{i}@example.co.jp"
        if i % 7 == 0:
            email = email.translate(
                str.maketrans(
                    "abcdefghijklmnopqrstuvwxyz0123456789@.",
                    "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ０１２３４５６７８９＠．",
                )
            )
        lines.append(
            ",".join(
                [
                    f"{FAMILY[f]}　{GIVEN[(i // 10) % len(GIVEN)]}",
                    f"{FAMILY_KANA[f]} ﾊﾅｺ",
                    email,
                    ["法人営業", "エンジニア", "経理", "人事"][i % 4],
                    STAGES[i % len(STAGES)],
                    '"今回は、ほかの候補者の経験が要件により近かったため、見送りとしました。"',
                    f"2026/{(i % 12) + 1}/{(i % 28) + 1}",
                    ["doda", "リクナビNEXT", "自社サイト", "紹介"][i % 4],
                    '"受け答えは丁寧。\r\n半年後に再アプローチを検討。"',
                    "可" if i % 3 else "不可",
                ]
            )
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp932")


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument(
        "--database-url", default="", help="PostgreSQL URL (the database is recreated); SQLite if empty"
    )
    args = parser.parse_args()

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        database = setup_django(args.database_url or None, Path(tmp))
        import csv
        import io

        from careerrelay.audit.actor import Actor
        from careerrelay.organisations.models import Organisation
        from careerrelay.talent import importing
        from careerrelay.talent.models import Applicant

        data = make_csv(args.rows)
        employer = Organisation.objects.create(name="株式会社ベンチ")

        rows, baseline = timed(lambda: list(csv.reader(io.StringIO(data.decode("cp932"), newline=""))))
        assert len(rows) == args.rows + 1
        upload, t_upload = timed(
            lambda: importing.store_upload(organisation=employer, user=None, filename="bench.csv", data=data)
        )
        assert upload.encoding == "cp932", upload.encoding
        validation, t_validate = timed(lambda: importing.validate_upload(upload))
        assert not validation.problems, validation.problems[:3]
        result, t_import = timed(lambda: importing.import_upload(upload=upload, actor=Actor.system()))
        assert result.created == args.rows
        assert Applicant.objects.filter(organisation=employer, family_name="髙橋").count() == args.rows // 10
        assert Applicant.objects.filter(organisation=employer, family_name="山﨑", family_name_kana="ヤマザキ").exists()

    total = t_upload + t_validate + t_import
    print(f"## CSV import — {args.rows:,} rows, CP932, {len(data) / 1e6:.1f} MB\n")
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {database}"
    print(
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine}; 1-minute load average before the run: {load:.1f}.\n"
    )
    print("| step | seconds | rows/s |")
    print("| --- | ---: | ---: |")
    print(f"| baseline: decode CP932 + csv.reader into a list | {baseline:.3f} | {args.rows / baseline:,.0f} |")
    print(f"| upload: detect encoding, sniff delimiter, count, store | {t_upload:.3f} | |")
    print(
        f"| validate: clean + keep every row, duplicates in file and db | {t_validate:.3f} "
        f"| {args.rows / t_validate:,.0f} |"
    )
    print(
        f"| import: plan kept rows again + COPY/INSERT, one transaction | {t_import:.3f} "
        f"| {args.rows / t_import:,.0f} |"
    )
    print(f"| **upload + validation report + import** | **{total:.3f}** | **{args.rows / total:,.0f}** |")
    print(f"\nThe whole flow takes {total / baseline:.0f}× the time of bare CSV parsing.")


if __name__ == "__main__":
    main()
