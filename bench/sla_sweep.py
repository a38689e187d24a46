"""Benchmark the SLA sweep on PostgreSQL: 1,000,000 open tickets, 1,000 of them due.

Plain script (not a test):

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/h_sla python bench/sla_sweep.py

It DROPS and recreates every table of that database and FLUSHES its Redis database (BENCH_REDIS_URL, by default
an embedded Redis under BENCH_DATA_DIR). It measures, for the same 1,000 due tickets:

1. the selection of the due rows (EXPLAIN ANALYZE and wall time);
2. the sweep job itself (`escalation.jobs.sweep`: selection plus the fan-out of one check job per batch of due
   tickets (`escalation.jobs.CHECK_BATCH`) in one Redis pipeline), then a second sweep before any worker ran (nothing
   is queued twice);
3. the time for the queued check jobs to be applied by one RQ SimpleWorker in this process (statements per
   breach counted), then, after resetting the 1,000 tickets, by BENCH_WORKERS worker processes (default "2");
4. the per-breach cost (the jobs' own run time, from RQ's started_at / ended_at), and the loop the previous
   version of this script timed (apply_due and a commit per ticket, one session), for comparison.

Worker processes run RQ's SimpleWorker; BENCH_WORKER_CLASS=SimpleWorker,Worker also measures RQ's forking
Worker (a work horse forked per job, as `python -m worker` runs). Numbers go to stdout and
bench/results/sla_sweep.json."""

import json
import multiprocessing
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, text  # noqa: E402

from escalation import jobs, seed  # noqa: E402
from escalation.clocks import due_checks  # noqa: E402
from helpdesk import create_app  # noqa: E402
from helpdesk.platform import jobcontext
from helpdesk.platform.extensions import db  # noqa: E402
from helpdesk.platform.queue import get_queue, redis_connection  # noqa: E402
from helpdesk.users.models import Role  # noqa: E402
from tests.factories import KeywordFactory, SchoolFactory, UserFactory  # noqa: E402

TOTAL = int(os.environ.get("BENCH_TICKETS", 1_000_000))
DUE = int(os.environ.get("BENCH_DUE", 1_000))
NOW = datetime(2026, 11, 18, 12, tzinfo=UTC)  # a Wednesday
RESULTS = Path(__file__).resolve().parent / "results"


def _config() -> dict:
    url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/h_sla")
    config = {
        "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
        "HELPDESK_DATA_DIR": os.environ.get("BENCH_DATA_DIR", "/tmp/sla-bench"),
        "SECRET_KEY": "bench",
    }
    if os.environ.get("BENCH_REDIS_URL"):
        config["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    return config


def _load(params) -> None:
    db.session.execute(
        text("""
        INSERT INTO ticket (id, reference, type, status, is_open, tier, entry_tier, service, keyword_id, priority,
            subject, description, extra_fields, channel, school_id, basin_id, requester_id, created_by_id,
            contact_name, contact_email, contact_phone, has_reached_vendor, vendor_reference,
            evolution_status, created_at, updated_at, version, resolution_due_at)
        SELECT g, 'B-' || g, 'incident', 'taken', true, 'n1', 'n1', 'messagerie', :kw, 'normal',
            'Bench', 'Bench', '{}', 'web', :school, :basin, :user, :user, '', '', '', false, '', '',
            :created, :created, 1,
            CASE WHEN g <= :due THEN CAST(:now AS timestamptz) - interval '1 minute'
                 ELSE CAST(:now AS timestamptz) + (g || ' minutes')::interval END
        FROM generate_series(1, :total) AS g"""),
        params,
    )
    db.session.execute(
        text("""
        INSERT INTO sla_clock (ticket_id, tier, tier_entered_at, warning_at, next_check_at, due_locked, on_breach)
        SELECT id, 'n1', created_at, resolution_due_at, resolution_due_at, false, 'escalate' FROM ticket""")
    )
    db.session.execute(
        text("INSERT INTO sla_tier_stint (ticket_id, tier, entered_at) SELECT id, 'n1', created_at FROM ticket WHERE id <= :due"),
        params,
    )
    db.session.execute(text("SELECT setval(pg_get_serial_sequence('ticket', 'id'), :total)"), params)


def _reset_due(params) -> None:
    """Put the due tickets back as they were before any breach was applied (for the next worker run)."""
    for statement in (
        "DELETE FROM sla_breach",
        "DELETE FROM notification",
        "DELETE FROM ticket_event",
        "DELETE FROM sla_tier_stint WHERE ticket_id <= :due",
        "INSERT INTO sla_tier_stint (ticket_id, tier, entered_at) SELECT id, 'n1', created_at FROM ticket WHERE id <= :due",
        "UPDATE ticket SET tier = 'n1', version = 1, updated_at = created_at, first_response_due_at = NULL, "
        "resolution_due_at = CAST(:now AS timestamptz) - interval '1 minute' WHERE id <= :due",
        "UPDATE sla_clock SET tier = 'n1', tier_entered_at = CAST(:created AS timestamptz), "
        "warning_at = CAST(:now AS timestamptz) - interval '1 minute', "
        "next_check_at = CAST(:now AS timestamptz) - interval '1 minute' WHERE ticket_id <= :due",
    ):
        db.session.execute(text(statement), params)
    db.session.commit()
    redis_connection().flushdb()


def _check_job_times(queue):
    """(tickets checked, first start, last end, mean and median run time per ticket) of the check jobs (one
    ticket each, or a batch of the sweep), from what RQ recorded."""
    ids = [i for i in queue.finished_job_registry.get_job_ids() if i.startswith("sla-check")]
    found = [job for job in queue.job_class.fetch_many(ids, connection=queue.connection, serializer=queue.serializer) if job]
    starts = [_aware(job.started_at) for job in found]
    ends = [_aware(job.ended_at) for job in found]
    sizes = [len(job.kwargs.get("ticket_ids", [None])) for job in found]
    runs = [(end - start).total_seconds() / size for start, end, size in zip(starts, ends, sizes, strict=True)]
    return sum(sizes), min(starts), max(ends), statistics.mean(runs), statistics.median(runs)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _worker_process(config, worker_class, ready, go, cpu):
    from rq import SimpleWorker, Worker
    from rq.serializers import JSONSerializer

    app = create_app(config)
    jobcontext.set_app(app)
    with app.app_context():
        connection = redis_connection()
    ready.set()
    go.wait()
    worker = (Worker if worker_class == "Worker" else SimpleWorker)(["default"], connection=connection, serializer=JSONSerializer)
    started = time.process_time()
    worker.work(burst=True, with_scheduler=False, logging_level="WARNING")
    # This process's CPU for the whole burst (check jobs, the mail jobs they queued, RQ's own work); a forking
    # Worker's work horses are its children.
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu.put(time.process_time() - started + children.ru_utime + children.ru_stime)


def main() -> None:
    config = _config()
    app = create_app(config)
    report = {"tickets": TOTAL, "due": DUE}
    with app.app_context():
        redis_connection().flushdb()
        db.drop_all()
        db.create_all()
        seed.seed_reference(db.session)
        school = SchoolFactory()
        user = UserFactory(school=school)
        # The people a breach tells: two agents of level 1 (the tier breached), two EduLAB referents of the basin
        # (the tier entered).
        for _ in range(2):
            UserFactory(roles=[Role.AGENT_N1])
            UserFactory(roles=[Role.EDULAB], basins=[school.basin])
        keyword = KeywordFactory(priority="normal", tier="n1")
        db.session.commit()
        params = {
            "total": TOTAL,
            "due": DUE,
            "kw": keyword.id,
            "school": school.id,
            "basin": school.basin_id,
            "user": user.id,
            "now": NOW,
            "created": NOW - timedelta(days=10),
        }
        started = time.perf_counter()
        _load(params)
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        report["load_seconds"] = round(time.perf_counter() - started, 1)
        print(f"inserted {TOTAL:,} tickets in {report['load_seconds']} s")

        plan = (
            db.session.execute(
                text(
                    "EXPLAIN (ANALYZE, BUFFERS) SELECT ticket_id, next_check_at FROM sla_clock WHERE next_check_at <= :now "
                    "ORDER BY next_check_at LIMIT 5000"
                ),
                {"now": NOW},
            )
            .scalars()
            .all()
        )
        db.session.commit()
        print("\n".join(plan))
        report["selection_plan"] = plan

        started = time.perf_counter()
        selected = due_checks(db.session, now=NOW)
        report["selection_ms"] = round((time.perf_counter() - started) * 1000, 1)
        db.session.commit()
        print(f"selection of {len(selected)} due rows: {report['selection_ms']} ms")

        queue = get_queue()
        started = time.perf_counter()
        handed = jobs.sweep(now=NOW.isoformat())
        report["sweep_job_ms"] = round((time.perf_counter() - started) * 1000, 1)
        queued = len([i for i in queue.job_ids if i.startswith("sla-check")])
        print(
            f"sweep job (selection + fan-out of {handed} due tickets in one pipeline): {report['sweep_job_ms']} ms; "
            f"{queued} check jobs queued"
        )
        started = time.perf_counter()
        jobs.sweep(now=NOW.isoformat())
        report["second_sweep_ms"] = round((time.perf_counter() - started) * 1000, 1)
        again = len([i for i in queue.job_ids if i.startswith("sla-check")])
        print(f"second sweep before any worker: {report['second_sweep_ms']} ms; still {again} jobs queued")

        # One SimpleWorker in this process; the statements of the check jobs (not of the mails they queue) counted.
        statements = []
        inside_check = []
        original_check = jobs.check_tickets

        def counted_check(*args, **kwargs):
            inside_check.append(True)
            try:
                return original_check(*args, **kwargs)
            finally:
                inside_check.clear()

        def listener(conn, cursor, statement, parameters, context, executemany):
            if inside_check:
                statements.append(statement)

        jobs.check_tickets = counted_check  # RQ resolves "escalation.jobs.check_tickets" when it runs the job
        event.listen(db.engine, "before_cursor_execute", listener)
        from rq import SimpleWorker
        from rq.serializers import JSONSerializer

        jobcontext.set_app(app)
        db.session.remove()
        started_wall = time.perf_counter()
        started_cpu = time.process_time()
        started = datetime.now(UTC)
        SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer).work(
            burst=True, with_scheduler=False, logging_level="WARNING"
        )
        wall = time.perf_counter() - started_wall
        burst_cpu = time.process_time() - started_cpu
        event.remove(db.engine, "before_cursor_execute", listener)
        jobs.check_tickets = original_check
        count, _first, last, mean_run, median_run = _check_job_times(queue)
        applied = db.session.scalar(text("SELECT count(*) FROM sla_breach WHERE kind = 'resolution'"))
        db.session.commit()
        one = {
            "tickets_checked": count,
            "breaches": applied,
            "seconds_to_last_check": round((last - started).total_seconds(), 2),
            "burst_seconds_all_jobs": round(wall, 2),
            "per_breach_ms_mean": round(mean_run * 1000, 1),
            "per_breach_ms_median": round(median_run * 1000, 1),
            "statements_per_ticket_checked": round(len(statements) / max(count, 1), 1),
            "statements_per_breach": round(len(statements) / max(applied, 1), 1),
            "cpu_ms_per_breach_all_jobs": round(burst_cpu / max(applied, 1) * 1000, 2),
            "notifications": db.session.scalar(text("SELECT count(*) FROM notification")),
        }
        report["one_worker_in_process"] = one
        print(
            f"1 SimpleWorker in process: {count} tickets checked ({applied} breaches) in "
            f"{one['seconds_to_last_check']} s; per breach {one['per_breach_ms_mean']} ms mean, "
            f"{one['per_breach_ms_median']} ms median; {one['statements_per_ticket_checked']} SQL statements per ticket "
            f"(the burst, mails included, took {one['burst_seconds_all_jobs']} s); "
            f"{one['statements_per_breach']} statements per breach; process CPU per breach, mail jobs and RQ included: "
            f"{one['cpu_ms_per_breach_all_jobs']} ms; {one['notifications']} notifications"
        )
        started = time.perf_counter()
        left = len(due_checks(db.session, now=NOW))
        db.session.commit()
        print(f"sweep selection after the workers: {left} rows in {(time.perf_counter() - started) * 1000:.1f} ms")
        report["due_after_workers"] = left

        counts = [int(n) for n in os.environ.get("BENCH_WORKERS", "2").split(",") if n.strip()]
        classes = [c.strip() for c in os.environ.get("BENCH_WORKER_CLASS", "SimpleWorker").split(",") if c.strip()]
        for worker_class, processes in [(c, n) for c in classes for n in counts]:
            _reset_due(params)
            context = multiprocessing.get_context("spawn")
            go = context.Event()
            readies = [context.Event() for _ in range(processes)]
            cpu = context.Queue()
            children = [context.Process(target=_worker_process, args=(config, worker_class, ready, go, cpu)) for ready in readies]
            for child in children:
                child.start()
            for ready in readies:
                ready.wait(120)
            jobs.sweep(now=NOW.isoformat())
            started = datetime.now(UTC)
            go.set()
            cpus = [cpu.get(timeout=600) for _ in children]
            for child in children:
                child.join()
            count, _first, last, mean_run, median_run = _check_job_times(queue)
            applied = db.session.scalar(text("SELECT count(*) FROM sla_breach WHERE kind = 'resolution'"))
            db.session.commit()
            entry = {
                "worker_class": worker_class,
                "tickets_checked": count,
                "breaches": applied,
                "seconds_to_last_check": round((last - started).total_seconds(), 2),
                "per_breach_ms_mean": round(mean_run * 1000, 1),
                "per_breach_ms_median": round(median_run * 1000, 1),
                "cpu_ms_per_breach_all_jobs": round(sum(cpus) / max(applied, 1) * 1000, 2),
            }
            report[f"{processes}_{worker_class}_processes"] = entry
            print(
                f"{processes} {worker_class} processes: {count} tickets checked ({applied} breaches) in "
                f"{entry['seconds_to_last_check']} s; per breach {entry['per_breach_ms_mean']} ms mean; "
                f"workers' CPU per breach, mail jobs and RQ included: {entry['cpu_ms_per_breach_all_jobs']} ms"
            )
        # The measure the previous version of this script made: apply_due in a loop, one session, a commit each.
        _reset_due(params)
        from escalation.clocks import apply_due

        ids = [ticket_id for ticket_id, _at in due_checks(db.session, now=NOW)]
        started = time.perf_counter()
        started_cpu = time.process_time()
        for ticket_id in ids:
            apply_due(db.session, ticket_id, now=NOW)
            db.session.commit()
        inline = time.perf_counter() - started
        report["inline_loop_cpu_ms_per_breach"] = round((time.process_time() - started_cpu) / max(len(ids), 1) * 1000, 2)
        report["inline_loop_seconds"] = round(inline, 2)
        report["inline_loop_per_breach_ms"] = round(inline / max(len(ids), 1) * 1000, 1)
        print(
            f"inline loop as the old sweep did (apply_due + commit, one session): {inline:.2f} s, "
            f"{report['inline_loop_per_breach_ms']} ms per breach, CPU {report['inline_loop_cpu_ms_per_breach']} ms "
            "(no mail sent: the jobs it queues are not run)"
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "sla_sweep.json").write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
