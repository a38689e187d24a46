"""Queue benchmark on PostgreSQL: every sort of the queue, both directions, first page, a page 5,000 rows deep and
the page before it (keyset.page, 25 tickets as ORM objects), then the whole queue page through the real view
(filters, tab counts capped at 10,000, saved views, bulk lists, template) for a level-1 agent.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/h_queue_bench python bench/queue_bench.py --n 1000000

Tickets are loaded by bench/tickets_bench.py's COPY (≈ 30 % open, due dates over ± 10 days, 10 % without one,
a quarter of the tier at level 1), then a third of the open ones are given to one of 20 level-1 agents and their
last activity spread over 30 days. --reuse keeps tickets already loaded (by this bench, or by
bench/reports_bench.py: its agents are then added and given their third of the open tickets). The target database is emptied and
rebuilt without --reuse: never point it at real data."""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text  # noqa: E402

from bench.sqltime import SqlClock, explain  # noqa: E402
from bench.tickets_bench import RESULTS, build_reference_data, bulk_load  # noqa: E402
from helpdesk import create_app  # noqa: E402
from helpdesk.platform.extensions import db  # noqa: E402
from helpdesk.platform.timeutil import utcnow  # noqa: E402
from helpdesk.tickets import keyset, queries  # noqa: E402
from helpdesk.tickets.models import Ticket  # noqa: E402
from helpdesk.tickets.search import install_search  # noqa: E402
from helpdesk.users.models import Role, User  # noqa: E402
from helpdesk.users.passwords import hash_password  # noqa: E402

PASSWORD = "bench-queue-2026"
AGENT = "file.n1@bench.example"
DEPTH = 5000


def _prepare(session, n):
    started = time.perf_counter()
    db.drop_all()
    db.create_all()
    install_search(db.engine)
    schools, requesters, _agents, keywords = build_reference_data(session)
    seconds = bulk_load(session, n, schools, requesters, keywords)
    print(f"{n} tickets loaded in {seconds:.0f} s", file=sys.stderr)
    _give_tickets_to_agents(session)
    print(f"prepared in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def _give_tickets_to_agents(session):
    """20 level-1 agents and the measured one; a third of the open tickets taken by one of them."""
    agents = []
    for i in range(20):
        user = User(email=f"n1.{i}@bench.example", full_name=f"Agent N1 {i:02d}", profile="autre", password_hash="x")
        user.set_roles([Role.AGENT_N1])
        agents.append(user)
    me = User(email=AGENT, full_name="Agent de la file", profile="autre", password_hash=hash_password(PASSWORD))
    me.set_roles([Role.AGENT_N1])
    session.add_all([*agents, me])
    session.commit()
    ids = [a.id for a in agents] + [me.id]
    session.execute(
        text(
            "UPDATE ticket SET assignee_id = (:ids)[1 + (id % :k)], status = 'taken', "
            "updated_at = now() - ((id % 43200) * interval '1 minute') WHERE is_open AND id % 3 = 0"
        ),
        {"ids": ids, "k": len(ids)},
    )
    session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE ticket"))


def _stats(durations):
    durations = sorted(durations)
    return {"median_ms": round(statistics.median(durations), 2), "p95_ms": round(durations[int(0.95 * (len(durations) - 1))], 2)}


def _time_pages(session, user, runs):
    """keyset.page for each sort × direction: first page, deep page (after a cursor), the page before it."""
    results = {}
    stmt = queries.filtered(session, user, queries.Filters(tier="n1", status="open"), now=utcnow())
    for name in keyset.SORT_KEYS:
        for direction in (keyset.ASC, keyset.DESC):
            sort = keyset.Sort.parse(name, direction)
            # The cursor of row DEPTH, found by walking the pages as an agent would (200 at a time).
            cursor, walked = None, 0
            while walked < DEPTH:
                found = keyset.page(session, stmt, sort, after=cursor, limit=200)
                cursor, walked = found.next_cursor, walked + 200
            entry = {}
            for label, kwargs in (("first", {}), ("deep_next", {"after": cursor}), ("deep_previous", {"before": cursor})):
                durations = []
                for _ in range(runs):
                    started = time.perf_counter()
                    found = keyset.page(session, stmt.options(*queries.QUEUE_ROW_LOADS), sort, limit=queries.PAGE_SIZE, **kwargs)
                    [(t.school.basin.name, t.assignee) for t in found.tickets]
                    durations.append((time.perf_counter() - started) * 1000)
                    session.rollback()
                entry[label] = _stats(durations)
            results[f"{name}_{direction}"] = entry
            print(f"{name} {direction}: {entry}", file=sys.stderr)
    return results


def _time_views(app, runs):
    with app.app_context():
        engine = db.engine
        clock = SqlClock(engine)
    client = app.test_client()
    response = client.post("/connexion", data={"email": AGENT, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    urls = {
        "default_new": "/tickets/file",
        "open_by_due": "/tickets/file?statut=open",
        "mine": "/tickets/file?statut=open&porteur=moi",
    }
    urls |= {
        f"open_{name}_{d}": f"/tickets/file?statut=open&tri={name}&ordre={d}"
        for name in keyset.SORT_KEYS
        for d in ("asc", "desc")
    }
    urls |= {
        "overdue_phone": "/tickets/file?statut=open&retard=1&canal=phone",
        "search": "/tickets/file?statut=open&q=cahier+textes",
    }
    timings = {}
    for name, url in urls.items():
        assert client.get(url).status_code == 200, url
        durations, cpu, sql = [], [], []
        for _ in range(runs):
            clock.reset()
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(url).get_data()
            durations.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            sql.append(clock.seconds * 1000)
        statements = clock.statements
        clock.reset()
        client.get(url).get_data()
        database = explain(engine, clock.captured, jit_off=False)
        timings[name] = _stats(durations) | {
            "cpu_p95_ms": _stats(cpu)["p95_ms"],
            "sql_median_ms": _stats(sql)["median_ms"],
            "statements": statements,
            # PostgreSQL's own time for the page's SELECTs, run again under EXPLAIN ANALYZE.
            "pg_planning_ms": database["planning_ms"],
            "pg_execution_ms": database["execution_ms"],
            "pg_slowest_ms": database["slowest_ms"],
            "pg_slowest": database["slowest"],
            "load": round(os.getloadavg()[0], 1),
        }
        print(f"view {name}: {timings[name]}", file=sys.stderr)
    return timings


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="tickets to bulk-load (default 100000)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per measure")
    parser.add_argument("--reuse", action="store_true", help="keep the tickets already loaded")
    parser.add_argument("--views-only", action="store_true", help="with --reuse: time the queue pages only")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/h_queue_bench")
    config = {
        "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
        "HELPDESK_DATA_DIR": tempfile.mkdtemp(prefix="queue-bench-"),
        "SECRET_KEY": "bench",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", ""),
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": False,
    }
    app = create_app(config)
    with app.app_context():
        session = db.session
        if not args.reuse:
            _prepare(session, args.n)
        elif session.scalar(select(User.id).where(User.email == AGENT)) is None:
            _give_tickets_to_agents(session)  # tickets loaded by another bench (bench/reports_bench.py)
        user = session.scalar(select(User).where(User.email == AGENT))
        report = {
            "n": session.scalar(select(func.count()).select_from(Ticket)),
            "open_n1": session.scalar(select(func.count()).where(Ticket.tier == "n1", Ticket.is_open.is_(True))),
        }
        if not args.views_only:
            report["pages"] = _time_pages(session, user, args.runs)
        session.remove()
    report["views"] = _time_views(app, args.runs)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"queue_{report['n']}{'_views' if args.views_only else ''}.json").write_text(
        json.dumps(report, indent=2), encoding="utf-8"
    )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
