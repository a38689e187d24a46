"""Dashboard benchmark on PostgreSQL: bulk-load N tickets over a year with their history (keyword changes,
escalations, first responses, resolutions, breaches), build the rollups, then time every dashboard page through
the real Flask views (template included) and check the rollups against direct counts.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/h_figures BENCH_REDIS_URL=redis://127.0.0.1:6379/6 \\
        python bench/reports_bench.py --n 1000000

Tickets follow a help desk's usual shape rather than uniform noise: a few keywords take most tickets (Zipf), the
keyword decides service and entry tier, most tickets come through the web form, and the backlog is recent (a
ticket still open after a month is rare). The target database is emptied and rebuilt: never point it at real data."""

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text  # noqa: E402

from bench.sqltime import SqlClock, explain  # noqa: E402
from bench.tickets_bench import build_reference_data  # noqa: E402
from helpdesk import create_app  # noqa: E402
from helpdesk.platform.extensions import db  # noqa: E402
from helpdesk.platform.timeutil import utcnow  # noqa: E402
from helpdesk.reports import rollups  # noqa: E402
from helpdesk.reports.models import RollupState, TicketRollup  # noqa: E402
from helpdesk.tickets.models import Ticket  # noqa: E402
from helpdesk.tickets.search import install_search  # noqa: E402
from helpdesk.users.models import Profile, Role, User  # noqa: E402
from helpdesk.users.passwords import hash_password  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
PASSWORD = "bench-Password-2026"
CHANNELS = ["web"] * 80 + ["phone"] * 10 + ["mail"] * 7 + ["diagnostic"] * 2 + ["api"]
NEXT_TIER = {"n1": "edulab", "edulab": "pilote", "pilote": "editeur"}
TICKET_COLUMNS = (
    "id", "reference", "type", "status", "is_open", "tier", "entry_tier", "service", "keyword_id", "priority", "subject",
    "description", "extra_fields", "channel", "school_id", "basin_id", "requester_id", "created_by_id", "contact_name",
    "contact_email", "contact_phone", "has_reached_vendor", "vendor_reference", "evolution_status",
    "created_at", "updated_at", "first_response_at", "first_response_due_at", "resolved_at", "closed_at",
    "resolution_due_at", "version",
)  # fmt: skip
EVENT_COLUMNS = ("ticket_id", "actor_id", "kind", "from_value", "to_value", "reason", "data", "created_at", "audience")


def bulk_load(session, n, schools, requesters, keywords, seed=14):
    """COPY n tickets, their creation/keyword/tier events and a few SLA breaches."""
    rng = random.Random(seed)
    now = utcnow()
    weights = [1 / (rank + 1) for rank in range(len(keywords))]  # Zipf: the first keywords take most tickets
    rng.shuffle(weights)
    kws = [(k.id, k.ticket_type, k.service, k.priority, k.label, k.tier if k.tier != "editeur" else "pilote") for k in keywords]
    people = [(u.id, u.full_name, u.email, u.school.id, u.school.basin_id) for u in requesters]
    session.commit()
    start_id = 1
    raw = session.connection().connection.driver_connection
    breaches = []
    started = time.perf_counter()
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY ticket ({', '.join(TICKET_COLUMNS)}) FROM STDIN") as copy:
            events = []
            for offset in range(n):
                ticket_id = start_id + offset
                person_id, name, email, school_id, basin_id = people[rng.randrange(len(people))]
                keyword_id, ticket_type, service, priority, label, tier = rng.choices(kws, weights)[0]
                age_minutes = rng.randrange(0, 60 * 24 * 365)
                created = now - timedelta(minutes=age_minutes)
                age_days = age_minutes / 1440
                is_open = rng.random() < (0.6 if age_days < 7 else 0.15 if age_days < 30 else 0.01)
                current = tier
                if rng.random() < 0.15 and tier in NEXT_TIER:
                    current = NEXT_TIER[tier]
                    events.append(
                        (ticket_id, None, "escalated", tier, current, "Hors de portée", "{}", created + timedelta(hours=3))
                    )
                if rng.random() < 0.05:
                    wrong = kws[rng.randrange(len(kws))][4]
                    events.append(
                        (ticket_id, None, "keyword_changed", wrong, label, "Mot-clé inadapté", "{}", created + timedelta(hours=1))
                    )
                events.append((ticket_id, person_id, "created", "", tier, "", "{}", created))
                fr_due = created + timedelta(hours=rng.choice((4, 8, 24)))
                res_due = created + timedelta(days=rng.choice((2, 5, 10)))
                responded = (
                    None if is_open and rng.random() < 0.5 else min(created + timedelta(hours=rng.expovariate(1 / 6)), now)
                )
                resolved = None if is_open else min(created + timedelta(days=rng.expovariate(1 / 3)), now)
                if resolved and rng.random() < 0.03:
                    breaches.append((ticket_id, "resolution", current, res_due, res_due))
                copy.write_row(
                    (
                        ticket_id, f"ENT-{created.year}-{ticket_id:07d}", ticket_type, "taken" if is_open else "closed", is_open,
                        current, tier, service, keyword_id, priority, f"{label} : ticket {ticket_id}", "Bonjour, merci.", "{}",
                        CHANNELS[rng.randrange(len(CHANNELS))], school_id, basin_id, person_id, person_id, name, email, "",
                        current == "editeur", "", "", created, resolved or responded or created, responded, fr_due,
                        resolved, resolved, res_due, 1,
                    )
                )  # fmt: skip
        with cursor.copy(f"COPY ticket_event ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
            for row in events:
                copy.write_row((*row, "internal"))
        with cursor.copy("COPY sla_breach (ticket_id, kind, tier, due_at, applied_at, action) FROM STDIN") as copy:
            for ticket_id, kind, tier, due, applied in breaches:
                copy.write_row((ticket_id, kind, tier, due, applied, "notified"))
    raw.commit()
    session.execute(text("SELECT setval(pg_get_serial_sequence('ticket', 'id'), (SELECT max(id) FROM ticket))"))
    session.commit()
    elapsed = time.perf_counter() - started
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in ("ticket", "ticket_event", "sla_breach"):
            connection.execute(text(f"VACUUM ANALYZE {table}"))
    return elapsed, len(events)


def _people(session, schools):
    pilot = User(
        email="chiffres.pilote@bench.example",
        full_name="Pilote des chiffres",
        profile="autre",
        password_hash=hash_password(PASSWORD),
    )
    pilot.set_roles([Role.PILOTE])
    head = User(
        email="principal@bench.example",
        full_name="Principal",
        profile=Profile.CHEF_ETABLISSEMENT,
        school=schools[0],
        password_hash=hash_password(PASSWORD),
    )
    head.set_roles([Role.REQUESTER])
    session.add_all([pilot, head])
    session.commit()
    return pilot.email, head.email


def _timed_pages(app, email, urls, runs):
    with app.app_context():
        engine = db.engine
        clock = SqlClock(engine)
    client = app.test_client()
    response = client.post("/connexion", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    timings = {}
    for name, url in urls.items():
        first = client.get(url)
        assert first.status_code == 200, (url, first.status_code, first.get_data(as_text=True)[:500])
        durations, cpu, sql = [], [], []
        for _ in range(runs):
            clock.reset()
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            response.get_data()
            durations.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            sql.append(clock.seconds * 1000)
        durations.sort()
        cpu.sort()
        sql.sort()
        clock.reset()
        client.get(url).get_data()
        database = explain(engine, clock.captured, jit_off=True)
        timings[name] = {
            "url": url,
            "median_ms": round(statistics.median(durations), 1),
            "p95_ms": round(durations[int(0.95 * (len(durations) - 1))], 1),
            # CPU time of the web process alone (Python, templates; not the database's): what the page costs
            # when the machine is shared and wall times wait for a core.
            "cpu_p95_ms": round(cpu[int(0.95 * (len(cpu) - 1))], 1),
            # Time waiting on the database driver (statement execution and fetch), and statements per page.
            "sql_median_ms": round(statistics.median(sql), 1),
            "sql_p95_ms": round(sql[int(0.95 * (len(sql) - 1))], 1),
            "statements": clock.statements,
            # PostgreSQL's own time for the page's SELECTs, run again under EXPLAIN ANALYZE.
            "pg_planning_ms": database["planning_ms"],
            "pg_execution_ms": database["execution_ms"],
            "pg_slowest_ms": database["slowest_ms"],
            "pg_slowest": database["slowest"],
            "load_average": round(os.getloadavg()[0], 1),
        }
        t = timings[name]
        print(
            f"{name}: median {t['median_ms']} ms, p95 {t['p95_ms']} ms, cpu p95 {t['cpu_p95_ms']} ms, "
            f"sql median {t['sql_median_ms']} p95 {t['sql_p95_ms']} ms ({t['statements']} statements), "
            f"pg plan {t['pg_planning_ms']} exec {t['pg_execution_ms']} ms, load {t['load_average']}",
            file=sys.stderr,
        )
    return timings


def _time_refresh(session, args, report):
    rng = random.Random(3)
    ids = [rng.randrange(1, args.n + 1) for _ in range(args.changes)]
    now = utcnow()
    session.execute(
        text(
            "INSERT INTO ticket_event (ticket_id, kind, from_value, to_value, reason, data, created_at, audience) "
            "SELECT id, 'status_changed', 'taken', 'resolved', 'bench', '{}', :now, 'internal' FROM ticket WHERE id = ANY(:ids)"
        ),
        {"ids": ids, "now": now},
    )
    session.commit()
    started = time.perf_counter()
    changed_days = rollups.refresh(session, now=now + timedelta(seconds=1))
    session.commit()
    report["refresh_after_changes"] = {
        "tickets_changed": args.changes,
        "days_recomputed": changed_days,
        "seconds": round(time.perf_counter() - started, 1),
    }
    rollups.refresh(session, now=now + timedelta(minutes=10))  # still within the overlap: the same days again
    session.commit()
    started = time.perf_counter()
    rollups.refresh(session, now=now + timedelta(minutes=11))  # nothing changed since
    session.commit()
    report["refresh_idle_ms"] = round((time.perf_counter() - started) * 1000, 1)
    print(f"refresh: {report['refresh_after_changes']}, idle {report['refresh_idle_ms']} ms", file=sys.stderr)


def _prepare(app, args, report):
    """Load (or reuse) the tickets, rebuild the rollups, check them, time the refresh job; returns the two logins."""
    with app.app_context():
        session = db.session
        if args.reuse:  # the rollup tables as the code defines them now, the tickets as they are
            for model in (TicketRollup, RollupState):
                model.__table__.drop(db.engine, checkfirst=True)
                model.__table__.create(db.engine)
            pilot_email, head_email = "chiffres.pilote@bench.example", "principal@bench.example"
            args.n = session.scalar(select(func.count(Ticket.id)))
            report["n"] = args.n
        else:
            db.drop_all()
            db.create_all()
            install_search(db.engine)
            schools, requesters, _agents, keywords = build_reference_data(session)
            pilot_email, head_email = _people(session, schools)
            load_seconds, events = bulk_load(session, args.n, schools, requesters, keywords)
            report.update(bulk_load_seconds=round(load_seconds, 1), events=events)
            print(f"loaded {args.n} tickets and {events} events in {load_seconds:.0f} s", file=sys.stderr)

        started = time.perf_counter()
        days = rollups.rebuild(session, now=utcnow())
        session.commit()
        report["rollup_rebuild_seconds"] = round(time.perf_counter() - started, 1)
        report["rollup_days"] = days
        report["rollup_rows"] = dict(session.execute(select(TicketRollup.grain, func.count()).group_by(TicketRollup.grain)).all())
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE report_ticket_rollup"))
        print(f"rollups rebuilt in {report['rollup_rebuild_seconds']} s: {report['rollup_rows']}", file=sys.stderr)

        # The figures match a direct count.
        in_months = (TicketRollup.grain == "month", TicketRollup.cuboid == "channel")  # any level sums to the same
        opened = session.scalar(select(func.sum(TicketRollup.opened)).where(*in_months))
        still_open = session.scalar(select(func.sum(TicketRollup.still_open)).where(*in_months))
        per_school = session.scalar(
            select(func.sum(TicketRollup.opened)).where(TicketRollup.grain == "day", TicketRollup.cuboid == "school_full")
        )
        report["check"] = {
            "rollup_opened": int(opened),
            "rollup_opened_per_school": int(per_school),
            "tickets": session.scalar(select(func.count(Ticket.id))),
            "rollup_still_open": int(still_open),
            "open_tickets": session.scalar(select(func.count(Ticket.id)).where(Ticket.is_open.is_(True))),
        }
        assert report["check"]["rollup_opened"] == report["check"]["tickets"], report["check"]
        assert report["check"]["rollup_opened_per_school"] == report["check"]["tickets"], report["check"]
        assert report["check"]["rollup_still_open"] == report["check"]["open_tickets"], report["check"]

        # The refresh job after a burst of changes spread over the year.
        if args.changes:
            _time_refresh(session, args, report)
        db.session.remove()
    return pilot_email, head_email


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="tickets to bulk-load (default 100000)")
    parser.add_argument("--runs", type=int, default=40, help="timed requests per page (default 40)")
    parser.add_argument("--changes", type=int, default=1000, help="tickets changed before timing the refresh job (0: none)")
    parser.add_argument("--reuse", action="store_true", help="keep the tickets already loaded: rebuild the rollups and time")
    parser.add_argument("--pages-only", action="store_true", help="keep tickets and rollups as they are: time the pages")
    parser.add_argument("--label", default="", help="suffix of the results file (bench/results/reports_<n><label>.json)")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/h_figures")
    config = {
        "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
        "HELPDESK_DATA_DIR": tempfile.mkdtemp(prefix="reports-bench-"),
        "SECRET_KEY": "bench",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", ""),
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": False,  # the bench signs in through the login form without a browser
    }
    app = create_app(config)
    report = {"n": args.n}
    if args.pages_only:
        pilot_email, head_email = "chiffres.pilote@bench.example", "principal@bench.example"
    else:
        pilot_email, head_email = _prepare(app, args, report)

    today = utcnow().date()
    last_90 = f"du={(today - timedelta(days=89)).isoformat()}&au={today.isoformat()}"
    last_30 = f"du={(today - timedelta(days=29)).isoformat()}&au={today.isoformat()}&pas=jour"
    year = f"du={(today - timedelta(days=364)).isoformat()}&au={today.isoformat()}&pas=mois"
    weeks_year = f"du={(today - timedelta(days=364)).isoformat()}&au={today.isoformat()}&pas=semaine"
    pages = {
        "volumes_default": "/pilotage/chiffres/",
        "volumes_30_days_by_day": f"/pilotage/chiffres/volumes?{last_30}",
        "volumes_year_by_month": f"/pilotage/chiffres/volumes?{year}",
        "volumes_year_by_week_per_keyword": f"/pilotage/chiffres/volumes?{weeks_year}&ventilation=mot_cle",
        "volumes_per_school": f"/pilotage/chiffres/volumes?{last_90}&ventilation=etablissement",
        "volumes_per_school_one_service": f"/pilotage/chiffres/volumes?{last_90}&ventilation=etablissement&service=messagerie",
        "volumes_per_school_page_5": f"/pilotage/chiffres/volumes?{last_90}&ventilation=etablissement&lignes_repartition=5",
        "volumes_per_school_phone": f"/pilotage/chiffres/volumes?{last_90}&ventilation=etablissement&canal=phone",
        "volumes_one_basin": f"/pilotage/chiffres/volumes?{last_90}&bassin=1&ventilation=canal",
        "sla_default": "/pilotage/chiffres/delais",
        "sla_year_by_month": f"/pilotage/chiffres/delais?{year}",
        "routing_default": "/pilotage/chiffres/orientation",
        "routing_year_by_month": f"/pilotage/chiffres/orientation?{year}",
        "deflection_default": "/pilotage/chiffres/autonomie",
        "satisfaction_default": "/pilotage/chiffres/satisfaction",
        "export_volumes_csv": f"/pilotage/chiffres/volumes/volumes.csv?{last_90}",
        "journal": "/pilotage/journal/",
    }
    report["pilot_pages"] = _timed_pages(app, pilot_email, pages, args.runs)
    head_pages = {
        "head_volumes_default": "/pilotage/chiffres/",
        "head_volumes_30_days_by_day": f"/pilotage/chiffres/volumes?{last_30}",
        "head_volumes_year_by_week_per_keyword": f"/pilotage/chiffres/volumes?{weeks_year}&ventilation=mot_cle",
        "head_sla_year_by_month": f"/pilotage/chiffres/delais?{year}",
        "head_routing_default": "/pilotage/chiffres/orientation",
    }
    report["head_pages"] = _timed_pages(app, head_email, head_pages, args.runs)
    RESULTS.mkdir(exist_ok=True)
    name = "pages" if args.pages_only else args.n
    (RESULTS / f"reports_{name}{args.label}.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
