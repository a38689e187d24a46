"""Our helpdesk and django-helpdesk driven by the same HTTP harness in one run, interleaved; ratios, not times.

    . /path/to/peer-env.sh   # PEER_DIR, PEER_PGDATABASE... as the peer's README sets them up (seeded)
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/perf_ours python bench/side_by_side.py \
        --peer-app /path/to/peer-django-helpdesk --peer-python /path/to/peer/venv/bin/python \
        --ours after=. --ours before=/path/to/a/worktree/of/the/old/commit --prepare

Every target runs under gunicorn with 4 sync workers on loopback (ports --port-base and up). Ours also runs
`python -m worker` (its RQ worker, scheduler, cron) with its own redis-server (so two versions of ours never run
each other's jobs) and mails to an SMTP sink (aiosmtpd), so the jobs a ticket triggers compete for the same two
cores as in production. The peer renders its mails inline (dummy backend). For each of --repeats rounds, the
targets run one after the other in a rotating order, each through the peer's loadharness.py (create at
--concurrency; with --reads also the queue page, a ticket page and a search with and without accents, at
--read-concurrency), one harness repeat each; a read is compared with the peer's same read. The report gives the
median of the rounds per target and level, ours ÷ peer for throughput and p95, the CPU time the target's
processes (web workers plus job worker; not PostgreSQL) spent per created ticket, read from /proc and so not
inflated by waiting, the web workers' RSS after the run, and the load average before and after.

--prepare DROPS the BENCH_DATABASE_URL schema and rebuilds it with `flask db upgrade` and `flask seed --demo`
(through the first --ours tree), then adds --volume tickets with about three messages each (the peer's 100,000
tickets and 298,503 follow-ups, in our schema: bench/tickets_bench.py `add_volume`). Never point it at real data. Results: bench/results/side_by_side.json."""

from __future__ import annotations

import argparse
import base64
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
PASSWORD = "demo-ENT-2026"
TICKS = os.sysconf("SC_CLK_TCK")


def wait_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing listens on {port}")


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                todo += [int(c) for c in Path(f"/proc/{current}/task/{task}/children").read_text().split()]
        except OSError:
            pass
    return found


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
        except OSError:
            pass
    return total / TICKS


def memory_mb(pid: int) -> dict[str, float]:
    """RSS, PSS (shared pages divided among the processes that map them) and USS (pages of this process alone)."""
    kb = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        kb[name] = int(value.split()[0])
    return {"rss": round(kb["Rss"] / 1024, 1), "pss": round(kb["Pss"] / 1024, 1),
            "uss": round((kb["Private_Clean"] + kb["Private_Dirty"]) / 1024, 1)}  # fmt: skip


class Target:
    """One system under test: its processes, its harness arguments."""

    def __init__(self, name: str, port: int):
        self.name, self.port = name, port
        self.processes: list[subprocess.Popen] = []
        self.web: subprocess.Popen | None = None
        self.job_pids: list[int] = []

    def stop(self) -> None:
        """Web first, then the job worker, then Redis, each once the one before has stopped: a worker must still
        reach its Redis to release its scheduler's locks."""
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def web_pids(self) -> list[int]:
        return descendants(self.web.pid)

    def cpu(self) -> float:
        return cpu_seconds(self.web_pids() + [p for root in self.job_pids for p in descendants(root)])

    def worker_rss(self) -> list[float]:
        return [memory["rss"] for memory in self.worker_memory()]

    def worker_memory(self) -> list[dict[str, float]]:
        return [memory_mb(pid) for pid in self.web_pids()[1:]]

    def job_memory(self) -> dict[str, dict[str, float]]:
        """The job processes' memory, by command line (`python -m worker` and its children)."""
        found = {}
        for pid in (p for root in self.job_pids for p in descendants(root)):
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            role = argv[argv.index(b"--role") + 1].decode() if b"--role" in argv else "supervisor"
            found[role] = memory_mb(pid)
        return found


def peer_list_query(search: str = "") -> str:
    """The peer's ticket list: its page is a shell, its rows come from a datatables endpoint whose query is
    base64(JSON) (the peer's run_bench.sh): queue 1's open tickets, or a search over all tickets."""
    filtering = {} if search else {"queue__id__in": [1], "status__in": [1]}
    query = {"filtering": filtering, "filtering_null": {}, "sorting": "created", "sortreverse": None,
             "search_string": search}  # fmt: skip
    return f"/helpdesk/datatables_ticket_list/{base64.b64encode(json.dumps(query).encode()).decode()}?draw=1&start=0&length=25"


PEER_READS = {
    "queue": peer_list_query(),
    "view": "/helpdesk/tickets/{randint:1:100000}/",
    "search[élève]": peer_list_query("élève"),
    "search[eleve]": peer_list_query("eleve"),
}


class Peer(Target):
    def __init__(self, port: int, app_dir: Path, python: Path):
        super().__init__("peer", port)
        self.app_dir, self.python = app_dir, python

    def start(self, log_dir: Path) -> None:
        gunicorn = self.python.parent / "gunicorn"
        self.web = subprocess.Popen(
            [str(gunicorn), "--chdir", str(self.app_dir), "--workers", "4", "--worker-class", "sync",
             "--bind", f"127.0.0.1:{self.port}", "--timeout", "120", "peerdesk.wsgi:application"],
            cwd=self.app_dir, stdout=subprocess.DEVNULL, stderr=open(log_dir / "peer-gunicorn.log", "w"),
        )  # fmt: skip
        self.processes.append(self.web)
        wait_port(self.port)

    def scenarios(self) -> dict[str, list[str]]:
        common = ["--login-path", "/helpdesk/login/", "--login-field", "username=bench",
                  "--login-field", "password=bench-password", "--csrf-field", "csrfmiddlewaretoken"]  # fmt: skip
        return {
            "create": common + [
                "--create-path", "/helpdesk/tickets/submit/", "--create-field", "queue={randint:1:3}",
                "--create-field", "title=Élève sans accès au cahier de textes ({n})",
                "--create-field", "body=Bonjour, depuis la rentrée un élève de 4e ne voit plus le cahier de textes.",
                "--create-field", "priority={choice:2|3|3|4}",
                "--create-field", "submitter_email=personnel{randint:100:199}@college.example.invalid",
                "--create-field", "assigned_to=", "--create-field", "due_date=",
            ],
        }  # fmt: skip

    def reads(self) -> tuple[list[str], dict[str, str]]:
        login = ["--login-path", "/helpdesk/login/", "--login-field", "username=bench",
                 "--login-field", "password=bench-password", "--csrf-field", "csrfmiddlewaretoken"]  # fmt: skip
        return login, PEER_READS


class Ours(Target):
    def __init__(self, name: str, port: int, tree: Path, python: Path, database_url: str, redis_port: int,
                 smtp_port: int, keyword: str, uai: str, env: dict | None = None):  # fmt: skip
        super().__init__(name, port)
        self.tree, self.python, self.redis_port = tree, python, redis_port
        self.data_dir = Path(tempfile.mkdtemp(prefix=f"side-by-side-{name}-"))
        self.keyword, self.uai = keyword, uai
        self.references: list[str] = []
        self.env = (
            os.environ
            | {
                "PYTHONPATH": str(tree),
                "DATABASE_URL": database_url,
                "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
                "HELPDESK_DATA_DIR": str(self.data_dir),
                "SECRET_KEY": "side-by-side-bench-only",
                "MAIL_SERVER": "127.0.0.1",
                "MAIL_PORT": str(smtp_port),
            }
            | (env or {})
        )

    def start(self, log_dir: Path) -> None:
        redis = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.processes.append(redis)
        wait_port(self.redis_port)
        worker = subprocess.Popen(
            [str(self.python), "-m", "worker"], cwd=self.tree, env=self.env,
            stdout=subprocess.DEVNULL, stderr=open(log_dir / f"{self.name}-worker.log", "w"),
        )  # fmt: skip
        self.processes.append(worker)
        self.job_pids = [worker.pid]
        gunicorn = self.python.parent / "gunicorn"
        self.web = subprocess.Popen(
            [str(gunicorn), "--chdir", str(self.tree), "--workers", "4", "--worker-class", "sync",
             "--bind", f"127.0.0.1:{self.port}", "--timeout", "120", "wsgi:app"],
            cwd=self.tree, env=self.env, stdout=subprocess.DEVNULL, stderr=open(log_dir / f"{self.name}-gunicorn.log", "w"),
        )  # fmt: skip
        self.processes.append(self.web)
        wait_port(self.port)

    def scenarios(self) -> dict[str, list[str]]:
        path = f"/tickets/nouveau?keyword={self.keyword}"

        def login(email):
            return ["--login-path", "/connexion", "--login-field", f"email={email}", "--login-field", f"password={PASSWORD}",
                    "--csrf-field", "csrf_token"]  # fmt: skip

        return {
            "create": login("enseignant@demo.ent") + [
                "--create-path", path, "--create-field", "subject=Élève sans accès au cahier de textes ({n})",
                "--create-field", "description=Bonjour, depuis la rentrée un élève de 4e ne voit plus le cahier de textes.",
            ],
            "caller": login("agent.n1@demo.ent") + [
                "--create-path", path, "--create-field", "subject=Appel d'un parent ({n})",
                "--create-field", "description=Le parent n'accède plus à l'ENT depuis ce matin.",
                "--create-field", "channel=phone", "--create-field", "requester_email=appelant{n}@example.org",
                "--create-field", "caller_name=Parent {n}", "--create-field", f"caller_school={self.uai}",
            ],
        }  # fmt: skip

    def reads(self) -> tuple[list[str], dict[str, str]]:
        """A level-1 agent's queue (its open tickets), a ticket of that queue, the queue searched with and without
        the accents."""
        login = ["--login-path", "/connexion", "--login-field", "email=agent.n1@demo.ent",
                 "--login-field", f"password={PASSWORD}", "--csrf-field", "csrf_token"]  # fmt: skip
        return login, {
            "queue": "/tickets/file",
            "view": "/tickets/{choice:" + "|".join(self.references) + "}",
            "search[élève]": "/tickets/file?q=élève",
            "search[eleve]": "/tickets/file?q=eleve",
        }


def prepare(tree: Path, python: Path, database_url: str) -> None:
    env = os.environ | {"DATABASE_URL": database_url, "PYTHONPATH": str(tree),
                        "HELPDESK_DATA_DIR": tempfile.mkdtemp(prefix="side-by-side-prep-")}  # fmt: skip
    drop = "import sqlalchemy as s, os; e = s.create_engine(os.environ['DATABASE_URL'].replace('postgresql://', 'postgresql+psycopg://', 1))\n"
    drop += "with e.begin() as c: c.exec_driver_sql('DROP SCHEMA public CASCADE; CREATE SCHEMA public')"
    subprocess.run([str(python), "-c", drop], env=env, check=True)
    for args in (["db", "upgrade"], ["seed", "--demo"]):
        subprocess.run([str(python), "-m", "flask", "--app", "wsgi", *args], cwd=tree, env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip


def add_volume(python: Path, database_url: str, tickets: int) -> None:
    """The peer's volume in our schema: `tickets` tickets with about three messages each (bench/tickets_bench.py)."""
    code = (
        "import os, sys, tempfile; sys.path.insert(0, os.environ['BENCH_TREE'])\n"
        "from bench.tickets_bench import add_volume\n"
        "from helpdesk import create_app\n"
        "from helpdesk.platform.extensions import db\n"
        "url = os.environ['DATABASE_URL'].replace('postgresql://', 'postgresql+psycopg://', 1)\n"
        "app = create_app({'SQLALCHEMY_DATABASE_URI': url, 'HELPDESK_DATA_DIR': tempfile.mkdtemp(), 'SECRET_KEY': 'bench'})\n"
        "with app.app_context():\n"
        "    print(add_volume(db.session, int(sys.argv[1])), 'messages')\n"
    )
    subprocess.run([str(python), "-c", code, str(tickets)], check=True,
                   env=os.environ | {"DATABASE_URL": database_url, "BENCH_TREE": str(HERE.parent)})  # fmt: skip


def queue_references(python: Path, database_url: str, count: int = 200) -> list[str]:
    """References of open level-1 tickets, spread over the table: the tickets the agent's queue lists."""
    code = (
        "import os, sqlalchemy as s\n"
        "e = s.create_engine(os.environ['DATABASE_URL'].replace('postgresql://', 'postgresql+psycopg://', 1))\n"
        "with e.connect() as c:\n"
        "    print(' '.join(c.execute(s.text(\"select reference from ticket where is_open and tier = 'n1' \"\n"
        f'        "order by md5(reference) limit {count}")).scalars()))\n'
    )
    return subprocess.run([str(python), "-c", code], env=os.environ | {"DATABASE_URL": database_url}, check=True,
                          capture_output=True, text=True).stdout.split()  # fmt: skip


def lookup(python: Path, tree: Path, database_url: str) -> tuple[str, str]:
    """A level-1 keyword without required fields and a school UAI (the caller's), read from the database."""
    code = (
        "import os, sqlalchemy as s\n"
        "e = s.create_engine(os.environ['DATABASE_URL'].replace('postgresql://', 'postgresql+psycopg://', 1))\n"
        "with e.connect() as c:\n"
        "    rows = c.execute(s.text(\"select slug, fields from keyword where is_active and tier = 'n1' order by id\")).all()\n"
        "    slug = next(r[0] for r in rows if not any(f.get('required') for f in (r[1] or [])))\n"
        "    print(slug, c.execute(s.text('select uai from school order by id limit 1')).scalar())\n"
    )
    out = subprocess.run([str(python), "-c", code], env=os.environ | {"DATABASE_URL": database_url}, check=True,
                         capture_output=True, text=True).stdout.split()  # fmt: skip
    return out[0], out[1]


def run_harness(python: Path, harness: Path, target: Target, scenario: str, args, out: Path) -> list[dict]:
    command = [str(python), str(harness), "--base-url", f"http://127.0.0.1:{target.port}", *target.scenarios()[scenario],
               "--scenarios", "create", "--concurrency", args.concurrency, "--requests", str(args.requests),
               "--max-seconds", str(args.max_seconds), "--warmup", "5", "--repeats", "1",
               "--run-tag", f"{target.name}{scenario}{time.time_ns() % 10**9}", "--out", str(out)]  # fmt: skip
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return json.loads(out.read_text())["levels"]


def run_reads(python: Path, harness: Path, target: Target, args, out: Path) -> list[dict]:
    login, pages = target.reads()
    gets = [part for name, path in pages.items() for part in ("--get", f"{name}={path}")]
    command = [str(python), str(harness), "--base-url", f"http://127.0.0.1:{target.port}", *login, *gets,
               "--scenarios", "get", "--read-concurrency", args.read_concurrency, "--requests", str(args.read_requests),
               "--max-seconds", str(args.max_seconds), "--warmup", "3", "--repeats", "1", "--timeout", "120",
               "--out", str(out)]  # fmt: skip
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return json.loads(out.read_text())["levels"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer-app", type=Path, required=True, help="folder of the peer's manage.py and loadharness.py")
    parser.add_argument("--peer-python", type=Path, required=True, help="the peer venv's python (its gunicorn beside it)")
    parser.add_argument("--ours", action="append", required=True, help="NAME=TREE: a checkout of ours (repeatable)")
    parser.add_argument("--python", type=Path, default=Path(sys.executable), help="our venv's python")
    parser.add_argument("--prepare", action="store_true", help="rebuild and seed BENCH_DATABASE_URL first")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--concurrency", default="1,8")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--max-seconds", type=float, default=60)
    parser.add_argument("--reads", action="store_true", help="also the queue page, a ticket page and a search")
    parser.add_argument("--read-concurrency", default="1,8")
    parser.add_argument("--read-requests", type=int, default=150)
    parser.add_argument("--volume", type=int, default=100_000, help="with --prepare: tickets added to ours (the peer's 100k)")
    parser.add_argument("--port-base", type=int, default=5410)
    parser.add_argument("--smtp-port", type=int, default=5425)
    args = parser.parse_args()

    database_url = os.environ["BENCH_DATABASE_URL"]
    trees = [(spec.split("=", 1)[0], Path(spec.split("=", 1)[1]).resolve()) for spec in args.ours]
    if args.prepare:
        prepare(trees[0][1], args.python, database_url)
        if args.volume:
            add_volume(args.python, database_url, args.volume)
    keyword, uai = lookup(args.python, trees[0][1], database_url)
    log_dir = Path(tempfile.mkdtemp(prefix="side-by-side-logs-"))
    harness = args.peer_app / "loadharness.py"
    sink = subprocess.Popen([str(args.python), "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{args.smtp_port}",
                             "-c", "aiosmtpd.handlers.Sink"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    targets: list[Target] = [Peer(args.port_base, args.peer_app, args.peer_python)]
    for i, (name, tree) in enumerate(trees, start=1):
        targets.append(Ours(name, args.port_base + i, tree, args.python, database_url, args.port_base + 50 + i,
                            args.smtp_port, keyword, uai))  # fmt: skip
    references = queue_references(args.python, database_url) if args.reads else []
    for target in targets[1:]:
        target.references = references
    reads = ["reads"] if args.reads else []
    runs = [(target, scenario) for target in targets for scenario in [*target.scenarios(), *reads]]
    results: dict[str, list[dict]] = {f"{t.name}:{s}": [] for t, s in runs if s != "reads"}
    cpu_per_ticket: dict[str, list[float]] = {key: [] for key in results}
    load_before = os.getloadavg()
    try:
        wait_port(args.smtp_port)
        for target in targets:
            target.start(log_dir)
        for repeat in range(args.repeats):
            shift = repeat % len(runs)
            for target, scenario in runs[shift:] + runs[:shift]:
                key = f"{target.name}:{scenario}"
                time.sleep(3)  # the previous target's jobs drain before this one is timed
                before = target.cpu()
                if scenario == "reads":
                    levels = run_reads(args.peer_python, harness, target, args, log_dir / f"{key}.json")
                    for level in levels:
                        results.setdefault(f"{target.name}:{level['scenario']}", []).append(level)
                else:
                    levels = run_harness(args.peer_python, harness, target, scenario, args, log_dir / f"{key}.json")
                    time.sleep(3)  # the jobs its tickets queued run (mail), counted with it
                    created = sum(level["ok"] for level in levels) + 5
                    cpu_per_ticket[key].append((target.cpu() - before) * 1000 / created)
                    results[key] += levels
                print(f"round {repeat + 1} {key:<18} " + "  ".join(
                    f"{lv['scenario']} c={lv['concurrency']} {lv['throughput_rps']} rps p95 {lv['p95_ms']} ms" for lv in levels), flush=True)  # fmt: skip
        rss = {target.name: target.worker_memory() for target in targets}
        rss |= {f"{target.name} job processes": target.job_memory() for target in targets if target.job_pids}
    finally:
        for target in targets:
            target.stop()
        sink.terminate()
        sink.wait(timeout=10)
    load_after = os.getloadavg()
    report = summarise(results, cpu_per_ticket, rss, load_before, load_after, args)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "side_by_side.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))


def summarise(results, cpu_per_ticket, rss, load_before, load_after, args) -> dict:
    rows = []
    for key, levels in results.items():
        for conc in sorted({lv["concurrency"] for lv in levels}):
            runs = [lv for lv in levels if lv["concurrency"] == conc]
            rows.append({
                "target": key, "concurrency": conc, "rounds": len(runs),
                "errors": sum(sum(r["errors"].values()) for r in runs),
                "rps": round(statistics.median(r["throughput_rps"] for r in runs), 1),
                "p50_ms": round(statistics.median(r["p50_ms"] for r in runs), 1),
                "p95_ms": round(statistics.median(r["p95_ms"] for r in runs), 1),
                "cpu_ms_per_ticket": round(statistics.median(cpu_per_ticket[key]), 2) if cpu_per_ticket.get(key) else None,
            })  # fmt: skip
    # Each row against the peer's same operation: a creation (ours: requester or caller) against the peer's staff
    # creation, a read against the peer's same read.
    peer = {(row["target"].split(":", 1)[1], row["concurrency"]): row for row in rows if row["target"].startswith("peer:")}
    print(f"\nload average before {load_before}, after {load_after}")
    print("\n| target:scenario | conc | req/s | p50 ms | p95 ms | × peer req/s | p95 ÷ peer | CPU ms/ticket | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        operation = row["target"].split(":", 1)[1]
        base = peer[("create" if operation == "caller" else operation, row["concurrency"])]
        row["rps_ratio"] = round(row["rps"] / base["rps"], 2) if base["rps"] else None
        row["p95_ratio"] = round(row["p95_ms"] / base["p95_ms"], 2) if base["p95_ms"] else None
        print(f"| {row['target']} | {row['concurrency']} | {row['rps']} | {row['p50_ms']} | {row['p95_ms']} | "
              f"{row['rps_ratio']}× | {row['p95_ratio']} | {row['cpu_ms_per_ticket']} | {row['errors']} |")  # fmt: skip
    print("\nweb workers' (and job processes') RSS, PSS, USS after the run (MB):", json.dumps(rss))
    return {"rows": rows, "rss_mb": rss, "loadavg_before": load_before, "loadavg_after": load_after,
            "args": {k: str(v) for k, v in vars(args).items()}}  # fmt: skip


if __name__ == "__main__":
    main()
