#!/usr/bin/env python
"""`make bench`: a quick run of the benchmarks (small sizes, a minute or two) and where the next
bottleneck is.

It runs relay_bench.py (landing page and registration, short wrk runs), mail_bench.py (a bulk
send) and csv_import_bench.py (a CP932 import) one after the other, each in its own process as
they run by hand, and reads their printed figures. For each path it prints the measured figure,
its ratio to the target of issue 14 (1.0 = the target exactly; below 1 = missed), and which
resource took the time: CPU of our Python processes (app, worker, sink and the benchmark's own
client together), CPU of the PostgreSQL server, or neither (waiting: network, SMTP, locks, sleep),
from the CPU time the processes used during that run. The path furthest below its target is the
next bottleneck. Everything is computed from this run; nothing is copied from an earlier one.
The PostgreSQL figure counts the whole server, so other work on it shows up there too.
"""

import argparse
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
TICKS = os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """CPU time of the PostgreSQL server: the postmaster and the backends it has reaped."""
    try:
        pid = subprocess.run(["pgrep", "-o", "-x", "postgres"], capture_output=True, text=True).stdout.split()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        live = 0.0
        for child in subprocess.run(["pgrep", "-P", pid], capture_output=True, text=True).stdout.split():
            try:
                parts = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
                live += int(parts[11]) + int(parts[12])
            except (FileNotFoundError, IndexError):
                continue
        # utime, stime, cutime, cstime are fields 14-17 of /proc/PID/stat (11-14 after the name).
        return (sum(int(f) for f in fields[11:15]) + live) / TICKS
    except (IndexError, FileNotFoundError, PermissionError):
        return 0.0


def tree_cpu_seconds(root: int) -> float:
    """CPU time of a process and its descendants: the live ones, and through cutime/cstime the
    ones that exited and were reaped."""
    parents, times = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = sum(int(f) for f in fields[11:15])
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [child for child, parent in parents.items() if parent == pid]
        tree.update(children)
        frontier.extend(children)
    return sum(times.get(pid, 0) for pid in tree) / TICKS


@dataclass
class Sample:
    at: float
    python_cpu: float
    postgres_cpu: float


@dataclass
class Phase:
    wall: float
    python_cpu: float
    postgres_cpu: float

    def dominant(self) -> str:
        waiting = max(self.wall - self.python_cpu - self.postgres_cpu, 0.0)
        shares = {
            "CPU of the Python processes": self.python_cpu,
            "PostgreSQL CPU": self.postgres_cpu,
            "waiting (network, SMTP, locks, idle)": waiting,
        }
        name = max(shares, key=shares.get)
        total = sum(shares.values()) or 1.0
        return f"{name} ({100 * shares[name] / total:.0f}%)"


@dataclass
class Run:
    output: str
    samples: list[Sample]
    lines: list[tuple[float, str]]  # (when, printed line)

    def phase(self, starts_with: str = "", ends_with: str = "") -> Phase:
        """The CPU used between the first line starting with `starts_with` (else the start) and
        the first later line starting with `ends_with` (else the end)."""
        begin, finish = self.samples[0].at, self.samples[-1].at
        for when, line in self.lines:
            if starts_with and line.startswith(starts_with):
                begin = when
                break
        for when, line in self.lines:
            if ends_with and when > begin and line.startswith(ends_with):
                finish = when
                break
        first = min(self.samples, key=lambda sample: abs(sample.at - begin))
        last = min(self.samples, key=lambda sample: abs(sample.at - finish))
        return Phase(last.at - first.at, last.python_cpu - first.python_cpu, last.postgres_cpu - first.postgres_cpu)


def run(script: str, *args: str) -> Run:
    print(f"$ bench/{script} {' '.join(args)}", flush=True)
    process = subprocess.Popen(
        [sys.executable, str(BENCH / script), *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    samples: list[Sample] = []
    done = threading.Event()

    def sample():
        while True:
            # The last sample is taken before the process is reaped, so its children count.
            samples.append(Sample(time.monotonic(), tree_cpu_seconds(process.pid), postgres_cpu_seconds()))
            if done.wait(0.5):
                return

    sampler = threading.Thread(target=sample)
    sampler.start()
    lines = [(time.monotonic(), line.rstrip("\n")) for line in process.stdout]
    # The output has ended; take a last sample while the process is still there to read.
    done.set()
    sampler.join()
    process.wait()
    output = "\n".join(line for _when, line in lines)
    if process.returncode:
        sys.exit(f"bench/{script} failed:\n{output[-4000:]}")
    return Run(output, samples, lines)


def number(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    if not match:
        sys.exit(f"could not find {pattern!r} in:\n{text[-3000:]}")
    return float(match.group(1).replace(",", ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--duration", default="3", help="seconds per wrk run (default 3)")
    parser.add_argument("--messages", default="3000", help="messages in the bulk send (default 3000)")
    parser.add_argument("--rows", default="10000", help="CSV rows (default 10000, the target's size)")
    args = parser.parse_args()
    database = ["--database-url", args.database_url] if args.database_url else []

    rows = []  # (path, figure, ratio to target, the phase's CPU, what that phase covers)
    relay = run("relay_bench.py", "--duration", args.duration, "--rounds", "1", *database)
    landing = number(r"landing / bare throughput: ([\d.]+)", relay.output)
    registrations = number(r"registrations: ([\d.]+)/s", relay.output)
    # relay_bench.py says what it measures next: "round 1: bare view, then landing page …", then
    # "registration POST, …", then the result table.
    landing_phase = relay.phase("round ", "registration POST")
    registration_phase = relay.phase("registration POST", "CareerRelay relay benchmark")
    rows.append(
        ("landing page vs bare view (target ≥ 0.5)", f"{landing:.2f}", landing / 0.5, landing_phase, "the wrk runs")
    )
    rows.append(
        (
            "registration POST (target ≥ 150/s)",
            f"{registrations:.0f}/s",
            registrations / 150,
            registration_phase,
            "the wrk run",
        )
    )

    mail = run("mail_bench.py", "-n", args.messages, *database)
    # mail_bench.py times the send from the create_send call to the last `sent`, against raw
    # smtplib sending the bytes the worker sent to the same sink, in the same run.
    ratio = number(r"End to end: \*\*([\d.]+) of raw smtplib\*\*", mail.output)
    rows.append(
        (
            "bulk send, send → last delivery vs raw smtplib (target ≥ 0.6)",
            f"{ratio:.2f}",
            ratio / 0.6,
            mail.phase(),
            "whole run, with migrate and set-up",
        )
    )

    csv_run = run("csv_import_bench.py", "--rows", args.rows, *database)
    times = number(r"takes ([\d,.]+)× the time of bare CSV parsing", csv_run.output)
    rows.append(
        (
            "CSV import vs plain parsing (target ≤ 10×)",
            f"{times:.0f}×",
            10 / times,
            csv_run.phase(),
            "whole run, with migrate",
        )
    )

    print()
    print("| path | measured | ratio to target | took the time | CPU counted over |")
    print("| --- | ---: | ---: | --- | --- |")
    for path, figure, ratio, measured, over in rows:
        print(f"| {path} | {figure} | {ratio:.2f} | {measured.dominant()} | {over} |")
    print()
    print("Not in the quick run: the search index size (bench/search_bench.py, minutes at 100,000 profiles).")
    path, _figure, ratio, measured, _over = min(rows, key=lambda row: row[2])
    verdict = "furthest below its target" if ratio < 1 else "every target met; closest to its limit"
    print(f"next bottleneck: {path} — {ratio:.2f} of target ({verdict}); time went to {measured.dominant()}")


if __name__ == "__main__":
    main()
