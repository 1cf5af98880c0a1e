#!/usr/bin/env python
"""Issue 14's "no test gets slower by more than 10%": the same tests, timed in two checkouts
alternately, compared test by test. Run by hand on a quiet machine:

    .venv/bin/python bench/test_times.py --before /path/to/old/checkout --after . \\
        --rounds 2 tests/search tests/relay tests/sends

Each round runs pytest (SQLite, `-p no:cacheprovider`, JUnit XML) in the old checkout and then
in the new one with the same interpreter, so load drifts hit both alike. A test's time is its
fastest call over the rounds (set-up and tear-down included, as JUnit XML counts them). A test
counts as slower when its time grew by more than 10% *and* by more than --floor seconds: below
a few tens of milliseconds, one scheduler tick is more than 10%, and such differences say nothing
about the code. It prints the totals, every test over both thresholds and a Markdown line for
bench/RESULTS.md. Tests that exist in only one checkout are listed apart.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path


def run_pytest(checkout: Path, paths: list[str], python: str, extra: list[str]) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "junit.xml"
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        command = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}", *extra, *paths]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=checkout, env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if done.returncode not in (0, 5):
            sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
            raise SystemExit(f"pytest failed in {checkout} (exit {done.returncode})")
        print(f"  {checkout}: {elapsed:.1f} s wall, load {os.getloadavg()[0]:.2f}", flush=True)
        times: dict[str, float] = {}
        for case in ET.parse(report).iter("testcase"):  # noqa: S314 (pytest wrote it, in our temporary dir)
            times[f"{case.get('classname')}::{case.get('name')}"] = float(case.get("time") or 0)
        return times


def fastest(runs: list[dict[str, float]]) -> dict[str, float]:
    best: dict[str, float] = {}
    for run in runs:
        for name, seconds in run.items():
            best[name] = min(seconds, best.get(name, seconds))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", type=Path, required=True, help="the old checkout")
    parser.add_argument("--after", type=Path, default=Path("."), help="the new checkout")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--floor", type=float, default=0.05, help="seconds a test must grow by to count")
    parser.add_argument("--python", default=str(Path(".venv/bin/python").absolute()))
    parser.add_argument("paths", nargs="+", help="test paths, relative to each checkout")
    args, extra = parser.parse_known_args()

    before_runs, after_runs = [], []
    for round_number in range(1, args.rounds + 1):
        print(f"round {round_number}", flush=True)
        before_runs.append(run_pytest(args.before.resolve(), args.paths, args.python, extra))
        after_runs.append(run_pytest(args.after.resolve(), args.paths, args.python, extra))
    before, after = fastest(before_runs), fastest(after_runs)

    common = sorted(before.keys() & after.keys())
    slower = [
        (name, before[name], after[name])
        for name in common
        if after[name] > before[name] * 1.10 and after[name] - before[name] > args.floor
    ]
    total_before = sum(before[name] for name in common)
    total_after = sum(after[name] for name in common)
    print(f"\n{len(common)} tests in both; sum of fastest times {total_before:.1f} s before, {total_after:.1f} s after")
    only_before, only_after = sorted(before.keys() - after.keys()), sorted(after.keys() - before.keys())
    if only_before:
        print(f"{len(only_before)} only before (removed or renamed): " + ", ".join(only_before[:10]))
    if only_after:
        print(f"{len(only_after)} only after (new): {sum(after[n] for n in only_after):.1f} s in all")
    if slower:
        print(f"\n{len(slower)} slower by > 10% and > {args.floor} s:")
        for name, old, new in sorted(slower, key=lambda row: row[2] - row[1], reverse=True):
            print(f"  {name}: {old:.3f} → {new:.3f} s ({new / old - 1:+.0%})")
    else:
        print(f"\nno test slower by > 10% and > {args.floor} s")
    print(f"\n| {', '.join(args.paths)} | {len(common)} | {total_before:.1f} s | {total_after:.1f} s | {len(slower)} |")


if __name__ == "__main__":
    main()
