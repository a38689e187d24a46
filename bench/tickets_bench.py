"""Ticket volume benchmark on PostgreSQL: bulk-load N tickets with COPY, then measure creation through
services.open_ticket and queue listing latency (first page and a deep keyset page), saving EXPLAIN ANALYZE.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/h_tickets python bench/tickets_bench.py --n 100000

Creation is the full use case, one web-like transaction per ticket: a fresh session loads the requester and
the keyword, open_ticket writes the ticket, its audit event, its SLA clock (the SLA reference data is seeded,
as `flask seed` does; --no-sla leaves it out) and the requester's notification, then the commit sends the
timer and the mail job to Redis. It runs serially, then with --threads (one connection each) and
--processes (one process and connection each) working at the same time.

The target database is emptied and rebuilt and the Redis database (BENCH_REDIS_URL, by default an embedded
Redis in a temporary directory) is flushed: never point them at real data."""

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

from sqlalchemy import select, text  # noqa: E402

from helpdesk import create_app  # noqa: E402
from helpdesk.organisation.models import Academie, Basin, School  # noqa: E402
from helpdesk.platform.extensions import db  # noqa: E402
from helpdesk.platform.timeutil import utcnow  # noqa: E402
from helpdesk.tickets import keyset, queries, services  # noqa: E402
from helpdesk.tickets.models import Ticket  # noqa: E402
from helpdesk.tickets.search import install_search  # noqa: E402
from helpdesk.tickets.seed import _ensure_keywords  # noqa: E402
from helpdesk.users.models import Role, User  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
TIERS = ["n1"] * 25 + ["edulab"] * 50 + ["pilote"] * 20 + ["editeur"] * 5
STATUSES_OPEN = ["new", "taken", "waiting_requester", "taken"]
WORDS = (
    "messagerie agenda rubrique cahier textes élèves parents sondage import emploi temps compte mot passe "
    "classeur médiacentre manuel connexion lenteur erreur affichage formulaire page accueil"
).split()


def build_reference_data(session, basins=10, schools_per_basin=50):
    academie = Academie(code="bench", name="Académie de Toulouse")
    session.add(academie)
    basin_rows = [Basin(academie=academie, name=f"Bassin {b}", department="031") for b in range(basins)]
    session.add_all(basin_rows)
    session.flush()
    schools = []
    for basin in basin_rows:
        for s in range(schools_per_basin):
            schools.append(
                School(
                    uai=f"{9000000 + len(schools):07d}A",
                    name=f"Collège {basin.name} {s}",
                    type="college",
                    town="Toulouse",
                    basin=basin,
                )
            )
    session.add_all(schools)
    session.flush()
    requesters = []
    for school in schools:
        user = User(
            email=f"prof{school.id}@bench.example",
            full_name=f"Prof {school.id}",
            profile="enseignant",
            password_hash="x",
            school=school,
        )
        user.set_roles([Role.REQUESTER])
        requesters.append(user)
    session.add_all(requesters)
    agents = {}
    for role, basins_followed in ((Role.AGENT_N1, []), (Role.EDULAB, basin_rows[:2]), (Role.PILOTE, []), (Role.EDITEUR, [])):
        user = User(email=f"{role}@bench.example", full_name=str(role), profile="autre", password_hash="x")
        user.set_roles([role])
        user.basins = list(basins_followed)
        session.add(user)
        agents[role] = user
    session.flush()
    keywords = _ensure_keywords(session)
    session.commit()
    return schools, requesters, agents, keywords


def bulk_load(session, n, schools, requesters, keywords):
    """COPY n tickets: ~30 % open, due dates spread over ±10 days (10 % without one)."""
    rng = random.Random(42)
    now = utcnow()
    columns = (
        "id",
        "reference",
        "type",
        "status",
        "is_open",
        "tier",
        "entry_tier",
        "service",
        "keyword_id",
        "priority",
        "subject",
        "description",
        "extra_fields",
        "channel",
        "school_id",
        "basin_id",
        "requester_id",
        "created_by_id",
        "contact_name",
        "contact_email",
        "contact_phone",
        "has_reached_vendor",
        "vendor_reference",
        "evolution_status",
        "created_at",
        "updated_at",
        "resolution_due_at",
        "version",
    )
    start_id = (session.scalar(select(db.func.max(Ticket.id))) or 0) + 1
    # Plain values read before COPY starts: a lazy load during COPY would wait on the busy connection forever.
    people = [(u.id, u.full_name, u.email, u.school.id, u.school.basin_id) for u in requesters]
    kws = [(k.id, k.ticket_type, k.service, k.priority, k.label) for k in keywords]
    session.commit()
    raw = session.connection().connection.driver_connection
    started = time.perf_counter()
    with raw.cursor() as cursor, cursor.copy(f"COPY ticket ({', '.join(columns)}) FROM STDIN") as copy:
        for offset in range(n):
            ticket_id = start_id + offset
            person_id, person_name, person_email, school_id, basin_id = people[rng.randrange(len(people))]
            keyword_id, ticket_type, service, priority, label = kws[rng.randrange(len(kws))]
            tier = TIERS[rng.randrange(len(TIERS))]
            is_open = rng.random() < 0.3
            created = now - timedelta(minutes=rng.randrange(0, 60 * 24 * 365))
            due = None if rng.random() < 0.1 else now + timedelta(minutes=rng.randrange(-60 * 24 * 10, 60 * 24 * 10))
            words = " ".join(rng.choice(WORDS) for _ in range(6))
            copy.write_row(
                (
                    ticket_id,
                    f"ENT-{created.year}-{ticket_id:06d}",
                    ticket_type,
                    rng.choice(STATUSES_OPEN) if is_open else "closed",
                    is_open,
                    tier,
                    tier,
                    service,
                    keyword_id,
                    priority,
                    f"{label} : {words[:60]}",
                    f"Bonjour, {words}. Merci.",
                    "{}",
                    "web",
                    school_id,
                    basin_id,
                    person_id,
                    person_id,
                    person_name,
                    person_email,
                    "",
                    tier == "editeur",
                    "",
                    "",
                    created,
                    created,
                    due,
                    1,
                )
            )
    raw.commit()
    session.execute(text("SELECT setval(pg_get_serial_sequence('ticket', 'id'), (SELECT max(id) FROM ticket))"))
    session.commit()
    elapsed = time.perf_counter() - started
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE ticket"))
    return elapsed


def bulk_messages(session, per_ticket=3, first_ticket_id=1):
    """COPY about `per_ticket` public messages per ticket from `first_ticket_id` on (1 to 2 × per_ticket − 1 each,
    deterministic), by the requester or a level-1 agent: the timeline a ticket page renders. Returns how many."""
    rng = random.Random(7)
    session.commit()
    tickets = session.execute(
        text("SELECT id, requester_id, created_at FROM ticket WHERE id >= :first ORDER BY id"), {"first": first_ticket_id}
    ).all()
    agents = session.scalars(select(User.id).where(User.school_id.is_(None)).order_by(User.id)).all() or [tickets[0][1]]
    start_id = (session.scalar(text("SELECT max(id) FROM ticket_message")) or 0) + 1
    raw = session.connection().connection.driver_connection
    written = 0
    with (
        raw.cursor() as cursor,
        cursor.copy("COPY ticket_message (id, ticket_id, author_id, body, kind, audience, created_at) FROM STDIN") as copy,
    ):
        for ticket_id, requester_id, created in tickets:
            for i in range(rng.randrange(1, 2 * per_ticket)):
                author = requester_id if i % 2 else agents[rng.randrange(len(agents))]
                words = " ".join(rng.choice(WORDS) for _ in range(12))
                copy.write_row((start_id + written, ticket_id, author, f"Bonjour, {words}. Cordialement.", "reply",
                                "public", created + timedelta(hours=i + 1)))  # fmt: skip
                written += 1
    raw.commit()
    session.execute(text("SELECT setval(pg_get_serial_sequence('ticket_message', 'id'), (SELECT max(id) FROM ticket_message))"))
    session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE ticket_message"))
    return written


def add_volume(session, n, messages_per_ticket=3):
    """A seeded (`flask seed --demo`) database grows by n tickets of its own people and keywords, with their
    messages: the peer's volume (100,000 tickets, about 3 follow-ups each) in our schema."""
    from helpdesk.routing.models import Keyword

    requesters = session.scalars(select(User).where(User.school_id.is_not(None)).order_by(User.id)).all()
    keywords = session.scalars(select(Keyword).where(Keyword.is_active.is_(True)).order_by(Keyword.id)).all()
    first = (session.scalar(select(db.func.max(Ticket.id))) or 0) + 1
    bulk_load(session, n, None, requesters, keywords)
    return bulk_messages(session, messages_per_ticket, first_ticket_id=first)


def _create(requester_ids, keyword_ids, count, seed_value):
    """One web request per ticket: a fresh session loads the requester and the keyword, opens, commits."""
    from helpdesk.routing.models import Keyword
    from helpdesk.users.models import User

    rng = random.Random(seed_value)
    db.session.remove()
    for i in range(count):
        session = db.session
        requester = session.get(User, requester_ids[rng.randrange(len(requester_ids))])
        keyword = session.get(Keyword, keyword_ids[rng.randrange(len(keyword_ids))])
        services.open_ticket(
            session,
            actor=requester,
            keyword=keyword,
            subject=f"Création mesurée {seed_value}-{i}",
            description="Le cahier de textes n'affiche plus les séances.",
            now=utcnow(),
        )
        session.commit()  # one transaction per ticket, as in the web form
        db.session.remove()


def measure_creation(app, requester_ids, keyword_ids, count, threads=1):
    """Tickets per second with `threads` threads, each with its own app context, session and connection."""
    import threading

    if threads == 1:
        started = time.perf_counter()
        _create(requester_ids, keyword_ids, count, 7)
        return count / (time.perf_counter() - started)
    barrier = threading.Barrier(threads + 1)

    def run(n):
        with app.app_context():
            barrier.wait()
            _create(requester_ids, keyword_ids, count // threads, 100 + n)

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    return (count // threads) * threads / (time.perf_counter() - started)


def _process_creator(config, requester_ids, keyword_ids, count, seed_value, ready, go, done):
    app = create_app(config)
    with app.app_context():
        db.session.get(Ticket, 1)  # connect and import before the clock starts
        db.session.remove()
        ready.set()
        go.wait()
        _create(requester_ids, keyword_ids, count, seed_value)
    done.put(time.time())


def measure_creation_processes(config, requester_ids, keyword_ids, count, processes):
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    go, done = context.Event(), context.Queue()
    readies = [context.Event() for _ in range(processes)]
    children = [
        context.Process(
            target=_process_creator, args=(config, requester_ids, keyword_ids, count // processes, 200 + n, ready, go, done)
        )
        for n, ready in enumerate(readies)
    ]
    for child in children:
        child.start()
    for ready in readies:
        ready.wait(120)
    started = time.time()
    go.set()
    finished = [done.get(timeout=3600) for _ in children]
    for child in children:
        child.join()
    return (count // processes) * processes / (max(finished) - started)


def _timed(session, user, filters, cursor=None, runs=15):
    stmt = queries.filtered(session, user, filters, now=utcnow())
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        rows, _next = queries.page(session, stmt, cursor=cursor)
        durations.append((time.perf_counter() - started) * 1000)
        session.rollback()
    return statistics.median(durations), len(rows)


def _explain(session, user, filters, cursor, name):
    stmt = queries.filtered(session, user, filters, now=utcnow())
    sort = keyset.Sort.parse(None, None)
    # The first of the page's seeks (for a cursor: the dated rows after it), as keyset.page runs it.
    stmt = keyset._statements(stmt, sort.key, keyset.decode(sort, cursor), False)[0].limit(queries.PAGE_SIZE + 1)
    compiled = stmt.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
    plan = "\n".join(row[0] for row in session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}")))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.txt").write_text(f"{compiled}\n\n{plan}\n", encoding="utf-8")
    session.rollback()
    return plan


def deep_cursor(session, user, filters, depth):
    """The cursor a user would hold after paging `depth` rows (computed directly, for the benchmark only)."""
    stmt = (
        queries.filtered(session, user, filters, now=utcnow())
        .order_by(Ticket.resolution_due_at.asc().nulls_last(), Ticket.id.asc())
        .offset(depth)
        .limit(1)
    )
    ticket = session.scalars(stmt).first()
    return keyset.encode(keyset.Sort.parse(None, None), ticket.resolution_due_at, ticket.id) if ticket else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="tickets to bulk-load (default 100000)")
    parser.add_argument("--create", type=int, default=2000, help="tickets to create through services.open_ticket")
    parser.add_argument("--threads", default="4", help="comma-separated thread counts for concurrent creation")
    parser.add_argument("--processes", default="2", help="comma-separated process counts for concurrent creation")
    parser.add_argument("--no-sla", action="store_true", help="no SLA reference data (no deadlines, no timers)")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/h_tickets")
    config = {
        "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
        "HELPDESK_DATA_DIR": tempfile.mkdtemp(prefix="tickets-bench-"),
        "SECRET_KEY": "bench",
        # Default: an embedded Redis in the bench's own data directory (it is flushed).
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", ""),
    }
    app = create_app(config)
    config["REDIS_URL"] = app.config["REDIS_URL"]  # worker processes join the same Redis
    report = {"n": args.n, "sla": not args.no_sla}
    with app.app_context():
        from helpdesk.platform.queue import redis_connection

        redis_connection().flushdb()
        session = db.session
        started = time.perf_counter()
        db.drop_all()
        db.create_all()
        install_search(db.engine)
        print(f"schema rebuilt in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        schools, requesters, agents, keywords = build_reference_data(session)
        if not args.no_sla:
            from escalation import seed

            seed.seed_reference(session)
            session.commit()
        report["keywords"] = len(keywords)
        report["bulk_load_seconds"] = round(bulk_load(session, args.n, schools, requesters, keywords), 1)
        agent_ids = {role: user.id for role, user in agents.items()}
        requester_ids, keyword_ids = [u.id for u in requesters], [k.id for k in keywords]
        report["creation_tickets_per_second"] = round(measure_creation(app, requester_ids, keyword_ids, args.create), 1)
        print(f"creation, serial: {report['creation_tickets_per_second']} tickets/s", file=sys.stderr)
        for threads in [int(n) for n in args.threads.split(",") if n.strip()]:
            rate = round(measure_creation(app, requester_ids, keyword_ids, args.create, threads), 1)
            report[f"creation_tickets_per_second_{threads}_threads"] = rate
            print(f"creation, {threads} threads: {rate} tickets/s", file=sys.stderr)
        for processes in [int(n) for n in args.processes.split(",") if n.strip()]:
            rate = round(measure_creation_processes(config, requester_ids, keyword_ids, args.create, processes), 1)
            report[f"creation_tickets_per_second_{processes}_processes"] = rate
            print(f"creation, {processes} processes: {rate} tickets/s", file=sys.stderr)
        session = db.session
        agents = {role: session.get(User, user_id) for role, user_id in agent_ids.items()}
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE ticket"))
        cases = {
            "n1": (agents[Role.AGENT_N1], queries.Filters(tier="n1")),
            "edulab_two_basins": (agents[Role.EDULAB], queries.Filters(tier="edulab")),
            "pilote_service": (agents[Role.PILOTE], queries.Filters(tier="pilote", service="messagerie")),
            "n1_search": (agents[Role.AGENT_N1], queries.Filters(tier="n1", q="cahier textes")),
        }
        for name, (user, filters) in cases.items():
            user = session.get(User, user.id)
            first_ms, _rows = _timed(session, user, filters)
            _explain(session, user, filters, None, f"{name}_first_page")
            count, capped = queries.capped_count(session, queries.filtered(session, user, filters, now=utcnow()))
            entry = {"first_page_ms": round(first_ms, 2), "open_count": f"{count}{'+' if capped else ''}"}
            exact = session.scalar(
                select(db.func.count()).select_from(queries.filtered(session, user, filters, now=utcnow()).subquery())
            )
            entry["open_count_exact"] = exact
            depth = min(5000, max(exact - 30, 0))
            cursor = deep_cursor(session, user, filters, depth) if depth else None
            if cursor:
                deep_ms, _rows = _timed(session, user, filters, cursor)
                _explain(session, user, filters, cursor, f"{name}_deep_page")
                entry.update(deep_page_ms=round(deep_ms, 2), deep_page_position=depth)
            report[name] = entry
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"report_{args.n}.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
