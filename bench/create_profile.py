"""What one ticket creation costs, request plus every job it triggers, measured in process (load-independent).

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/perf_ours BENCH_REDIS_URL=redis://127.0.0.1:6379/14 \
        python bench/create_profile.py --reset --n 200 [--profile]

--reset DROPS every table of that database, recreates them and loads `flask seed --demo`; the Redis database is
FLUSHED at every run: never point them at real data.

Two scenarios, through the real form with its CSRF token, as the HTTP harness posts it (only the POST counted,
its redirect not followed): a requester opening a ticket from the keyword step (`requester`), and a level-1
agent recording a phone caller without an account (`caller`). For each POST: SQL statements, Redis commands (and the writes, i.e. round trips, carrying them), CPU time of the
process (time.process_time: the app plus Werkzeug's test client, no network, no gunicorn) and wall time. Then
every job the POSTs queued is run here, one by one as an RQ worker would (`job.perform()`), with its own
statements and CPU time; timers scheduled for later (the SLA deadlines) are counted, not run. Mail goes to an
SMTP sink started on 127.0.0.1:--smtp-port (aiosmtpd, its own process: its CPU is not ours), so the
job's SMTP client work is counted as in production.

--profile writes a pyinstrument text profile of the requests and of the jobs to bench/results/ (wall time: on a
loaded machine waiting dominates it). --cpu-profile writes instead a cProfile of process CPU time
(time.process_time as its clock): what the process itself spends, function by function, whatever the load; its
tracing slows Python code several-fold, so read shares, not the absolute figures."""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RESULTS = Path(__file__).resolve().parent / "results"
PASSWORD = "demo-ENT-2026"
REQUESTER, AGENT = "enseignant@demo.ent", "agent.n1@demo.ent"
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def build_app(data_dir: str, smtp_port: int):
    from helpdesk import create_app

    url = os.environ["BENCH_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    return create_app({
        "SQLALCHEMY_DATABASE_URI": url,
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        "HELPDESK_DATA_DIR": data_dir,
        "SECRET_KEY": "bench-only-secret",
        "RATELIMIT_ENABLED": False,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "PUBLIC_URL": "http://127.0.0.1:5000",
    })  # fmt: skip


def reset(app) -> None:
    from helpdesk.platform.extensions import db

    with app.app_context():
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        db.create_all()
        from helpdesk.seed import run_seed

        run_seed(db.session, True, echo=lambda *_a, **_k: None)


def _token(html: str) -> str:
    found = _TOKEN.search(html)
    if not found:
        raise SystemExit("no csrf_token in the page")
    return found.group(1)


def login(client, email: str) -> None:
    page = client.get("/connexion").get_data(as_text=True)
    response = client.post("/connexion", data={"email": email, "password": PASSWORD, "csrf_token": _token(page)})
    if response.status_code not in (302, 303):
        raise SystemExit(f"login of {email} failed: {response.status_code}")


def scenario_data(app):
    """A level-1 keyword without required fields (the requester's), and a school for the caller."""
    from sqlalchemy import select

    from helpdesk.organisation.models import School
    from helpdesk.platform.extensions import db
    from helpdesk.routing.models import Keyword

    with app.app_context():
        keywords = db.session.scalars(select(Keyword).where(Keyword.is_active.is_(True), Keyword.tier == "n1")).all()
        keyword = next(k for k in sorted(keywords, key=lambda k: k.id) if not any(f.get("required") for f in k.fields or []))
        uai = db.session.scalars(select(School.uai).order_by(School.id)).first()
        return keyword.slug, uai


class CpuProfiler:
    """pyinstrument's start/stop, with cProfile on process CPU time; `write(path)` keeps the top entries."""

    def __init__(self):
        import cProfile

        self.profile = cProfile.Profile(time.process_time)

    def start(self):
        self.profile.enable()

    def stop(self):
        self.profile.disable()

    def write(self, path: Path, top: int = 45) -> None:
        import io
        import pstats

        out = io.StringIO()
        stats = pstats.Stats(self.profile, stream=out)
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)
        path.write_text(out.getvalue().replace(str(Path(sys.prefix)), "<venv>"))
        self.profile.dump_stats(str(path.with_suffix(".pstats")))


def _profiler(args):
    if args.cpu_profile:
        return CpuProfiler()
    if args.profile:
        from pyinstrument import Profiler

        return Profiler(interval=0.0005)
    return None


def _write_profile(profiler, path: Path) -> None:
    if isinstance(profiler, CpuProfiler):
        profiler.write(path.with_name(path.stem + "_cpu.txt"))
    else:
        path.write_text(profiler.output_text(unicode=True, show_all=False))


class Statements:
    def __init__(self, engine):
        self.count = 0
        self.engine = engine

    def __enter__(self):
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def _record(self, *args):
        self.count += 1

    def __exit__(self, *exc):
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._record)


class RedisCommands:
    """Commands this process sends to Redis (a pipeline's commands each count) and the writes carrying them
    (one per single command, one per pipeline: the round trips)."""

    def __init__(self):
        self.commands = self.writes = 0

    def __enter__(self):
        from redis.connection import AbstractConnection

        self._saved = AbstractConnection.send_command, AbstractConnection.pack_commands, AbstractConnection.send_packed_command
        send_command, pack_commands, send_packed = self._saved
        counter = self

        def counted_send_command(connection, *args, **kwargs):
            counter.commands += 1
            return send_command(connection, *args, **kwargs)

        def counted_pack_commands(connection, commands):
            commands = list(commands)
            counter.commands += len(commands)
            return pack_commands(connection, commands)

        def counted_send_packed(connection, command, check_health=True):
            counter.writes += 1
            return send_packed(connection, command, check_health)

        AbstractConnection.send_command = counted_send_command
        AbstractConnection.pack_commands = counted_pack_commands
        AbstractConnection.send_packed_command = counted_send_packed
        return self

    def __exit__(self, *exc):
        from redis.connection import AbstractConnection

        AbstractConnection.send_command, AbstractConnection.pack_commands, AbstractConnection.send_packed_command = self._saved


def run_posts(app, client, path: str, fields: dict, n: int, engine, profiler=None) -> list[dict]:
    page = client.get(path)
    if page.status_code != 200:
        raise SystemExit(f"GET {path}: {page.status_code}")
    token = _token(page.get_data(as_text=True))
    samples = []
    for i in range(n):
        data = {k: v.format(n=i) for k, v in fields.items()} | {"csrf_token": token}
        with Statements(engine) as seen, RedisCommands() as redis_sent:
            if profiler is not None:
                profiler.start()
            cpu, wall = time.process_time(), time.perf_counter()
            response = client.post(path, data=data)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            if profiler is not None:
                profiler.stop()
        if response.status_code not in (302, 303):
            raise SystemExit(f"POST {path}: {response.status_code}\n{response.get_data(as_text=True)[:2000]}")
        # A browser follows the redirect, whose page shows (and so removes) the confirmation flashed into the
        # session cookie. Unfollowed, the flashes would pile up: the 200th POST would read and sign a cookie of
        # 199 messages, and the cookie's (de)serialisation would outweigh the creation itself.
        with client.session_transaction() as cookie:
            cookie.pop("_flashes", None)
        samples.append({"sql": seen.count, "redis_commands": redis_sent.commands, "redis_writes": redis_sent.writes,
                        "cpu_ms": cpu * 1000, "wall_ms": wall * 1000})  # fmt: skip
    return samples


def run_jobs(app, engine, profiler=None) -> tuple[dict, dict]:
    """Perform every queued job here; returns ({function: [samples]}, {scheduled function: count})."""
    from rq.job import Job
    from rq.serializers import JSONSerializer

    from helpdesk.platform import jobcontext
    from helpdesk.platform.queue import get_queue, redis_connection

    jobcontext.set_app(app)
    connection = redis_connection(app.config["REDIS_URL"])
    per_function: dict[str, list[dict]] = defaultdict(list)
    scheduled: dict[str, int] = defaultdict(int)
    names = sorted({key.decode().split(":", 2)[2] for key in connection.keys("rq:queue:*")})
    for name in names:
        queue = get_queue(name, connection=connection)
        for job_id in queue.scheduled_job_registry.get_job_ids():
            job = Job.fetch(job_id, connection=connection, serializer=JSONSerializer)
            scheduled[job.func_name] += 1
        while job_id := connection.lpop(f"rq:queue:{name}"):
            job = Job.fetch(job_id.decode(), connection=connection, serializer=JSONSerializer)
            with Statements(engine) as seen:
                if profiler is not None:
                    profiler.start()
                cpu = time.process_time()
                job.perform()
                cpu = time.process_time() - cpu
                if profiler is not None:
                    profiler.stop()
            per_function[job.func_name].append({"sql": seen.count, "cpu_ms": cpu * 1000})
    return dict(per_function), dict(scheduled)


def summary(samples: list[dict]) -> dict:
    return {key: round(statistics.median(s[key] for s in samples), 2) for key in samples[0]}


def start_sink(port: int) -> subprocess.Popen:
    sink = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import socket

    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return sink
        except OSError:
            time.sleep(0.1)
    sink.kill()
    raise SystemExit("the SMTP sink did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="POSTs per scenario")
    parser.add_argument("--reset", action="store_true", help="drop and recreate the schema, then seed --demo")
    parser.add_argument("--profile", action="store_true", help="pyinstrument profiles to bench/results/")
    parser.add_argument("--cpu-profile", action="store_true", help="cProfile of process CPU time to bench/results/")
    parser.add_argument("--smtp-port", type=int, default=5425)
    parser.add_argument("--label", default="current")
    parser.add_argument("--scenarios", default="requester,caller")
    parser.add_argument("--warmup", type=int, default=20, help="untimed POSTs (and their jobs) first")
    parser.add_argument("--no-jobs", action="store_true", help="do not run the jobs the timed POSTs queued")
    args = parser.parse_args()

    from helpdesk.platform.extensions import db
    from helpdesk.platform.queue import redis_connection

    RESULTS.mkdir(exist_ok=True)
    sink = start_sink(args.smtp_port)
    try:
        with tempfile.TemporaryDirectory(prefix="create-profile-") as data_dir:
            app = build_app(data_dir, args.smtp_port)
            if args.reset:
                reset(app)
            slug, uai = scenario_data(app)
            with app.app_context():
                engine = db.engine
            redis_connection(app.config["REDIS_URL"]).flushdb()
            scenarios = {
                "requester": (REQUESTER, {"subject": "Élève sans accès {n}", "description": "Texte du ticket {n}"}),
                "caller": (AGENT, {"subject": "Appel {n}", "description": "Le parent appelle {n}", "channel": "phone",
                                   "requester_email": "appelant{n}@example.org", "caller_name": "Parent {n}",
                                   "caller_school": uai}),
            }  # fmt: skip
            report = {"label": args.label, "n": args.n, "keyword": slug, "scenarios": {}}
            for name, (email, fields) in scenarios.items():
                if name not in args.scenarios.split(","):
                    continue
                client = app.test_client()
                login(client, email)
                path = f"/tickets/nouveau?keyword={slug}"
                warm_fields = {k: v.replace("{n}", "w{n}") for k, v in fields.items()}
                run_posts(app, client, path, warm_fields, args.warmup, engine)
                run_jobs(app, engine)
                redis_connection(app.config["REDIS_URL"]).flushdb()  # the warm-up's timers are not counted
                profiler = _profiler(args)
                requests = run_posts(app, client, path, fields, args.n, engine, profiler)
                if not requests:
                    run_jobs(app, engine)
                    continue
                if profiler is not None:
                    _write_profile(profiler, RESULTS / f"create_profile_{args.label}_{name}_request.txt")
                    profiler = _profiler(args)
                jobs, scheduled = ({}, {}) if args.no_jobs else run_jobs(app, engine, profiler)
                if profiler is not None and jobs:
                    _write_profile(profiler, RESULTS / f"create_profile_{args.label}_{name}_jobs.txt")
                job_rows = {
                    fn: summary(samples) | {"jobs_per_ticket": round(len(samples) / args.n, 2)} for fn, samples in jobs.items()
                }
                jobs_cpu = sum(sum(s["cpu_ms"] for s in samples) for samples in jobs.values()) / args.n
                jobs_sql = sum(sum(s["sql"] for s in samples) for samples in jobs.values()) / args.n
                request = summary(requests)
                report["scenarios"][name] = {
                    "request": request,
                    "jobs": job_rows,
                    "scheduled_per_ticket": {fn: round(c / args.n, 2) for fn, c in scheduled.items()},
                    "jobs_cpu_ms_per_ticket": round(jobs_cpu, 2),
                    "jobs_sql_per_ticket": round(jobs_sql, 2),
                    "total_cpu_ms_per_ticket": round(request["cpu_ms"] + jobs_cpu, 2),
                }
                redis_connection(app.config["REDIS_URL"]).flushdb()
    finally:
        sink.terminate()
        sink.wait(timeout=10)
    report["loadavg"] = os.getloadavg()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"create_profile_{args.label}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
