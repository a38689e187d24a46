"""A rentrée morning on loopback: 200 school staff and 40 level-1 agents for 5 minutes (locust), then the queues.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/h_rentree python bench/rentree.py --prepare

The app runs as in production (bench/side_by_side.py's `Ours`: gunicorn with 4 sync workers, `python -m worker`
with its own redis-server, mails to an aiosmtpd sink). --prepare DROPS the database's schema, rebuilds it with
`flask db upgrade` and `flask seed --demo`, then adds the bench's accounts (staff in the demo schools, level-1
agents). The mix is bench/rentree_locust.py; locust is in the `bench` extra (`pip install -e .[bench]`).

Reported: every page's request count, failures, median and p95 (locust's own statistics), the CPU the app's
processes spent (web workers plus job worker, from /proc), the time the RQ queues took to drain after the load
stopped, and the load average before, during and after. Results: bench/results/rentree.json."""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.side_by_side import RESULTS, Ours, lookup, prepare, wait_port  # noqa: E402

HERE = Path(__file__).resolve().parent
PASSWORD = "bench-rentree-2026"

ACCOUNTS = """
import os, random, sys
from sqlalchemy import select
from helpdesk import create_app
from helpdesk.platform.extensions import db
from helpdesk.organisation.models import School
from helpdesk.users.models import Role, User
from helpdesk.users.passwords import hash_password
staff, agents = int(sys.argv[1]), int(sys.argv[2])
app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)})
with app.app_context():
    hashed = hash_password(os.environ["RENTREE_PASSWORD"])
    schools = db.session.scalars(select(School).order_by(School.id)).all()
    rng = random.Random(2026)
    for i in range(staff):
        person = User(email=f"personnel{i}@rentree.example", full_name=f"Personnel {i}", password_hash=hashed,
                      school=rng.choice(schools), profile="enseignant")
        person.set_roles([Role.REQUESTER])
        db.session.add(person)
    for i in range(agents):
        agent = User(email=f"agent{i}@rentree.example", full_name=f"Agent {i}", password_hash=hashed, school=None)
        agent.set_roles([Role.AGENT_N1])
        db.session.add(agent)
    db.session.commit()
"""

PATHS = """
import os, json, sqlalchemy as s
e = s.create_engine(os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1))
with e.connect() as c:
    articles = c.execute(s.text("select slug from kb_article where status = 'published' and audience = 'public' order by id")).scalars().all()
    trees = c.execute(s.text("select slug from diagnostic_tree order by id")).scalars().all()
print(json.dumps({"articles": articles, "trees": trees}))
"""


def run_python(python: Path, code: str, env: dict, *args: str) -> str:
    return subprocess.run([str(python), "-c", code, *args], env=env, check=True, capture_output=True, text=True).stdout


def queued(redis_port: int) -> int:
    """Jobs waiting or running in every RQ queue of the app's Redis (scheduled timers do not count)."""
    import redis

    connection = redis.Redis(port=redis_port)
    waiting = sum(connection.llen(key) for key in connection.scan_iter("rq:queue:*"))
    running = sum(connection.zcard(key) for key in connection.scan_iter("rq:wip:*"))
    return waiting + running


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prepare", action="store_true", help="rebuild, seed and add the accounts first")
    parser.add_argument("--staff", type=int, default=200)
    parser.add_argument("--agents", type=int, default=40)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--spawn-rate", type=float, default=10, help="people signing in per second at the start")
    parser.add_argument("--python", type=Path, default=Path(sys.executable))
    parser.add_argument("--port", type=int, default=5460)
    parser.add_argument("--smtp-port", type=int, default=5475)
    args = parser.parse_args()

    tree = HERE.parent
    database_url = os.environ["BENCH_DATABASE_URL"]
    env = os.environ | {"DATABASE_URL": database_url, "PYTHONPATH": str(tree), "RENTREE_PASSWORD": PASSWORD,
                        "HELPDESK_DATA_DIR": tempfile.mkdtemp(prefix="rentree-prep-")}  # fmt: skip
    if args.prepare:
        prepare(tree, args.python, database_url)
        run_python(args.python, ACCOUNTS, env, str(args.staff), str(args.agents))
    keyword, _uai = lookup(args.python, tree, database_url)
    plan = json.loads(run_python(args.python, PATHS, env))
    plan |= {
        "password": PASSWORD,
        "keywords": [keyword],
        "staff": [f"personnel{i}@rentree.example" for i in range(args.staff)],
        "agents": [f"agent{i}@rentree.example" for i in range(args.agents)],
    }
    log_dir = Path(tempfile.mkdtemp(prefix="rentree-logs-"))
    sink = subprocess.Popen([str(args.python), "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{args.smtp_port}",
                             "-c", "aiosmtpd.handlers.Sink"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    app = Ours("rentree", args.port, tree, args.python, database_url, args.port + 1, args.smtp_port, keyword, _uai)
    users = args.staff + args.agents
    loads = {"before": os.getloadavg()}
    try:
        wait_port(args.smtp_port)
        app.start(log_dir)
        cpu_before = app.cpu()
        started = time.monotonic()
        locust = subprocess.Popen(
            [str(args.python.parent / "locust"), "-f", str(HERE / "rentree_locust.py"), "--headless",
             "--host", f"http://127.0.0.1:{args.port}", "-u", str(users), "-r", str(args.spawn_rate),
             "-t", f"{int(args.minutes * 60)}s", "--csv", str(log_dir / "rentree"), "--only-summary"],
            env=env | {"RENTREE_PLAN": json.dumps(plan)}, stdout=open(log_dir / "locust.log", "w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        time.sleep(args.minutes * 30)
        loads["during"] = os.getloadavg()
        locust.wait()
        stopped = time.monotonic()
        waiting_at_stop = queued(args.port + 1)
        while queued(args.port + 1) and time.monotonic() - stopped < 600:
            time.sleep(0.5)
        drained = time.monotonic() - stopped
        cpu = app.cpu() - cpu_before
        loads["after"] = os.getloadavg()
        rss = app.worker_rss()
    finally:
        app.stop()
        sink.terminate()
        sink.wait(timeout=10)
    with open(log_dir / "rentree_stats.csv", newline="") as stats:
        rows = [row for row in csv.DictReader(stats)]
    pages = {
        row["Name"]: {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "median_ms": float(row["50%"]),
            "p95_ms": float(row["95%"]),
            "max_ms": float(row["Max Response Time"]),
        }
        for row in rows
        if row["Name"] != "Aggregated"
    }
    total = next(row for row in rows if row["Name"] == "Aggregated")
    report = {
        "users": {"staff": args.staff, "agents": args.agents},
        "minutes": args.minutes,
        "wall_s": round(stopped - started, 1),
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "p95_ms_all": float(total["95%"]),
        "pages": pages,
        "app_cpu_s": round(cpu, 1),
        "jobs_waiting_at_stop": waiting_at_stop,
        "queues_drained_s": round(drained, 1),
        "web_worker_rss_mb": rss,
        "load": {key: [round(v, 2) for v in value] for key, value in loads.items()},
        "logs": str(log_dir),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "rentree.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
