"""Instructions per created ticket, request and jobs, counted by valgrind: a figure the machine's load does not move.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/perf_create BENCH_REDIS_URL=redis://127.0.0.1:6379/14 \
        python bench/instructions.py [--tree ../before] [--low 5 --high 105]

On this shared 2-vCPU VM the CPU time of the same code swings by 1.5 to 2× from one minute to the next
(docs/performance.md); an instruction count does not. This runs bench/create_profile.py (the real form through
Werkzeug's test client, then every job the POSTs queued, in one process) under `valgrind --tool=cachegrind
--cache-sim=no`, once with --low and once with --high POSTs per scenario, and divides the difference by
high − low: what one more ticket costs, the start-up (imports, sign-in, warm-up) cancelled out. A third run at
--high with --no-jobs splits the request from its jobs. PYTHONHASHSEED is fixed; two identical runs differ by
about 0.3 % of their total, so with the defaults a ticket is known to about ±0.3 M instructions. The SMTP sink runs
in its own process and is not counted; Werkzeug's test client is (it stands for gunicorn's request parsing).

The database must have been seeded once by `bench/create_profile.py --reset` (this script never resets it); the
Redis database, and the one after it, are FLUSHED. --tree measures another checkout (a worktree of an older commit) with its own
create_profile.py. Two valgrind processes run at a time; a scenario takes 6 to 10 minutes here."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOTAL = re.compile(r"I\s+refs:\s+([\d,]+)")


def redis_url(slot: int) -> str:
    """Each of the two runs at a time flushes and fills its own Redis database: the next number after BENCH_REDIS_URL's."""
    base, _, number = os.environ["BENCH_REDIS_URL"].rpartition("/")
    return f"{base}/{int(number) + slot}"


def count(tree: Path, scenario: str, n: int, *, jobs: bool, warmup: int, slot: int, smtp_port: int) -> int:
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", sys.executable,
               str(tree / "bench" / "create_profile.py"), "--n", str(n), "--warmup", str(warmup),
               "--scenarios", scenario, "--smtp-port", str(smtp_port + slot), "--label", f"instructions-{scenario}-{n}-{jobs}",
               *([] if jobs else ["--no-jobs"])]  # fmt: skip
    done = subprocess.run(
        command,
        cwd=tree,
        env=os.environ | {"PYTHONHASHSEED": "0", "BENCH_REDIS_URL": redis_url(slot)},
        capture_output=True,
        text=True,
    )
    found = TOTAL.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=HERE.parent, help="the checkout to measure (default: this one)")
    parser.add_argument("--scenarios", default="requester,caller")
    parser.add_argument("--low", type=int, default=5)
    parser.add_argument("--high", type=int, default=105)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--smtp-port", type=int, default=5426, help="the first of two ports for the runs' SMTP sinks")
    parser.add_argument("--label", default="current")
    args = parser.parse_args()
    tree = args.tree.resolve()
    report = {"tree": str(tree), "low": args.low, "high": args.high, "scenarios": {}}
    for scenario in args.scenarios.split(","):
        runs = {"low": (args.low, True), "high": (args.high, True), "request_only": (args.high, False)}
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {
                name: pool.submit(count, tree, scenario, n, jobs=jobs, warmup=args.warmup, slot=i % 2, smtp_port=args.smtp_port)
                for i, (name, (n, jobs)) in enumerate(runs.items())
            }
            totals = {name: future.result() for name, future in futures.items()}
        extra = args.high - args.low
        per_ticket = (totals["high"] - totals["low"]) / extra
        # The request-only run did the same start-up as the others, minus the jobs of its high POSTs.
        jobs_per_ticket = (totals["high"] - totals["request_only"]) / args.high
        report["scenarios"][scenario] = {
            "totals": totals,
            "million_instructions_per_ticket": round(per_ticket / 1e6, 2),
            "of_which_jobs": round(jobs_per_ticket / 1e6, 2),
            "of_which_request": round((per_ticket - jobs_per_ticket) / 1e6, 2),
        }
        print(scenario, json.dumps(report["scenarios"][scenario]), flush=True)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / f"instructions_{args.label}.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
